/**
 * `npx tsx bench/pg-round-trips.ts [--runs N] [--concurrent]`: what a 10-step no-op workflow on
 * PostgreSQL sends, statement by statement (count per workflow, mean latency), and how much of the
 * wall time had no statement in flight (time spent in Node between round trips); then the server's floor
 * at that moment (a bare round trip, a one-row durable UPDATE). Needs
 * BATON_TEST_POSTGRES_URL. Every statement node-postgres sends goes through Client#query, wrapped here.
 */
import { parseArgs } from 'node:util';
import pg from 'pg';
import { z } from 'zod';
import { defineAgent, defineWorkflow, Engine } from '../src/engine/index.js';
import { openStore } from '../src/store/index.js';

const { values: args } = parseArgs({ options: { runs: { type: 'string', default: '100' }, concurrent: { type: 'boolean', default: false } } });
const url = process.env.BATON_TEST_POSTGRES_URL;
if (!url) throw new Error('set BATON_TEST_POSTGRES_URL');

const perText = new Map<string, { n: number; ms: number }>();
const inFlight: [number, number][] = [];
let recording = false;

type Query = (...args: unknown[]) => unknown;
// eslint-disable-next-line @typescript-eslint/unbound-method -- wrapped and called with its client as `this`
const original = pg.Client.prototype.query as unknown as Query;
(pg.Client.prototype as unknown as { query: Query }).query = function (this: pg.Client, ...args: unknown[]) {
  const first = args[0] as string | { text?: string; callback?: (...a: unknown[]) => unknown } | undefined;
  const text = (typeof first === 'string' ? first : (first?.text ?? '?')).replace(/\s+/g, ' ').slice(0, 100);
  const started = performance.now();
  const done = () => {
    if (!recording) return;
    const ended = performance.now();
    inFlight.push([started, ended]);
    const entry = perText.get(text) ?? { n: 0, ms: 0 };
    entry.n++;
    entry.ms += ended - started;
    perText.set(text, entry);
  };
  // pg.Pool#query passes a callback; Kysely awaits the returned promise.
  const last = args.length - 1;
  const callback = args[last];
  if (typeof callback === 'function') {
    args[last] = (...a: unknown[]) => {
      done();
      return (callback as (...a: unknown[]) => unknown)(...a);
    };
    return original.apply(this, args);
  }
  const result = original.apply(this, args);
  if (result instanceof Promise) result.then(done, done);
  return result;
};

const steps = 10;
const noop = defineAgent({ name: 'noop', input: z.unknown(), output: z.object({ n: z.number() }), run: () => ({ n: 1 }) });
const chain = defineWorkflow({
  name: 'chain',
  parameters: z.object({}),
  phases: Array.from({ length: steps }, (_, i) => ({ name: `step-${i + 1}`, agent: 'noop', input: () => ({}) })),
});
const store = await openStore({ databaseUrl: url, origin: 'bench' });
const engine = new Engine({ store, agents: [noop], workflows: [chain], maxConcurrentRuns: 10_000 });
const one = async () => {
  const { id } = await engine.startRun('chain', {});
  await engine.settled(id);
};
for (let i = 0; i < 50; i++) await one(); // warm-up: JIT, pool, prepared statements

const runs = Number(args.runs);
recording = true;
const cpu = process.cpuUsage();
const started = performance.now();
if (args.concurrent) await Promise.all(Array.from({ length: runs }, one));
else for (let i = 0; i < runs; i++) await one();
const wall = performance.now() - started;
const used = process.cpuUsage(cpu);
recording = false;

// The union of the intervals during which at least one statement was in flight.
inFlight.sort((a, b) => a[0] - b[0]);
let covered = 0;
let end = -Infinity;
for (const [from, to] of inFlight) {
  if (from > end) covered += to - from;
  else if (to > end) covered += to - end;
  end = Math.max(end, to);
}
const perWorkflow = (ms: number) => (ms / runs).toFixed(2);
console.log(
  `${args.concurrent ? 'concurrent' : 'sequential'} ${runs} runs × ${steps} steps: ${perWorkflow(wall)} ms/workflow; ` +
    `no statement in flight ${perWorkflow(wall - covered)} ms/workflow; Node CPU ${perWorkflow((used.user + used.system) / 1000)} ms/workflow`,
);
for (const [text, { n, ms }] of [...perText].sort((a, b) => b[1].n - a[1].n))
  console.log(`${(n / runs).toFixed(2).padStart(6)} per workflow  ${(ms / n).toFixed(3).padStart(7)} ms mean  ${text}`);

// The floor on this server at this moment, on a connection of its own: a bare round trip, and a one-row
// durable UPDATE (one round trip plus one WAL flush: what any step that is durable before the next one starts pays at least).
const probe = new pg.Client({ connectionString: url });
await probe.connect();
// A real table (a temporary one is not WAL-logged), dropped after.
await probe.query('create table if not exists bench_round_trip_probe (id int primary key, n int)');
await probe.query('insert into bench_round_trip_probe values (1, 0) on conflict do nothing');
const timed = async (sql: string, count = 300) => {
  const from = performance.now();
  for (let i = 0; i < count; i++) await probe.query(sql, [i]);
  return ((performance.now() - from) / count).toFixed(3);
};
const bare = await timed('select $1::int');
const durable = await timed('update bench_round_trip_probe set n = $1 where id = 1');
await probe.query('drop table bench_round_trip_probe');
await probe.end();
console.log(`floor now: a round trip ${bare} ms; a one-row durable UPDATE (round trip + WAL flush) ${durable} ms`);
await engine.close();
await store.close();
