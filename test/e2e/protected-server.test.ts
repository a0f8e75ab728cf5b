// The dashboard against a server with BATON_API_TOKEN: it asks for the token once per tab and keeps it;
// the live stream carries it; a software-delivery run shows its role timeline and audit trail.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM } from './support/chromium.js';
import { eventually } from './support/eventually.js';
import type { DashboardServer } from './support/dashboard-server.js';
import { openDashboard, type DashboardSession } from './support/dashboard-session.js';
import { inPage, pageWidth } from './support/in-page.js';
import { PHONE, screenshot } from './support/screens.js';

const TOKEN = 'e2e-secret-token-1234';

describe.skipIf(!CHROMIUM)('dashboard on a token-protected server', () => {
  let dashboard: DashboardSession | undefined;
  let server: DashboardServer;
  let page: Page;
  let pageErrors: string[];
  let deliveryRun: string;

  const authed = (path: string, init: RequestInit = {}) =>
    fetch(`${server.url}${path}`, { ...init, headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json', ...init.headers } });

  beforeAll(async () => {
    dashboard = await openDashboard({ apiToken: TOKEN });
    ({ server, page, pageErrors } = dashboard);
    // A change delivered by agents in every role; the first test round fails, so the work goes back once.
    const started = await authed('/api/delivery/runs', {
      method: 'POST',
      body: JSON.stringify({
        project: 'dashboard',
        change: { title: 'Export plans as CSV', description: 'Planners want the allocation as a spreadsheet.' },
        automatic_roles: ['Q_ASSISTANT', 'CODE_WRITER', 'TEST_AUDITOR', 'VERIFICATION_OVERSEER', 'RELEASE_MANAGER'],
        agent_mode: 'offline',
        script: { test_failures: 1 },
      }),
    });
    expect(started.status).toBeLessThan(300);
    deliveryRun = ((await started.json()) as { run_id: string }).run_id;
  }, 60_000);

  afterAll(() => dashboard?.close(), 60_000);

  it('asks for the token once, says when it is refused, and keeps it for the tab', async () => {
    // The page itself loads without a token: only the API and the streams are guarded.
    await page.goto(`${server.url}/runs`);
    const dialog = page.getByRole('dialog', { name: 'API token' });
    await dialog.waitFor();
    await page.getByLabel('Token', { exact: true }).fill('not-the-token');
    await dialog.getByRole('button', { name: 'Use this token' }).click();
    await eventually(() => dialog.textContent()).toContain('The saved token was refused');
    await screenshot(page, 'token-refused');
    await page.getByLabel('Token', { exact: true }).fill(TOKEN);
    await dialog.getByRole('button', { name: 'Use this token' }).click();
    await page.locator('[data-testid="runs-table"] tbody tr').first().waitFor();
    expect(await dialog.isVisible()).toBe(false);

    await page.reload();
    await page.locator('[data-testid="runs-table"] tbody tr').first().waitFor();
    expect(await dialog.isVisible()).toBe(false);
    expect(await inPage<string | null>(page, "sessionStorage.getItem('baton.apiToken')")).toBe(TOKEN);
  }, 60_000);

  it('does not ask again when calls sent before the token was given are refused after it', async () => {
    const fresh = await dashboard!.openPage();
    // The first call without a token is answered at once (the prompt opens); the others wait until the token is given.
    let answered = 0;
    let release: () => void = () => {};
    const given = new Promise<void>((resolve) => (release = resolve));
    const held: Promise<unknown>[] = [];
    await fresh.page.route('**/api/**', async (route) => {
      if (route.request().headers().authorization === undefined && answered++ > 0) {
        held.push(fresh.page.waitForResponse((r) => r.request() === route.request()));
        await given;
      }
      await route.continue();
    });
    await fresh.page.goto(`${server.url}/runs`);
    const dialog = fresh.page.getByRole('dialog', { name: 'API token' });
    await dialog.waitFor();
    await eventually(() => held.length).toBeGreaterThan(0);
    await fresh.page.getByLabel('Token', { exact: true }).fill(TOKEN);
    await dialog.getByRole('button', { name: 'Use this token' }).click();
    await dialog.waitFor({ state: 'hidden' });
    // Now the calls made before the token reach the server, which refuses them (401) after the token was given.
    release();
    const refusals = (await Promise.all(held)) as { status(): number }[];
    expect(refusals.map((r) => r.status())).toEqual(refusals.map(() => 401));
    await fresh.page.locator('[data-testid="runs-table"] tbody tr').first().waitFor();
    // The refusals' bodies are read after their headers: give the page a moment to act on them, then check it did not ask.
    await fresh.page.waitForTimeout(500);
    expect(await dialog.isVisible()).toBe(false);
    expect(fresh.pageErrors).toEqual([]);
    await fresh.page.context().close();
  }, 60_000);

  it("streams a season run over the token-carrying WebSocket and records the planner's approval", async () => {
    await page.goto(server.url);
    await page
      .getByLabel('Describe the season in your own words')
      .fill('A 4-week season starting 2026-01-05 with weekly replenishment, hold back 20% at the DC');
    await eventually(() => page.locator('#field-dc_holdback_percentage').inputValue()).toBe('20');
    await page.getByRole('button', { name: 'Start planning' }).click();
    const buy = page.getByTestId('approval-manufacturing_approval');
    await buy.waitFor();
    expect(await page.getByTestId('stream-status').getAttribute('data-state')).toBe('live');
    await buy.getByRole('button', { name: 'Accept' }).click();
    await eventually(() => page.getByTestId('run-page').getAttribute('data-run-state'), 20_000).toBe('completed');
    expect(await page.getByTestId('agent-replenishment').getAttribute('data-state')).toBe('done');
  }, 60_000);

  it("shows a software-delivery run's role timeline and audit trail", async () => {
    const history = (await (await authed(`/api/delivery/runs/${deliveryRun}/history`)).json()) as { trail: { seq: number; move: string }[] };
    expect(history.trail.some((e) => e.move === 'retry')).toBe(true);
    await page.goto(`${server.url}/runs?workflow=software-delivery`);
    await page.locator('[data-testid="runs-table"] tbody tr').first().getByRole('link').click();
    await eventually(() => page.locator('[data-testid="audit-trail"] tbody tr').count()).toBe(history.trail.length);
    const timeline = await page.getByTestId('role-timeline').textContent();
    expect(timeline).toMatch(/test auditor.*retry.*code writer.*release manager/is);
    // The change's status is read by its own request, which may still be loading when the trail is shown.
    await eventually(() => page.getByTestId('delivery-status').textContent()).toContain('Export plans as CSV');
    await screenshot(page, 'delivery-run');
    await page.setViewportSize(PHONE);
    expect(await pageWidth(page)).toBeLessThanOrEqual(PHONE.width);
    await screenshot(page, 'delivery-run');
    expect(pageErrors).toEqual([]);
  }, 60_000);
});
