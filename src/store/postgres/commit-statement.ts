/**
 * A whole step commit as one PostgreSQL statement: the version fence is an UPDATE whose RETURNING
 * row every other part (step, attempt, waits, events) selects from, so a stale writer writes nothing.
 *
 * Why one statement and not BEGIN, UPDATE, INSERT…, COMMIT: each of those is a round trip (a step
 * with two events made six), and on a server whose fsync and round trip both take ~0.1 ms the
 * round trips, not the WAL flush, were most of a commit. node-postgres cannot pipeline, and a
 * multi-statement simple query would need values inlined into the SQL text; one statement with
 * data-modifying CTEs keeps bound parameters and is atomic on its own (no BEGIN/COMMIT needed).
 *
 * A commit of two events or more, none of them a decision (no actor), writes them as one events row
 * (`batch`, rows.ts reads it back as its events): a step's three events cost three heap tuples and three
 * index entries, ~5–8% of a sequential workflow. Decisions keep a row each, for the audit's index on
 * actor_id. Those are a VALUES list with a row of parameters each, so a statement is prepared per event
 * count (up to MAX_LISTED_EVENTS; more are unnested from arrays): unnesting three text arrays with
 * ordinality cost ~10% of a step's round trip (~0.06 ms, Node's array encoding included).
 */
import { CompiledQuery } from 'kysely';
import { BATCH_ROW_TYPE, batchPayload, toJson } from '../rows.js';
import { COLUMNS, type RunsTable } from '../schema.js';
import { waitsForClaim, type EventNotice, type NewEvent, type RunCommit } from '../types.js';
import { CHANNEL, encodeNotices, noticePrefix, noticeSuffix } from './notifier.js';

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
  /** How many events: a statement lists up to MAX_LISTED_EVENTS of them, one row each (0 when batched). */
  events: number;
  /** The events go in one row, whatever their number. */
  batched: boolean;
  notify: boolean;
}

/** Commits with more events than this (a burst of progress, say) unnest them from arrays: one statement for any count. */
const MAX_LISTED_EVENTS = 8;
/** The event count a statement is built for: the count itself when listed, one past the limit for any larger count. */
const listedCount = (events: number): number => Math.min(events, MAX_LISTED_EVENTS + 1);

/** A value bound for a statement's events, read from them at each execution. */
type EventsParam = (events: readonly NewEvent[]) => unknown;

/** An event's values, in the order of the `e(…)` columns below. */
const EVENT_FIELDS: readonly ((e: NewEvent) => unknown)[] = [(e) => e.type, (e) => toJson(e.payload), (e) => e.actorId ?? null];

/**
 * The events' rows as `e(n, type, payload, actor_id)`, numbered 1…n in order: a VALUES list of `count`
 * rows, or (past MAX_LISTED_EVENTS) three arrays unnested. `bind` binds a value and returns its placeholder.
 */
function eventRows(count: number, bind: (type: string, value: EventsParam) => string): string {
  if (count <= MAX_LISTED_EVENTS) {
    const rows = Array.from({ length: count }, (_, i) => `(${i + 1}, ${EVENT_FIELDS.map((read) => bind('text', (events) => read(events[i]!))).join(', ')})`);
    return `(values ${rows.join(', ')}) as e(n, type, payload, actor_id)`;
  }
  return `unnest(${EVENT_FIELDS.map((read) => bind('text[]', (events) => events.map(read))).join(', ')}) with ordinality as e(type, payload, actor_id, n)`;
}

/** One parameter's value, read from the commit (and its row patch) at each execution. */
type Param = (c: RunCommit, patch: Partial<RunsTable>, notifyAs: string | undefined) => unknown;

/**
 * The values behind the parameters' names. Read straight into the statement's array: filling a record
 * of ~45 names for every commit cost ~50 µs with its garbage, more than the rest of the commit's Node work.
 */
const PARAMS: Record<string, Param> = {
  bump: (c) => (c.patch || c.updateWait ? 1 : 0),
  added: (c) => c.events?.length ?? 0,
  at: (c) => c.at,
  run_id: (c) => c.runId,
  expected: (c) => c.expectedVersion,
  'step.step_key': (c) => c.step?.stepKey,
  'step.phase': (c) => c.step?.phase,
  'step.visit': (c) => c.step?.visit,
  'step.kind': (c) => c.step?.kind,
  'step.agent': (c) => c.step?.agent,
  'step.output': (c) => toJson(c.step?.output),
  'step.committed_at': (c) => c.step?.committedAt,
  'step.attempt': (c) => c.step?.agentRun?.attempt ?? null,
  'step.started_at': (c) => c.step?.agentRun?.startedAt ?? null,
  'step.duration_ms': (c) => c.step?.agentRun?.durationMs ?? null,
  'step.from_phase': (c) => c.step?.agentRun?.fromPhase ?? null,
  'step.from_agent': (c) => c.step?.agentRun?.fromAgent ?? null,
  'step.input': (c) => (c.step?.agentRun ? toJson(c.step.agentRun.input) : null),
  'attempt.step_key': (c) => c.failedAttempt?.stepKey,
  'attempt.attempt': (c) => c.failedAttempt?.attempt,
  'attempt.agent': (c) => c.failedAttempt?.agent,
  'attempt.status': (c) => c.failedAttempt?.status,
  'attempt.started_at': (c) => c.failedAttempt?.startedAt,
  'attempt.duration_ms': (c) => c.failedAttempt?.durationMs,
  'attempt.error': (c) => toJson(c.failedAttempt?.error),
  'close.id': (c) => c.closeWait?.id,
  'close.status': (c) => c.closeWait?.status,
  'close.resolution': (c) => toJson(c.closeWait?.resolution),
  'vote.id': (c) => c.updateWait?.id,
  'vote.votes': (c) => toJson(c.updateWait?.votes),
  'open.id': (c) => c.openWait?.id,
  'open.step_key': (c) => c.openWait?.stepKey,
  'open.phase': (c) => c.openWait?.phase,
  'open.kind': (c) => c.openWait?.kind,
  'open.role': (c) => c.openWait?.role,
  'open.data': (c) => toJson(c.openWait?.data),
  'open.deadline_at': (c) => c.openWait?.deadlineAt,
  'open.created_at': (c) => c.openWait?.createdAt,
  'open.policy': (c) => (c.openWait?.policy ? toJson(c.openWait.policy) : null),
  'batch.payload': (c) => batchPayload(c.events ?? []),
  'notify.channel': () => CHANNEL,
  'notify.prefix': (c, _patch, notifyAs) => (notifyAs === undefined ? null : noticePrefix(notifyAs, c.runId)),
  'notify.suffix': (c) => noticeSuffix({ unclaimed: c.patch !== undefined && waitsForClaim(c.patch) }),
};

/** The SQL of one shape, with its parameters' values in order: built once per shape, like templates.ts. */
interface Built {
  sql: string;
  params: Param[];
}

function build(shape: Shape): Built {
  const params: Param[] = [];
  // A name not in PARAMS is a column of the run's row patch; a function reads its value itself.
  const p = (name: string | Param, type = typeof name === 'string' ? typeOf(name) : 'text') => {
    params.push(typeof name === 'function' ? name : (PARAMS[name] ?? ((_c, patch) => patch[name as keyof RunsTable])));
    return `$${params.length}::${type}`;
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
  if (shape.batched) {
    // One row numbered with the last of its events' seqs: the log's new last_seq.
    ctes.push(
      `logged as (insert into "events" ("run_id", "seq", "type", "payload", "at", "actor_id", "batch")` +
        ` select ${p('run_id')}, fence."last_seq", '${BATCH_ROW_TYPE}', ${p('batch.payload')}, ${p('at')}, null, ${p('added', 'int')} from fence)`,
    );
  } else if (shape.events > 0) {
    // Their seqs follow the log's new last_seq.
    const rows = eventRows(shape.events, (type, value) => p((c) => value(c.events ?? []), type));
    ctes.push(
      `logged as (insert into "events" ("run_id", "seq", "type", "payload", "at", "actor_id")` +
        ` select ${p('run_id')}, fence."last_seq" - ${p('added', 'int')} + e.n::int, e.type, e.payload, ${p('at')}, e.actor_id from fence, ${rows})`,
    );
  }
  // Zero when the fence held but the wait was not pending, one otherwise (a refused fence writes nothing, the wait included):
  // dividing by it aborts the whole statement, fence included. Non-constant, so the planner cannot fold it.
  const guarded = [...(shape.closeWait ? ['closed'] : []), ...(shape.updateWait ? ['voted'] : [])];
  const waitGuard = guarded.map((cte) => `, 1 / ((select count(*) from ${cte}) + 1 - (select count(*) from fence)) as ${cte}_pending`).join('');
  // The notice's seq is the log's new last_seq, known only here; NOTIFY in the statement is sent at its commit, and only if it commits.
  const notify = shape.notify ? `, pg_notify(${p('notify.channel')}, ${p('notify.prefix')} || fence."last_seq" || ${p('notify.suffix')}) as notified` : '';
  return { sql: `with ${ctes.join(', ')} select fence."version", fence."last_seq"${waitGuard}${notify} from fence`, params };
}

const cache = new Map<string, Built>();

/**
 * The commit's statement, built once per shape, its values read from the commit by PARAMS. With `notifyAs`
 * (this process's origin) and events to announce, the statement NOTIFYs them itself.
 */
export function commitStatement(c: RunCommit, patch: Partial<RunsTable>, notifyAs?: string): CompiledQuery<FencedRow> {
  const columns = (Object.keys(patch) as (keyof RunsTable)[]).sort();
  const events = c.events ?? [];
  const batched = events.length > 1 && events.every((e) => e.actorId === undefined);
  const shape: Shape = {
    columns,
    step: c.step !== undefined,
    attempt: c.failedAttempt !== undefined,
    openWait: c.openWait !== undefined,
    closeWait: c.closeWait !== undefined,
    updateWait: c.updateWait !== undefined,
    events: batched ? 0 : listedCount(events.length),
    batched,
    notify: notifyAs !== undefined && events.length > 0,
  };
  const key = JSON.stringify(shape);
  let built = cache.get(key);
  if (!built) cache.set(key, (built = build(shape)));

  return CompiledQuery.raw(
    built.sql,
    built.params.map((param) => param(c, patch, notifyAs)),
  );
}

/**
 * A new run and its first events as one statement: the run's insert, then its events selected from
 * its RETURNING row. A transaction of BEGIN, two inserts and COMMIT was four round trips per started
 * run; a taken idempotency key fails the whole statement with the same unique violation.
 */
function createRunSql(notify: boolean, events: number): CreateRunBuilt {
  const runColumns = COLUMNS.runs;
  // Parameters after the run's columns: the creation time, then the events' values, then the notice.
  let next = runColumns.length + 1;
  const param = (type: string) => `$${next++}::${type}`;
  const at = param('bigint');
  const eventParams: EventsParam[] = [];
  const rows = eventRows(events, (type, value) => {
    eventParams.push(value);
    return param(type);
  });
  const insertRun = `insert into "runs" (${runColumns.map((c) => `"${c}"`).join(', ')}) values (${runColumns.map((c, i) => `$${i + 1}::${typeOf(c)}`).join(', ')})`;
  // No events, no notice (there is nothing to announce): the run alone, its creation time still bound.
  if (events === 0) return { sql: `${insertRun} returning ${at}`, eventParams };
  const logged = `insert into "events" ("run_id", "seq", "type", "payload", "at", "actor_id") select created."id", e.n::int, e.type, e.payload, ${at}, e.actor_id from created, ${rows}`;
  const created = `with created as (${insertRun} returning "id")`;
  const sql = notify ? `${created}, logged as (${logged}) select pg_notify(${param('text')}, ${param('text')}) from created` : `${created} ${logged}`;
  return { sql, eventParams };
}

interface CreateRunBuilt {
  sql: string;
  /** The events' values, in their placeholders' order. */
  eventParams: EventsParam[];
}
const createRunCache = new Map<string, CreateRunBuilt>();

/**
 * The statement that writes `row` and its events (numbered 1…n, at the run's creation time); with
 * `notice`, it also NOTIFYs it (sent at the commit, and only if the run was created).
 */
export function createRunStatement(row: RunsTable, events: readonly NewEvent[], notice?: EventNotice): CompiledQuery {
  const count = listedCount(events.length);
  const key = `${notice ? 'notify' : 'plain'}:${count}`;
  let built = createRunCache.get(key);
  if (!built) createRunCache.set(key, (built = createRunSql(notice !== undefined, count)));
  return CompiledQuery.raw(built.sql, [
    ...COLUMNS.runs.map((c) => row[c]),
    row.created_at,
    ...built.eventParams.map((value) => value(events)),
    ...(notice ? [CHANNEL, encodeNotices([notice])] : []),
  ]);
}
