// Retention on both databases: only finished runs older than the cutoff go, with every row of theirs in every table, and nothing else.
import { randomBytes } from 'node:crypto';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { PRUNABLE_STATES, RUN_DATA_TABLES, retentionDaysFromEnv, startRetention } from '../../src/store/retention.js';
import type { PruneResult, RunState, BatonStore } from '../../src/store/index.js';
import { describeEachStore, TEST_STORE_MODULES, type TestStore } from '../support/stores.js';
import { buildData } from '../../src/workflows/build-pipeline/data/index.js';
import { seasonData } from '../../src/workflows/season-planning/data/index.js';

/** The engine's run tables and the modules' (season planning's plans and actuals), which the modules' prune hook names. */
const RUN_TABLES = [...RUN_DATA_TABLES, ...TEST_STORE_MODULES.flatMap((m) => m.runTables ?? [])];

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 5, 1);
/** Big enough to spill onto SQLite overflow pages (deleting it frees whole pages), and random so PostgreSQL cannot compress it away. */
const BLOB = randomBytes(15_000).toString('base64');

interface Seed {
  id: string;
  state: RunState;
  ageDays: number;
}

/** A run with a row in every table that keeps run data: an event log, a step, a failed attempt, a wait, a plan, actuals and a build notification. */
async function seedRun(store: BatonStore, { id, state, ageDays }: Seed): Promise<void> {
  const at = NOW - ageDays * DAY;
  await store.createRun(
    {
      id,
      workflow: 'w',
      sessionId: null,
      idempotencyKey: null,
      parameters: {},
      state: 'running',
      phase: 'a',
      leaseOwner: null,
      leaseExpiresAt: null,
      createdAt: at - 1000,
    },
    [{ type: 'run_created', payload: { blob: BLOB } }],
  );
  const waitId = `${id}-wait`;
  const first = await store.commit({
    runId: id,
    expectedVersion: 1,
    step: {
      stepKey: 'a#1',
      phase: 'a',
      visit: 1,
      kind: 'agent',
      agent: 'x',
      output: { blob: BLOB },
      committedAt: at,
      agentRun: { attempt: 2, startedAt: at, durationMs: 1, fromPhase: null, fromAgent: null, input: {} },
    },
    failedAttempt: {
      stepKey: 'a#1',
      attempt: 1,
      agent: 'x',
      status: 'failed',
      startedAt: at,
      durationMs: 1,
      error: { error_type: 'AGENT_EXECUTION_ERROR', message: 'no', details: {}, suggestions: [] },
    },
    openWait: { id: waitId, stepKey: 'b#1', phase: 'b', kind: 'approval', role: null, data: {}, deadlineAt: null, createdAt: at },
    patch: { state: 'waiting', phase: 'b', waitingFor: waitId },
    events: [{ type: 'run_state', payload: { from: 'running', to: 'waiting' } }],
    at,
  });
  await seasonData(store).savePlan({ runId: id, kind: 'forecast', revision: 1, body: { blob: BLOB }, createdAt: at });
  await seasonData(store).recordActuals(id, [{ storeId: 'S1', categoryId: 'C1', seasonWeek: 1, unitsSold: 3 }], at);
  await buildData(store).enqueueNotification({ key: `build:${id}:completed`, run_id: id, kind: 'build.completed', payload: { blob: BLOB }, at });
  if (state === 'waiting') return;
  await store.commit({
    runId: id,
    expectedVersion: first.version,
    closeWait: { id: waitId, status: 'resolved', resolution: { action: 'accept' } },
    patch: state === 'running' ? { state, waitingFor: null } : { state, phase: null, waitingFor: null, finishedAt: at },
    events: [{ type: 'run_state', payload: { from: 'waiting', to: state } }],
    at,
  });
}

const SEEDS: Seed[] = [
  { id: 'old-completed', state: 'completed', ageDays: 120 },
  { id: 'old-failed', state: 'failed', ageDays: 100 },
  { id: 'old-cancelled', state: 'cancelled', ageDays: 95 },
  { id: 'old-rejected', state: 'rejected', ageDays: 200 },
  { id: 'new-completed', state: 'completed', ageDays: 10 },
  { id: 'old-waiting', state: 'waiting', ageDays: 300 },
  { id: 'old-running', state: 'running', ageDays: 300 },
];

/** Reads the database from outside the store, as another tool would. */
interface Inspector {
  tablesWithRunId(): Promise<string[]>;
  allTables(): Promise<string[]>;
  /** Row count per table, and per run id for the tables that have one. */
  count(table: string, runId?: string): Promise<number>;
  close(): Promise<void>;
}

async function inspectorFor(t: TestStore): Promise<Inspector> {
  if (t.connection.sqlitePath) {
    const db = new BetterSqlite3(t.connection.sqlitePath, { readonly: true });
    const tables = () =>
      (db.prepare("select name from sqlite_master where type = 'table' and name not like 'sqlite_%'").all() as { name: string }[]).map((r) => r.name);
    return {
      allTables: () => Promise.resolve(tables()),
      tablesWithRunId: () =>
        Promise.resolve(tables().filter((table) => (db.prepare(`pragma table_info(${table})`).all() as { name: string }[]).some((c) => c.name === 'run_id'))),
      count: (table, runId) =>
        Promise.resolve(
          (runId === undefined
            ? (db.prepare(`select count(*) as n from ${table}`).get() as { n: number })
            : (db.prepare(`select count(*) as n from ${table} where ${table === 'runs' ? 'id' : 'run_id'} = ?`).get(runId) as { n: number })
          ).n,
        ),
      close: () => {
        db.close();
        return Promise.resolve();
      },
    };
  }
  const client = new pg.Client({ connectionString: t.connection.databaseUrl });
  await client.connect();
  const names = async (extra: string) =>
    (
      await client.query<{ table_name: string }>(
        `select table_name from information_schema.columns where table_schema = current_schema() ${extra} group by table_name`,
      )
    ).rows.map((r) => r.table_name);
  return {
    allTables: () => names(''),
    tablesWithRunId: () => names("and column_name = 'run_id'"),
    async count(table, runId) {
      const where = runId === undefined ? '' : ` where ${table === 'runs' ? 'id' : 'run_id'} = $1`;
      return Number((await client.query<{ n: string }>(`select count(*) as n from ${table}${where}`, runId === undefined ? [] : [runId])).rows[0]!.n);
    },
    close: () => client.end(),
  };
}

/** Every table's rows, and each seeded run's rows per run table. */
async function census(inspector: Inspector): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of await inspector.allTables()) counts[table] = await inspector.count(table);
  for (const seed of SEEDS) for (const table of [...RUN_TABLES, 'runs']) counts[`${table}:${seed.id}`] = await inspector.count(table, seed.id);
  return counts;
}

describeEachStore('retention', (kind) => {
  let t: TestStore;
  let inspector: Inspector;
  beforeEach(async () => {
    t = await kind.create();
    for (const seed of SEEDS) await seedRun(t.store, seed);
    // Rows that belong to no run: pruning must leave them.
    await seasonData(t.store).saveSimulatedDemand([{ storeId: 'S1', categoryId: 'C1', weekStartDate: '2026-01-05', unitsSold: 4 }]);
    inspector = await inspectorFor(t);
  });
  afterEach(async () => {
    await inspector.close();
    await t.dispose();
  });

  it('knows every table of the schema that holds run data', async () => {
    expect((await inspector.tablesWithRunId()).sort()).toEqual([...RUN_TABLES].sort());
  });

  it('deletes only the finished runs in the asked states older than the cutoff, each with its rows in every table, and nothing else', async () => {
    const before = await census(inspector);
    for (const seed of SEEDS) for (const table of RUN_TABLES) expect(before[`${table}:${seed.id}`], `${table} of ${seed.id}`).toBeGreaterThan(0);

    const result = await t.store.pruneRuns({ finishedBefore: NOW - 90 * DAY, states: ['completed', 'failed'] });
    expect(result.runIds.sort()).toEqual(['old-completed', 'old-failed']);
    const after = await census(inspector);
    const gone = new Set(['old-completed', 'old-failed']);
    const expected = { ...before };
    for (const id of gone) {
      for (const table of [...RUN_TABLES, 'runs']) {
        expected[table]! -= before[`${table}:${id}`]!;
        expected[`${table}:${id}`] = 0;
      }
    }
    for (const table of [...RUN_TABLES, 'runs']) {
      expect(result.rows[table], table).toBe(before[`${table}:old-completed`]! + before[`${table}:old-failed`]!);
    }
    expect(after).toEqual(expected);
    expect(result.rows.runs).toBe(2);
    expect(result.freedBytes).toBeGreaterThan(3 * 20_000);
    expect(result.spaceNote).toMatch(kind.name === 'sqlite' ? /pages freed inside the SQLite file/ : /bytes of the deleted rows/);
  });

  it('counts on a dry run what a prune of every finished state would delete, and deletes nothing; waiting and running runs are never eligible', async () => {
    const before = await census(inspector);
    const dry = await t.store.pruneRuns({ finishedBefore: NOW - 90 * DAY, dryRun: true });
    expect(dry.runIds.sort()).toEqual(['old-cancelled', 'old-completed', 'old-failed', 'old-rejected']);
    expect(dry.rows.events).toBe(['old-cancelled', 'old-completed', 'old-failed', 'old-rejected'].reduce((n, id) => n + before[`events:${id}`]!, 0));
    expect(await census(inspector)).toEqual(before);

    const real = await t.store.pruneRuns({ finishedBefore: NOW - 90 * DAY });
    expect(real.runIds.sort()).toEqual(dry.runIds.sort());
    expect(real.rows).toEqual(dry.rows);
    const after = await census(inspector);
    for (const id of ['old-waiting', 'old-running', 'new-completed'])
      for (const table of [...RUN_TABLES, 'runs']) expect(after[`${table}:${id}`]).toBe(before[`${table}:${id}`]);
    expect(after.simulated_demand).toBe(1);
    expect(after.runs).toBe(3);
  });

  it('refuses to prune waiting or running runs even when asked', async () => {
    await expect(t.store.pruneRuns({ finishedBefore: NOW, states: ['completed', 'waiting'] })).rejects.toMatchObject({
      code: 'INVALID_PARAMETERS',
      message: 'runs that are waiting are never pruned',
    });
    await expect(t.store.pruneRuns({ finishedBefore: NOW, states: ['running'] })).rejects.toMatchObject({ code: 'INVALID_PARAMETERS' });
    expect(await inspector.count('runs')).toBe(SEEDS.length);
  });

  it('prunes on a timer when started for a number of days, and stops', async () => {
    const results: PruneResult[] = [];
    const retention = startRetention(
      t.store,
      90,
      { pruned: (r) => results.push(r), failed: (e) => results.push(e as PruneResult) },
      { everyMs: 60_000, now: () => NOW },
    );
    await new Promise((resolve) => setTimeout(resolve, 20));
    await retention.running;
    retention.stop();
    expect(results.map((r) => r.runIds.sort())).toEqual([['old-cancelled', 'old-completed', 'old-failed', 'old-rejected']]);
    expect(await inspector.count('runs')).toBe(3);
  });
});

it('reads BATON_RETENTION_DAYS as whole days, unset or empty meaning off', () => {
  expect(retentionDaysFromEnv({})).toBeUndefined();
  expect(retentionDaysFromEnv({ BATON_RETENTION_DAYS: '' })).toBeUndefined();
  expect(retentionDaysFromEnv({ BATON_RETENTION_DAYS: '90' })).toBe(90);
  for (const bad of ['0', '-1', '1.5', '7d', '1e3'])
    expect(() => retentionDaysFromEnv({ BATON_RETENTION_DAYS: bad })).toThrow(/BATON_RETENTION_DAYS is invalid/);
  expect(PRUNABLE_STATES).not.toContain('waiting');
});
