/** The queries the engine issues on every step, compiled once per shape (see templates.ts for why). */
import type { Kysely } from 'kysely';
import { toJson } from './rows.js';
import type { Database, RunsTable } from './schema.js';
import { template, templateFamily } from './templates.js';
import type { NewRun } from './types.js';

const RUN_COLUMNS = [
  'id',
  'workflow',
  'session_id',
  'idempotency_key',
  'parameters',
  'state',
  'phase',
  'visits',
  'completed_phases',
  'waiting_for',
  'error',
  'result',
  'version',
  'last_seq',
  'lease_owner',
  'lease_expires_at',
  'created_at',
  'updated_at',
  'finished_at',
] as const satisfies readonly (keyof RunsTable)[];

/** The row of a run that has just been created, with `eventCount` events already in its log. */
export function newRunRow(run: NewRun, eventCount: number): RunsTable {
  return {
    id: run.id,
    workflow: run.workflow,
    session_id: run.sessionId,
    idempotency_key: run.idempotencyKey,
    parameters: toJson(run.parameters),
    state: run.state,
    phase: run.phase,
    visits: '{}',
    completed_phases: '[]',
    waiting_for: null,
    error: null,
    result: null,
    version: 1,
    last_seq: eventCount,
    lease_owner: run.leaseOwner,
    lease_expires_at: run.leaseExpiresAt,
    created_at: run.createdAt,
    updated_at: run.createdAt,
    finished_at: null,
  };
}

export type RunColumns = keyof RunsTable;

export function hotQueries(db: Kysely<Database>) {
  return {
    insertRun: template<keyof RunsTable>((slot) =>
      db.insertInto('runs').values(Object.fromEntries(RUN_COLUMNS.map((c) => [c, slot(c)])) as unknown as RunsTable),
    ),
    runVersion: template<'id'>((slot) => db.selectFrom('runs').select(['version', 'state']).where('id', '=', slot<string>('id'))),
    getRun: template<'id'>((slot) => db.selectFrom('runs').selectAll().where('id', '=', slot<string>('id'))),
    getWait: template<'id'>((slot) => db.selectFrom('waits').selectAll().where('id', '=', slot<string>('id'))),
    listSteps: template<'run_id'>((slot) => db.selectFrom('steps').selectAll().where('run_id', '=', slot<string>('run_id')).orderBy('version')),
    readEvents: template<'run_id' | 'after' | 'limit'>((slot) =>
      db
        .selectFrom('events')
        .selectAll()
        .where('run_id', '=', slot<string>('run_id'))
        .where('seq', '>', slot<number>('after'))
        .orderBy('seq')
        .limit(slot<number>('limit')),
    ),
    lastAttempt: template<'run_id' | 'step_key'>((slot) =>
      db
        .selectFrom('attempts')
        .select((eb) => eb.fn.max('attempt').as('n'))
        .where('run_id', '=', slot<string>('run_id'))
        .where('step_key', '=', slot<string>('step_key')),
    ),
    /** Fenced on the expected version; bumps it by `bump` (0 or 1) and the log by `added`. */
    bumpRun: templateFamily(
      (columns: readonly RunColumns[]) =>
        template<string>((slot) =>
          db
            .updateTable('runs')
            .set((eb) => ({
              ...Object.fromEntries(columns.map((c) => [c, slot(c)])),
              version: eb('version', '+', slot<number>('bump')),
              last_seq: eb('last_seq', '+', slot<number>('added')),
              updated_at: slot<number>('at'),
            }))
            .where('id', '=', slot<string>('id'))
            .where('version', '=', slot<number>('expected'))
            .returning(['version', 'last_seq']),
        ),
      (columns) => columns.join(','),
    ),
    insertStep: template<
      | 'run_id'
      | 'step_key'
      | 'phase'
      | 'visit'
      | 'kind'
      | 'agent'
      | 'output'
      | 'version'
      | 'committed_at'
      | 'attempt'
      | 'started_at'
      | 'duration_ms'
      | 'from_phase'
      | 'from_agent'
      | 'input'
    >((slot) =>
      db.insertInto('steps').values({
        run_id: slot<string>('run_id'),
        step_key: slot<string>('step_key'),
        phase: slot<string>('phase'),
        visit: slot<number>('visit'),
        kind: slot<string>('kind'),
        agent: slot<string>('agent'),
        output: slot<string>('output'),
        version: slot<number>('version'),
        committed_at: slot<number>('committed_at'),
        attempt: slot<number>('attempt'),
        started_at: slot<number>('started_at'),
        duration_ms: slot<number>('duration_ms'),
        from_phase: slot<string>('from_phase'),
        from_agent: slot<string>('from_agent'),
        input: slot<string>('input'),
      }),
    ),
    insertAttempt: template<'run_id' | 'step_key' | 'attempt' | 'agent' | 'status' | 'started_at' | 'duration_ms' | 'error'>((slot) =>
      db.insertInto('attempts').values({
        run_id: slot<string>('run_id'),
        step_key: slot<string>('step_key'),
        attempt: slot<number>('attempt'),
        agent: slot<string>('agent'),
        status: slot<string>('status'),
        started_at: slot<number>('started_at'),
        duration_ms: slot<number>('duration_ms'),
        error: slot<string>('error'),
      }),
    ),
    insertEvent: template<'run_id' | 'seq' | 'type' | 'payload' | 'at'>((slot) =>
      db.insertInto('events').values({
        run_id: slot<string>('run_id'),
        seq: slot<number>('seq'),
        type: slot<string>('type'),
        payload: slot<string>('payload'),
        at: slot<number>('at'),
      }),
    ),
    openWait: template<'id' | 'run_id' | 'step_key' | 'phase' | 'kind' | 'role' | 'data' | 'deadline_at' | 'created_at'>((slot) =>
      db.insertInto('waits').values({
        id: slot<string>('id'),
        run_id: slot<string>('run_id'),
        step_key: slot<string>('step_key'),
        phase: slot<string>('phase'),
        kind: slot<string>('kind'),
        role: slot<string>('role'),
        data: slot<string>('data'),
        status: 'pending',
        resolution: null,
        deadline_at: slot<number>('deadline_at'),
        created_at: slot<number>('created_at'),
        resolved_at: null,
      }),
    ),
    /** Only a pending wait closes: resolving twice changes no row. */
    closeWait: template<'id' | 'status' | 'resolution' | 'resolved_at'>((slot) =>
      db
        .updateTable('waits')
        .set({ status: slot<string>('status'), resolution: slot<string>('resolution'), resolved_at: slot<number>('resolved_at') })
        .where('id', '=', slot<string>('id'))
        .where('status', '=', 'pending'),
    ),
  };
}

export type HotQueries = ReturnType<typeof hotQueries>;
