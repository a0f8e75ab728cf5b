// A build in a real browser: an idea scoring 92 is built for real (a git repository, generated code whose own tests
// run, ARM priced per environment, a blue/green deploy to the local target). The build page, opened while the build
// runs, shows the stages as they move, the gate's tests and coverage, the cost per environment and the dev
// deployment's health attempts, switch and URL as their events arrive — each figure the one the run's log holds.
// Production waits for a Lead Builder and a Champion: Lena and Chris approve at their own browsers, and both pages
// say who approved before prod goes live.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUILD_PHASES } from '../../src/workflows/build-pipeline/contracts.js';
import { DeployOutcome } from '../../src/workflows/build-pipeline/deploy/contracts.js';
import { LocalTarget } from '../../src/workflows/build-pipeline/deploy/local/target.js';
import { readState } from '../../src/workflows/build-pipeline/deploy/local/state.js';
import { GateReport } from '../../src/workflows/build-pipeline/gate/contracts.js';
import { InfrastructureResult } from '../../src/workflows/build-pipeline/stages/contracts.js';
import { buildWorkspace } from '../../src/workflows/build-pipeline/workspace.js';
import { CHROMIUM } from './support/chromium.js';
import type { DashboardServer } from './support/dashboard-server.js';
import { openDashboard, type DashboardPage, type DashboardSession } from './support/dashboard-session.js';
import { eventually } from './support/eventually.js';
import { screenshot } from './support/screens.js';

interface Created {
  actor: { id: string; name: string };
  token: { token: string };
}

interface LoggedEvent {
  type: string;
  seq: number;
  phase?: string;
  environment?: string;
  result?: unknown;
}

const IDEA = {
  title: 'Field notes',
  description: 'A small service where field teams record site visits and the notes taken there.',
  requirements: ['record a site visit with its notes', 'list the visits of a site'],
  research_findings: ['teams lose notes kept on paper'],
  viability_score: 92,
  champion: 'Chris',
};

const SEATS = '[data-testid="build-approval-prod-seats"] li';
const dollars = (cents: number) => `$${(cents / 100).toLocaleString('en', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
const figure = (f: { covered: number; total: number; pct: number | null }) => `${f.pct?.toFixed(1)}% (${f.covered} of ${f.total})`;

describe.skipIf(!CHROMIUM)('dashboard: a build from an idea to a deployed app, live', () => {
  let dashboard: DashboardSession | undefined;
  let server: DashboardServer;
  let lena: DashboardPage;
  let chris: DashboardPage;
  const buildDir = mkdtempSync(join(tmpdir(), 'baton-e2e-builds-'));
  const tokens = { admin: '', lena: '', chris: '' };
  let runId: string;
  let ideaId: string;
  /** What the page showed when it first drew the panel (before the build reached dev). */
  let firstSeen: { devAttempts: number; runState: string | null };

  const call = async (path: string, token: string | null, init: RequestInit = {}) => {
    const response = await fetch(`${server.url}${path}`, {
      ...init,
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}), ...init.headers },
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  const addActor = async (as: string | null, actor: { name: string; scope?: string; roles?: string[] }): Promise<string> => {
    const { status, body } = await call('/api/actors', as, { method: 'POST', body: JSON.stringify(actor) });
    expect(status, JSON.stringify(body)).toBe(201);
    return (body as unknown as Created).token.token;
  };
  const events = async (run = runId): Promise<LoggedEvent[]> => (await call(`/api/runs/${run}/events?limit=10000`, tokens.admin)).body.events as LoggedEvent[];
  const resultOf = async (phase: string, run = runId): Promise<unknown> =>
    (await events(run)).findLast((e) => e.type === 'complete' && e.phase === phase)?.result;

  const signIn = async (page: Page, token: string) => {
    await page.goto(`${server.url}/runs/${runId}`);
    const dialog = page.getByRole('dialog', { name: 'API token' });
    await dialog.waitFor();
    await page.getByLabel('Token', { exact: true }).fill(token);
    await dialog.getByRole('button', { name: 'Use this token' }).click();
    await dialog.waitFor({ state: 'hidden' });
  };
  /** One attribute of each element a locator finds, in order. */
  const attributes = async (page: Page, selector: string, ...names: string[]) =>
    Promise.all((await page.locator(selector).all()).map(async (el) => (await Promise.all(names.map((n) => el.getAttribute(n)))).join('=')));
  const stageState = (page: Page, phase: string) => page.getByTestId(`build-stage-${phase}`).getAttribute('data-state');

  beforeAll(async () => {
    process.env.BATON_BUILD_DIR = buildDir;
    // Ten health polls (5 s) instead of thirty: the failing release's rollback below waits them all out; a
    // watch of 1.5 s after each switch instead of 3 (the build suite's).
    dashboard = await openDashboard({ env: { BATON_BUILD_DIR: buildDir, BATON_DEPLOY_HEALTH_TRIES: '10', BATON_DEPLOY_WATCH_MS: '1500' } });
    server = dashboard.server;
    lena = { page: dashboard.page, pageErrors: dashboard.pageErrors };
    chris = await dashboard.openPage();
    tokens.admin = await addActor(null, { name: 'Admin', scope: 'admin' });
    tokens.lena = await addActor(tokens.admin, { name: 'Lena', roles: ['lead-builder'] });
    tokens.chris = await addActor(tokens.admin, { name: 'Chris', roles: ['champion'] });

    const idea = await call('/api/builds/ideas', tokens.lena, { method: 'POST', body: JSON.stringify(IDEA) });
    expect(idea.status, JSON.stringify(idea.body)).toBe(201);
    ideaId = String(idea.body.id);
    const build = await call(`/api/builds/ideas/${ideaId}/build`, tokens.lena, { method: 'POST', body: JSON.stringify({}) });
    expect(build.status, JSON.stringify(build.body)).toBe(202);
    runId = String(build.body.run_id);
  }, 120_000);

  afterAll(async () => {
    // A build that did not finish is cancelled, so the engine closes without a stage still running.
    if (runId && ['running', 'waiting'].includes((await server.engine.status(runId)).state)) await server.engine.cancelRun(runId, 'the test ended');
    await dashboard?.close();
    // The deployed apps and their routers are detached processes: stopped here, every build's the target recorded.
    const target = new LocalTarget({ stateDir: buildWorkspace(buildDir).targetDir });
    const state = await readState(join(buildWorkspace(buildDir).targetDir, 'state.json'));
    for (const buildId of new Set(Object.values(state.environments).map((env) => env.build_id))) await target.teardown(buildId);
    rmSync(buildDir, { recursive: true, force: true });
  }, 60_000);

  it('opens the build while it runs and shows every stage in order, moving as the events arrive', async () => {
    await signIn(lena.page, tokens.lena);
    const panel = lena.page.getByTestId('build-panel');
    await panel.waitFor();
    // The page has the run's log once its stream has replayed it: the build is still running then (it takes minutes).
    await eventually(() => lena.page.getByTestId('run-page').getAttribute('data-run-state')).not.toBe('');
    firstSeen = {
      devAttempts: await lena.page.locator('[data-testid="deploy-dev-attempts"] li').count(),
      runState: await lena.page.getByTestId('run-page').getAttribute('data-run-state'),
    };
    expect(firstSeen.runState).toBe('running');
    const rows = await attributes(lena.page, '[data-testid="build-stages"] tbody tr', 'data-testid');
    expect(rows).toEqual(BUILD_PHASES.map((phase) => `build-stage-${phase}`));
    await eventually(() => stageState(lena.page, 'intake'), 30_000).toBe('done');
    expect(await lena.page.getByTestId('build-stage-intake').getByTestId('stage-outcome').textContent()).toMatch(/92/);
  }, 60_000);

  it('shows the gate’s tests and line, branch and function coverage as the run records them', async () => {
    await eventually(() => stageState(lena.page, 'quality_gate'), 420_000).toBe('done');
    const gate = GateReport.parse(await resultOf('quality_gate'));
    expect(gate.passed).toBe(true);
    const coverage = gate.coverage;
    if (!coverage) throw new Error('the gate reported no coverage');
    const quality = lena.page.getByTestId('build-quality');
    await eventually(() => quality.getByTestId('coverage-lines').textContent()).toBe(figure(coverage.lines));
    expect(await quality.getByTestId('coverage-branches').textContent()).toBe(figure(coverage.branches));
    expect(await quality.getByTestId('coverage-functions').textContent()).toBe(figure(coverage.functions));
    expect(coverage.lines.pct).toBeGreaterThanOrEqual(80);
    expect(await quality.getByTestId('gate-tests').textContent()).toBe(`${gate.tests.passed_count} passed, ${gate.tests.failed_count} failed`);
    expect(await quality.getByTestId('gate-summary').textContent()).toContain(gate.summary);
    expect(await lena.page.locator(`[data-testid="build-round-${gate.round}"]`).getAttribute('data-gate')).toBe('passed');
  }, 440_000);

  it('shows the monthly cost of each environment from the priced ARM', async () => {
    await eventually(() => stageState(lena.page, 'infrastructure'), 120_000).toBe('done');
    const infrastructure = InfrastructureResult.parse(await resultOf('infrastructure'));
    for (const env of ['dev', 'staging', 'prod'] as const) {
      const row = lena.page.getByTestId(`cost-${env}`);
      await eventually(() => row.getByTestId('cost-monthly').textContent()).toBe(dollars(infrastructure.costs[env].monthly_cents));
      expect(infrastructure.costs[env].monthly_cents).toBeGreaterThan(0);
    }
    // Nothing served before this build: each environment's cost is new.
    expect(await lena.page.getByTestId('cost-dev').getByTestId('cost-change').textContent()).toBe('new');
    expect(infrastructure.costs.prod.monthly_cents).toBeGreaterThan(infrastructure.costs.dev.monthly_cents);
  }, 150_000);

  it('shows the dev deployment’s health attempts, switch and URL as they arrive, and the URL serves the commit', async () => {
    await eventually(() => lena.page.getByTestId('deploy-dev').getAttribute('data-status'), 180_000).toBe('live');
    const outcome = DeployOutcome.parse(await resultOf('deploy_dev'));
    const logged = (await events()).filter((e) => e.type === 'deploy_health_attempt' && e.environment === 'dev');
    // The attempts were drawn live: none when the page opened, every one the log holds now.
    expect(firstSeen.devAttempts).toBe(0);
    expect(logged.length).toBeGreaterThan(0);
    await eventually(() => lena.page.locator('[data-testid="deploy-dev-attempts"] li').count()).toBe(logged.length);
    expect(await lena.page.locator('[data-testid="deploy-dev-attempts"] li').last().getAttribute('data-ok')).toBe('true');
    expect(await lena.page.getByTestId('deploy-dev-health').textContent()).toBe(String(outcome.health_attempts));
    expect(await lena.page.getByTestId('deploy-dev-url').textContent()).toBe(outcome.url);
    expect(await lena.page.getByTestId('deploy-dev-switch').count()).toBeGreaterThan(0);
    expect(await lena.page.getByTestId('deploy-dev-rollback').count()).toBe(0);
    // What the page links to is a real app answering with the release's commit.
    const health = (await (await fetch(`${outcome.url}/health`)).json()) as { version?: string };
    expect(health.version).toBe(outcome.commit);
    // Dev needs nobody's approval: skipped with the reason.
    const approveDev = lena.page.getByTestId('build-approval-dev');
    expect(await approveDev.getAttribute('data-state')).toBe('skipped');
    expect((await approveDev.textContent())?.length).toBeGreaterThan(10);
    await screenshot(lena.page, 'build-dev-live');
  }, 200_000);

  it('waits for a Lead Builder and a Champion; Lena and Chris approve at their own browsers and both pages say who did', async () => {
    await eventually(() => lena.page.getByTestId('build-approval-prod').getAttribute('data-state'), 180_000).toBe('waiting');
    expect(await attributes(lena.page, SEATS, 'data-role', 'data-state')).toEqual(['lead-builder=needed', 'champion=needed']);
    expect(await lena.page.getByTestId('build-approval-packet').textContent()).toContain('Rollback plan');

    const card = lena.page.getByTestId('approval-approve_prod');
    await card.getByRole('button', { name: 'Accept' }).click();
    await eventually(() => attributes(lena.page, SEATS, 'data-state')).toEqual(['approved', 'needed']);
    expect(await server.engine.status(runId).then((s) => s.state)).toBe('waiting');

    await signIn(chris.page, tokens.chris);
    await chris.page.getByTestId('approval-approve_prod').getByRole('button', { name: 'Accept' }).click();
    const approved = 'approved by Lena (lead-builder) and Chris (champion)';
    for (const { page } of [lena, chris]) {
      await eventually(() => page.getByTestId('build-approval-prod-by').textContent(), 30_000).toBe(approved);
      await eventually(() => page.getByTestId('deploy-prod').getAttribute('data-status'), 180_000).toBe('live');
    }
    await eventually(() => lena.page.getByTestId('run-page').getAttribute('data-run-state'), 120_000).toBe('completed');
    expect(await stageState(lena.page, 'handoff')).toBe('done');
    expect(await lena.page.getByTestId('build-unreadable').count()).toBe(0);
    await screenshot(lena.page, 'build-completed');
    expect(lena.pageErrors).toEqual([]);
    expect(chris.pageErrors).toEqual([]);
  }, 400_000);

  it('shows a release that fails its health checks rolled back live, with the stage, the reason and the time it took', async () => {
    // A release whose /health answers 500 (the pipeline's fault injection), to dev alone.
    const build = await call(`/api/builds/ideas/${ideaId}/build`, tokens.lena, {
      method: 'POST',
      body: JSON.stringify({ environments: ['dev'], inject: { defect: 'health-500' } }),
    });
    expect(build.status, JSON.stringify(build.body)).toBe(202);
    const failing = String(build.body.run_id);
    const { page } = lena;
    await page.goto(`${server.url}/runs/${failing}`);
    await page.getByTestId('build-panel').waitFor();
    expect(await page.getByTestId('deploy-dev').getAttribute('data-status')).toBe('');
    await eventually(() => page.getByTestId('deploy-dev').getAttribute('data-status'), 420_000).toBe('rolled_back');
    const outcome = DeployOutcome.parse(await resultOf('deploy_dev', failing));
    const rollback = outcome.rollback;
    if (!rollback) throw new Error('a rolled-back release without its rollback');
    expect(rollback.stage).toBe('health');
    expect(await page.getByTestId('deploy-dev-rollback').textContent()).toBe(
      `Rolled back at health: ${rollback.reason} (${rollback.seconds.toFixed(2)} s${rollback.database_restored ? ', database restored' : ''})`,
    );
    // Every attempt failed, each drawn as it came; the router never switched to the release.
    const logged = (await events(failing)).filter((e) => e.type === 'deploy_health_attempt' && e.environment === 'dev');
    expect(logged.length).toBe(10);
    expect(await attributes(page, '[data-testid="deploy-dev-attempts"] li', 'data-ok')).toEqual(logged.map(() => 'false'));
    expect(await page.getByTestId('deploy-dev-switch').count()).toBe(0);
    await eventually(() => page.getByTestId('run-page').getAttribute('data-run-state'), 30_000).toBe('failed');
    // The rollback ended the build: nothing after dev's deploy ran.
    expect(await stageState(page, 'deploy_dev')).toBe('done');
    for (const phase of ['approve_staging', 'deploy_staging', 'approve_prod', 'deploy_prod', 'handoff']) expect(await stageState(page, phase)).toBe('pending');
    expect(await page.getByTestId('build-approval-prod').getAttribute('data-state')).toBe('pending');
    await screenshot(page, 'build-rolled-back');
    expect(lena.pageErrors).toEqual([]);
  }, 480_000);
});
