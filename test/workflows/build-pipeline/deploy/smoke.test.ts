/**
 * The smoke tests and the health poll against a real running app (the deploy fixture, started as a process on a
 * real port with a real SQLite file): a good app passes every check, a defect fails the check it breaks, and a
 * `/health` answering 200 with another version is not healthy.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { linkNodeModules, runAppCommand, toolchain } from '../../../../src/workflows/build-pipeline/app/toolchain.js';
import { pollHealth, type HealthAttempt } from '../../../../src/workflows/build-pipeline/deploy/health.js';
import { freePort } from '../../../../src/workflows/build-pipeline/deploy/local/processes.js';
import { runSmokeTests } from '../../../../src/workflows/build-pipeline/deploy/smoke.js';
import { FIXTURE_MANIFEST, writeFixtureApp, type Defect } from './fixtures/app.js';

const API_KEY = 'smoke-api-key-0123456789abcdef';
const VERSION = 'a'.repeat(40);
const started: ChildProcess[] = [];
let root: string;

/** Starts the fixture app (with an optional defect) on a free port and answers its base URL once it listens. */
async function startApp(name: string, defect?: Defect): Promise<string> {
  const dir = join(root, name);
  await mkdir(dir, { recursive: true });
  await writeFixtureApp(dir, defect);
  await linkNodeModules(dir, await toolchain());
  const env = { DATABASE_FILE: join(dir, 'app.db'), APP_VERSION: VERSION };
  const migrated = await runAppCommand(FIXTURE_MANIFEST.migrate, { cwd: dir, env, timeoutMs: 20_000 });
  expect(migrated.exit_code, migrated.output).toBe(0);
  // A free port can be taken by another suite's app before this one binds it (seen in CI: the smoke checks then met
  // that app). So the app counts as started only once it says it listens; if it exits instead, another port is tried.
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const child = spawn(process.execPath, ['server.mjs'], {
      cwd: dir,
      env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1', API_KEY, APP_ENVIRONMENT: 'dev' },
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    started.push(child);
    const listening = await new Promise<boolean>((resolve) => {
      child.stdout.on('data', (chunk: Buffer) => {
        if (chunk.toString().includes(`listening on ${port}`)) resolve(true);
      });
      child.once('exit', () => resolve(false));
    });
    if (listening) return `http://127.0.0.1:${port}`;
    if (attempt === 5) throw new Error(`the fixture app ${name} did not start in 5 tries`);
  }
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'baton-smoke-'));
});

afterAll(async () => {
  for (const child of started) child.kill('SIGKILL');
  await rm(root, { recursive: true, force: true });
});

describe('runSmokeTests', () => {
  it('passes the health version, both auth refusals and the CRUD round trip of a good app', async () => {
    const url = await startApp('good');
    const results = await runSmokeTests(url, FIXTURE_MANIFEST, API_KEY, VERSION);
    expect(results.map((result) => [result.name, result.passed])).toEqual([
      ['health reports the release version', true],
      ['a request without an API key is refused', true],
      ['a request with a wrong API key is refused', true],
      ['item: create, read, update, list and delete', true],
    ]);
    expect(results[3]?.detail).toMatch(/POST 201, GET 200, PUT 200, listed, DELETE 204, GET 404/);
  }, 30_000);

  it('fails the CRUD check of an app whose delete is broken and says which request did what', async () => {
    const url = await startApp('smoke-fail', 'smoke-fail');
    const results = await runSmokeTests(url, FIXTURE_MANIFEST, API_KEY, VERSION);
    const crud = results.find((result) => result.name.startsWith('item:'));
    expect(crud).toMatchObject({ passed: false });
    expect(crud?.detail).toMatch(/DELETE \/api\/items\/\d+ answered 500 \(expected 204\)/);
    expect(results.filter((result) => result.passed)).toHaveLength(3);
  }, 30_000);

  it('fails the health check when the app reports another version, and the auth checks with a key the app does not hold', async () => {
    const url = await startApp('other');
    const results = await runSmokeTests(url, FIXTURE_MANIFEST, 'not-the-key-0123456789abcdef00', 'b'.repeat(40));
    expect(results[0]).toMatchObject({ passed: false, detail: expect.stringContaining(`version "${VERSION}"`) as unknown });
    // With a key the app does not know, the CRUD round trip is refused at its first request.
    expect(results[3]).toMatchObject({ passed: false, detail: expect.stringContaining('answered 401') as unknown });
  }, 30_000);

  it('reports an unreachable app as failed checks instead of throwing', async () => {
    const url = `http://127.0.0.1:${await freePort()}`;
    const results = await runSmokeTests(url, FIXTURE_MANIFEST, API_KEY, VERSION, { timeoutMs: 1_000 });
    expect(results.every((result) => !result.passed)).toBe(true);
    expect(results[0]?.detail).toMatch(/ECONNREFUSED/);
  });
});

describe('pollHealth', () => {
  it('does not count a 200 from another version as healthy', async () => {
    const url = await startApp('version');
    const attempts: HealthAttempt[] = [];
    const result = await pollHealth(url, 'c'.repeat(40), { tries: 3, intervalMs: 10, onAttempt: (attempt) => attempts.push(attempt) });
    expect(result).toMatchObject({ healthy: false, attempts: 3 });
    expect(result.last_error).toContain(`reports version ${VERSION}`);
    expect(attempts.map((attempt) => attempt.status)).toEqual([200, 200, 200]);
  }, 30_000);

  it('keeps trying through refused connections and a 500 and stops at the tries', async () => {
    const url = await startApp('health-500', 'health-500');
    const failing = await pollHealth(url, VERSION, { tries: 4, intervalMs: 10 });
    expect(failing).toMatchObject({ healthy: false, attempts: 4 });
    expect(failing.last_error).toMatch(/answered 500/);
    const refused = await pollHealth(`http://127.0.0.1:${await freePort()}`, VERSION, { tries: 2, intervalMs: 10 });
    expect(refused).toMatchObject({ healthy: false, attempts: 2 });
    expect(refused.last_error).toMatch(/ECONNREFUSED/);
  }, 30_000);
});
