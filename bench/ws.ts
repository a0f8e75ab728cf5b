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
 * --client-processes K (2) --json. Commit times come from the event's timestamp (taken just before
 * its transaction, in whole milliseconds), so the figures include the commit itself.
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
import { openStore, type EventRecord } from '../src/store/index.js';

const { values: args } = parseArgs({
  options: {
    clients: { type: 'string', default: '100' },
    runs: { type: 'string', default: '40' },
    parallel: { type: 'string', default: '4' },
    'agent-ms': { type: 'string', default: '20' },
    'client-processes': { type: 'string', default: '2' },
    json: { type: 'boolean', default: false },
    'client-mode': { type: 'string' },
  },
});
const clients = Number(args.clients);
const runs = Number(args.runs);
const parallel = Math.max(1, Number(args.parallel));
const agentMs = Number(args['agent-ms']);
const processes = Math.max(1, Number(args['client-processes']));
const SESSION = 'bench';

const percentile = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
const nowMs = (): number => performance.timeOrigin + performance.now();

const TIMESTAMP = Buffer.from('"timestamp":"');
const HEARTBEAT = Buffer.from('"type":"heartbeat"');
const COMPLETE = Buffer.from('"type":"workflow_complete"');
/** Length of an ISO time as the server writes it: 2026-01-05T10:00:00.000Z. */
const ISO_LENGTH = 24;

/**
 * The child: connects the clients, measures, prints one JSON line of results. The clients share
 * two cores with the server, so a message's handler only reads its timestamp (no full parse, no
 * objects kept): a heavier client measured its own backlog as much as the server's latency.
 */
async function clientMode(url: string): Promise<void> {
  const latencies: number[] = [];
  let completed = 0;
  const sockets = await Promise.all(
    Array.from({ length: clients }, () => new Promise<WebSocket>((resolve, reject) => {
      const socket = new WebSocket(url);
      socket.on('message', (data: Buffer) => {
        const received = nowMs();
        if (data.includes(HEARTBEAT)) return;
        const at = data.indexOf(TIMESTAMP) + TIMESTAMP.length;
        latencies.push(received - Date.parse(data.toString('latin1', at, at + ISO_LENGTH)));
        if (data.includes(COMPLETE)) completed++;
      });
      socket.once('open', () => resolve(socket));
      socket.once('error', reject);
    })),
  );
  process.stdout.write('READY\n');
  while (completed < clients * runs) await new Promise((resolve) => setTimeout(resolve, 20));
  for (const socket of sockets) socket.close();
  process.stdout.write(`${JSON.stringify({ latencies })}\n`);
}

/** Starts the client processes on `url`; `results` resolves to every client's latencies, sorted. */
async function startClients(url: string): Promise<{ results: Promise<number[]> }> {
  // The clients live in other processes, as real ones would; split so one process's receive loop
  // does not queue behind another's.
  const children = Array.from({ length: processes }, (_, i) => {
    const share = Math.floor(clients / processes) + (i < clients % processes ? 1 : 0);
    const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--client-mode', url, '--clients', String(share), '--runs', String(runs)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let output = '';
    const ready = new Promise<void>((resolve) => child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('READY')) resolve();
    }));
    const exited = new Promise<string>((resolve) => child.on('exit', () => resolve(output)));
    return { ready, exited };
  });
  await Promise.all(children.map((c) => c.ready));
  const results = Promise.all(children.map((c) => c.exited)).then((outputs) => outputs.flatMap((output) => {
    const line = output.split('\n').find((l) => l.startsWith('{'));
    if (!line) throw new Error(`the clients printed no results: ${output}`);
    return (JSON.parse(line) as { latencies: number[] }).latencies;
  }).sort((a, b) => a - b));
  return { results };
}

/** What the engine published, as it went: when, and the frames (for the baseline to replay). */
interface Burst {
  atMs: number;
  events: EventRecord[];
}

async function measureBaton(dir: string): Promise<{ latencies: number[]; bursts: Burst[]; seconds: number; events: number }> {
  const store = await openStore({ sqlitePath: join(dir, 'bench.db'), origin: 'bench-ws' });
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
  const app = await buildServer({ engine, config: parseServerConfig({ port: 0 }), logger: false });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as AddressInfo;
  const { results } = await startClients(`ws://127.0.0.1:${port}/ws/orchestrator/${SESSION}?since=0`);

  // Events published in one burst of microtasks reach the clients in one write: record them so.
  const bursts: Burst[] = [];
  let open: Burst | undefined;
  const started = performance.now();
  const recording = engine.watch((event) => {
    if (open === undefined) {
      bursts.push((open = { atMs: performance.now() - started, events: [] }));
      queueMicrotask(() => (open = undefined));
    }
    open.events.push(event);
  });
  // Runs start a few at a time, as a busy planning team would.
  for (let i = 0; i < runs; i += parallel) {
    const batch = Array.from({ length: Math.min(parallel, runs - i) }, () => engine.startRun('chain', {}, { sessionId: SESSION }));
    await Promise.all((await Promise.all(batch)).map((run) => engine.settled(run.id)));
  }
  const seconds = (performance.now() - started) / 1000;
  recording.unsubscribe();
  const latencies = await results;
  await app.close();
  await engine.close();
  await store.close();
  return { latencies, bursts, seconds, events: bursts.reduce((n, b) => n + b.events.length, 0) };
}

/** The same frames at the same moments from a bare `ws` server: one write per client per burst. */
async function measureBaseline(bursts: readonly Burst[]): Promise<number[]> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise((resolve) => server.once('listening', resolve));
  const sockets: Duplex[] = [];
  server.on('connection', (_socket, request) => sockets.push(request.socket));
  const { port } = server.address() as AddressInfo;
  const { results } = await startClients(`ws://127.0.0.1:${port}/`);
  const shapes = bursts.map(({ atMs, events }) => ({ atMs, frames: events.map((e) => ({ type: e.type, bytes: JSON.stringify(eventView(e)).length })) }));
  const started = performance.now();
  let seq = 0;
  for (const burst of shapes) {
    const wait = burst.atMs - (performance.now() - started);
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const frames = burst.frames.map(({ type, bytes }) => {
      const message = { type, run_id: 'baseline', seq: ++seq, timestamp: new Date().toISOString(), pad: '' };
      message.pad = 'x'.repeat(Math.max(0, bytes - JSON.stringify(message).length));
      return textFrame(Buffer.from(JSON.stringify(message)));
    });
    const bytes = Buffer.concat(frames);
    for (const socket of sockets) socket.write(bytes);
  }
  const latencies = await results;
  await new Promise((resolve) => server.close(resolve));
  return latencies;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'baton-bench-ws-'));
  try {
    const baton = await measureBaton(dir);
    const baseline = await measureBaseline(baton.bursts);
    const figures = (sorted: number[]) => ({ p50: Number(percentile(sorted, 50).toFixed(2)), p99: Number(percentile(sorted, 99).toFixed(2)), max: Number((sorted.at(-1) ?? NaN).toFixed(2)) });
    const ours = figures(baton.latencies);
    const bare = figures(baseline);
    const rate = Math.round(baton.events / baton.seconds);
    const record = {
      bench: 'ws',
      clients,
      events: baton.latencies.length,
      p50_ms: ours.p50,
      p99_ms: ours.p99,
      baseline_p50_ms: bare.p50,
      baseline_p99_ms: bare.p99,
      events_per_s: rate,
      agent_ms: agentMs,
    };
    if (args.json) {
      console.log(JSON.stringify(record));
      return;
    }
    console.log(`load: ${runs} runs of 10 steps, ${parallel} at a time, steps of ${agentMs / 2}–${(agentMs * 3) / 2} ms: ${baton.events} events in ${baton.seconds.toFixed(2)} s (${rate} events/s, ${Math.round(rate * clients)} deliveries/s to ${clients} clients in ${processes} processes)`);
    console.log(`baton:    ${baton.latencies.length} deliveries: p50 ${ours.p50} ms, p99 ${ours.p99} ms, max ${ours.max} ms (commit → receipt)`);
    console.log(`baseline: ${baseline.length} deliveries: p50 ${bare.p50} ms, p99 ${bare.p99} ms, max ${bare.max} ms (bare ws broadcast of the same frames at the same moments)`);
    console.log(`baton / baseline: p50 ${(ours.p50 / bare.p50).toFixed(2)}×, p99 ${(ours.p99 / bare.p99).toFixed(2)}×`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (args['client-mode']) await clientMode(args['client-mode']);
else await main();
