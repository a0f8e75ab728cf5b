// GET /metrics over real HTTP from a server built with buildServer, after real runs, parsed and checked against the database.
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { Engine } from '../../src/engine/index.js';
import { StaleRunError } from '../../src/errors/index.js';
import { buildServer } from '../../src/server/app.js';
import { routeAccess } from '../../src/server/auth.js';
import { parseServerConfig } from '../../src/server/config.js';
import type { BatonStore } from '../../src/store/index.js';
import { createTelemetry, instrumentStore, metricsRoutes, watchEngine, type Telemetry } from '../../src/telemetry/index.js';
import { describeEachStore, type TestStore } from '../support/stores.js';
import { approvalFlow, flaky, flakyFlow, steady } from './support.js';

const TOKEN = 'metrics-test-token';

/** One sample of the Prometheus text format: `name{label="value",…} number`. */
interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const SAMPLE = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/;
const LABEL = /([a-zA-Z_]\w*)="((?:[^"\\]|\\.)*)"/g;

function parseExposition(text: string): Sample[] {
  return text
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const match = SAMPLE.exec(line);
      if (!match) throw new Error(`not a sample line: ${line}`);
      const labels = Object.fromEntries([...(match[2] ?? '').matchAll(LABEL)].map(([, key, value]) => [key!, value!]));
      return { name: match[1]!, labels, value: Number(match[3]) };
    });
}

const total = (samples: Sample[], name: string, labels: Record<string, string> = {}): number =>
  samples.filter((s) => s.name === name && Object.entries(labels).every(([key, value]) => s.labels[key] === value)).reduce((sum, s) => sum + s.value, 0);

describeEachStore('GET /metrics', (kind) => {
  let t: TestStore;
  let store: BatonStore;
  let telemetry: Telemetry;
  let engine: Engine;
  let app: FastifyInstance;
  let base: string;
  let streams = 0;
  const errors: unknown[] = [];

  beforeEach(async () => {
    errors.length = 0;
    t = await kind.create();
    telemetry = await createTelemetry({ env: {}, processMetrics: false });
    store = instrumentStore(t.store, telemetry);
    engine = new Engine({ store, agents: [steady(), flaky()], workflows: [flakyFlow, approvalFlow], onError: (error) => errors.push(error) });
    watchEngine(engine, telemetry, { onError: (error) => errors.push(error) });
    await engine.start();
    app = await buildServer({ engine, store, config: parseServerConfig({ port: 0, apiToken: TOKEN }), logger: false, llm: null, webRoot: null });
    await app.register(metricsRoutes(telemetry, { store, streamClients: () => streams }));
    await app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  });

  afterEach(async () => {
    await app.close();
    await engine.close();
    await t.dispose();
    expect(errors).toEqual([]);
  });

  const scrape = async (): Promise<Sample[]> => {
    const response = await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    return parseExposition(await response.text());
  };

  it('is guarded like the rest of the API: no token 401, a wrong one 403', async () => {
    expect(routeAccess(app).find((route) => route.url === '/metrics')).toMatchObject({ method: 'GET', open: false });
    expect((await fetch(`${base}/metrics`)).status).toBe(401);
    expect((await fetch(`${base}/metrics`, { headers: { authorization: 'Bearer not-the-token' } })).status).toBe(403);
  });

  it('counts runs by state from the database, one latency observation per committed agent step and each failed attempt', async () => {
    const retried = await engine.startRun(flakyFlow.name, { key: 'retried', failures: 1 });
    const failed = await engine.startRun(flakyFlow.name, { key: 'failed', failures: 1, final: true });
    const waiting = await engine.startRun(approvalFlow.name, {});
    const approved = await engine.startRun(approvalFlow.name, {});
    expect((await engine.settled(retried.id)).state).toBe('completed');
    expect((await engine.settled(failed.id)).state).toBe('failed');
    expect((await engine.settled(waiting.id)).state).toBe('waiting');
    const open = await engine.settled(approved.id);
    await engine.resolveWait(approved.id, open.waitingFor!.id, { action: 'accept' });
    expect((await engine.settled(approved.id)).state).toBe('completed');
    streams = 3;

    const samples = await scrape();
    expect(Object.fromEntries(samples.filter((s) => s.name === 'baton_runs').map((s) => [s.labels.state, s.value]))).toEqual({
      running: 0,
      waiting: 1,
      completed: 2,
      failed: 1,
      cancelled: 0,
      rejected: 0,
      expired: 0,
    });

    const ids = [retried.id, failed.id, waiting.id, approved.id];
    const agentSteps = (await Promise.all(ids.map((id) => store.listSteps(id)))).flat().filter((step) => step.kind === 'agent');
    expect(agentSteps).toHaveLength(6); // prepare+work, prepare, prepare, prepare+finish
    expect(total(samples, 'baton_step_duration_seconds_count')).toBe(agentSteps.length);
    for (const phase of ['prepare', 'work', 'finish'])
      expect(total(samples, 'baton_step_duration_seconds_count', { phase })).toBe(agentSteps.filter((step) => step.phase === phase).length);
    // Every observation falls in the +Inf bucket; the sum is the steps' seconds.
    expect(total(samples, 'baton_step_duration_seconds_bucket', { le: '+Inf' })).toBe(agentSteps.length);
    expect(total(samples, 'baton_step_duration_seconds_sum')).toBeGreaterThan(0);

    const failedAttempts = (await Promise.all(ids.map((id) => store.listAttempts(id)))).flat().filter((attempt) => attempt.status !== 'succeeded');
    expect(failedAttempts).toHaveLength(2);
    expect(total(samples, 'baton_agent_failures_total', { agent: 'flaky', outcome: 'retrying', error_type: 'AGENT_EXECUTION_ERROR' })).toBe(1);
    expect(total(samples, 'baton_agent_failures_total', { agent: 'flaky', outcome: 'failed', error_type: 'AGENT_EXECUTION_ERROR' })).toBe(1);

    expect(total(samples, 'baton_runs_finished_total', { workflow: 'flaky_flow', state: 'completed' })).toBe(1);
    expect(total(samples, 'baton_runs_finished_total', { workflow: 'flaky_flow', state: 'failed' })).toBe(1);
    expect(total(samples, 'baton_runs_finished_total', { workflow: 'approval_flow' })).toBe(1);
    expect(total(samples, 'baton_stream_clients')).toBe(3);
    // Every commit went through the instrumented store: at least one per committed step.
    expect(total(samples, 'baton_store_commit_duration_seconds_count', { dialect: kind.name, result: 'ok' })).toBeGreaterThanOrEqual(agentSteps.length);
  });

  it('times commits refused by the version fence as stale and counts lease renewals with the runs they cover', async () => {
    const run = await engine.startRun(flakyFlow.name, { key: 'stale' });
    await engine.settled(run.id);
    const { version } = (await store.getRun(run.id))!;
    await expect(store.commit({ runId: run.id, expectedVersion: version - 1, events: [{ type: 'note', payload: {} }], at: Date.now() })).rejects.toBeInstanceOf(
      StaleRunError,
    );
    await store.renewLeases('someone', ['a', 'b'], Date.now() + 1000);

    const samples = await scrape();
    expect(total(samples, 'baton_store_commit_duration_seconds_count', { result: 'stale' })).toBe(1);
    expect(total(samples, 'baton_lease_renewals_total', { result: 'ok' })).toBeGreaterThanOrEqual(1);
    expect(total(samples, 'baton_lease_renewed_runs_total')).toBeGreaterThanOrEqual(2);
  });
});
