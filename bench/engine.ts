/**
 * `npm run bench:engine`: a chain of N no-op agents run as a durable workflow, many runs one
 * after another and many at once, on SQLite and (when configured) PostgreSQL.
 * Flags: --steps N (10) --runs R (500) --concurrent C (1000) --repeat K (3) --warmup W (50) --stores sqlite,postgres --json
 * Each figure is the median of K repetitions (shared machines are noisy); the samples are printed too.
 * PostgreSQL is measured when BATON_TEST_POSTGRES_URL or DATABASE_URL is set.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { z } from 'zod';
import { defineAgent, defineWorkflow, Engine } from '../src/engine/index.js';
import { openStore, type BatonStore } from '../src/store/index.js';

const { values: args } = parseArgs({
  options: {
    steps: { type: 'string', default: '10' },
    runs: { type: 'string', default: '500' },
    concurrent: { type: 'string', default: '1000' },
    repeat: { type: 'string', default: '3' },
    warmup: { type: 'string', default: '50' },
    stores: { type: 'string', default: 'sqlite,postgres' },
    json: { type: 'boolean', default: false },
  },
});
const steps = Number(args.steps);
const sequentialRuns = Number(args.runs);
const concurrentRuns = Number(args.concurrent);
const repeat = Math.max(1, Number(args.repeat));
const warmup = Math.max(0, Number(args.warmup));
const stores = new Set(args.stores.split(',').map((s) => s.trim()));
for (const name of stores) if (name !== 'sqlite' && name !== 'postgres') throw new Error(`--stores takes sqlite and/or postgres, got "${name}"`);

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
};

const noop = defineAgent({ name: 'noop', input: z.unknown(), output: z.object({ n: z.number() }), run: () => ({ n: 1 }) });
const chain = defineWorkflow({
  name: 'chain',
  parameters: z.object({}),
  phases: Array.from({ length: steps }, (_, i) => ({ name: `step-${i + 1}`, agent: 'noop', input: () => ({}) })),
});

interface Result {
  bench: 'engine';
  store: BatonStore['dialect'];
  mode: 'sequential' | 'concurrent';
  steps: number;
  runs: number;
  ms_per_workflow: number;
  steps_per_s: number;
  durability: string;
  samples_ms_per_workflow: number[];
  /** The event loop's busy time per workflow (median sample): Baton's own CPU on the main thread; the rest of ms_per_workflow is waiting on the store. */
  node_busy_ms_per_workflow: number;
}

/** Runs `count` workflows; resolves with the wall time and the event loop's busy time over them, in ms. */
async function runAll(engine: Engine, count: number, parallel: boolean): Promise<{ ms: number; busyMs: number }> {
  const loop = performance.eventLoopUtilization();
  const started = performance.now();
  const one = async () => {
    const { id } = await engine.startRun('chain', {});
    const status = await engine.settled(id);
    if (status.state !== 'completed') throw new Error(`run ${id} ended ${status.state}`);
  };
  if (parallel) await Promise.all(Array.from({ length: count }, one));
  else for (let i = 0; i < count; i++) await one();
  return { ms: performance.now() - started, busyMs: performance.eventLoopUtilization(loop).active };
}

async function measure(store: BatonStore): Promise<Result[]> {
  const engine = new Engine({ store, agents: [noop], workflows: [chain], maxConcurrentRuns: Math.max(concurrentRuns, 1) });
  // Started as `baton serve` starts it: listening to other nodes' notices (its own come back too), polling, heartbeating.
  await engine.start();
  // Warm-up: JIT and statement caches, then up to 50 at once so the pool's connections are open before timing (as the peers' warm-up does).
  await runAll(engine, warmup, false);
  if (warmup > 0 && concurrentRuns > 0) await runAll(engine, Math.min(concurrentRuns, 50), true);
  const results: Result[] = [];
  for (const [mode, count] of [
    ['sequential', sequentialRuns],
    ['concurrent', concurrentRuns],
  ] as const) {
    const samples: number[] = [];
    const busy: number[] = [];
    for (let i = 0; i < repeat; i++) {
      const { ms, busyMs } = await runAll(engine, count, mode === 'concurrent');
      samples.push(ms / count);
      busy.push(busyMs / count);
    }
    const msPerWorkflow = median(samples);
    results.push({
      bench: 'engine',
      store: store.dialect,
      mode,
      steps,
      runs: count,
      ms_per_workflow: Number(msPerWorkflow.toFixed(3)),
      steps_per_s: Math.round(steps / (msPerWorkflow / 1000)),
      durability: store.durability,
      samples_ms_per_workflow: samples.map((v) => Number(v.toFixed(3))),
      node_busy_ms_per_workflow: Number(median(busy).toFixed(3)),
    });
  }
  await engine.close();
  return results;
}

/**
 * The server's floor for a sequential workflow: one durable one-row UPDATE per commit the workflow
 * makes (its creation and each step), on one connection, with no engine at all. Any system that makes
 * each step durable before the next pays at least this here; printed so ratios can be read against it.
 */
async function postgresFloor(url: string): Promise<{ bench: 'engine-floor'; store: 'postgres'; commits_per_workflow: number; ms_per_workflow: number }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const commits = steps + 1;
  try {
    // A real table: a temporary one is not WAL-logged.
    await client.query('create table if not exists bench_floor_probe (id int primary key, n int)');
    await client.query('insert into bench_floor_probe values (1, 0) on conflict do nothing');
    const update = { name: 'bench_floor', text: 'update bench_floor_probe set n = $1 where id = 1' };
    for (let i = 0; i < 200; i++) await client.query({ ...update, values: [i] });
    const samples: number[] = [];
    for (let r = 0; r < repeat; r++) {
      const started = performance.now();
      for (let i = 0; i < sequentialRuns * commits; i++) await client.query({ ...update, values: [i] });
      samples.push((performance.now() - started) / sequentialRuns);
    }
    return { bench: 'engine-floor', store: 'postgres', commits_per_workflow: commits, ms_per_workflow: Number(median(samples).toFixed(3)) };
  } finally {
    await client.query('drop table if exists bench_floor_probe');
    await client.end();
  }
}

function print(result: Result): void {
  if (args.json) console.log(JSON.stringify(result));
  else
    console.log(
      `${result.store.padEnd(8)} ${result.mode.padEnd(10)} ${result.runs} runs × ${result.steps} steps: ` +
        `${result.ms_per_workflow.toFixed(3)} ms/workflow, ${result.steps_per_s} committed steps/s ` +
        `(median of ${result.samples_ms_per_workflow.join(', ')}; Node busy ${result.node_busy_ms_per_workflow.toFixed(3)} ms/workflow)  [${result.durability}]`,
    );
}

/** Measures PostgreSQL in a schema of its own, dropped after, then the server's floor. */
async function measurePostgres(url: string): Promise<void> {
  // A schema of its own, as DBOS's bench gets a database of its own: both start from empty tables, not from earlier runs' rows.
  const schema = `baton_bench_${process.pid}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  try {
    const scoped = new URL(url);
    scoped.searchParams.set('options', `-c search_path=${schema}`);
    const store = await openStore({ databaseUrl: scoped.toString(), origin: 'bench' });
    (await measure(store)).forEach(print);
    await store.close();
  } finally {
    await admin.query(`drop schema ${schema} cascade`);
    await admin.end();
  }
  const floor = await postgresFloor(url);
  if (args.json) console.log(JSON.stringify(floor));
  else console.log(`postgres floor: ${floor.ms_per_workflow.toFixed(3)} ms/workflow (${floor.commits_per_workflow} durable one-row UPDATEs, no engine)`);
}

const dir = mkdtempSync(join(tmpdir(), 'baton-bench-'));
try {
  if (stores.has('sqlite')) {
    const sqlite = await openStore({ sqlitePath: join(dir, 'bench.db'), origin: 'bench' });
    (await measure(sqlite)).forEach(print);
    await sqlite.close();
  }
  const url = process.env.BATON_TEST_POSTGRES_URL ?? process.env.DATABASE_URL;
  if (stores.has('postgres') && url) await measurePostgres(url);
  else if (stores.has('postgres') && !args.json) console.log('postgres: skipped (set BATON_TEST_POSTGRES_URL or DATABASE_URL to measure it)');
} finally {
  rmSync(dir, { recursive: true, force: true });
}
