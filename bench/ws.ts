/**
 * `npm run bench:ws`: 100 WebSocket clients (in a separate process) on one session while runs
 * execute; prints p50/p99 latency from an event's commit to each client's receipt.
 * Flags: --clients N (100) --runs R (40) --parallel P (4 runs at a time) --client-processes K (2) --json. Commit times come from the event's timestamp
 * (taken just before its transaction), so figures include the commit itself: a conservative bound.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import WebSocket from 'ws';
import { z } from 'zod';
import { defineAgent, defineWorkflow, Engine } from '../src/engine/index.js';
import { buildServer } from '../src/server/app.js';
import { parseServerConfig } from '../src/server/config.js';
import { openStore } from '../src/store/index.js';

const { values: args } = parseArgs({
  options: {
    clients: { type: 'string', default: '100' },
    runs: { type: 'string', default: '40' },
    parallel: { type: 'string', default: '4' },
    'client-processes': { type: 'string', default: '2' },
    json: { type: 'boolean', default: false },
    'client-mode': { type: 'string' },
  },
});
const clients = Number(args.clients);
const runs = Number(args.runs);
const parallel = Math.max(1, Number(args.parallel));
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

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'baton-bench-ws-'));
  const store = await openStore({ sqlitePath: join(dir, 'bench.db'), origin: 'bench-ws' });
  const work = defineAgent({
    name: 'work',
    input: z.unknown(),
    output: z.object({ ok: z.boolean() }),
    run: async ({ reportProgress }) => {
      reportProgress(50, 'working');
      await new Promise((resolve) => setTimeout(resolve, 2));
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
  // The clients live in other processes, as real ones would; split so one process's receive loop
  // does not queue behind another's.
  const children = Array.from({ length: processes }, (_, i) => {
    const share = Math.floor(clients / processes) + (i < clients % processes ? 1 : 0);
    const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--client-mode', `ws://127.0.0.1:${port}/ws/orchestrator/${SESSION}?since=0`, '--clients', String(share), '--runs', String(runs)], {
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
  // Runs start a few at a time, as a busy planning team would.
  for (let i = 0; i < runs; i += parallel) {
    const batch = Array.from({ length: Math.min(parallel, runs - i) }, () => engine.startRun('chain', {}, { sessionId: SESSION }));
    await Promise.all((await Promise.all(batch)).map((run) => engine.settled(run.id)));
  }
  const outputs = await Promise.all(children.map((c) => c.exited));
  const latencies = outputs.flatMap((output) => {
    const line = output.split('\n').find((l) => l.startsWith('{'));
    if (!line) throw new Error(`the clients printed no results: ${output}`);
    return (JSON.parse(line) as { latencies: number[] }).latencies;
  });
  latencies.sort((a, b) => a - b);
  const result = { events: latencies.length, p50: percentile(latencies, 50), p99: percentile(latencies, 99), max: latencies.at(-1) ?? NaN };
  const record = { bench: 'ws', clients, events: result.events, p50_ms: Number(result.p50.toFixed(2)), p99_ms: Number(result.p99.toFixed(2)) };
  if (args.json) console.log(JSON.stringify(record));
  else console.log(`${clients} clients, ${result.events} deliveries: p50 ${record.p50_ms} ms, p99 ${record.p99_ms} ms, max ${result.max.toFixed(2)} ms (commit → receipt)`);
  await app.close();
  await engine.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}

if (args['client-mode']) await clientMode(args['client-mode']);
else await main();
