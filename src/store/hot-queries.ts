/** The queries the engine issues on every step, compiled once per shape (see templates.ts for why). */
import type { Kysely } from 'kysely';
import { toJson } from './rows.js';
import { COLUMNS, type AttemptsTable, type Database, type EventsTable, type RunsTable, type StepsTable } from './schema.js';
import { template, templateFamily } from './templates.js';
import type { NewRun } from './types.js';

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
    started_by: run.startedBy ? toJson(run.startedBy) : null,
  };
}

export type RunColumns = keyof RunsTable;

export function hotQueries(db: Kysely<Database>) {
  return {
    insertRun: template<keyof RunsTable>((slot) =>
      db.insertInto('runs').values(Object.fromEntries(COLUMNS.runs.map((c) => [c, slot(c)])) as unknown as RunsTable),
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
    // Every column of the table, from its one list (schema.ts): a slot each, filled by name.
    insertStep: template<(typeof COLUMNS.steps)[number]>((slot) =>
      db.insertInto('steps').values(Object.fromEntries(COLUMNS.steps.map((c) => [c, slot(c)])) as unknown as StepsTable),
    ),
    insertAttempt: template<(typeof COLUMNS.attempts)[number]>((slot) =>
      db.insertInto('attempts').values(Object.fromEntries(COLUMNS.attempts.map((c) => [c, slot(c)])) as unknown as AttemptsTable),
    ),
    insertEvent: template<(typeof COLUMNS.events)[number]>((slot) =>
      db.insertInto('events').values(Object.fromEntries(COLUMNS.events.map((c) => [c, slot(c)])) as unknown as EventsTable),
    ),
    openWait: template<'id' | 'run_id' | 'step_key' | 'phase' | 'kind' | 'role' | 'data' | 'deadline_at' | 'created_at' | 'policy'>((slot) =>
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
        policy: slot<string>('policy'),
        votes: null,
      }),
    ),
    /** A quorum's votes so far, on a wait that stays pending: a closed wait changes no row. */
    voteOnWait: template<'id' | 'votes'>((slot) =>
      db
        .updateTable('waits')
        .set({ votes: slot<string>('votes') })
        .where('id', '=', slot<string>('id'))
        .where('status', '=', 'pending'),
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
