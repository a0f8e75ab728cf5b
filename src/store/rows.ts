/** Converts between table rows (JSON as text) and the records the engine works with. */
import type { Selectable } from 'kysely';
import type { ActorRef } from '../actors/contracts.js';
import type { WaitPolicy, WaitVote } from './contracts.js';
import type { ErrorBody } from '../errors/index.js';
import type { AttemptsTable, EventsTable, NodesTable, RunsTable, StepsTable, WaitsTable } from './schema.js';
import type {
  AttemptRecord,
  AttemptStatus,
  DecisionRecord,
  EventRecord,
  HandoffRecord,
  NodeRecord,
  NodeRole,
  RunPatch,
  RunRecord,
  RunState,
  StepKind,
  StepRecord,
  WaitRecord,
  WaitStatus,
} from './types.js';

export const toJson = (value: unknown): string => JSON.stringify(value ?? null);
const fromJson = <T>(text: string | null): T => (text === null ? null : JSON.parse(text)) as T;

export function runFromRow(row: Selectable<RunsTable>): RunRecord {
  return {
    id: row.id,
    workflow: row.workflow,
    sessionId: row.session_id,
    idempotencyKey: row.idempotency_key,
    parameters: fromJson(row.parameters),
    state: row.state as RunState,
    phase: row.phase,
    visits: fromJson<Record<string, number>>(row.visits),
    completedPhases: fromJson<string[]>(row.completed_phases),
    waitingFor: row.waiting_for,
    error: fromJson<ErrorBody | null>(row.error),
    result: fromJson(row.result),
    version: Number(row.version),
    lastSeq: Number(row.last_seq),
    leaseOwner: row.lease_owner,
    leaseExpiresAt: row.lease_expires_at === null ? null : Number(row.lease_expires_at),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
    finishedAt: row.finished_at === null ? null : Number(row.finished_at),
    startedBy: fromJson<ActorRef | null>(row.started_by),
  };
}

/** Only the columns a patch names are written. */
export function patchToRow(patch: RunPatch): Partial<RunsTable> {
  const row: Partial<RunsTable> = {};
  if (patch.state !== undefined) row.state = patch.state;
  if (patch.phase !== undefined) row.phase = patch.phase;
  if (patch.visits !== undefined) row.visits = toJson(patch.visits);
  if (patch.completedPhases !== undefined) row.completed_phases = toJson(patch.completedPhases);
  if (patch.waitingFor !== undefined) row.waiting_for = patch.waitingFor;
  if (patch.error !== undefined) row.error = patch.error === null ? null : toJson(patch.error);
  if (patch.result !== undefined) row.result = toJson(patch.result);
  if (patch.leaseOwner !== undefined) row.lease_owner = patch.leaseOwner;
  if (patch.leaseExpiresAt !== undefined) row.lease_expires_at = patch.leaseExpiresAt;
  if (patch.finishedAt !== undefined) row.finished_at = patch.finishedAt;
  return row;
}

export const stepFromRow = (row: Selectable<StepsTable>): StepRecord => ({
  runId: row.run_id,
  stepKey: row.step_key,
  phase: row.phase,
  visit: Number(row.visit),
  kind: row.kind as StepKind,
  agent: row.agent,
  output: fromJson(row.output),
  version: Number(row.version),
  committedAt: Number(row.committed_at),
  agentRun:
    row.attempt === null
      ? null
      : {
          attempt: Number(row.attempt),
          startedAt: Number(row.started_at),
          durationMs: Number(row.duration_ms),
          fromPhase: row.from_phase,
          fromAgent: row.from_agent,
          input: fromJson(row.input),
        },
});

export const attemptFromRow = (row: Selectable<AttemptsTable>): AttemptRecord => ({
  runId: row.run_id,
  stepKey: row.step_key,
  attempt: Number(row.attempt),
  agent: row.agent,
  status: row.status as AttemptStatus,
  startedAt: Number(row.started_at),
  durationMs: Number(row.duration_ms),
  error: fromJson<ErrorBody | null>(row.error),
});

/** A committed agent step seen as the handoff that fed it. */
export const handoffOf = (step: StepRecord): HandoffRecord | undefined =>
  step.agentRun && step.agent !== null
    ? {
        runId: step.runId,
        stepKey: step.stepKey,
        fromPhase: step.agentRun.fromPhase,
        fromAgent: step.agentRun.fromAgent,
        toPhase: step.phase,
        toAgent: step.agent,
        payload: step.agentRun.input,
        at: step.committedAt,
      }
    : undefined;

/** A committed agent step seen as its successful attempt. */
export const attemptOf = (step: StepRecord): AttemptRecord | undefined =>
  step.agentRun && step.agent !== null
    ? {
        runId: step.runId,
        stepKey: step.stepKey,
        attempt: step.agentRun.attempt,
        agent: step.agent,
        status: 'succeeded',
        startedAt: step.agentRun.startedAt,
        durationMs: step.agentRun.durationMs,
        error: null,
      }
    : undefined;

export const eventFromRow = (row: Selectable<EventsTable>): EventRecord => ({
  runId: row.run_id,
  seq: Number(row.seq),
  type: row.type,
  payload: fromJson<Record<string, unknown>>(row.payload),
  at: Number(row.at),
});

/** The type of a row holding a whole commit's events (`batch` of them); never an event's own type when read. */
export const BATCH_ROW_TYPE = 'batch';

/** The events payload of a batch row: each event's type and payload, in order. */
export const batchPayload = (events: readonly { type: string; payload: unknown }[]): string => toJson(events.map((e) => [e.type, e.payload]));

/** A row's events: itself, or the `batch` events it holds, numbered up to its seq. */
export function eventsFromRow(row: Selectable<EventsTable>): EventRecord[] {
  if (row.batch === null) return [eventFromRow(row)];
  const held = fromJson<[string, Record<string, unknown>][]>(row.payload);
  const last = Number(row.seq);
  const at = Number(row.at);
  return held.map(([type, payload], i) => ({ runId: row.run_id, seq: last - held.length + 1 + i, type, payload, at }));
}

/** A decision event joined with its run's workflow (the audit's rows). */
export const decisionFromRow = (row: Selectable<EventsTable> & { workflow: string }): DecisionRecord => ({
  ...eventFromRow(row),
  workflow: row.workflow,
  actorId: row.actor_id ?? '',
});

export const waitFromRow = (row: Selectable<WaitsTable>): WaitRecord => ({
  id: row.id,
  runId: row.run_id,
  stepKey: row.step_key,
  phase: row.phase,
  kind: row.kind,
  role: row.role,
  data: fromJson(row.data),
  status: row.status as WaitStatus,
  resolution: fromJson(row.resolution),
  deadlineAt: row.deadline_at === null ? null : Number(row.deadline_at),
  createdAt: Number(row.created_at),
  resolvedAt: row.resolved_at === null ? null : Number(row.resolved_at),
  policy: fromJson<WaitPolicy | null>(row.policy),
  votes: fromJson<WaitVote[] | null>(row.votes) ?? [],
});

export const nodeFromRow = (row: Selectable<NodesTable>): NodeRecord => ({
  id: row.id,
  role: row.role as NodeRole,
  version: row.version,
  startedAt: Number(row.started_at),
  heartbeatAt: Number(row.heartbeat_at),
  stoppingAt: row.stopping_at === null ? null : Number(row.stopping_at),
});
