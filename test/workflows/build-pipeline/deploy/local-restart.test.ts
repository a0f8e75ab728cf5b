/**
 * The local target after Baton is killed with SIGKILL in the middle of a release: a deploy run in a child process is
 * killed at a step, and the same release deployed again by a fresh target (a restarted Baton) completes it, reusing
 * the slot already started: one slot start per release, the router's port unchanged, the previous slot stopped.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeployProgress, Release } from '../../../../src/workflows/build-pipeline/deploy/contracts.js';
import { LocalTarget, type LocalTargetOptions } from '../../../../src/workflows/build-pipeline/deploy/local/target.js';
import { createFixtureOrigin, FIXTURE_MANIFEST, type FixtureOrigin } from './fixtures/app.js';

const TSX = pathToFileURL(resolve('node_modules/tsx/dist/loader.mjs')).href;
const CHILD = resolve('test/workflows/build-pipeline/deploy/fixtures/deploy-child.ts');
const API_KEY = 'restart-api-key-0123456789abcdef';

let fixture: FixtureOrigin;
let options: LocalTargetOptions;
const builds: string[] = [];

const release = (buildId: string, label: string): Release => ({
  build_id: buildId,
  app_name: 'fixture-app',
  environment: 'dev',
  commit: fixture.commits.get(label) ?? '',
  origin: fixture.origin,
  manifest: FIXTURE_MANIFEST,
  sku: 'B1',
  instances: 1,
  api_key: API_KEY,
});

/** Runs a deploy in a child process and SIGKILLs it as soon as it reports `killAt` (answers the events it printed). */
function deployAndKill(input: Release, killAt: DeployProgress['type']): Promise<DeployProgress[]> {
  const child = spawn(process.execPath, ['--import', TSX, CHILD], {
    env: { ...process.env, DEPLOY_CHILD: JSON.stringify({ options, release: input }) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const events: DeployProgress[] = [];
  return new Promise((done, fail) => {
    createInterface({ input: child.stdout }).on('line', (line) => {
      const event = JSON.parse(line) as DeployProgress;
      events.push(event);
      if (event.type === killAt) child.kill('SIGKILL');
    });
    child.on('exit', (code, signal) => (signal === 'SIGKILL' ? done(events) : fail(new Error(`the child ended with ${String(code)} before ${killAt}`))));
  });
}

beforeAll(async () => {
  fixture = await createFixtureOrigin([{ label: 'good-1' }, { label: 'good-2' }]);
  const stateDir = await mkdtemp(join(tmpdir(), 'baton-local-restart-'));
  options = { stateDir, portBase: 29_800 + (process.pid % 200) * 5, watchMs: 500, healthIntervalMs: 50, stopGraceMs: 2_000 };
}, 30_000);

afterAll(async () => {
  const target = new LocalTarget(options);
  for (const build of builds) await target.teardown(build);
  if (options.stateDir) await rm(options.stateDir, { recursive: true, force: true });
  await fixture?.cleanup();
}, 30_000);

describe('LocalTarget after Baton is killed with SIGKILL mid-release', () => {
  it.each(['backup', 'slot_started', 'switch'] as const)(
    'completes a release killed at %s when it is deployed again, with one slot start per release',
    async (killAt) => {
      const build = `build-restart-${killAt}`;
      builds.push(build);
      const first = await new LocalTarget(options).deploy(release(build, 'good-1'));
      expect(first.status).toBe('live');

      const before = await deployAndKill(release(build, 'good-2'), killAt);
      expect(before.map((event) => event.type)).toContain(killAt);

      const restarted = new LocalTarget(options);
      const events: DeployProgress[] = [];
      const outcome = await restarted.deploy(release(build, 'good-2'), { onProgress: (event) => events.push(event) });
      expect(outcome).toMatchObject({ status: 'live', previous_commit: first.commit, url: first.url, slot: 'green' });
      const started = events.find((event) => event.type === 'slot_started');
      expect(started?.payload.reused).toBe(killAt !== 'backup');
      const counters = await restarted.counters(build, 'dev');
      expect(counters?.slot_starts).toBe(2);
      const status = await restarted.status(build, 'dev');
      expect(status).toMatchObject({ live_commit: outcome.commit, healthy: true });
      expect(status?.processes.map((process) => process.slot)).toEqual(['green']);
      const health = (await (await fetch(`${outcome.url}/health`)).json()) as { version: string };
      expect(health.version).toBe(outcome.commit);
      // And a third run finds it live.
      expect((await new LocalTarget(options).deploy(release(build, 'good-2'))).status).toBe('already_live');
      expect((await restarted.counters(build, 'dev'))?.slot_starts).toBe(2);
    },
    90_000,
  );

  it('leaves an aborted deploy pending instead of rolling it back, and the same release deployed again reuses its slot', async () => {
    const build = 'build-restart-abort';
    builds.push(build);
    const target = new LocalTarget(options);
    expect((await target.deploy(release(build, 'good-1'))).status).toBe('live');
    const controller = new AbortController();
    const aborted = target.deploy(release(build, 'good-2'), {
      signal: controller.signal,
      onProgress: (event) => {
        if (event.type === 'slot_started') controller.abort();
      },
    });
    await expect(aborted).rejects.toMatchObject({ code: 'CANCELLED' });
    const events: DeployProgress[] = [];
    const outcome = await target.deploy(release(build, 'good-2'), { onProgress: (event) => events.push(event) });
    expect(outcome.status).toBe('live');
    expect(events.find((event) => event.type === 'slot_started')?.payload.reused).toBe(true);
    expect((await target.counters(build, 'dev'))?.slot_starts).toBe(2);
  }, 60_000);
});
