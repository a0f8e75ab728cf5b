/**
 * Software delivery on Baton's engine, built from the transition table: each role state is an
 * agent phase (when an agent plays the role) and a submission wait owned by the role (when a
 * person does), handoff states pack the next role's context, and ERROR records a critical
 * failure and stops the run for a person to roll back. COMPLETE is the run completing.
 */
import { defineWorkflow, type Phase, type Transition, type WorkflowDefinition, type AgentDefinition } from '../../engine/index.js';
import { deliveryAgents, ERROR_AGENT, HANDOFF_AGENT, ROLE_AGENTS, type DeliveryAgentOptions } from './agents/index.js';
import { latestFailure, roleContext, type DeliveryContext } from './context.js';
import { reasonOf, submissionFor, type Submission } from './outputs.js';
import { DeliveryParameters } from './parameters.js';
import { agentPhaseOf, firstPhaseOf } from './phases.js';
import { deliveryRollback } from './rollback.js';
import { FORWARD_PATH, isRoleState, ownerOf, STATES, TRANSITIONS, type DeliveryState, type Role, type RoleState } from './states.js';
import { submissionOf } from './checked.js';

export const SOFTWARE_DELIVERY = 'software-delivery';
/** The one intake that resolves a role's submission (the delivery service's turn and repeat checks). */
export const SUBMISSION_INTAKE = 'delivery-submission';

type DeliveryPhase = Phase<DeliveryParameters>;

/** The engine phases a state may hand the run to, straight from the table (COMPLETE is an end, not a phase). */
const targetsOf = (state: DeliveryState): string[] => TRANSITIONS[state].filter((s) => s !== 'COMPLETE').map(firstPhaseOf);

function transitionOf(state: RoleState, submission: Submission): Transition {
  const reason = reasonOf(state, submission);
  return submission.to_state === 'COMPLETE' ? { end: 'completed', reason } : { goto: firstPhaseOf(submission.to_state), reason };
}

function rolePhases(state: RoleState): DeliveryPhase[] {
  const owner = ownerOf(state) as Role;
  const byAgent = (parameters: DeliveryParameters) => parameters.automatic_roles.includes(owner);
  return [
    {
      name: agentPhaseOf(state),
      description: `${STATES[state].description} (${owner} played by an agent)`,
      agent: ROLE_AGENTS[owner],
      skip: (parameters) => (byAgent(parameters) ? undefined : `${owner} submits ${state} in person`),
      transitions: targetsOf(state),
      input: (context: DeliveryContext) => ({
        state,
        round: context.round,
        mode: context.parameters.agent_mode,
        script: context.parameters.script,
        context: roleContext(state, context),
      }),
      next: (context, output) => transitionOf(state, submissionOf(state, output, { runId: context.runId, phase: agentPhaseOf(state) })),
    },
    {
      name: state,
      description: `${STATES[state].description} (${owner} submits)`,
      skip: (parameters) => (byAgent(parameters) ? `${owner} is played by an agent in this run` : undefined),
      transitions: targetsOf(state),
      wait: {
        kind: 'submission',
        role: owner,
        schema: submissionFor(state),
        data: (context: DeliveryContext) => roleContext(state, context),
        intake: { name: SUBMISSION_INTAKE, route: 'POST /api/workflows/{workflow_id}/advance or /api/delivery/runs/{run_id}/advance (or /request-retry)' },
      },
      decide: (context, resolution) => transitionOf(state, submissionOf(state, resolution.data, { runId: context.runId, phase: state })),
    },
  ];
}

/** A handoff state sits between two role states on the forward path. */
function handoffPhase(state: DeliveryState): DeliveryPhase {
  const index = FORWARD_PATH.indexOf(state);
  const from = FORWARD_PATH[index - 1] as RoleState;
  const to = FORWARD_PATH[index + 1] as RoleState;
  return {
    name: state,
    description: STATES[state].description,
    agent: HANDOFF_AGENT,
    transitions: targetsOf(state),
    input: (context: DeliveryContext) => ({
      from_state: from,
      to_state: to,
      from_role: ownerOf(from),
      to_role: ownerOf(to),
      package: roleContext(to, context),
    }),
  };
}

const errorPhase: DeliveryPhase = {
  name: 'ERROR',
  description: STATES.ERROR.description,
  agent: ERROR_AGENT,
  input: (context: DeliveryContext) => latestFailure(context),
  next: (_context, output) => {
    const failure = output as { failed_state: string; reason: string };
    return { end: 'failed', reason: `critical failure in ${failure.failed_state}: ${failure.reason}` };
  },
};

export const softwareDeliveryWorkflow: WorkflowDefinition<DeliveryParameters> = defineWorkflow({
  name: SOFTWARE_DELIVERY,
  description: 'discovery → planning → implementation → testing → verification → deployment, with handoffs between roles, retry loops and ERROR',
  parameters: DeliveryParameters,
  // A loop between testing and implementation is bounded: 50 rounds is a stuck change, not a slow one.
  maxVisitsPerPhase: 50,
  phases: [...FORWARD_PATH.filter((s) => s !== 'COMPLETE').flatMap((s) => (isRoleState(s) ? rolePhases(s) : [handoffPhase(s)])), errorPhase],
  rollback: deliveryRollback,
});

/** The workflow and its agents, ready to register on an engine. */
export function softwareDelivery(options: DeliveryAgentOptions = {}): { workflow: WorkflowDefinition<DeliveryParameters>; agents: AgentDefinition[] } {
  return { workflow: softwareDeliveryWorkflow, agents: deliveryAgents(options) };
}
