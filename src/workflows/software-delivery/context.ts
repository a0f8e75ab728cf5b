/**
 * What a role is given when its turn comes: the change, the latest output of every earlier state,
 * the feedback of later states that sent the work back, and the handoff package. Built from the
 * run's committed results, so it is the same after a restart.
 */
import type { WorkflowContext } from '../../engine/index.js';
import type { DeliveryParameters } from './parameters.js';
import { failureReason, setbacksOf, type Submission } from './outputs.js';
import { agentPhaseOf } from './phases.js';
import { orderOf, ownerOf, ROLE_STATES, STATES, type DeliveryState, type Role, type RoleState } from './states.js';
import { agentSubmission, submittedIn } from './checked.js';

export type DeliveryContext = WorkflowContext<DeliveryParameters>;

export interface Feedback {
  from_state: RoleState;
  from_role: Role | null;
  action: Submission['action'];
  reasons: string[];
  output: unknown;
  at: number;
}

export interface RoleContext {
  project: string;
  change: DeliveryParameters['change'];
  state: DeliveryState;
  role: Role | null;
  duties: string;
  /** The latest output of each state before this one on the forward path. */
  earlier: Partial<Record<RoleState, unknown>>;
  /** Work sent back to this state by later ones, newest first. */
  feedback: Feedback[];
}

/** The latest submission of a role state, whether a person (the wait's resolution) or an agent made it. */
export function submissionIn(results: Readonly<Record<string, unknown>>, state: RoleState): Submission | undefined {
  const byPerson = submittedIn(state, results[state], { phase: state });
  const byAgent = agentSubmission(state, results[agentPhaseOf(state)], { phase: agentPhaseOf(state) });
  if (byPerson && byAgent) return byPerson.at >= byAgent.at ? byPerson : byAgent;
  return byPerson ?? byAgent;
}

export function roleContext(state: DeliveryState, context: DeliveryContext): RoleContext {
  const earlier: Partial<Record<RoleState, unknown>> = {};
  const feedback: Feedback[] = [];
  for (const s of ROLE_STATES) {
    const submission = submissionIn(context.results, s);
    if (!submission) continue;
    if (orderOf(s) < orderOf(state) && submission.action === 'advance' && submission.output !== undefined) earlier[s] = submission.output;
    if (orderOf(s) > orderOf(state) && submission.to_state === state) {
      feedback.push({
        from_state: s,
        from_role: ownerOf(s),
        action: submission.action,
        reasons: setbacksOf(submission),
        output: submission.action === 'advance' ? submission.output : undefined,
        at: submission.at,
      });
    }
  }
  feedback.sort((a, b) => b.at - a.at);
  return {
    project: context.parameters.project,
    change: context.parameters.change,
    state,
    role: ownerOf(state),
    duties: STATES[state].description,
    earlier,
    feedback,
  };
}

/** The newest submission that sent the run to ERROR: which state failed, and why. */
export function latestFailure(context: DeliveryContext): { failed_state: RoleState; role: Role | null; reason: string } {
  let latest: { state: RoleState; submission: Submission } | undefined;
  for (const state of ROLE_STATES) {
    const submission = submissionIn(context.results, state);
    if (submission?.to_state === 'ERROR' && (!latest || submission.at > latest.submission.at)) latest = { state, submission };
  }
  if (!latest) throw new Error('no state reported a critical failure');
  return { failed_state: latest.state, role: ownerOf(latest.state), reason: failureReason(latest.submission) };
}
