// `baton runs` as a real child process: exit codes and errors on stderr, `.env` settings, and `watch` across a server restart.
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Engine } from '../../../src/engine/index.js';
import type { BatonStore } from '../../../src/store/index.js';
import { editorialAgents, editorialWorkflow } from '../../../src/workflows/engine-demo/index.js';
import { storeKinds, type TestStore } from '../../support/stores.js';
import { startServer, TOKEN, until } from './support.js';

const MAIN = resolve('src/cli/main.ts');
const TSX = pathToFileURL(resolve('node_modules/tsx/dist/loader.mjs')).href;
// The child gets no settings of ours but PATH: what it reads comes from its arguments, its .env and what a test gives it.
const BASE_ENV = { PATH: process.env.PATH ?? '' };

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

function baton(args: string[], options: { cwd?: string; env?: Record<string, string> } = {}): Promise<Result> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      ['--import', TSX, MAIN, 'runs', ...args],
      { cwd: options.cwd ?? process.cwd(), env: { ...BASE_ENV, ...options.env }, timeout: 60_000 },
      (error, stdout, stderr) => done({ code: error ? ((error as { code?: number }).code ?? null) : 0, stdout, stderr }),
    );
  });
}

let t: TestStore;
let dir: string;
let db: string;
let waitingId: string;

/** An editorial run waiting at its approval, made by an engine that then lets go. */
async function waitingRun(store: BatonStore): Promise<string> {
  const engine = new Engine({ store, agents: editorialAgents, workflows: [editorialWorkflow] });
  const run = await engine.startRun('editorial', { topic: 'processes' });
  await engine.settled(run.id);
  await engine.close();
  return run.id;
}

beforeAll(async () => {
  t = await storeKinds[0]!.create();
  db = t.connection.sqlitePath!;
  dir = mkdtempSync(join(tmpdir(), 'baton-runs-process-'));
  waitingId = await waitingRun(t.store);
});
afterAll(async () => {
  await t.dispose();
  rmSync(dir, { recursive: true, force: true });
});

it('exits 3, 2, 1 and 5 for a missing run, a bad option, an unreachable server and a wrong token, saying why on stderr', async () => {
  const closedPort = await new Promise<number>((done) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => done(port));
    });
  });
  const server = await startServer(await t.reopen('process-server'));
  try {
    const [missing, usage, unreachable, token, ok] = await Promise.all([
      baton(['show', 'no-such-run', '--db', db]),
      baton(['list', '--db', db, '--limit', 'many']),
      baton(['list', '--url', `http://127.0.0.1:${closedPort}`]),
      baton(['list', '--url', server.base, '--token', 'not-the-token']),
      baton(['show', waitingId, '--url', server.base], { env: { BATON_API_TOKEN: TOKEN } }),
    ]);
    expect(missing).toMatchObject({ code: 3, stdout: '', stderr: `error NOT_FOUND: run "no-such-run" does not exist\n` });
    expect(usage).toMatchObject({ code: 2, stderr: 'error BAD_REQUEST: --limit must be a whole number from 1 to 10000, not "many"\n' });
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toMatch(/^error UPSTREAM_UNAVAILABLE: cannot reach the server at http:\/\/127\.0\.0\.1:\d+: .*\n {2}- check --url/);
    expect(token.code).toBe(5);
    expect(token.stderr).toMatch(/^error FORBIDDEN: /);
    expect(ok).toMatchObject({ code: 0, stderr: '' });
    expect(ok.stdout).toContain(`run ${waitingId}\n`);
  } finally {
    await server.app.close();
    await server.engine.close();
  }
});

it('reads settings from .env in the working directory, the environment winning, and refuses a malformed .env in one line', async () => {
  const cwd = mkdtempSync(join(dir, 'env-'));
  writeFileSync(join(cwd, '.env'), `# where the runs are\nBATON_SQLITE_PATH=${db}\n`);
  const broken = mkdtempSync(join(dir, 'env-'));
  writeFileSync(join(broken, '.env'), `BATON_SQLITE_PATH=${db}\nthis is not a setting\n`);
  const [fromFile, envWins, malformed] = await Promise.all([
    baton(['list', '--json'], { cwd }),
    baton(['list'], { cwd, env: { BATON_SQLITE_PATH: join(cwd, 'elsewhere.db') } }),
    baton(['list'], { cwd: broken }),
  ]);
  expect(fromFile.code).toBe(0);
  expect((JSON.parse(fromFile.stdout) as { runs: { run_id: string }[] }).runs.map((r) => r.run_id)).toContain(waitingId);
  expect(envWins).toMatchObject({ code: 3, stderr: expect.stringContaining(`error NOT_FOUND: no database at ${join(cwd, 'elsewhere.db')}`) as unknown });
  expect(malformed.code).toBe(2);
  expect(malformed.stderr).toBe(
    'error BAD_REQUEST: .env line 2 is not NAME=value: this is not a setting\n  - each line is NAME=value, a # comment or blank (see .env.example)\n',
  );
});

it('watches a run across a server restart and prints every event exactly once, in order, to the end', async () => {
  const id = await waitingRun(t.store);
  let server = await startServer(await t.reopen('watch-server-1'));
  const port = Number(new URL(server.base).port);
  const child = spawn(process.execPath, ['--import', TSX, MAIN, 'runs', 'watch', id, '--url', server.base, '--token', TOKEN, '--json'], { env: BASE_ENV });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((done) => child.on('exit', done));
  const seen = () =>
    stdout
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { seq: number; type: string });
  try {
    // Until the watcher has caught up with the log so far.
    const waitedFor = (await t.store.getRun(id))!.lastSeq;
    for (let end = Date.now() + 30_000; seen().at(-1)?.seq !== waitedFor;) {
      if (Date.now() > end) throw new Error(`the watcher saw ${stdout} / ${stderr}`);
      await new Promise((r) => setTimeout(r, 50));
    }

    // The server goes away; meanwhile the run is approved and finishes on another node of the same database.
    await server.app.close();
    await server.engine.close();
    const other = new Engine({ store: await t.reopen('approver'), agents: editorialAgents, workflows: [editorialWorkflow] });
    const status = await other.status(id);
    await other.resolveWait(id, status.waitingFor!.id, { action: 'accept' });
    await other.settled(id, ['completed']);
    await other.close();
    await until(t.store, id, ['completed']);
    await new Promise((r) => setTimeout(r, 300)); // a reconnection attempt or two fails meanwhile

    server = await startServer(await t.reopen('watch-server-2'), port);
    expect(await exited).toBe(0);
    const events = seen();
    const last = (await t.store.getRun(id))!.lastSeq;
    expect(events.map((e) => e.seq)).toEqual(Array.from({ length: last }, (_, i) => i + 1));
    expect(events.at(-1)).toMatchObject({ type: 'workflow_complete', state: 'completed' });
    expect(last).toBeGreaterThan(waitedFor);
    expect(stderr).toMatch(new RegExp(`connection lost \\(closed with code \\d+.*\\); reconnecting from seq ${waitedFor}…`));
  } finally {
    child.kill();
    await server.app.close();
    await server.engine.close();
  }
});

it('stops quietly with exit 0 when the reader of its output goes away, as `baton demo | head -1` does', { timeout: 120_000 }, async () => {
  const child = spawn(process.execPath, ['--import', TSX, MAIN, 'demo', '--db', join(dir, 'demo-piped.db')], {
    env: BASE_ENV,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((done) => child.on('close', (code) => done(code)));
  // The first line read, the pipe is closed: every later line of the demo meets EPIPE.
  await new Promise((read) => child.stdout.once('data', read));
  child.stdout.destroy();
  expect(await exited, stderr).toBe(0);
  expect(stderr).not.toContain('EPIPE');
});
