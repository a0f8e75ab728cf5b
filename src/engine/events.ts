/**
 * The event types every run writes to its log, with the fields each carries. The WebSocket
 * stream sends these as they are; agents may add their own types (e.g. `variance_alert`).
 */
import type { ActorRef } from '../actors/contracts.js';
import type { ErrorBody } from '../errors/index.js';
import type { WaitPolicy } from '../store/contracts.js';
import type { NewEvent, RunState } from '../store/types.js';
import type { WaitResolution } from './workflow.js';
import { CORE_EVENT_TYPES, isCoreEventType, type CoreEventType } from './contracts.js';

// The types are declared once, with their payloads (contracts.ts); the builders below write them.
export { CORE_EVENT_TYPES, isCoreEventType, type CoreEventType };

const event = (type: CoreEventType, payload: Record<string, unknown>): NewEvent => ({ type, payload });

/** A decision names its actor in the payload (for readers of the log) and in the event's actor column (for the audit). */
const decided = (e: NewEvent, actor: ActorRef | undefined): NewEvent => (actor ? { ...e, payload: { ...e.payload, actor }, actorId: actor.id } : e);

/** The event without its audit entry: the same decision's second event (a rollback's run_state) names the actor in its payload only. */
export const withoutAudit = ({ type, payload }: NewEvent): NewEvent => ({ type, payload });

export const events = {
  runCreated: (workflow: string, parameters: unknown, sessionId: string | null, actor?: ActorRef) =>
    decided(event('run_created', { workflow, parameters, session_id: sessionId }), actor),
  /** With an actor: a person's cancel, retry or rollback. */
  runState: (from: RunState, to: RunState, reason?: string, actor?: ActorRef) =>
    decided(event('run_state', { from, to, ...(reason ? { reason } : {}) }), actor),
  /** `completed` goes out in the same commit as the step's `complete`, just before it. */
  agentStatus: (agent: string, phase: string, status: 'running' | 'retrying' | 'failed' | 'completed', attempt: number) =>
    event('agent_status', { agent_name: agent, phase, status, attempt }),
  progress: (agent: string, progress: number, message: string) => event('progress', { agent_name: agent, progress, message }),
  complete: (agent: string, phase: string, result: unknown) => event('complete', { agent_name: agent, phase, result }),
  error: (error: ErrorBody, agent?: string) =>
    event('error', {
      ...(agent ? { agent_name: agent } : {}),
      error_type: error.error_type,
      error_message: error.message,
      details: error.details,
      suggestions: error.suggestions,
    }),
  phaseSkipped: (phase: string, reason: string) => event('phase_skipped', { phase, reason }),
  /** A rollback's transition also says which timeline starts and which steps it abandoned. */
  phaseTransition: (from: string, to: string, reason: string, rollback?: { timeline: number; abandonedSteps: string[] }, actor?: ActorRef) =>
    decided(
      event('phase_transition', {
        from_phase: from,
        to_phase: to,
        reason,
        ...(rollback ? { timeline: rollback.timeline, abandoned_steps: rollback.abandonedSteps } : {}),
      }),
      actor,
    ),
  waitRequired: (waitId: string, kind: string, phase: string, data: unknown, deadlineAt: number | null, role: string | null, policy?: WaitPolicy | null) => {
    const rules = policy ? { policy } : {};
    return kind === 'approval'
      ? event('approval_required', { approval_id: waitId, kind, phase, data, deadline_at: deadlineAt, role, ...rules })
      : event('wait_required', { wait_id: waitId, kind, phase, data, deadline_at: deadlineAt, role, ...rules });
  },
  /** One approval toward a quorum that is not complete yet. */
  approvalVote: (waitId: string, kind: string, phase: string, actor: ActorRef, role: string, remaining: string[], comment?: string): NewEvent => ({
    ...event('approval_vote', { approval_id: waitId, kind, phase, actor, role, remaining, ...(comment === undefined ? {} : { comment }) }),
    actorId: actor.id,
  }),
  /** The resolution's `by` (when a person resolved it) is the decision's actor. */
  waitResolved: (waitId: string, kind: string, resolution: WaitResolution) => {
    const e =
      kind === 'approval'
        ? event('approval_resolved', { approval_id: waitId, kind, resolution })
        : event('wait_resolved', { wait_id: waitId, kind, resolution });
    return resolution.by ? { ...e, actorId: resolution.by.id } : e;
  },
  workflowComplete: (state: RunState, result: unknown) => event('workflow_complete', { state, result }),
};
