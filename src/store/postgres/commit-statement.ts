/**
 * A whole step commit as one PostgreSQL statement: the version fence is an UPDATE whose RETURNING
 * row every other part (step, attempt, waits, events) selects from, so a stale writer writes nothing.
 *
 * Why one statement and not BEGIN, UPDATE, INSERT…, COMMIT: each of those is a round trip (a step
 * with two events made six), and on a server whose fsync and round trip both take ~0.1 ms the
 * round trips, not the WAL flush, were most of a commit. node-postgres cannot pipeline, and a
 * multi-statement simple query would need values inlined into the SQL text; one statement with
 * data-modifying CTEs keeps bound parameters and is atomic on its own (no BEGIN/COMMIT needed).
 */
import { CompiledQuery } from 'kysely';
import { toJson } from '../rows.js';
import { COLUMNS, type RunsTable } from '../schema.js';
import type { NewEvent, RunCommit } from '../types.js';

/** The row the statement returns when the fence held; no row means the fence refused the writer. */
export interface FencedRow {
  version: number;
  last_seq: number;
}

/** SQLSTATE of the statement's guard against a wait that is no longer pending (see `waitGuard`). */
export const WAIT_NOT_PENDING = '22012';

// Parameters selected into an INSERT need their type spelled out (an untyped one would be text).
const INT = new Set(['version', 'last_seq', 'visit', 'attempt', 'duration_ms', 'seq']);
const BIGINT = new Set(['lease_expires_at', 'created_at', 'updated_at', 'finished_at', 'committed_at', 'started_at', 'deadline_at', 'resolved_at', 'at']);
const typeOf = (column: string) => (INT.has(column) ? 'int' : BIGINT.has(column) ? 'bigint' : 'text');

interface Shape {
  columns: readonly (keyof RunsTable)[];
  step: boolean;
  attempt: boolean;
  openWait: boolean;
  closeWait: boolean;
  updateWait: boolean;
  events: boolean;
}

/** The SQL of one shape, with the names of its parameters in order: built once per shape, like templates.ts. */
interface Built {
  sql: string;
  names: string[];
}

function build(shape: Shape): Built {
  const names: string[] = [];
  const p = (name: string, type = typeOf(name)) => {
    names.push(name);
    return `$${names.length}::${type}`;
  };
  const ctes: string[] = [];
  const sets = shape.columns.map((c) => `"${c}" = ${p(c)}`);
  ctes.push(
    `fence as (update "runs" set ${[...sets, `"version" = "version" + ${p('bump', 'int')}`, `"last_seq" = "last_seq" + ${p('added', 'int')}`, `"updated_at" = ${p('at')}`].join(', ')}` +
      ` where "id" = ${p('run_id')} and "version" = ${p('expected', 'int')} returning "version", "last_seq")`,
  );
  const insert = (table: string, columns: readonly string[], values: (column: string) => string) =>
    `insert into "${table}" (${columns.map((c) => `"${c}"`).join(', ')}) select ${columns.map(values).join(', ')} from fence`;
  if (shape.step) {
    const columns = COLUMNS.steps;
    ctes.push(`step as (${insert('steps', columns, (c) => (c === 'version' ? 'fence."version"' : c === 'run_id' ? p('run_id') : p(`step.${c}`, typeOf(c))))})`);
  }
  if (shape.attempt) {
    const columns = COLUMNS.attempts;
    ctes.push(`attempt as (${insert('attempts', columns, (c) => (c === 'run_id' ? p('run_id') : p(`attempt.${c}`, typeOf(c))))})`);
  }
  // A closed wait or a vote changes no row when the wait is no longer pending: the guard below turns that into an error.
  if (shape.closeWait)
    ctes.push(
      `closed as (update "waits" set "status" = ${p('close.status')}, "resolution" = ${p('close.resolution')}, "resolved_at" = ${p('at')}` +
        ` from fence where "waits"."id" = ${p('close.id')} and "waits"."status" = 'pending' returning 1)`,
    );
  if (shape.updateWait)
    ctes.push(
      `voted as (update "waits" set "votes" = ${p('vote.votes')} from fence where "waits"."id" = ${p('vote.id')} and "waits"."status" = 'pending' returning 1)`,
    );
  if (shape.openWait) {
    const columns = COLUMNS.waits;
    const fixed: Record<string, string> = { run_id: p('run_id'), status: `'pending'`, resolution: 'null', resolved_at: 'null', votes: 'null' };
    ctes.push(`opened as (${insert('waits', columns, (c) => fixed[c] ?? p(`open.${c}`, typeOf(c)))})`);
  }
  if (shape.events)
    // One shape for any number of events: arrays unnested in order; seqs follow the log's new last_seq.
    ctes.push(
      `logged as (insert into "events" ("run_id", "seq", "type", "payload", "at", "actor_id")` +
        ` select ${p('run_id')}, fence."last_seq" - ${p('added', 'int')} + e.n::int, e.type, e.payload, ${p('at')}, e.actor_id from fence,` +
        ` unnest(${p('events.type', 'text[]')}, ${p('events.payload', 'text[]')}, ${p('events.actor_id', 'text[]')}) with ordinality as e(type, payload, actor_id, n))`,
    );
  // Zero when the fence held but the wait was not pending, one otherwise (a refused fence writes nothing, the wait included):
  // dividing by it aborts the whole statement, fence included. Non-constant, so the planner cannot fold it.
  const guarded = [...(shape.closeWait ? ['closed'] : []), ...(shape.updateWait ? ['voted'] : [])];
  const waitGuard = guarded.map((cte) => `, 1 / ((select count(*) from ${cte}) + 1 - (select count(*) from fence)) as ${cte}_pending`).join('');
  return { sql: `with ${ctes.join(', ')} select fence."version", fence."last_seq"${waitGuard} from fence`, names };
}

const cache = new Map<string, Built>();

/** The commit's statement; its values are named as in `build` and filled from the commit. */
export function commitStatement(c: RunCommit, patch: Partial<RunsTable>): CompiledQuery<FencedRow> {
  const columns = (Object.keys(patch) as (keyof RunsTable)[]).sort();
  const events = c.events ?? [];
  const shape: Shape = {
    columns,
    step: c.step !== undefined,
    attempt: c.failedAttempt !== undefined,
    openWait: c.openWait !== undefined,
    closeWait: c.closeWait !== undefined,
    updateWait: c.updateWait !== undefined,
    events: events.length > 0,
  };
  const key = JSON.stringify(shape);
  let built = cache.get(key);
  if (!built) cache.set(key, (built = build(shape)));

  const s = c.step;
  const a = c.failedAttempt;
  const w = c.openWait;
  const values: Record<string, unknown> = {
    ...patch,
    bump: c.patch || c.updateWait ? 1 : 0,
    added: events.length,
    at: c.at,
    run_id: c.runId,
    expected: c.expectedVersion,
    ...(s && {
      'step.step_key': s.stepKey,
      'step.phase': s.phase,
      'step.visit': s.visit,
      'step.kind': s.kind,
      'step.agent': s.agent,
      'step.output': toJson(s.output),
      'step.committed_at': s.committedAt,
      'step.attempt': s.agentRun?.attempt ?? null,
      'step.started_at': s.agentRun?.startedAt ?? null,
      'step.duration_ms': s.agentRun?.durationMs ?? null,
      'step.from_phase': s.agentRun?.fromPhase ?? null,
      'step.from_agent': s.agentRun?.fromAgent ?? null,
      'step.input': s.agentRun ? toJson(s.agentRun.input) : null,
    }),
    ...(a && {
      'attempt.step_key': a.stepKey,
      'attempt.attempt': a.attempt,
      'attempt.agent': a.agent,
      'attempt.status': a.status,
      'attempt.started_at': a.startedAt,
      'attempt.duration_ms': a.durationMs,
      'attempt.error': toJson(a.error),
    }),
    ...(c.closeWait && { 'close.id': c.closeWait.id, 'close.status': c.closeWait.status, 'close.resolution': toJson(c.closeWait.resolution) }),
    ...(c.updateWait && { 'vote.id': c.updateWait.id, 'vote.votes': toJson(c.updateWait.votes) }),
    ...(w && {
      'open.id': w.id,
      'open.step_key': w.stepKey,
      'open.phase': w.phase,
      'open.kind': w.kind,
      'open.role': w.role,
      'open.data': toJson(w.data),
      'open.deadline_at': w.deadlineAt,
      'open.created_at': w.createdAt,
      'open.policy': w.policy ? toJson(w.policy) : null,
    }),
    'events.type': events.map((e) => e.type),
    'events.payload': events.map((e) => toJson(e.payload)),
    'events.actor_id': events.map((e) => e.actorId ?? null),
  };
  return CompiledQuery.raw(
    built.sql,
    built.names.map((name) => values[name]),
  );
}

/**
 * A new run and its first events as one statement: the run's insert, then its events selected from
 * its RETURNING row. A transaction of BEGIN, two inserts and COMMIT was four round trips per started
 * run; a taken idempotency key fails the whole statement with the same unique violation.
 */
const createRunSql = (() => {
  const runColumns = COLUMNS.runs;
  const runValues = runColumns.map((c, i) => `$${i + 1}::${typeOf(c)}`);
  const n = runColumns.length;
  return (
    `with created as (insert into "runs" (${runColumns.map((c) => `"${c}"`).join(', ')}) values (${runValues.join(', ')}) returning "id")` +
    ` insert into "events" ("run_id", "seq", "type", "payload", "at", "actor_id")` +
    ` select created."id", e.n::int, e.type, e.payload, $${n + 1}::bigint, e.actor_id from created,` +
    ` unnest($${n + 2}::text[], $${n + 3}::text[], $${n + 4}::text[]) with ordinality as e(type, payload, actor_id, n)`
  );
})();

/** The statement that writes `row` and its events (numbered 1…n, at the run's creation time). */
export function createRunStatement(row: RunsTable, events: readonly NewEvent[]): CompiledQuery {
  return CompiledQuery.raw(createRunSql, [
    ...COLUMNS.runs.map((c) => row[c]),
    row.created_at,
    events.map((e) => e.type),
    events.map((e) => toJson(e.payload)),
    events.map((e) => e.actorId ?? null),
  ]);
}
