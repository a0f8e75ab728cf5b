/**
 * The local deploy target on real git, real processes and real HTTP: releases of a fixture app go live behind a
 * router whose port never changes, P1v2 spreads requests over two instances, every defect of the fault matrix rolls
 * back to the previous release with the database as before, re-runs are idempotent and reconcile repairs what died.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Environment } from '../../../../src/workflows/build-pipeline/contracts.js';
import type { DeployProgress, Release } from '../../../../src/workflows/build-pipeline/deploy/contracts.js';
import { LocalTarget } from '../../../../src/workflows/build-pipeline/deploy/local/target.js';
import { isAlive } from '../../../../src/workflows/build-pipeline/deploy/local/processes.js';
import { createFixtureOrigin, FIXTURE_MANIFEST, type Defect, type FixtureOrigin } from './fixtures/app.js';

const API_KEY = 'fixture-api-key-0123456789abcdef';
const FAULTS: { defect: Defect; stage: string }[] = [
  { defect: 'crash-start', stage: 'start' },
  { defect: 'health-500', stage: 'health' },
  { defect: 'smoke-fail', stage: 'smoke' },
  { defect: 'migrate-fail', stage: 'migrate' },
  { defect: 'crash-after-switch', stage: 'watch' },
];

let fixture: FixtureOrigin;
let stateDir: string;
let target: LocalTarget;

const commit = (label: string) => {
  const sha = fixture.commits.get(label);
  if (!sha) throw new Error(`no commit ${label}`);
  return sha;
};

const release = (label: string, environment: Environment = 'dev', overrides: Partial<Release> = {}): Release => ({
  build_id: 'build-local-1',
  app_name: 'fixture-app',
  environment,
  commit: commit(label),
  origin: fixture.origin,
  manifest: FIXTURE_MANIFEST,
  sku: 'B1',
  instances: 1,
  api_key: API_KEY,
  ...overrides,
});

async function health(url: string): Promise<{ status: number; version?: string; pid?: number }> {
  const response = await fetch(`${url}/health`);
  const body = (await response.json()) as { version?: string; pid?: number };
  return { ...body, status: response.status };
}

/** What the environment's database holds: the versions its migrations recorded, its items, and its tables. */
function database(environment: Environment = 'dev', buildId = 'build-local-1') {
  const db = new Database(join(stateDir, 'builds', buildId, environment, 'app.db'), { readonly: true, fileMustExist: true });
  try {
    return {
      versions: (db.prepare('SELECT version FROM releases ORDER BY version').all() as { version: string }[]).map((row) => row.version),
      items: db.prepare('SELECT name, qty FROM items ORDER BY id').all() as { name: string; qty: number }[],
      tables: (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[]).map((row) => row.name),
    };
  } finally {
    db.close();
  }
}

/** Steady GET load through the router from a few concurrent loops until stopped; counts what did not answer 200. */
function probe(url: string, loops = 4) {
  let running = true;
  const failures: string[] = [];
  let requests = 0;
  const loop = async () => {
    while (running) {
      requests++;
      try {
        const response = await fetch(`${url}/health`);
        await response.arrayBuffer();
        if (response.status !== 200) failures.push(`HTTP ${response.status}`);
      } catch (error) {
        failures.push(error instanceof Error ? `${error.message} ${String((error.cause as Error | undefined)?.message ?? '')}` : String(error));
      }
    }
  };
  const all = Promise.all(Array.from({ length: loops }, loop));
  return {
    async stop() {
      running = false;
      await all;
      return { requests, failures };
    },
  };
}

beforeAll(async () => {
  fixture = await createFixtureOrigin([
    { label: 'good-1' },
    { label: 'good-2' },
    ...FAULTS.map((fault) => ({ label: fault.defect, defect: fault.defect })),
    { label: 'good-3' },
    { label: 'crash-after-switch-2', defect: 'crash-after-switch' },
  ]);
  stateDir = await mkdtemp(join(tmpdir(), 'baton-local-target-'));
  target = new LocalTarget({ stateDir, portBase: 28_700 + (process.pid % 200) * 5, watchMs: 1_000, healthIntervalMs: 50, healthTries: 30, stopGraceMs: 2_000 });
}, 30_000);

afterAll(async () => {
  await target?.teardown('build-local-1');
  await target?.teardown('build-local-p1v2');
  await rm(stateDir, { recursive: true, force: true });
  await fixture?.cleanup();
}, 30_000);

describe('LocalTarget', () => {
  it('puts a first release live behind the router and switches a second one with the router port unchanged', async () => {
    const progress: DeployProgress[] = [];
    const first = await target.deploy(release('good-1'), { onProgress: (event) => progress.push(event) });
    expect(first, JSON.stringify(first.rollback)).toMatchObject({ status: 'live', slot: 'blue', previous_commit: null, switched: true });
    expect(await health(first.url)).toMatchObject({ status: 200, version: commit('good-1') });
    expect(progress.map((event) => event.type)).toEqual(
      expect.arrayContaining(['checkout', 'backup', 'migrate', 'slot_started', 'health_attempt', 'smoke', 'switch', 'watch']),
    );
    // A row written through the router by the good release: every rollback below must keep it.
    const created = await fetch(`${first.url}/api/items`, {
      method: 'POST',
      headers: { 'x-api-key': API_KEY, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'kept', qty: 1 }),
    });
    expect(created.status).toBe(201);

    const second = await target.deploy(release('good-2'));
    expect(second).toMatchObject({ status: 'live', slot: 'green', previous_commit: commit('good-1'), url: first.url });
    expect(await health(second.url)).toMatchObject({ status: 200, version: commit('good-2') });
    const status = await target.status('build-local-1', 'dev');
    expect(status).toMatchObject({ live_commit: commit('good-2'), live_slot: 'green', healthy: true });
    // The old slot was stopped after the watch: only the green instance runs.
    expect(status?.processes.map((process) => [process.slot, process.alive])).toEqual([['green', true]]);
    expect(database().items).toEqual([{ name: 'kept', qty: 1 }]);
    console.log(`release timings (ms): ${JSON.stringify(second.timings)}, ${second.seconds} s`);
  }, 60_000);

  it('runs two instances for P1v2 and the router spreads requests over both', async () => {
    const outcome = await target.deploy(release('good-1', 'dev', { build_id: 'build-local-p1v2', sku: 'P1v2', instances: 2 }));
    expect(outcome).toMatchObject({ status: 'live', instances: 2 });
    const status = await target.status('build-local-p1v2', 'dev');
    expect(status?.processes.filter((process) => process.alive)).toHaveLength(2);
    const pids = new Set<number>();
    for (let i = 0; i < 10; i++) pids.add((await health(outcome.url)).pid ?? 0);
    expect([...pids].sort()).toEqual(status?.processes.map((process) => process.pid).sort());
    const router = await target.counters('build-local-p1v2', 'dev');
    expect(router?.router_port).not.toBe((await target.counters('build-local-1', 'dev'))?.router_port);
  }, 60_000);

  it.each(FAULTS)(
    'rolls a release that fails at $stage ($defect) back to the previous one with the database as before',
    async ({ defect, stage }) => {
      const before = database();
      const outcome = await target.deploy(release(defect));
      console.log(
        `${defect}: ${outcome.status} at ${outcome.rollback?.stage}, rollback ${outcome.rollback?.seconds} s: ${outcome.rollback?.reason.slice(0, 160)}`,
      );
      expect(outcome).toMatchObject({ status: 'rolled_back', previous_commit: commit('good-2'), switched: stage === 'watch' });
      expect(outcome.rollback).toMatchObject({ stage, database_restored: true });
      expect(outcome.rollback?.seconds).toBeLessThan(5);
      // Every health try is counted, the failed ones too (a release never healthy made all 30).
      if (stage === 'health') expect(outcome.health_attempts).toBe(30);
      expect(await health(outcome.url)).toMatchObject({ status: 200, version: commit('good-2') });
      const after = database();
      expect(after).toEqual(before);
      expect(after.versions).not.toContain(commit(defect));
      expect(after.tables).not.toContain('broken');
      expect(after.items).toEqual([{ name: 'kept', qty: 1 }]);
      const status = await target.status('build-local-1', 'dev');
      expect(status?.processes.map((process) => process.slot)).toEqual(['green']);
    },
    60_000,
  );

  it('rolls a failing first release back to nothing live: the router answers 503 and the database it created is gone', async () => {
    const outcome = await target.deploy(release('migrate-fail', 'staging'));
    expect(outcome).toMatchObject({ status: 'rolled_back', previous_commit: null, rollback: { stage: 'migrate', database_restored: true } });
    const answer = await fetch(`${outcome.url}/health`);
    expect(answer.status).toBe(503);
    expect(existsSync(join(stateDir, 'builds', 'build-local-1', 'staging', 'app.db'))).toBe(false);
    expect((await target.status('build-local-1', 'staging'))?.processes).toEqual([]);
  }, 30_000);

  it('answers already_live for a commit that serves and the recorded outcome for one rolled back, starting no slot', async () => {
    const before = await target.counters('build-local-1', 'dev');
    expect(await target.deploy(release('good-2'))).toMatchObject({ status: 'already_live', commit: commit('good-2') });
    expect(await target.deploy(release('health-500'))).toMatchObject({ status: 'rolled_back', rollback: { stage: 'health' } });
    expect((await target.counters('build-local-1', 'dev'))?.slot_starts).toBe(before?.slot_starts);
  }, 30_000);

  it('reconcile restarts a live slot killed with SIGKILL, and a killed router on the same port', async () => {
    const status = await target.status('build-local-1', 'dev');
    const live = status?.processes[0];
    if (!status || !live) throw new Error('no live process');
    process.kill(live.pid, 'SIGKILL');
    while (isAlive(live.pid)) await new Promise((resolve) => setTimeout(resolve, 10));
    const first = await target.reconcile();
    expect(first.restarted).toEqual([expect.stringContaining(`pid ${live.pid}`)]);
    expect(first.healthy).toContain('build-local-1/dev');
    expect(await health(status.url)).toMatchObject({ status: 200, version: commit('good-2') });

    const router = await target.counters('build-local-1', 'dev');
    if (!router?.router_pid) throw new Error('no router pid');
    process.kill(router.router_pid, 'SIGKILL');
    while (isAlive(router.router_pid)) await new Promise((resolve) => setTimeout(resolve, 10));
    const second = await target.reconcile();
    expect(second.restarted).toEqual([expect.stringContaining(`router on port ${router.router_port}`)]);
    expect(await health(status.url)).toMatchObject({ status: 200, version: commit('good-2') });
    expect((await target.counters('build-local-1', 'dev'))?.router_port).toBe(router.router_port);
    // Reconcile restarts are not slot starts: still one per release.
    expect((await target.counters('build-local-1', 'dev'))?.slot_starts).toBe(router.slot_starts);
  }, 60_000);

  it('drops no request of a steady probe through the router during a switch and during a rollback', async () => {
    const url = (await target.status('build-local-1', 'dev'))?.url ?? '';
    const switching = probe(url);
    const switched = await target.deploy(release('good-3'));
    await new Promise((resolve) => setTimeout(resolve, 200));
    const duringSwitch = await switching.stop();
    expect(switched.status).toBe('live');

    const rollingBack = probe(url);
    const rolledBack = await target.deploy(release('crash-after-switch-2'));
    await new Promise((resolve) => setTimeout(resolve, 200));
    const duringRollback = await rollingBack.stop();
    expect(rolledBack).toMatchObject({ status: 'rolled_back', rollback: { stage: 'watch' } });
    console.log(
      `probe: switch ${duringSwitch.failures.length} failed of ${duringSwitch.requests}; rollback ${duringRollback.failures.length} failed of ${duringRollback.requests} (rollback ${rolledBack.rollback?.seconds} s) ${JSON.stringify([...duringSwitch.failures, ...duringRollback.failures].slice(0, 5))}`,
    );
    expect(duringSwitch.failures).toEqual([]);
    expect(duringRollback.failures).toEqual([]);
    expect(await health(url)).toMatchObject({ status: 200, version: commit('good-3') });
  }, 60_000);
});
