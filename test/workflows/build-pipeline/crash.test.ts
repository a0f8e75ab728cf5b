/**
 * kill -9 of Baton at every stage of a build, then a restart on the same database and build directory: the build
 * completes with one repository, one commit per stage, one slot start per release and one notification. The server
 * is a real `baton serve` child process on a SQLite file; the team's webhook is a local sink that records every POST.
 */
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalTarget } from '../../../src/workflows/build-pipeline/deploy/local/target.js';
import { freePort } from '../../cluster/support.js';
import { IDEA } from './support.js';

const execFileAsync = promisify(execFile);
const MAIN = resolve('src/cli/main.ts');
const TSX = pathToFileURL(resolve('node_modules/tsx/dist/loader.mjs')).href;
const HAS_GIT = spawnSync('git', ['--version']).status === 0;
if (!HAS_GIT) console.warn('build pipeline crash test skipped: git is not installed');

/** The stages a kill lands in, in order, and when: some at once, some after the stage's work has begun. */
const KILLS: readonly { stage: string; after: { ms: number } | { event: string } }[] = [
  { stage: 'repository', after: { ms: 40 } },
  { stage: 'codegen', after: { ms: 120 } },
  { stage: 'quality_gate', after: { ms: 4_000 } },
  { stage: 'merge', after: { ms: 60 } },
  { stage: 'infrastructure', after: { ms: 60 } },
  // Between the new slot's start and the step's commit: the re-run must reuse the slot, not start another.
  { stage: 'deploy_dev', after: { event: 'deploy_slot_started' } },
  { stage: 'handoff', after: { ms: 30 } },
];

interface Server_ {
  child: ChildProcess;
  base: string;
  output: () => string;
  exited: Promise<unknown>;
}

interface RunView {
  state: string;
  phase: string | null;
  error: unknown;
}
/** An event as the HTTP API answers it: its payload's fields beside its type and sequence number. */
interface EventView {
  seq: number;
  type: string;
  phase?: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.skipIf(!HAS_GIT)('the build pipeline under kill -9', () => {
  let root: string;
  let buildDir: string;
  let sink: Server;
  let sinkUrl: string;
  const posts: { key: string; at: number }[] = [];
  // Below Linux's ephemeral range (32768+), where an outgoing connection may hold the port between its check and the router's listen.
  const portBase = 24_000 + Math.floor(Math.random() * 4_000);
  let server: Server_ | undefined;
  const logs: string[] = [];

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'baton-build-crash-'));
    buildDir = join(root, 'builds');
    sink = createServer((request, response) => {
      request.resume();
      request.on('end', () => {
        posts.push({ key: String(request.headers['idempotency-key'] ?? ''), at: Date.now() });
        response.writeHead(204).end();
      });
    });
    await new Promise<void>((done) => sink.listen(0, '127.0.0.1', done));
    sinkUrl = `http://127.0.0.1:${(sink.address() as AddressInfo).port}/hook`;
  });

  afterAll(async () => {
    if (server) {
      server.child.kill('SIGKILL');
      await server.exited;
    }
    // The deployed app outlives every Baton: its router and slots are stopped here, whatever the test's outcome.
    const target = new LocalTarget({ stateDir: join(buildDir, 'targets', 'local') });
    const state = await readdir(join(buildDir, 'targets', 'local', 'builds')).catch(() => [] as string[]);
    for (const app of state) await target.teardown(app).catch(() => undefined);
    await new Promise<void>((done) => sink.close(() => done()));
    await rm(root, { recursive: true, force: true });
  });

  async function start(generation: number): Promise<Server_> {
    const port = await freePort();
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      BATON_BUILD_DIR: buildDir,
      BATON_LOCAL_TARGET_PORT: String(portBase),
      BATON_DEPLOY_WATCH_MS: '1000',
      BATON_BUILD_WEBHOOK_URL: sinkUrl,
      BATON_BUILD_SECRET: 'crash-test-secret-0123456789',
      // A short lease: the restarted node (a new node id) claims the killed node's run within 2 s.
      BATON_LEASE_MS: '2000',
      BATON_POLL_MS: '200',
      BATON_NODE_ID: `crash-${generation}`,
      BATON_LOG_LEVEL: 'warn',
    };
    delete env.DATABASE_URL;
    delete env.BATON_API_TOKEN;
    const child = spawn(process.execPath, ['--import', TSX, MAIN, 'serve', '--db', join(root, 'baton.db'), '--port', String(port)], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise((done) => child.once('exit', done));
    const base = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`baton serve exited at start:\n${output}`);
      if (
        await fetch(`${base}/health`).then(
          (r) => r.ok,
          () => false,
        )
      )
        break;
      if (Date.now() > deadline) throw new Error(`baton serve did not answer /health within 60 s:\n${output}`);
      await sleep(100);
    }
    return { child, base, output: () => output, exited };
  }

  async function kill(): Promise<void> {
    if (!server) return;
    server.child.kill('SIGKILL');
    await server.exited;
    logs.push(server.output());
    server = undefined;
  }

  async function api<T>(path: string, body?: unknown): Promise<T> {
    if (!server) throw new Error('no server');
    const response = await fetch(
      `${server.base}${path}`,
      body === undefined ? {} : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) },
    );
    const text = await response.text();
    if (!response.ok) throw new Error(`${path}: ${response.status} ${text}`);
    return JSON.parse(text) as T;
  }

  async function events(runId: string): Promise<EventView[]> {
    const all: EventView[] = [];
    for (;;) {
      const page = await api<{ events: EventView[] }>(`/api/runs/${runId}/events?since=${all.at(-1)?.seq ?? 0}&limit=1000`);
      all.push(...page.events);
      if (page.events.length < 1000) return all;
    }
  }

  const git = async (cwd: string, ...args: string[]) => (await execFileAsync('git', args, { cwd })).stdout.trim();

  it(
    'completes a dev build killed at every stage with one repository, one commit per stage, one slot start and one notification',
    { timeout: 300_000 },
    async () => {
      const began = Date.now();
      server = await start(0);
      const idea = await api<{ id: string }>('/api/builds/ideas', IDEA);
      const build = await api<{ run_id: string }>(`/api/builds/ideas/${idea.id}/build`, { environments: ['dev'] });
      const runId = build.run_id;
      const order = ['intake', 'architecture', ...KILLS.map((k) => k.stage)];
      const performed: { stage: string; landed_in: string | null; ms_into_stage: number }[] = [];

      let generation = 0;
      for (const { stage, after } of KILLS) {
        // Wait (fast polling) until the run is at this stage; a stage already passed is reported, not waited for.
        let run: RunView;
        const deadline = Date.now() + 150_000;
        for (;;) {
          run = await api<RunView>(`/api/runs/${runId}`);
          if (['failed', 'cancelled', 'rejected'].includes(run.state))
            throw new Error(`the build ended ${run.state}: ${JSON.stringify(run.error)}\n${server.output()}`);
          if (run.phase === stage || order.indexOf(run.phase ?? '') > order.indexOf(stage) || run.state === 'completed') break;
          if (Date.now() > deadline) throw new Error(`the build never reached ${stage} (at ${run.phase}):\n${server.output()}`);
          await sleep(20);
        }
        if (run.phase !== stage) {
          performed.push({ stage, landed_in: null, ms_into_stage: 0 });
          continue;
        }
        const reached = Date.now();
        if ('ms' in after) await sleep(after.ms);
        else {
          for (;;) {
            const seen = (await events(runId)).some((e) => e.type === after.event);
            const now = await api<RunView>(`/api/runs/${runId}`);
            if (seen || now.phase !== stage || Date.now() - reached > 60_000) break;
            await sleep(20);
          }
        }
        const landed = (await api<RunView>(`/api/runs/${runId}`)).phase;
        await kill();
        performed.push({ stage, landed_in: landed, ms_into_stage: Date.now() - reached });
        const restarting = Date.now();
        server = await start(++generation).catch((error: unknown) => {
          throw new Error(`the restart after the kill in ${stage} failed after ${Date.now() - restarting} ms (kills: ${JSON.stringify(performed)})`, {
            cause: error,
          });
        });
      }

      let final: RunView;
      const deadline = Date.now() + 150_000;
      for (;;) {
        final = await api<RunView>(`/api/runs/${runId}`);
        if (final.state !== 'running' && final.state !== 'pending') break;
        if (Date.now() > deadline) throw new Error(`the build did not finish (at ${final.phase}):\n${server.output()}`);
        await sleep(100);
      }
      console.info(`build crash test: ${JSON.stringify(performed)}; ${((Date.now() - began) / 1000).toFixed(1)} s`);
      expect(final.state, `${JSON.stringify(final.error)}\n${logs.join('\n---\n')}\n${server.output()}`).toBe('completed');
      // Every stage of the pipeline got its kill (at most the fast ones may slip through between two polls).
      expect(performed.filter((k) => k.landed_in === k.stage).length).toBeGreaterThanOrEqual(5);

      // One repository: one build folder beside the target's.
      const folders = (await readdir(buildDir, { withFileTypes: true })).filter((d) => d.isDirectory() && d.name !== 'targets').map((d) => d.name);
      expect(folders).toHaveLength(1);
      const origin = join(buildDir, folders[0]!, 'origin.git');
      const repo = join(buildDir, folders[0]!, 'repo');

      // Main: scaffold, code, infrastructure, docs, each once.
      const mainLog = (await git(origin, 'log', '--format=%s', 'main')).split('\n');
      expect(mainLog).toHaveLength(4);
      expect(new Set(mainLog).size).toBe(4);
      expect(mainLog[3]).not.toMatch(/^Generate|^Infrastructure|^Document/);
      expect(mainLog[2]).toMatch(/^Generate /);
      expect(mainLog[1]).toMatch(/^Infrastructure as code/);
      expect(mainLog[0]).toMatch(/^Document the deployment/);
      // The code branch: one commit on top of the scaffold.
      const scaffold = await git(origin, 'rev-list', '--max-parents=0', 'main');
      expect(await git(repo, 'rev-list', '--count', `${scaffold}..build/code`)).toBe('1');

      // One slot start for the release (the target's own counter, kept across restarts).
      const target = new LocalTarget({ stateDir: join(buildDir, 'targets', 'local') });
      const apps = await readdir(join(buildDir, 'targets', 'local', 'builds'));
      expect(apps).toHaveLength(1);
      const counters = await target.counters(apps[0]!, 'dev');
      expect(counters?.slot_starts).toBe(1);
      const status = await target.status(apps[0]!, 'dev');
      expect(status?.healthy).toBe(true);

      // One notification, posted once: a repeated POST of the same key is a failure of "exactly once".
      expect(new Set(posts.map((p) => p.key)).size).toBe(1);
      expect(posts.map((p) => p.key)).toEqual([`build:${runId}:completed`]);

      // No step committed twice: one `complete` per phase that ran, one skip per phase skipped.
      const log = await events(runId);
      const completes = log.filter((e) => e.type === 'complete').map((e) => String(e.phase));
      expect(completes.sort()).toEqual([...order].sort());
      const skipped = log.filter((e) => e.type === 'phase_skipped').map((e) => String(e.phase));
      expect(new Set(skipped).size).toBe(skipped.length);
    },
  );
});
