// Three real `baton serve` nodes (child processes) on one PostgreSQL database: runs started on all
// three, one node killed with SIGKILL mid-agent, a cancel across nodes, a graceful SIGTERM.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { AgentLogLine, PHASES } from './workflow.js';
import { freshDatabase, json, startNode, startRun, until, type NodeProcess } from './support.js';

const serverUrl = process.env.BATON_TEST_POSTGRES_URL || undefined;
if (!serverUrl) console.warn('test/cluster: skipped (set BATON_TEST_POSTGRES_URL to run three nodes on PostgreSQL)');

const LEASE_MS = 2_000;

interface WireEvent {
  type: string;
  run_id: string;
  seq: number;
  state?: string;
}
interface RunView {
  run_id: string;
  state: string;
}

describe.skipIf(!serverUrl)('three baton serve nodes on one PostgreSQL', () => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let dir: string;
  let logFile: string;
  const nodes: NodeProcess[] = [];
  const agentLog = (): AgentLogLine[] =>
    readFileSync(logFile, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => AgentLogLine.parse(JSON.parse(line)));

  beforeAll(async () => {
    db = await freshDatabase(serverUrl!);
    dir = mkdtempSync(join(tmpdir(), 'baton-cluster-'));
    logFile = join(dir, 'agents.jsonl');
    const env = { BATON_LEASE_MS: String(LEASE_MS), BATON_POLL_MS: '200', BATON_CLUSTER_LOG: logFile };
    // All three at once: their migrations take turns (the migrator's lock), as nodes of a real deployment would.
    nodes.push(...(await Promise.all(['node-a', 'node-b', 'node-c'].map((id) => startNode({ id, databaseUrl: db.url, env })))));
  }, 90_000);

  afterAll(async () => {
    for (const node of nodes) if (node.child.exitCode === null && node.child.signalCode === null) node.child.kill('SIGKILL');
    await Promise.all(nodes.map((n) => n.exited));
    await db?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
    // Three node processes to reap and a database to drop: a loaded CI machine needs more than the default 30 s.
  }, 90_000);

  it('completes every run exactly once after a node dies mid-agent, streams every run of the session on a surviving node, and stops a run cancelled on another node within a second', async () => {
    const [a, b, c] = nodes as [NodeProcess, NodeProcess, NodeProcess];
    const session = `cluster-${Date.now()}`;

    // A session stream on node A, open before any run starts.
    const received: WireEvent[] = [];
    const socket = new WebSocket(`${a.base.replace('http', 'ws')}/ws/orchestrator/${session}?since=0`);
    socket.on('message', (data: Buffer) => {
      const message = JSON.parse(data.toString()) as WireEvent;
      if (message.run_id !== undefined) received.push(message);
    });
    await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));

    // Four runs started on each node, each five 300 ms steps: a node drives the runs it starts.
    const started = await Promise.all([a, b, c].flatMap((node) => [1, 2, 3, 4].map(() => startRun(node, session, { ms: 300 }))));
    const startedOnC = started.slice(8);

    // Node C dies while its agents are mid-step: after some step of its own committed, during the next.
    await until('node C mid-agent after a commit', () => {
      const log = agentLog().filter((l) => l.node === 'node-c');
      return log.some((l) => l.what === 'done') && log.some((l) => l.what === 'start' && l.step !== 's1') ? true : undefined;
    });
    c.child.kill('SIGKILL');
    const killedAt = Date.now();
    await c.exited;
    const interrupted = new Set(
      agentLog()
        .filter((l) => l.node === 'node-c' && l.what === 'start')
        .map((l) => l.run),
    );
    expect(interrupted.size).toBeGreaterThan(0);

    // A cancel on node A of a run node B drives stops B's agent within a second.
    const long = await startRun(b, session, { ms: 20_000, steps: 1 });
    await until('node B running the long agent', () =>
      agentLog().some((l) => l.run === long && l.node === 'node-b' && l.what === 'start') ? true : undefined,
    ).catch(async (error: unknown) => {
      const view = await json<Record<string, unknown>>(`${a.base}/api/runs/${long}`).catch((e: unknown) => String(e));
      throw new Error(
        `${String(error)}\nthe run: ${JSON.stringify(view)}\nits agent log: ${JSON.stringify(agentLog().filter((l) => l.run === long))}\nnode B's output (tail): ${b.output().slice(-4_000)}`,
      );
    });
    const cancelledAt = Date.now();
    const cancelled = await json<RunView>(`${a.base}/api/runs/${long}/cancel`, { method: 'POST', body: JSON.stringify({ reason: 'test' }) });
    expect(cancelled.state).toBe('cancelled');
    const abort = await until('node B aborting the agent', () => agentLog().find((l) => l.run === long && l.what === 'abort'), 2_000, 20);
    expect(abort.node).toBe('node-b');
    expect(abort.t - cancelledAt).toBeLessThan(1_000);

    // Every run completes (C's after their lease ran out), each exactly once.
    await until(
      'every run completed',
      async () => {
        const states = await Promise.all(started.map((id) => json<RunView>(`${a.base}/api/runs/${id}`)));
        return states.every((s) => s.state === 'completed') ? true : undefined;
      },
      30_000,
      200,
    );
    for (const id of started) {
      const { events } = await json<{ events: WireEvent[] }>(`${b.base}/api/runs/${id}/events`);
      expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
      expect(events.filter((e) => e.type === 'complete')).toHaveLength(PHASES.length);
      expect(events.filter((e) => e.type === 'workflow_complete')).toHaveLength(1);
    }
    // C's interrupted runs moved on to the survivors once the lease ran out (plus at most a poll and the step).
    const movedOn = agentLog().filter((l) => interrupted.has(l.run) && l.node !== 'node-c' && l.what === 'start');
    expect(new Set(movedOn.map((l) => l.run))).toEqual(interrupted);
    expect(Math.min(...movedOn.map((l) => l.t)) - killedAt).toBeLessThan(LEASE_MS + 1_000);
    expect(startedOnC.every((id) => started.includes(id))).toBe(true);

    // The session stream on A carried every run of the session, whichever node started or drove it: each event once, in order.
    const all = [...started, long];
    const lastSeqs = new Map<string, number>();
    for (const id of all) lastSeqs.set(id, (await json<{ events: WireEvent[] }>(`${a.base}/api/runs/${id}/events`)).events.length);
    // Within the periodic re-read (5 s) at worst: a notice lost with the killed node is made up by it.
    await until(
      'the session stream caught up',
      () => (all.every((id) => received.filter((e) => e.run_id === id).length >= lastSeqs.get(id)!) ? true : undefined),
      8_000,
    ).catch((error: unknown) => {
      const behind = all.map(
        (id) =>
          `${id.slice(0, 8)}${id === long ? ' (long)' : startedOnC.includes(id) ? ' (C)' : ''}: ${received.filter((e) => e.run_id === id).length}/${lastSeqs.get(id)}`,
      );
      throw new Error(`${String(error)}: ${behind.join(', ')}`);
    });
    for (const id of all) {
      const seqs = received.filter((e) => e.run_id === id).map((e) => e.seq);
      expect(seqs, `run ${id}`).toEqual(Array.from({ length: lastSeqs.get(id)! }, (_, i) => i + 1));
    }
    socket.close();
  }, 60_000);

  it('lists every node with its role and leases in /api/nodes, and on SIGTERM closes streams with 1012, hands its runs to another node at once and leaves the list', async () => {
    const [a, b] = nodes as [NodeProcess, NodeProcess];
    const session = `sigterm-${Date.now()}`;
    const run = await startRun(b, session, { ms: 20_000, steps: 1 });
    await until('node B running the agent', () => (agentLog().some((l) => l.run === run && l.node === 'node-b' && l.what === 'start') ? true : undefined));
    type Listed = { nodes: { node_id: string; role: string | null; leases_held: number; status: string; alive: boolean; self: boolean }[] };
    const { nodes: listed } = await json<Listed>(`${a.base}/api/nodes`);
    expect(listed.find((n) => n.node_id === 'node-b')).toMatchObject({ role: 'all', leases_held: 1, status: 'alive', alive: true, self: false });
    expect(listed.find((n) => n.node_id === 'node-a')).toMatchObject({ role: 'all', status: 'alive', self: true });
    expect(await json(`${b.base}/health`)).toMatchObject({ status: 'ok', node: 'node-b' });

    const stream = new WebSocket(`${b.base.replace('http', 'ws')}/ws/runs/${run}?since=0`);
    await new Promise((resolve, reject) => stream.once('open', resolve).once('error', reject));
    const closed = new Promise<number>((resolve) => stream.once('close', (code) => resolve(code)));
    const stoppedAt = Date.now();
    b.child.kill('SIGTERM');
    expect(await closed).toBe(1012);
    expect(await b.exited).toBe(0);
    // Released, not left to expire: node A takes the run within a poll or so, well before the lease would have run out.
    const taken = await until('node A taking the run', () => agentLog().find((l) => l.run === run && l.node === 'node-a' && l.what === 'start'), 5_000, 20);
    expect(taken.t - stoppedAt).toBeLessThan(LEASE_MS);
    // A clean shutdown deleted its row after releasing its leases: node B is no longer listed, not even as gone.
    expect((await json<Listed>(`${a.base}/api/nodes?all=true`)).nodes.map((n) => n.node_id)).not.toContain('node-b');
    await json(`${a.base}/api/runs/${run}/cancel`, { method: 'POST', body: JSON.stringify({}) });
  }, 60_000);
});
