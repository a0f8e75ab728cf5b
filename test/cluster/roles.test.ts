// An API node (--no-worker) and a worker-only node (--worker-only) as real processes on one PostgreSQL:
// the API node starts runs and streams them, the worker drives them and serves only /health and /metrics.
// A node's slots (BATON_MAX_RUNS) hold when runs arrive together.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { AgentLogLine } from './workflow.js';
import { freshDatabase, json, startNode, startRun, until, type NodeProcess } from './support.js';

const serverUrl = process.env.BATON_TEST_POSTGRES_URL || undefined;
if (!serverUrl) console.warn('test/cluster: skipped (set BATON_TEST_POSTGRES_URL to run nodes on PostgreSQL)');

describe.skipIf(!serverUrl)('an API node and a worker node on one PostgreSQL', () => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let api: NodeProcess;
  let worker: NodeProcess;

  beforeAll(async () => {
    db = await freshDatabase(serverUrl!);
    const env = { BATON_LEASE_MS: '2000', BATON_POLL_MS: '200' };
    [api, worker] = await Promise.all([
      startNode({ id: 'api-1', role: 'api', databaseUrl: db.url, env }),
      startNode({ id: 'worker-1', role: 'worker', databaseUrl: db.url, env }),
    ]);
  }, 90_000);

  afterAll(async () => {
    for (const node of [api, worker]) if (node && node.child.exitCode === null && node.child.signalCode === null) node.child.kill('SIGKILL');
    await Promise.all([api, worker].filter(Boolean).map((n) => n.exited));
    await db?.drop();
  });

  it('lists the idle worker on the API node by its heartbeat, before it holds any lease', async () => {
    const { version } = await import('../../package.json', { with: { type: 'json' } }).then((m) => m.default);
    const { nodes } = await json<{
      nodes: { node_id: string; role: string | null; version: string | null; leases_held: number; status: string; self: boolean }[];
    }>(`${api.base}/api/nodes`);
    expect(nodes).toEqual([
      expect.objectContaining({ node_id: 'api-1', role: 'api', version, leases_held: 0, status: 'alive', self: true }),
      expect.objectContaining({ node_id: 'worker-1', role: 'worker', version, leases_held: 0, status: 'alive', self: false }),
    ]);
  });

  it('runs started on the API node are driven by the worker and streamed by the API node; the worker answers only /health and /metrics', async () => {
    const received: { run_id?: string; seq?: number; type: string }[] = [];
    const socket = new WebSocket(`${api.base.replace('http', 'ws')}/ws/orchestrator/roles?since=0`);
    socket.on('message', (data: Buffer) => received.push(JSON.parse(data.toString()) as { type: string }));
    await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));

    const id = await startRun(api, 'roles', { ms: 300, steps: 2 });
    const nodes = await until('the worker holding the run', async () => {
      const answer = await json<{ nodes: { node_id: string; leases_held: number; self: boolean }[] }>(`${api.base}/api/nodes`);
      return answer.nodes.some((n) => n.node_id === 'worker-1' && n.leases_held === 1) ? answer.nodes : undefined;
    });
    expect(nodes.find((n) => n.node_id === 'api-1')).toMatchObject({ leases_held: 0, self: true });
    await until('the run completed', async () => ((await json<{ state: string }>(`${api.base}/api/runs/${id}`)).state === 'completed' ? true : undefined));
    const { events } = await json<{ events: { type: string }[] }>(`${api.base}/api/runs/${id}/events`);
    expect(events.filter((e) => e.type === 'complete')).toHaveLength(2);
    await until('the stream caught up', () => (received.filter((m) => m.run_id === id).length === events.length ? true : undefined), 5_000);
    socket.close();

    expect(await json(`${worker.base}/health`)).toMatchObject({ status: 'ok', node: 'worker-1' });
    expect(await json(`${api.base}/health`)).toMatchObject({ status: 'ok', node: 'api-1' });
    expect((await fetch(`${worker.base}/metrics`)).status).toBe(200);
    expect((await fetch(`${worker.base}/api/runs`)).status).toBe(404);
  }, 30_000);
});

describe.skipIf(!serverUrl)('a node with BATON_MAX_RUNS=1', () => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let dir: string;
  let node: NodeProcess;

  beforeAll(async () => {
    db = await freshDatabase(serverUrl!);
    dir = mkdtempSync(join(tmpdir(), 'baton-slots-'));
    node = await startNode({
      id: 'one-slot',
      databaseUrl: db.url,
      env: { BATON_LEASE_MS: '2000', BATON_POLL_MS: '200', BATON_MAX_RUNS: '1', BATON_CLUSTER_LOG: join(dir, 'agents.log') },
    });
  }, 90_000);

  afterAll(async () => {
    if (node && node.child.exitCode === null && node.child.signalCode === null) node.child.kill('SIGKILL');
    await node?.exited;
    await db?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('drives three runs posted at once one after another, never two agents at a time', async () => {
    const ids = await Promise.all([1, 2, 3].map(() => startRun(node, 'slots', { ms: 200, steps: 1 })));
    for (const id of ids)
      await until(`run ${id} completed`, async () => ((await json<{ state: string }>(`${node.base}/api/runs/${id}`)).state === 'completed' ? true : undefined));
    const log = readFileSync(join(dir, 'agents.log'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => AgentLogLine.parse(JSON.parse(line)));
    expect(new Set(log.map((l) => l.run))).toEqual(new Set(ids));
    // In the order written (one process appends them), each agent is done before the next one starts.
    expect(
      log.map((l) => l.what),
      JSON.stringify(log),
    ).toEqual(['start', 'done', 'start', 'done', 'start', 'done']);
  }, 30_000);
});
