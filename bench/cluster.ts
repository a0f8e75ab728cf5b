/**
 * `npm run bench:cluster`: Baton nodes as real processes (test/cluster/node.ts: `baton serve`'s
 * serve()) on one PostgreSQL (BATON_BENCH_POSTGRES_URL, else BATON_TEST_POSTGRES_URL; a fresh
 * database per run). Prints:
 * - steps/s with one node driving every run (runs started on it; the other two idle) and with three
 *   (runs started round-robin on the three, each drives those it starts): R runs of 5 agent steps of
 *   0 ms each, P at a time per node;
 * - failover: a node killed with SIGKILL while its agents sleep; the time from the kill to the first
 *   of its runs starting its agent again on another node (the lease, plus at most a poll, is the target);
 * - cross-node latency: a session stream on node A, runs started and driven on node B; from each
 *   event's commit timestamp (whole ms, taken just before its transaction) to its receipt on A.
 * Flags: --runs R (150) --parallel P (4) --lease-ms (2000) --poll-ms (200) --json.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import WebSocket from 'ws';
import { freshDatabase, json, startNode, startRun, until, type NodeProcess } from '../test/cluster/support.js';
import { AgentLogLine, PHASES } from '../test/cluster/workflow.js';

const { values: args } = parseArgs({
  options: {
    runs: { type: 'string', default: '150' },
    parallel: { type: 'string', default: '4' },
    'lease-ms': { type: 'string', default: '2000' },
    'poll-ms': { type: 'string', default: '200' },
    json: { type: 'boolean', default: false },
  },
});
const RUNS = Number(args.runs);
const PARALLEL = Number(args.parallel);
const LEASE_MS = Number(args['lease-ms']);
const POLL_MS = Number(args['poll-ms']);
const serverUrl = process.env.BATON_BENCH_POSTGRES_URL || process.env.BATON_TEST_POSTGRES_URL;
if (!serverUrl) {
  console.error('bench:cluster needs PostgreSQL: set BATON_BENCH_POSTGRES_URL or BATON_TEST_POSTGRES_URL');
  process.exit(2);
}

const say = (line: string) => {
  if (!args.json) console.log(line);
};
const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;

interface RunView {
  state: string;
}

async function completed(node: NodeProcess, ids: string[]): Promise<void> {
  await until(
    `${ids.length} runs completed`,
    async () => {
      const states = await Promise.all(ids.map((id) => json<RunView>(`${node.base}/api/runs/${id}`)));
      return states.every((s) => s.state === 'completed') ? true : undefined;
    },
    300_000,
    20,
  );
}

/** R runs started round-robin on the starting nodes (P requests in flight per node), each node driving what it starts; steps committed per second until the last completes. */
async function throughput(starters: NodeProcess[], label: string): Promise<number> {
  const session = `bench-${label.replace(' ', '-')}-${Date.now()}`;
  const began = Date.now();
  let next = 0;
  const lane = async (node: NodeProcess) => {
    while (next < RUNS) {
      next++;
      await startRun(node, session, { ms: 0 });
    }
  };
  await Promise.all(starters.flatMap((node) => Array.from({ length: PARALLEL }, () => lane(node))));
  await until(
    `${RUNS} runs completed`,
    async () =>
      (await json<{ total: number }>(`${starters[0]!.base}/api/runs?session_id=${session}&state=completed&limit=1`)).total >= RUNS ? true : undefined,
    300_000,
    20,
  );
  const seconds = (Date.now() - began) / 1000;
  const rate = (RUNS * PHASES.length) / seconds;
  say(`${label}: ${RUNS} runs × ${PHASES.length} steps in ${seconds.toFixed(2)} s = ${rate.toFixed(0)} steps/s`);
  return rate;
}

const db = await freshDatabase(serverUrl);
const dir = mkdtempSync(join(tmpdir(), 'baton-bench-cluster-'));
const logFile = join(dir, 'agents.jsonl');
const env = { BATON_LEASE_MS: String(LEASE_MS), BATON_POLL_MS: String(POLL_MS), BATON_CLUSTER_LOG: logFile, BATON_LOG_LEVEL: 'warn' };
const nodes: NodeProcess[] = [];
try {
  say(`starting 3 nodes on one PostgreSQL (lease ${LEASE_MS} ms, poll ${POLL_MS} ms)…`);
  nodes.push(...(await Promise.all(['node-a', 'node-b', 'node-c'].map((id) => startNode({ id, databaseUrl: db.url, env })))));
  const [a, b, c] = nodes as [NodeProcess, NodeProcess, NodeProcess];

  // Warm-up: every node drives a few runs (V8 compiles the hot paths), unmeasured.
  await Promise.all(nodes.map(async (node) => completed(node, await Promise.all([1, 2, 3].map(() => startRun(node, 'warmup', { ms: 0 }))))));

  const one = await throughput([a], '1 node');
  const three = await throughput([a, b, c], '3 nodes');

  // Cross-node latency: a session stream on A; runs started (and so driven) on B.
  const session = `latency-${Date.now()}`;
  const latencies: number[] = [];
  const socket = new WebSocket(`${a.base.replace('http', 'ws')}/ws/orchestrator/${session}?since=0`);
  socket.on('message', (data: Buffer) => {
    const message = JSON.parse(data.toString()) as { run_id?: string; timestamp?: string };
    if (message.run_id !== undefined && message.timestamp !== undefined) latencies.push(Date.now() - Date.parse(message.timestamp));
  });
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  const latencyRuns: string[] = [];
  for (let i = 0; i < 20; i++) {
    latencyRuns.push(await startRun(b, session, { ms: 20 }));
    await completed(b, latencyRuns.slice(-1));
  }
  await new Promise((r) => setTimeout(r, 200));
  socket.close();
  const sorted = latencies.sort((x, y) => x - y);
  const p50 = percentile(sorted, 50);
  const p99 = percentile(sorted, 99);
  say(`cross-node events (B drives, stream on A): ${sorted.length} events, p50 ${p50} ms, p99 ${p99} ms`);

  // Failover: C drives runs whose agents sleep; SIGKILL; the first of them starting again elsewhere.
  const doomed = await Promise.all([1, 2, 3, 4].map(() => startRun(c, 'failover', { ms: 60_000, steps: 1 })));
  const agentLog = () =>
    readFileSync(logFile, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => AgentLogLine.parse(JSON.parse(line)));
  await until('C running its agents', () => (doomed.every((id) => agentLog().some((l) => l.run === id && l.node === 'node-c')) ? true : undefined));
  c.child.kill('SIGKILL');
  const killedAt = Date.now();
  const resumed = await until(
    'the runs moving on',
    () => {
      const moved = agentLog().filter((l) => doomed.includes(l.run) && l.node !== 'node-c' && l.what === 'start');
      return new Set(moved.map((l) => l.run)).size === doomed.length ? moved : undefined;
    },
    LEASE_MS + 30_000,
    10,
  );
  const failover = (Math.min(...resumed.map((l) => l.t)) - killedAt) / 1000;
  const allMoved = (Math.max(...resumed.map((l) => l.t)) - killedAt) / 1000;
  say(`failover: first run moved on ${failover.toFixed(2)} s after SIGKILL, all ${doomed.length} by ${allMoved.toFixed(2)} s (lease ${LEASE_MS / 1000} s)`);
  for (const id of doomed) await json(`${a.base}/api/runs/${id}/cancel`, { method: 'POST', body: JSON.stringify({}) });

  if (args.json) {
    console.log(
      JSON.stringify({
        steps_per_s_1_node: Math.round(one),
        steps_per_s_3_nodes: Math.round(three),
        lease_seconds: LEASE_MS / 1000,
        poll_seconds: POLL_MS / 1000,
        failover_seconds: Number(failover.toFixed(3)),
        failover_all_seconds: Number(allMoved.toFixed(3)),
        cross_node_p50_ms: p50,
        cross_node_p99_ms: p99,
        cross_node_events: sorted.length,
        runs: RUNS,
        parallel_per_node: PARALLEL,
        steps_per_run: PHASES.length,
      }),
    );
  }
} finally {
  for (const node of nodes) if (node.child.exitCode === null && node.child.signalCode === null) node.child.kill('SIGKILL');
  await Promise.all(nodes.map((n) => n.exited));
  await db.drop();
  rmSync(dir, { recursive: true, force: true });
}
