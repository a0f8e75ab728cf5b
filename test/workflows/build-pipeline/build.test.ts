// Whole builds on real git, real processes and real HTTP (SQLite: the stages' database work is covered on both
// databases by the intake and store suites): an idea deployed to dev and, after a Lead Builder and a Champion (two
// people) approve, to prod; a generated app with too few tests failing the gate with its coverage; a defective
// second release rolled back while the first keeps serving. Each build compiles and tests a generated app: minutes.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../../src/actors/contracts.js';
import { runGit } from '../../../src/workflows/build-pipeline/repository/index.js';
import { CodegenResult } from '../../../src/workflows/build-pipeline/codegen/contracts.js';
import { CHAMPION_ROLE, LEAD_BUILDER_ROLE } from '../../../src/workflows/build-pipeline/contracts.js';
import { DeployOutcome } from '../../../src/workflows/build-pipeline/deploy/contracts.js';
import { LocalTarget } from '../../../src/workflows/build-pipeline/deploy/local/target.js';
import { toolchain } from '../../../src/workflows/build-pipeline/app/toolchain.js';
import { apiKeys } from '../../../src/workflows/build-pipeline/services.js';
import { buildWorkspace } from '../../../src/workflows/build-pipeline/workspace.js';
import { GateReport } from '../../../src/workflows/build-pipeline/gate/contracts.js';
import { HandoffResult, InfrastructureResult, RepositoryResult } from '../../../src/workflows/build-pipeline/stages/contracts.js';
import { storeKinds } from '../../support/stores.js';
import { IDEA, useBuildServers, type BuildApi } from './support.js';

const person = (name: string, roles: string[]): Actor => ({ id: `test:${name}`, name, token_id: null, kind: 'person', scope: 'write', roles, any_role: false });
const LEAD = person('lee', [LEAD_BUILDER_ROLE]);
const CHAMPION = person('dana', [CHAMPION_ROLE]);
const OUTSIDER = person('olga', ['buyer']);

interface Sink {
  url: string;
  received: { key: string | undefined; body: unknown }[];
  close(): Promise<void>;
}

/** The team's webhook: records every POST with its idempotency key. */
async function webhookSink(): Promise<Sink> {
  const received: Sink['received'] = [];
  const server: Server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    request.on('end', () => {
      received.push({ key: request.headers['idempotency-key'] as string | undefined, body: JSON.parse(body) as unknown });
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/builds`,
    received,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

const sqlite = storeKinds[0];
if (!sqlite) throw new Error('the SQLite store kind is always available');

describe('a build from an idea to deployed applications', () => {
  const servers = useBuildServers(sqlite);
  const buildDir = mkdtempSync(join(tmpdir(), 'baton-builds-'));
  // Below Linux's ephemeral range (32768+), where an outgoing connection may hold the port between its check and the router's listen.
  const portBase = 20_000 + Math.floor(Math.random() * 4_000);
  const env = { BATON_BUILD_DIR: buildDir, BATON_LOCAL_TARGET_PORT: String(portBase), BATON_DEPLOY_WATCH_MS: '1500' };
  let sink: Sink;

  beforeAll(async () => {
    sink = await webhookSink();
  });
  afterAll(async () => {
    const target = new LocalTarget({ stateDir: join(buildDir, 'targets', 'local') });
    for (const app of await target.buildIds()) await target.teardown(app);
    await sink.close();
    rmSync(buildDir, { recursive: true, force: true });
  });

  async function startBuild(api: BuildApi, body: Record<string, unknown>, idea: Record<string, unknown> = {}): Promise<{ runId: string; ideaId: string }> {
    const added = await api.post<{ id: string }>('/api/builds/ideas', { ...IDEA, ...idea });
    expect(added.status).toBe(201);
    const started = await api.post<{ run_id: string }>(`/api/builds/ideas/${added.body.id}/build`, body);
    expect(started.status, JSON.stringify(started.body)).toBe(202);
    return { runId: started.body.run_id, ideaId: added.body.id };
  }

  const results = async (api: BuildApi, runId: string) => Object.fromEntries((await api.engine.steps(runId)).map((s) => [s.phase, s.output]));

  it('deploys to dev, waits for a Lead Builder and a Champion (two people) before prod, then documents, records and notifies once', async () => {
    const api = await servers.serve({ env: { ...env, BATON_BUILD_WEBHOOK_URL: sink.url } });
    const { runId } = await startBuild(api, { environments: ['dev', 'prod'] });

    const waiting = await api.engine.settled(runId, ['waiting', 'completed', 'failed', 'rejected'], { timeoutMs: 600_000 });
    expect(waiting.state, JSON.stringify(waiting.error)).toBe('waiting');
    expect(waiting.waitingFor).toMatchObject({ phase: 'approve_prod', kind: 'approval', policy: { quorum: [LEAD_BUILDER_ROLE, CHAMPION_ROLE] } });
    const before = await results(api, runId);
    expect(before.approve_dev).toMatchObject({ skipped: true });
    expect(String((before.approve_dev as { reason?: unknown }).reason)).toContain('only production deploys are approved');
    expect(DeployOutcome.parse(before.deploy_dev).status).toBe('live');
    expect(before.deploy_prod).toBeUndefined();
    // The packet the approvers see: the commit, the gate's report, the planned changes, the cost and the rollback plan.
    const packet = waiting.waitingFor?.data as { commit: string; gate: unknown; cost: { monthly_cents: number }; rollback_plan: string; changes: unknown[] };
    expect(packet.commit).toBe(InfrastructureResult.parse(before.infrastructure).commit);
    expect(GateReport.parse(packet.gate).passed).toBe(true);
    expect(packet.cost.monthly_cents).toBeGreaterThan(0);
    expect(packet.changes.length).toBeGreaterThan(0);
    expect(packet.rollback_plan).toMatch(/restores the database/);

    const waitId = waiting.waitingFor?.id ?? '';
    await expect(api.engine.resolveWait(runId, waitId, { action: 'accept' }, { actor: OUTSIDER })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await api.engine.resolveWait(runId, waitId, { action: 'accept', comment: 'ship it' }, { actor: LEAD });
    await expect(api.engine.resolveWait(runId, waitId, { action: 'accept' }, { actor: LEAD })).rejects.toMatchObject({ code: 'CONFLICT' });
    expect((await api.engine.status(runId)).state).toBe('waiting');
    await api.engine.resolveWait(runId, waitId, { action: 'accept' }, { actor: CHAMPION });

    const done = await api.engine.settled(runId, ['completed', 'failed', 'rejected'], { timeoutMs: 300_000 });
    expect(done.state, JSON.stringify(done.error)).toBe('completed');
    const after = await results(api, runId);
    const repository = RepositoryResult.parse(after.repository);
    const infra = InfrastructureResult.parse(after.infrastructure);
    const gate = GateReport.parse(after.quality_gate);
    const codegen = CodegenResult.parse(after.codegen);
    console.log(
      `build: gate ${gate.tests.passed_count ?? '?'} tests, lines ${gate.coverage?.lines.pct ?? '?'}%, branches ${gate.coverage?.branches.pct ?? '?'}%, functions ${gate.coverage?.functions.pct ?? '?'}%; monthly dev ${infra.costs.dev.monthly_cents}¢ prod ${infra.costs.prod.monthly_cents}¢`,
    );
    expect(gate.coverage?.lines.pct).toBeGreaterThanOrEqual(80);

    // Prod runs the P1v2 plan's two instances; both environments answer with the deployed commit and real CRUD.
    const prod = DeployOutcome.parse(after.deploy_prod);
    expect(prod).toMatchObject({ status: 'live', instances: 2, commit: infra.commit });
    for (const outcome of [DeployOutcome.parse(after.deploy_dev), prod]) {
      const health = (await (await fetch(`${outcome.url}/health`)).json()) as { version: string };
      expect(health.version).toBe(infra.commit);
      const path = codegen.manifest.collections[0]?.path ?? '';
      expect((await fetch(`${outcome.url}${path}`)).status).toBe(401);
    }

    // One commit per stage on the protected main: scaffold, code, infrastructure, docs.
    const log = (await runGit(['log', '--format=%s', 'main'], { cwd: repository.origin_dir })).stdout.trim().split('\n');
    expect(log).toHaveLength(4);
    expect(log[0]).toMatch(/^Document the deployment/);
    const handoff = HandoffResult.parse(after.handoff);
    expect(handoff.notification.status).toBe('sent');
    expect(sink.received.map((r) => r.key)).toEqual([`build:${runId}:completed`]);
    expect(sink.received[0]?.body).toMatchObject({
      event: 'build.completed',
      run_id: runId,
      monthly_cents: infra.costs.dev.monthly_cents + infra.costs.prod.monthly_cents,
    });
    const readme = (await runGit(['show', 'main:README.md'], { cwd: repository.origin_dir })).stdout;
    expect(readme).toContain(prod.url);

    const costs = await api.get<{ builds: { run_id: string; monthly_cents: number }[]; monthly_cents: number }>('/api/builds/costs');
    expect(costs.body.builds).toEqual([expect.objectContaining({ run_id: runId, monthly_cents: handoff.monthly_cents })]);
    expect(costs.body.monthly_cents).toBe(handoff.monthly_cents);
    expect(api.errors).toEqual([]);
  }, 900_000);

  it('sends a generated app with too few tests back to code generation, then fails the build with the coverage in its error', async () => {
    const api = await servers.serve({ env });
    const { runId } = await startBuild(api, { environments: ['dev'], max_fix_rounds: 1, inject: { tests: 'few' } }, { title: 'Thin tests' });
    const done = await api.engine.settled(runId, ['completed', 'failed', 'rejected', 'waiting'], { timeoutMs: 600_000 });
    expect(done.state).toBe('failed');
    expect(done.error?.message).toMatch(/the quality gate failed 2 times; the last report: .*line coverage \d+(\.\d+)?% is below 80%/);
    const steps = await api.engine.steps(runId);
    expect(steps.map((s) => s.phase)).toEqual(['intake', 'architecture', 'repository', 'codegen', 'quality_gate', 'codegen', 'quality_gate']);
    const reports = steps.filter((s) => s.phase === 'quality_gate').map((s) => GateReport.parse(s.output));
    expect(reports.map((r) => [r.passed, r.tests.exit_code, r.typecheck.passed])).toEqual([
      [false, 0, true],
      [false, 0, true],
    ]);
    expect(reports[0]?.coverage?.lines.pct).toBeLessThan(80);
    // Nothing reached main beyond the scaffold: the protected origin took no ungated code.
    const repository = RepositoryResult.parse(steps.find((s) => s.phase === 'repository')?.output);
    expect((await runGit(['log', '--format=%s', 'main'], { cwd: repository.origin_dir })).stdout.trim().split('\n')).toHaveLength(1);
  }, 900_000);

  it('rolls back a second release that crashes after the switch, the first one serving throughout with its database', async () => {
    const api = await servers.serve({ env });
    const first = await startBuild(api, { environments: ['dev'] }, { title: 'Rollback sample' });
    const live = await api.engine.settled(first.runId, ['completed', 'failed', 'rejected', 'waiting'], { timeoutMs: 600_000 });
    expect(live.state, JSON.stringify(live.error)).toBe('completed');
    const firstResults = await results(api, first.runId);
    const firstOutcome = DeployOutcome.parse(firstResults.deploy_dev);
    const collection = CodegenResult.parse(firstResults.codegen).manifest.collections[0];
    if (!collection) throw new Error('the app has no collection');
    const key = apiKeys(buildWorkspace(buildDir), undefined)(RepositoryResult.parse(firstResults.repository).app_name, 'dev');
    const created = await fetch(`${firstOutcome.url}${collection.path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': key },
      body: JSON.stringify(collection.sample),
    });
    expect(created.status).toBe(201);
    const row = (await created.json()) as { id: number | string };

    const started = await api.post<{ run_id: string }>(`/api/builds/ideas/${first.ideaId}/build`, {
      environments: ['dev'],
      inject: { defect: 'crash-after-start' },
    });
    expect(started.status).toBe(202);
    const second = await api.engine.settled(started.body.run_id, ['completed', 'failed', 'rejected', 'waiting'], { timeoutMs: 600_000 });
    expect(second.state).toBe('failed');
    expect(second.error?.message).toMatch(/the dev release was rolled back at watch/);
    const outcome = DeployOutcome.parse((await results(api, second.id)).deploy_dev);
    expect(outcome).toMatchObject({ status: 'rolled_back', switched: true, previous_commit: firstOutcome.commit, url: firstOutcome.url });
    expect(outcome.rollback).toMatchObject({ stage: 'watch', database_restored: true });
    console.log(`rollback after a crash in the watch: ${outcome.rollback?.seconds ?? '?'} s`);
    expect(outcome.rollback?.seconds).toBeLessThan(5);

    const health = (await (await fetch(`${firstOutcome.url}/health`)).json()) as { version: string };
    expect(health.version).toBe(firstOutcome.commit);
    const read = await fetch(`${firstOutcome.url}${collection.path}/${String(row.id)}`, { headers: { 'x-api-key': key } });
    expect(read.status).toBe(200);
  }, 900_000);

  it('builds and deploys a Python (FastAPI) app the same way, when Debian’s Python packages are installed', async (context) => {
    if ((await toolchain()).python === undefined) {
      console.log(
        'skipped: no Python with fastapi, uvicorn, httpx, pytest-cov and mypy (Debian: python3-fastapi python3-uvicorn python3-httpx python3-pytest-cov python3-mypy)',
      );
      context.skip();
    }
    const api = await servers.serve({ env });
    const { runId } = await startBuild(api, { environments: ['dev'], stack: 'python-fastapi' }, { title: 'Python sample' });
    const done = await api.engine.settled(runId, ['completed', 'failed', 'rejected', 'waiting'], { timeoutMs: 600_000 });
    expect(done.state, JSON.stringify(done.error)).toBe('completed');
    const after = await results(api, runId);
    const gate = GateReport.parse(after.quality_gate);
    expect(gate.coverage?.lines.pct).toBeGreaterThanOrEqual(80);
    const outcome = DeployOutcome.parse(after.deploy_dev);
    const health = (await (await fetch(`${outcome.url}/health`)).json()) as { version: string };
    expect(health.version).toBe(InfrastructureResult.parse(after.infrastructure).commit);
  }, 900_000);
});
