/**
 * `npm run bench:ws`: 100 WebSocket clients (in other processes) on one session while runs
 * execute; prints p50/p99 latency from an event's commit to each client's receipt, and the same
 * figures for a bare broadcast of the same frames at the same moments to the same kind of clients
 * (no engine, no store): what this machine and these clients cost alone, measured in the same run.
 *
 * Load: 40 runs of ten agent steps, 4 at a time; each step takes 10–30 ms (uniformly random, so
 * parallel runs do not step in lockstep). `--agent-ms 2` is the old stress load, which saturates
 * a 2-core machine: its latency is then queueing behind the clients, and a faster server only
 * starts runs sooner. Flags: --clients N (100) --runs R (40) --parallel P (4) --agent-ms M (20)
 * --warmup-runs W (8) --client-processes K (2) --json.
 *
 * Timing: the span starts just before the commit's transaction (so it includes the commit) and is
 * taken by this process's clock with sub-millisecond precision; each client reports when it got
 * which run's seq, and the two are joined here. (The event's own timestamp is whole milliseconds,
 * half a millisecond of noise on a figure of a few.) The first W runs warm the server and the
 * clients (V8 compiles the fan-out and the clients' receive path as they first run) and are
 * reported apart, as the cold start, rather than mixed into the steady state.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import WebSocket, { WebSocketServer } from 'ws';
import { z } from 'zod';
import { defineAgent, defineWorkflow, Engine } from '../src/engine/index.js';
import { buildServer } from '../src/server/app.js';
import { parseServerConfig } from '../src/server/config.js';
import { textFrame } from '../src/server/stream/frame.js';
import { eventView } from '../src/server/views.js';
import { openStore, type EventRecord, type BatonStore } from '../src/store/index.js';

const { values: args } = parseArgs({
  options: {
    clients: { type: 'string', default: '100' },
    runs: { type: 'string', default: '40' },
    parallel: { type: 'string', default: '4' },
    'agent-ms': { type: 'string', default: '20' },
    'warmup-runs': { type: 'string', default: '8' },
    'client-processes': { type: 'string', default: '2' },
    json: { type: 'boolean', default: false },
    'client-mode': { type: 'string' },
  },
});
const clients = Number(args.clients);
const runs = Number(args.runs);
const parallel = Math.max(1, Number(args.parallel));
const agentMs = Number(args['agent-ms']);
const warmupRuns = Math.max(0, Number(args['warmup-runs']));
const processes = Math.max(1, Number(args['client-processes']));
const SESSION = 'bench';

const percentile = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
const nowMs = (): number => performance.timeOrigin + performance.now();

const RUN_ID = Buffer.from('"run_id":"');
const SEQ = Buffer.from('"seq":');
const HEARTBEAT = Buffer.from('"type":"heartbeat"');
const COMPLETE = Buffer.from('"type":"workflow_complete"');
const UUID_LENGTH = 36;
const DIGIT_0 = 0x30;

/** Reads the unsigned integer written at `at` in a message. */
function integerAt(data: Buffer, at: number): number {
  let value = 0;
  for (let i = at; i < data.length && data[i]! >= DIGIT_0 && data[i]! <= DIGIT_0 + 9; i++) value = value * 10 + data[i]! - DIGIT_0;
  return value;
}

/** What a client process reports: the runs it heard of, and (run index, seq, receipt ms) triples. */
const ClientReport = z.object({ runs: z.array(z.string()), deliveries: z.array(z.number()) });
type ClientReport = z.infer<typeof ClientReport>;

/**
 * The child: connects the clients, notes when each message arrived, prints one JSON line. The
 * clients share two cores with the server, so a message's handler only finds its run and seq (no
 * full parse): a heavier client measured its own backlog as much as the server's latency.
 */
async function clientMode(url: string, expectedRuns: number): Promise<void> {
  const runIndex = new Map<string, number>();
  const deliveries: number[] = [];
  let completed = 0;
  const sockets = await Promise.all(
    Array.from(
      { length: clients },
      () =>
        new Promise<WebSocket>((resolve, reject) => {
          const socket = new WebSocket(url);
          socket.on('message', (data: Buffer) => {
            const received = nowMs();
            if (data.includes(HEARTBEAT)) return;
            // The envelope's fields follow the payload's: the last match is the envelope's.
            const runAt = data.lastIndexOf(RUN_ID) + RUN_ID.length;
            const runId = data.toString('latin1', runAt, runAt + UUID_LENGTH);
            let index = runIndex.get(runId);
            if (index === undefined) runIndex.set(runId, (index = runIndex.size));
            deliveries.push(index, integerAt(data, data.lastIndexOf(SEQ) + SEQ.length), received);
            if (data.includes(COMPLETE)) completed++;
          });
          socket.once('open', () => resolve(socket));
          socket.once('error', reject);
        }),
    ),
  );
  process.stdout.write('READY\n');
  while (completed < clients * expectedRuns) await new Promise((resolve) => setTimeout(resolve, 20));
  for (const socket of sockets) socket.close();
  const report: ClientReport = { runs: [...runIndex.keys()], deliveries };
  process.stdout.write(`${JSON.stringify(report)}\n`);
}

/** One client's receipt of one event. */
interface Delivery {
  runId: string;
  seq: number;
  receivedMs: number;
}

/** Starts the client processes on `url`; `results` resolves to every delivery they saw. */
async function startClients(url: string, expectedRuns: number): Promise<{ results: Promise<Delivery[]> }> {
  // The clients live in other processes, as real ones would; split so one process's receive loop
  // does not queue behind another's.
  const children = Array.from({ length: processes }, (_, i) => {
    const share = Math.floor(clients / processes) + (i < clients % processes ? 1 : 0);
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', fileURLToPath(import.meta.url), '--client-mode', url, '--clients', String(share), '--runs', String(expectedRuns)],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let output = '';
    const ready = new Promise<void>((resolve) =>
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('READY')) resolve();
      }),
    );
    const exited = new Promise<string>((resolve) => child.on('exit', () => resolve(output)));
    return { ready, exited };
  });
  await Promise.all(children.map((c) => c.ready));
  const results = Promise.all(children.map((c) => c.exited)).then((outputs) =>
    outputs.flatMap((output) => {
      const line = output.split('\n').find((l) => l.startsWith('{'));
      if (!line) throw new Error(`the clients printed no results: ${output}`);
      const { runs: runIds, deliveries } = ClientReport.parse(JSON.parse(line));
      return Array.from({ length: deliveries.length / 3 }, (_, i) => ({
        runId: runIds[deliveries[3 * i]!]!,
        seq: deliveries[3 * i + 1]!,
        receivedMs: deliveries[3 * i + 2]!,
      }));
    }),
  );
  return { results };
}

const eventKey = (runId: string, seq: number): string => `${runId}:${seq}`;

/** Latencies of the deliveries, split into the warm-up runs' and the measured runs', each sorted. */
function latencies(deliveries: readonly Delivery[], sentAt: ReadonlyMap<string, number>, warmup: ReadonlySet<string>): { cold: number[]; warm: number[] } {
  const cold: number[] = [];
  const warm: number[] = [];
  for (const d of deliveries) {
    const sent = sentAt.get(eventKey(d.runId, d.seq));
    if (sent === undefined) throw new Error(`a client received ${d.runId} seq ${d.seq}, which was never sent`);
    (warmup.has(d.runId) ? cold : warm).push(d.receivedMs - sent);
  }
  return { cold: cold.sort((a, b) => a - b), warm: warm.sort((a, b) => a - b) };
}

/** What the engine published, as it went: when, and the events (for the baseline to replay). */
interface Burst {
  atMs: number;
  events: EventRecord[];
}

interface Measured {
  deliveries: Delivery[];
  /** When each event was sent: just before its commit (Baton) or its write (the baseline). */
  sentAt: Map<string, number>;
}

/**
 * Notes, for every event the store writes, the moment just before its transaction: the store is
 * wrapped here rather than given a clock, because the engine's clock (whole ms) goes into the rows.
 */
function timeCommits(store: BatonStore, sentAt: Map<string, number>): void {
  const note = (before: number, events: readonly EventRecord[]) => {
    for (const event of events) sentAt.set(eventKey(event.runId, event.seq), before);
  };
  const commit = store.commit.bind(store);
  const createRun = store.createRun.bind(store);
  store.commit = async (change) => {
    const before = nowMs();
    const result = await commit(change);
    note(before, result.events);
    return result;
  };
  store.createRun = async (run, events) => {
    const before = nowMs();
    const result = await createRun(run, events);
    note(before, result.events);
    return result;
  };
}

async function measureBaton(
  dir: string,
): Promise<Measured & { bursts: Burst[]; warmup: Set<string>; seconds: number; events: number; published: Delivery[]; cpuSeconds: number }> {
  const store = await openStore({ sqlitePath: join(dir, 'bench.db'), origin: 'bench-ws' });
  const sentAt = new Map<string, number>();
  timeCommits(store, sentAt);
  const work = defineAgent({
    name: 'work',
    input: z.unknown(),
    output: z.object({ ok: z.boolean() }),
    run: async ({ reportProgress }) => {
      reportProgress(50, 'working');
      await new Promise((resolve) => setTimeout(resolve, agentMs * (0.5 + Math.random())));
      return { ok: true };
    },
  });
  const chain = defineWorkflow({
    name: 'chain',
    parameters: z.object({}),
    phases: Array.from({ length: 10 }, (_, i) => ({ name: `s${i + 1}`, agent: 'work', input: () => ({}) })),
  });
  const engine = new Engine({ store, agents: [work], workflows: [chain] });
  const app = await buildServer({ engine, store, config: parseServerConfig({ port: 0 }), logger: false });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as AddressInfo;
  const { results } = await startClients(`ws://127.0.0.1:${port}/ws/orchestrator/${SESSION}?since=0`, warmupRuns + runs);

  // Events published in one burst of microtasks reach the clients in one write: record them so.
  // The recorder watches last, after the session feed has handed the event to every client's buffer.
  const bursts: Burst[] = [];
  const published: Delivery[] = [];
  let open: Burst | undefined;
  const started = performance.now();
  const recording = engine.watch((event) => {
    if (open === undefined) {
      bursts.push((open = { atMs: performance.now() - started, events: [] }));
      queueMicrotask(() => (open = undefined));
    }
    open.events.push(event);
    published.push({ runId: event.runId, seq: event.seq, receivedMs: nowMs() });
  });
  // Runs start a few at a time, as a busy planning team would.
  const execute = async (count: number): Promise<string[]> => {
    const ids: string[] = [];
    for (let i = 0; i < count; i += parallel) {
      const batch = await Promise.all(Array.from({ length: Math.min(parallel, count - i) }, () => engine.startRun('chain', {}, { sessionId: SESSION })));
      ids.push(...batch.map((run) => run.id));
      await Promise.all(batch.map((run) => engine.settled(run.id)));
    }
    return ids;
  };
  const warmup = new Set(await execute(warmupRuns));
  const eventsBefore = sentAt.size;
  const measuredFrom = performance.now();
  const cpuFrom = process.cpuUsage();
  await execute(runs);
  const seconds = (performance.now() - measuredFrom) / 1000;
  const cpuSeconds = cpuSecondsSince(cpuFrom);
  recording.unsubscribe();
  const deliveries = await results;
  await app.close();
  await engine.close();
  await store.close();
  return { deliveries, sentAt, bursts, warmup, seconds, events: sentAt.size - eventsBefore, published, cpuSeconds };
}

/** CPU this process used since `from` (user + system, every thread), in seconds. */
function cpuSecondsSince(from: NodeJS.CpuUsage): number {
  const { user, system } = process.cpuUsage(from);
  return (user + system) / 1e6;
}

/** The same frames at the same moments from a bare `ws` server: one write per client per burst. */
async function measureBaseline(bursts: readonly Burst[], expectedRuns: number, measuredFromBurst: number): Promise<Measured & { cpuSeconds: number }> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise((resolve) => server.once('listening', resolve));
  const sockets: Duplex[] = [];
  server.on('connection', (_socket, request) => sockets.push(request.socket));
  const { port } = server.address() as AddressInfo;
  const { results } = await startClients(`ws://127.0.0.1:${port}/`, expectedRuns);
  // Same run ids, seqs, types and sizes as Baton's frames, so the clients' work is the same.
  const shapes = bursts.map(({ atMs, events }) => ({
    atMs,
    frames: events.map((e) => ({ type: e.type, runId: e.runId, seq: e.seq, bytes: JSON.stringify(eventView(e)).length })),
  }));
  const sentAt = new Map<string, number>();
  const started = performance.now();
  let cpuFrom = process.cpuUsage();
  for (const [i, burst] of shapes.entries()) {
    if (i === measuredFromBurst) cpuFrom = process.cpuUsage();
    const wait = burst.atMs - (performance.now() - started);
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const sent = nowMs();
    const frames = burst.frames.map(({ type, runId, seq, bytes }) => {
      sentAt.set(eventKey(runId, seq), sent);
      const message = { pad: '', type, run_id: runId, seq, timestamp: new Date().toISOString() };
      message.pad = 'x'.repeat(Math.max(0, bytes - JSON.stringify(message).length));
      return textFrame(Buffer.from(JSON.stringify(message)));
    });
    const bytes = Buffer.concat(frames);
    for (const socket of sockets) socket.write(bytes);
  }
  const cpuSeconds = cpuSecondsSince(cpuFrom);
  const deliveries = await results;
  await new Promise((resolve) => server.close(resolve));
  return { deliveries, sentAt, cpuSeconds };
}

const figures = (sorted: number[]) => ({
  p50: Number(percentile(sorted, 50).toFixed(2)),
  p99: Number(percentile(sorted, 99).toFixed(2)),
  max: Number((sorted.at(-1) ?? NaN).toFixed(2)),
});

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'baton-bench-ws-'));
  try {
    const baton = await measureBaton(dir);
    const firstMeasured = baton.bursts.findIndex((burst) => burst.events.some((e) => !baton.warmup.has(e.runId)));
    const baseline = await measureBaseline(baton.bursts, warmupRuns + runs, firstMeasured);
    const batonLatency = latencies(baton.deliveries, baton.sentAt, baton.warmup);
    const baselineLatency = latencies(baseline.deliveries, baseline.sentAt, baton.warmup);
    const ours = figures(batonLatency.warm);
    const bare = figures(baselineLatency.warm);
    const cold = figures(batonLatency.cold);
    const bareCold = figures(baselineLatency.cold);
    // Commit → the clients' send buffers, for the measured runs only, as the latencies are.
    const commit = figures(latencies(baton.published, baton.sentAt, baton.warmup).warm);
    const rate = Math.round(baton.events / baton.seconds);
    const record = {
      bench: 'ws',
      clients,
      events: batonLatency.warm.length,
      p50_ms: ours.p50,
      p99_ms: ours.p99,
      baseline_p50_ms: bare.p50,
      baseline_p99_ms: bare.p99,
      cold_p99_ms: cold.p99,
      baseline_cold_p99_ms: bareCold.p99,
      commit_p99_ms: commit.p99,
      server_cpu_s: Number(baton.cpuSeconds.toFixed(2)),
      baseline_server_cpu_s: Number(baseline.cpuSeconds.toFixed(2)),
      events_per_s: rate,
      agent_ms: agentMs,
      warmup_runs: warmupRuns,
    };
    if (args.json) {
      console.log(JSON.stringify(record));
      return;
    }
    console.log(
      `load: ${runs} runs of 10 steps, ${parallel} at a time, steps of ${agentMs / 2}–${(agentMs * 3) / 2} ms, after ${warmupRuns} warm-up runs: ${baton.events} events in ${baton.seconds.toFixed(2)} s (${rate} events/s, ${Math.round(rate * clients)} deliveries/s to ${clients} clients in ${processes} processes)`,
    );
    console.log(
      `baton:    ${batonLatency.warm.length} deliveries: p50 ${ours.p50} ms, p99 ${ours.p99} ms, max ${ours.max} ms (commit → receipt; of which commit → the clients' send buffers p50 ${commit.p50} ms, p99 ${commit.p99} ms); server CPU ${baton.cpuSeconds.toFixed(2)} s`,
    );
    console.log(
      `baseline: ${baselineLatency.warm.length} deliveries: p50 ${bare.p50} ms, p99 ${bare.p99} ms, max ${bare.max} ms (bare ws broadcast of the same frames at the same moments); server CPU ${baseline.cpuSeconds.toFixed(2)} s`,
    );
    console.log(`baton / baseline: p50 ${(ours.p50 / bare.p50).toFixed(2)}×, p99 ${(ours.p99 / bare.p99).toFixed(2)}×`);
    console.log(
      `cold start (the ${warmupRuns} warm-up runs): baton p50 ${cold.p50} ms, p99 ${cold.p99} ms; baseline p50 ${bareCold.p50} ms, p99 ${bareCold.p99} ms`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (args['client-mode']) await clientMode(args['client-mode'], runs);
else await main();
