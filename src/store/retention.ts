/**
 * Retention: deletes finished runs older than a cutoff with every row the engine and the
 * workflow modules keep for them (steps, attempts, waits, events, and each module's run tables),
 * one transaction per run.
 */
import { sql, type Kysely } from 'kysely';
import { BatonError } from '../errors/index.js';
import type { DialectAdapter } from './dialect.js';
import type { Database } from './schema.js';
import type { PruneOptions, PruneResult, RunState, RunStore } from './types.js';
import { query, type Work } from './unit-of-work.js';

/** The engine's tables with a run_id column, children of the run; modules add theirs (`StoreModule.runTables`). */
export const RUN_DATA_TABLES = ['events', 'steps', 'attempts', 'waits'] as const;

/** Any table with a run_id column, as the prune statements see it (the modules' tables are not in `Database`). */
type RunRows = Kysely<Record<string, { run_id: string }>>;
const runRows = (db: Kysely<Database>): RunRows => db as unknown as RunRows;

/** Runs in these states are done with; waiting and running ones are never pruned, whatever the caller asks. */
export const PRUNABLE_STATES: readonly RunState[] = ['completed', 'failed', 'cancelled', 'rejected', 'expired'];

const DAY_MS = 86_400_000;
/** Runs examined per batch, so a first prune of a large database does not hold every id in memory. */
const BATCH = 200;

function checkStates(states: readonly RunState[]): void {
  const refused = states.filter((s) => !PRUNABLE_STATES.includes(s));
  if (refused.length > 0 || states.length === 0) {
    throw new BatonError('INVALID_PARAMETERS', `runs that are ${refused.join(', ') || '(no state)'} are never pruned`, {
      details: { states: [...states], prunable: [...PRUNABLE_STATES] },
      suggestions: [`choose among ${PRUNABLE_STATES.join(', ')}`],
    });
  }
}

/** Space as each database can say it; `freedBytes` is explained by `spaceNote`. */
interface SpaceProbe {
  before(db: Kysely<Database>, adapter: DialectAdapter, runIds: readonly string[], tables: readonly string[]): Promise<number | null>;
  after(db: Kysely<Database>, adapter: DialectAdapter, before: number | null): Promise<number | null>;
  note: string;
}

/** SQLite: pages the deletes put on the file's free list (reused by new rows; VACUUM gives them back to the OS). */
const sqliteSpace: SpaceProbe = {
  async before(db, adapter) {
    return freePages(db, adapter);
  },
  async after(db, adapter, before) {
    const after = await freePages(db, adapter);
    return before === null || after === null ? null : Math.max(0, after - before);
  },
  note: 'pages freed inside the SQLite file (reused for new rows; the file keeps its size until VACUUM)',
};

async function freePages(db: Kysely<Database>, adapter: DialectAdapter): Promise<number> {
  const [free] = (await adapter.execute(sql<{ freelist_count: number }>`pragma freelist_count`.compile(db))).rows;
  const [size] = (await adapter.execute(sql<{ page_size: number }>`pragma page_size`.compile(db))).rows;
  return Number(free?.freelist_count ?? 0) * Number(size?.page_size ?? 0);
}

/**
 * PostgreSQL: the bytes of the deleted rows (pg_column_size of each whole row), measured before
 * deleting. A DELETE shrinks no table file: autovacuum makes the space reusable, VACUUM FULL returns it.
 */
const postgresSpace: SpaceProbe = {
  async before(db, adapter, runIds, tables) {
    let total = 0;
    for (const runId of runIds) {
      for (const table of [...tables, 'runs']) {
        const column = table === 'runs' ? 'id' : 'run_id';
        const compiled = sql<{
          bytes: string | null;
        }>`select sum(pg_column_size(t.*)) as bytes from ${sql.table(table)} as t where ${sql.ref(`t.${column}`)} = ${runId}`.compile(db);
        total += Number((await adapter.execute(compiled)).rows[0]?.bytes ?? 0);
      }
    }
    return total;
  },
  after: (_db, _adapter, before) => Promise.resolve(before),
  note: 'bytes of the deleted rows (reusable once autovacuum has run; VACUUM FULL returns them to the OS)',
};

/** Deletes one run and its data if it is still eligible; the run's row is locked (and its version bumped) first, so no writer slips in. */
function* pruneOne(
  db: Kysely<Database>,
  runId: string,
  states: readonly RunState[],
  cutoff: number,
  tables: readonly string[],
): Work<Record<string, number> | undefined> {
  const claimed = yield* query<{ id: string }>(
    db
      .updateTable('runs')
      .set((eb) => ({ version: eb('version', '+', 1) }))
      .where('id', '=', runId)
      .where('state', 'in', [...states])
      .where((eb) => eb(eb.fn.coalesce('finished_at', 'updated_at'), '<', cutoff))
      .returning('id')
      .compile(),
  );
  if (claimed.rows.length === 0) return undefined; // retried, rolled back or deleted meanwhile
  const counts: Record<string, number> = {};
  for (const table of tables) {
    const result = yield* query(runRows(db).deleteFrom(table).where('run_id', '=', runId).compile());
    counts[table] = Number(result.numAffectedRows ?? 0n);
  }
  const run = yield* query(db.deleteFrom('runs').where('id', '=', runId).compile());
  counts.runs = Number(run.numAffectedRows ?? 0n);
  return counts;
}

/** The ids of eligible runs, oldest first, after `afterId` in that order (keyset paging). */
async function eligible(
  db: Kysely<Database>,
  adapter: DialectAdapter,
  states: readonly RunState[],
  cutoff: number,
  after: { at: number; id: string } | undefined,
) {
  let q = db
    .selectFrom('runs')
    .select((eb) => ['id', eb.fn.coalesce('finished_at', 'updated_at').as('at')])
    .where('state', 'in', [...states])
    .where((eb) => eb(eb.fn.coalesce('finished_at', 'updated_at'), '<', cutoff));
  if (after) {
    const { at, id } = after;
    q = q.where((eb) =>
      eb.or([eb(eb.fn.coalesce('finished_at', 'updated_at'), '>', at), eb.and([eb(eb.fn.coalesce('finished_at', 'updated_at'), '=', at), eb('id', '>', id)])]),
    );
  }
  const compiled = q
    .orderBy((eb) => eb.fn.coalesce('finished_at', 'updated_at'))
    .orderBy('id')
    .limit(BATCH)
    .compile();
  return (await adapter.execute(compiled)).rows.map((r) => ({ id: r.id, at: Number(r.at) }));
}

/** Prunes (or, with dryRun, counts) the eligible runs; called by the store's `pruneRuns`. */
export async function pruneRuns(
  db: Kysely<Database>,
  adapter: DialectAdapter,
  options: PruneOptions,
  moduleTables: readonly string[] = [],
): Promise<PruneResult> {
  const states = options.states ?? PRUNABLE_STATES;
  checkStates(states);
  const cutoff = options.finishedBefore;
  const space = adapter.dialect === 'sqlite' ? sqliteSpace : postgresSpace;
  // The modules' rows reference the run (and may be read with its steps): they go first, then the engine's, then the run.
  const tables = [...moduleTables, ...RUN_DATA_TABLES];
  // Reported engine tables first, then the modules', then the runs (the order `baton runs prune` prints).
  const rows: Record<string, number> = Object.fromEntries([...RUN_DATA_TABLES, ...moduleTables, 'runs'].map((t) => [t, 0]));
  const runIds: string[] = [];
  let freedBytes: number | null = 0;
  let after: { at: number; id: string } | undefined;
  for (;;) {
    const batch = await eligible(db, adapter, states, cutoff, after);
    if (batch.length === 0) break;
    after = batch.at(-1);
    const ids = batch.map((r) => r.id);
    if (options.dryRun) {
      for (const id of ids) {
        runIds.push(id);
        for (const table of tables) {
          const [count] = (
            await adapter.execute(
              runRows(db)
                .selectFrom(table)
                .select((eb) => eb.fn.countAll<number>().as('n'))
                .where('run_id', '=', id)
                .compile(),
            )
          ).rows;
          rows[table] = (rows[table] ?? 0) + Number(count?.n ?? 0);
        }
        rows.runs = (rows.runs ?? 0) + 1;
      }
      if (adapter.dialect === 'postgres' && freedBytes !== null) freedBytes += (await space.before(db, adapter, ids, tables)) ?? 0;
      continue;
    }
    const before = await space.before(db, adapter, ids, tables);
    for (const id of ids) {
      const counts = await adapter.transact(() => pruneOne(db, id, states, cutoff, tables));
      if (!counts) continue;
      runIds.push(id);
      for (const [table, n] of Object.entries(counts)) rows[table] = (rows[table] ?? 0) + n;
    }
    const freed = await space.after(db, adapter, before);
    freedBytes = freed === null || freedBytes === null ? null : freedBytes + freed;
  }
  if (options.dryRun && adapter.dialect === 'sqlite') freedBytes = null;
  return {
    runs: runIds.length,
    runIds,
    rows,
    freedBytes,
    spaceNote: options.dryRun && adapter.dialect === 'sqlite' ? 'SQLite measures freed pages only when rows are deleted (not on a dry run)' : space.note,
    dryRun: options.dryRun ?? false,
    finishedBefore: cutoff,
    states: [...states],
  };
}

export interface Retention {
  stop(): void;
  /** The pass under way (or the last one), for tests and for shutting down cleanly. */
  readonly running: Promise<void>;
}

/**
 * Prunes runs finished more than `days` ago now and then every day, on a timer that never keeps the
 * process alive (BATON_RETENTION_DAYS in `baton serve`). A failed pass is reported and retried the next day.
 */
export function startRetention(
  store: Pick<RunStore, 'pruneRuns'>,
  days: number,
  report: { pruned?: (result: PruneResult) => void; failed?: (error: unknown) => void } = {},
  options: { everyMs?: number; now?: () => number } = {},
): Retention {
  const now = options.now ?? Date.now;
  let stopped = false;
  let running: Promise<void> = Promise.resolve();
  const pass = () => {
    if (stopped) return;
    running = store
      .pruneRuns({ finishedBefore: now() - days * DAY_MS })
      .then((result) => report.pruned?.(result))
      .catch((error: unknown) => report.failed?.(error));
  };
  const first = setTimeout(pass, 0);
  const timer = setInterval(pass, options.everyMs ?? DAY_MS);
  first.unref();
  timer.unref();
  return {
    stop() {
      stopped = true;
      clearTimeout(first);
      clearInterval(timer);
    },
    get running() {
      return running;
    },
  };
}

/** BATON_RETENTION_DAYS: unset or empty is off; otherwise a whole number of days from 1 to 36500. */
export function retentionDaysFromEnv(env: Record<string, string | undefined> = process.env): number | undefined {
  const raw = env.BATON_RETENTION_DAYS;
  if (raw === undefined || raw.trim() === '') return undefined;
  const days = /^\d{1,5}$/.test(raw.trim()) ? Number(raw.trim()) : Number.NaN;
  if (!Number.isInteger(days) || days < 1 || days > 36_500) {
    throw new BatonError('INVALID_PARAMETERS', `BATON_RETENTION_DAYS is invalid: "${raw}"`, {
      details: { issues: [{ path: 'BATON_RETENTION_DAYS', message: 'must be a whole number of days from 1 to 36500' }] },
      suggestions: ['set BATON_RETENTION_DAYS=90 to keep finished runs for 90 days, or leave it unset to keep them for ever'],
    });
  }
  return days;
}
