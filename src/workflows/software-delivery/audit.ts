/**
 * The audit trail of a delivery run, read from its event log: every submission and agent output
 * (who moved the change from which state to which, and what they handed over), every handoff,
 * critical failure, rollback and cancellation, in commit order. The log is the engine's, so the
 * trail is the same on every node and after any restart.
 */
import type { EventRecord } from '../../store/index.js';
import type { HandoffRecord } from './agents/index.js';
import { reasonOf, type Submission } from './outputs.js';
import { isAgentPhase, stateOfPhase } from './phases.js';
import { isRoleState, orderOf, ownerOf, type DeliveryState, type Role, type RoleState } from './states.js';
import { WaitResolution } from '../../engine/contracts.js';
import { submissionOf, submittedIn } from './checked.js';
import type { z } from 'zod';
import { ActorRef } from '../../actors/contracts.js';

export type Move = 'forward' | 'retry' | 'error' | 'rollback' | 'cancel';

export interface AuditEntry {
  seq: number;
  at: number;
  move: Move;
  from_state: DeliveryState;
  to_state: DeliveryState;
  from_role: Role | null;
  to_role: Role | null;
  /** Who acted: a role in person, `agent:<name>`, `system` (handoffs, engine failures) or `request` (a rollback asked for). */
  by: string;
  /** Who decided: the actor (person or service) for submissions, rollbacks, retries and cancels; the agent or the system otherwise; null where a record predates actors. */
  triggered_by: ActorRef | null;
  /** What went across: a role's output, a retry's reasons, a handoff's list. */
  transferred: unknown;
  reason: string | null;
}

const textOf = (value: unknown, fallback: string): string => (typeof value === 'string' ? value : fallback);

const SYSTEM: ActorRef = { id: 'system', name: 'system', token_id: null };
const agentRef = (name: string): ActorRef => ({ id: `agent:${name}`, name, token_id: null });
/** The actor an engine event names (run_state, phase_transition carry one when a person decided). */
const actorIn = (payload: Record<string, unknown>): ActorRef | null => ActorRef.safeParse(payload.actor).data ?? null;

const phaseState = (phase: string): DeliveryState => (phase === '(end)' ? 'COMPLETE' : stateOfPhase(phase));

function moveOf(from: DeliveryState, to: DeliveryState): Move {
  if (to === 'ERROR') return 'error';
  return orderOf(to) < orderOf(from) ? 'retry' : 'forward';
}

function submissionEntry(event: EventRecord, state: DeliveryState, submission: Submission, by: string, triggeredBy: ActorRef | null): AuditEntry {
  return {
    seq: event.seq,
    at: event.at,
    move: moveOf(state, submission.to_state),
    from_state: state,
    to_state: submission.to_state,
    from_role: ownerOf(state),
    to_role: ownerOf(submission.to_state),
    by,
    triggered_by: triggeredBy,
    transferred: submission.action === 'retry' ? { reasons: submission.reasons } : (submission.output ?? null),
    reason: reasonOf(state as RoleState, submission),
  };
}

const entry = (
  event: EventRecord,
  move: Move,
  from: DeliveryState,
  to: DeliveryState,
  reason: string | null,
  by: string,
  triggeredBy: ActorRef | null,
): AuditEntry => ({
  seq: event.seq,
  at: event.at,
  move,
  from_state: from,
  to_state: to,
  from_role: ownerOf(from),
  to_role: ownerOf(to),
  by,
  triggered_by: triggeredBy,
  transferred: null,
  reason,
});

export function auditTrail(events: readonly EventRecord[]): AuditEntry[] {
  const trail: AuditEntry[] = [];
  const waitPhases = new Map<string, string>();
  let phase: string | null = null;
  events.forEach((event, i) => {
    const p = event.payload;
    switch (event.type) {
      case 'wait_required':
        waitPhases.set(String(p.wait_id), String(p.phase));
        phase = String(p.phase);
        break;
      case 'agent_status':
        phase = String(p.phase);
        break;
      case 'wait_resolved': {
        const waitPhase = waitPhases.get(String(p.wait_id));
        const state = waitPhase === undefined ? undefined : stateOfPhase(waitPhase);
        if (waitPhase === undefined || state === undefined || !isRoleState(state)) break;
        const submission = submittedIn(state, p.resolution, { runId: event.runId, phase: waitPhase });
        if (submission) {
          const resolution = WaitResolution.safeParse(p.resolution).data;
          // The delivery service records the actor in the submission; the engine records who resolved the wait.
          trail.push(submissionEntry(event, state, submission, resolution?.role ?? 'person', submission.actor ?? resolution?.by ?? null));
        }
        break;
      }
      case 'complete': {
        phase = String(p.phase);
        const state = stateOfPhase(phase);
        if (isAgentPhase(phase) && isRoleState(state)) {
          const submission = submissionOf(state, p.result, { runId: event.runId, phase });
          const agent = String(p.agent_name);
          trail.push(submissionEntry(event, state, submission, `agent:${agent}${submission.by ? ` (${submission.by})` : ''}`, agentRef(agent)));
        } else if (state !== 'ERROR') {
          const handoff = p.result as z.output<typeof HandoffRecord>;
          trail.push({
            ...entry(event, 'forward', state, handoff.to_state, handoff.summary, 'system', SYSTEM),
            from_role: handoff.from_role,
            to_role: handoff.to_role,
            transferred: handoff.transferred,
          });
        }
        break;
      }
      case 'phase_transition': {
        // A rollback commits its phase_transition first and then the run's return to running;
        // a phase's own goto commits after its step, so only a rollback is followed by that run_state.
        const next = events[i + 1];
        if (next?.type === 'run_state' && next.payload.to === 'running' && next.payload.from !== 'running') {
          const from = String(p.from_phase);
          trail.push(
            entry(event, 'rollback', phaseState(from), phaseState(String(p.to_phase)), String(p.reason), 'request', actorIn(p) ?? actorIn(next.payload)),
          );
        }
        phase = String(p.to_phase);
        break;
      }
      case 'run_state':
        if (p.to === 'failed' && phase !== null && phase !== 'ERROR')
          trail.push(entry(event, 'error', stateOfPhase(phase), 'ERROR', textOf(p.reason, 'failed'), 'system', actorIn(p) ?? SYSTEM));
        if (p.from === 'failed' && p.to === 'running' && phase !== null && events[i - 1]?.type !== 'phase_transition') {
          // The engine's retry re-enters the phase that failed.
          trail.push(entry(event, 'rollback', 'ERROR', stateOfPhase(phase), textOf(p.reason, 'retry'), 'request', actorIn(p)));
        }
        if (p.to === 'cancelled' && phase !== null)
          trail.push(entry(event, 'cancel', stateOfPhase(phase), stateOfPhase(phase), textOf(p.reason, 'cancelled'), 'system', actorIn(p)));
        break;
      default:
        break;
    }
  });
  return trail;
}
