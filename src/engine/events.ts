/**
 * The event types every run writes to its log, with the fields each carries. The WebSocket
 * stream sends these as they are; agents may add their own types (e.g. `variance_alert`).
 */
import type { ErrorBody } from '../errors/index.js';
import type { NewEvent, RunState } from '../store/types.js';

export const CORE_EVENT_TYPES = [
  'run_created',
  'run_state',
  'agent_status',
  'progress',
  'complete',
  'error',
  'phase_skipped',
  'phase_transition',
  'approval_required',
  'approval_resolved',
  'wait_required',
  'wait_resolved',
  'workflow_complete',
] as const;
export type CoreEventType = (typeof CORE_EVENT_TYPES)[number];

const event = (type: CoreEventType, payload: Record<string, unknown>): NewEvent => ({ type, payload });

export const events = {
  runCreated: (workflow: string, parameters: unknown, sessionId: string | null) => event('run_created', { workflow, parameters, session_id: sessionId }),
  runState: (from: RunState, to: RunState, reason?: string) => event('run_state', { from, to, ...(reason ? { reason } : {}) }),
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
  phaseTransition: (from: string, to: string, reason: string, rollback?: { timeline: number; abandonedSteps: string[] }) =>
    event('phase_transition', {
      from_phase: from,
      to_phase: to,
      reason,
      ...(rollback ? { timeline: rollback.timeline, abandoned_steps: rollback.abandonedSteps } : {}),
    }),
  waitRequired: (waitId: string, kind: string, phase: string, data: unknown, deadlineAt: number | null, role: string | null) =>
    kind === 'approval'
      ? event('approval_required', { approval_id: waitId, kind, phase, data, deadline_at: deadlineAt, role })
      : event('wait_required', { wait_id: waitId, kind, phase, data, deadline_at: deadlineAt, role }),
  waitResolved: (waitId: string, kind: string, resolution: unknown) =>
    kind === 'approval' ? event('approval_resolved', { approval_id: waitId, kind, resolution }) : event('wait_resolved', { wait_id: waitId, kind, resolution }),
  workflowComplete: (state: RunState, result: unknown) => event('workflow_complete', { state, result }),
};

export const isCoreEventType = (type: string): boolean => (CORE_EVENT_TYPES as readonly string[]).includes(type);
