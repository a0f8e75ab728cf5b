/** A delivery run as its people see it: the state, who owns it, progress, what was done and what is expected next. */
import type { RunStatus } from '../../engine/index.js';
import type { RunState } from '../../store/index.js';
import type { DeliveryParameters } from './parameters.js';
import { stateOfPhase } from './phases.js';
import { allowedNext, orderOf, ownerOf, retryTargets, rollbackTargets, STATES, WORK_STATES, type DeliveryState, type Role } from './states.js';
import { parametersOf } from './checked.js';

export interface ExpectedNext {
  /** advance: the role submits; agent: an agent or the system is at work; rollback: a person decides where to resume; none: finished. */
  action: 'advance' | 'agent' | 'rollback' | 'none';
  role: Role | null;
  /** The states the run may move to from here (for rollback: the states it may be sent back to). */
  states: DeliveryState[];
  /** The states `request-retry` sends the work back to, if any. */
  retry_to: DeliveryState[];
}

export interface DeliveryStatus {
  run_id: string;
  /** The run id again, as the specification's `/api/workflows/…` routes name a run. */
  workflow_id: string;
  /** Who started the change (the starting actor's id); null on runs from before actors. */
  user_id: string | null;
  build_id: string | null;
  project: string;
  change: DeliveryParameters['change'];
  automatic_roles: Role[];
  state: DeliveryState;
  description: string;
  owner: Role | null;
  run_state: RunState;
  percent: number;
  completed_states: DeliveryState[];
  /** For ERROR: the state that failed. */
  failed_state: DeliveryState | null;
  waiting_for: { wait_id: string; role: Role | null; state: DeliveryState; context: unknown } | null;
  expected_next: ExpectedNext;
  error: RunStatus['error'];
  session_id: string | null;
  last_seq: number;
  created_at: number;
  updated_at: number;
  finished_at: number | null;
}

export function deliveryStateOf(status: Pick<RunStatus, 'state' | 'phase'>): DeliveryState {
  if (status.state === 'completed') return 'COMPLETE';
  if (status.state === 'failed') return 'ERROR';
  return status.phase === null ? 'COMPLETE' : stateOfPhase(status.phase);
}

/**
 * What is expected next, the one source for every answer (the start's, the status read's, each
 * move's): decided by who plays the state's role in this run, not by whether its wait has opened
 * yet, so an answer given while the engine is still skipping into a person's state says `advance`
 * as the next read will. `position` is the state, or for ERROR the state that failed.
 */
export function expectedNextOf(
  status: Pick<RunStatus, 'state'>,
  state: DeliveryState,
  position: DeliveryState,
  parameters: Pick<DeliveryParameters, 'automatic_roles'>,
): ExpectedNext {
  if (state === 'COMPLETE' || status.state === 'cancelled' || status.state === 'rejected') return { action: 'none', role: null, states: [], retry_to: [] };
  if (state === 'ERROR') return { action: 'rollback', role: null, states: rollbackTargets(position, true), retry_to: [] };
  const owner = ownerOf(state);
  const byPerson = owner !== null && !parameters.automatic_roles.includes(owner);
  return { action: byPerson ? 'advance' : 'agent', role: owner, states: [...allowedNext(state)], retry_to: retryTargets(state) };
}

/** `failedState` is the state a run in ERROR failed in (read from its ERROR step or the phase it failed at). */
export function deliveryStatusOf(status: RunStatus, failedState: DeliveryState | null): DeliveryStatus {
  const parameters = parametersOf(status);
  const state = deliveryStateOf(status);
  const position = state === 'ERROR' ? (failedState ?? 'DISCOVERY') : state;
  const completed = state === 'COMPLETE' ? [...WORK_STATES] : WORK_STATES.filter((s) => orderOf(s) < orderOf(position));
  const wait = status.waitingFor;
  return {
    run_id: status.id,
    workflow_id: status.id,
    // Runs started before the delivery recorded its user name their starter in the engine's record, if anyone.
    user_id: parameters.user_id ?? status.startedBy?.id ?? null,
    build_id: parameters.build_id ?? null,
    project: parameters.project,
    change: parameters.change,
    automatic_roles: parameters.automatic_roles,
    state,
    description: STATES[state].description,
    owner: ownerOf(state),
    run_state: status.state,
    percent: Math.round((100 * completed.length) / WORK_STATES.length),
    completed_states: completed,
    failed_state: state === 'ERROR' ? failedState : null,
    waiting_for: wait ? { wait_id: wait.id, role: wait.role as Role | null, state: stateOfPhase(wait.phase), context: wait.data } : null,
    expected_next: expectedNextOf(status, state, position, parameters),
    error: status.error,
    session_id: status.sessionId,
    last_seq: status.lastSeq,
    created_at: status.createdAt,
    updated_at: status.updatedAt,
    finished_at: status.finishedAt,
  };
}
