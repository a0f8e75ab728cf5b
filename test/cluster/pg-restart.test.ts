// PostgreSQL restarted under load: two real `baton serve` nodes on a throwaway server of this test's own, the server
// restarted while their runs are mid-agent; no node dies, every run completes, no step is committed twice, no seq gap.
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PHASES } from './workflow.js';
import { json, startNode, startRun, until, type NodeProcess } from './support.js';

const bin = process.env.PG_BIN ?? '/usr/lib/postgresql/15/bin';
const available = existsSync(join(bin, 'pg_ctl')) && existsSync(join(bin, 'initdb'));
if (!available) console.warn(`test/cluster/pg-restart: skipped (no PostgreSQL binaries in ${bin}; set PG_BIN)`);

const SCRIPT = resolve('scripts/pg-throwaway.sh');
// initdb refuses root, so as root the throwaway server runs as `postgres` (as scripts/pg-throwaway.sh does).
const asPostgres = (command: string, args: string[]) =>
  // stdio ignored: a server started by pg_ctl keeps whatever output it inherits open, and a pipe would never close.
  process.getuid?.() === 0
    ? execFileSync('runuser', ['-u', 'postgres', '--', command, ...args], { stdio: 'ignore' })
    : execFileSync(command, args, { stdio: 'ignore' });

interface WireEvent {
  type: string;
  seq: number;
}

describe.skipIf(!available)('PostgreSQL restarted under load', () => {
  let dir: string;
  let url: string;
  const nodes: NodeProcess[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'baton-pg-restart-'));
    chmodSync(dir, 0o755); // the server's user (postgres, when running as root) must reach its data directory inside
    url = execFileSync(SCRIPT, ['start', join(dir, 'pg')], { encoding: 'utf8', env: { ...process.env, PG_BIN: bin } }).trim();
    const env = { BATON_LEASE_MS: '2000', BATON_POLL_MS: '200' };
    // One at a time: the second finds the schema migrated.
    nodes.push(await startNode({ id: 'node-a', databaseUrl: url, env }));
    nodes.push(await startNode({ id: 'node-b', databaseUrl: url, env }));
  }, 90_000);

  afterAll(async () => {
    for (const node of nodes) if (node.child.exitCode === null && node.child.signalCode === null) node.child.kill('SIGKILL');
    await Promise.all(nodes.map((n) => n.exited));
    if (dir) {
      execFileSync(SCRIPT, ['stop', join(dir, 'pg')], { env: { ...process.env, PG_BIN: bin } });
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('keeps every node alive and completes every run, each step once and each log without a gap, across a server restart', async () => {
    const [a, b] = nodes as [NodeProcess, NodeProcess];
    const runs = await Promise.all(Array.from({ length: 8 }, (_, i) => startRun(i % 2 ? b : a, 'restart-session', { ms: 150 })));
    // Mid-run: some steps committed, agents running, commits in flight.
    await new Promise((r) => setTimeout(r, 400));
    asPostgres(join(bin, 'pg_ctl'), ['-D', join(dir, 'pg', 'data'), '-l', join(dir, 'pg', 'server.log'), '-m', 'fast', '-w', 'restart']);

    // Reads fail while connections come back: a failed probe is "not yet".
    let states: string[] = [];
    await until(
      'every run completed',
      async () => {
        states = await Promise.all(
          runs.map((id) =>
            json<{ state: string }>(`${a.base}/api/runs/${id}`).then(
              (r) => r.state,
              () => 'unreadable',
            ),
          ),
        );
        return states.every((s) => s === 'completed') ? true : undefined;
      },
      45_000,
      250,
    ).catch((error: unknown) => {
      throw new Error(`${String(error)}: ${states.join(', ')}\n${nodes.map((n) => `--- ${n.id}\n${n.output().slice(-3000)}`).join('\n')}`);
    });
    for (const node of nodes) expect(node.child.exitCode, `${node.id} exited:\n${node.output()}`).toBeNull();
    for (const node of nodes) expect(node.output(), node.id).not.toMatch(/uncaught|unhandled/i);
    for (const id of runs) {
      const { events } = await json<{ events: WireEvent[] }>(`${b.base}/api/runs/${id}/events`);
      expect(
        events.map((e) => e.seq),
        `run ${id}`,
      ).toEqual(events.map((_, i) => i + 1));
      expect(events.filter((e) => e.type === 'complete')).toHaveLength(PHASES.length);
      expect(events.filter((e) => e.type === 'workflow_complete')).toHaveLength(1);
    }
  }, 120_000);

  it('answers 503 UPSTREAM_UNAVAILABLE, not 500, while the server is down, keeps /health and /metrics answering, and answers again once it is back', async () => {
    const [a] = nodes as [NodeProcess];
    // A node guarded by BATON_API_TOKEN as production nodes are: its token is checked without the database.
    const token = 'outage-test-token-0123456789';
    const guarded = await startNode({ id: 'node-token', databaseUrl: url, env: { BATON_API_TOKEN: token } });
    nodes.push(guarded);
    const pgCtl = (...args: string[]) => asPostgres(join(bin, 'pg_ctl'), ['-D', join(dir, 'pg', 'data'), '-l', join(dir, 'pg', 'server.log'), '-w', ...args]);
    // Started again as the throwaway script started it (its port and socket directory are options, not configuration).
    const [, , , ...startedWith] = readFileSync(join(dir, 'pg', 'data', 'postmaster.opts'), 'utf8')
      .trim()
      .replace(/"/g, '')
      .split(' '); // postgres -D <dir> …
    pgCtl('-m', 'fast', 'stop');
    try {
      for (const node of [a, guarded]) {
        const runs = await fetch(`${node.base}/api/runs`, { headers: { authorization: `Bearer ${token}` } });
        const body = (await runs.json()) as { error_type: string; message: string; request_id: string };
        expect(runs.status, `${node.id}: ${JSON.stringify(body)}`).toBe(503);
        expect(body).toMatchObject({ error_type: 'UPSTREAM_UNAVAILABLE', message: 'the database cannot be reached right now' });
        expect(JSON.stringify(body)).not.toMatch(/127\.0\.0\.1|ECONNREFUSED/);
        // /health's own answer, not an error from asking the database who may call it.
        const health = await fetch(`${node.base}/health`);
        expect(health.status).toBe(503);
        expect(await health.json()).toMatchObject({ status: 'degraded', database: 'unreachable', node: node.id });
      }
      // Metrics still answer when they matter most: the runs gauge is left out, the process's are there.
      const metrics = await fetch(`${guarded.base}/metrics`, { headers: { authorization: `Bearer ${token}` } });
      expect(metrics.status).toBe(200);
      const text = await metrics.text();
      expect(text).toMatch(/^process_cpu_seconds_total /m);
      expect(text).not.toMatch(/^baton_runs\{/m);
      // Stopped during the outage, a node still shuts down cleanly, saying what it could not write (it exited 1 on an
      // unhandled rejection from releasing its leases, without "stopped").
      guarded.child.kill('SIGTERM');
      expect(await guarded.exited, guarded.output().slice(-3000)).toBe(0);
      expect(guarded.output()).toMatch(/"msg":"engine: marking the node stopping"/);
      expect(guarded.output()).toMatch(/"msg":"stopped"/);
      expect(guarded.output()).not.toMatch(/uncaught|unhandled/i);
      nodes.splice(nodes.indexOf(guarded), 1);
    } finally {
      pgCtl('-o', startedWith.join(' '), 'start');
    }
    await until('the API answers again', async () => ((await fetch(`${a.base}/api/runs`)).status === 200 ? true : undefined), 30_000, 250);
    for (const node of nodes) expect(node.child.exitCode, `${node.id} exited:\n${node.output()}`).toBeNull();
  }, 90_000);
});
