// Two people approve one buy, each at their own browser: the season's buy needs a buyer and a merchandiser
// (BATON_BUY_APPROVERS=buyer,merchandiser), two different actors with their own tokens. Ana approves first: the
// run keeps waiting and her page says Ben is still needed; she cannot approve twice; a read-only token and a
// role-less one are refused in the server's words; Ben approves at his browser and the run moves on; both
// pages say who approved. Then Ana forgets her token and keeps a new one for every tab of her browser, and
// watches Ben cancel another run.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM } from './support/chromium.js';
import { eventually } from './support/eventually.js';
import type { DashboardServer } from './support/dashboard-server.js';
import { openDashboard, type DashboardPage, type DashboardSession } from './support/dashboard-session.js';
import { inPage, loggedEvents } from './support/in-page.js';
import { screenshot } from './support/screens.js';

/** A 4-week season with no markdown checkpoint: once the buy is approved it runs to its end unattended. */
const SEASON = {
  forecast_horizon_weeks: 4,
  season_start_date: '2026-01-05',
  season_end_date: '2026-02-02',
  replenishment_strategy: 'weekly',
  dc_holdback_percentage: 0.15,
  markdown_checkpoint_week: null,
  markdown_threshold: null,
  actuals: 'simulated',
};

interface Created {
  actor: { id: string; name: string };
  token: { token: string };
}

describe.skipIf(!CHROMIUM)('dashboard: a two-person buy approval in two browsers', () => {
  let dashboard: DashboardSession | undefined;
  let server: DashboardServer;
  let ana: DashboardPage;
  let ben: DashboardPage;
  const tokens = { admin: '', ana: '', ben: '', rita: '', carl: '' };
  let runId: string;

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

  /** Opens the run at a fresh browser and answers the token prompt, as a person would the first time. */
  const signIn = async (page: Page, token: string) => {
    await page.goto(`${server.url}/runs/${runId}`);
    const dialog = page.getByRole('dialog', { name: 'API token' });
    await dialog.waitFor();
    await page.getByLabel('Token', { exact: true }).fill(token);
    await dialog.getByRole('button', { name: 'Use this token' }).click();
    await dialog.waitFor({ state: 'hidden' });
  };

  /** The quorum's roles as the card lists them, each with its state: "buyer=approved". */
  const approvalsShown = async (page: Page) =>
    Promise.all(
      (await page.getByTestId('approvers').locator('li').all()).map(
        async (li) => `${await li.getAttribute('data-role')}=${await li.getAttribute('data-state')}`,
      ),
    );

  beforeAll(async () => {
    dashboard = await openDashboard({ env: { BATON_BUY_APPROVERS: 'buyer,merchandiser' } });
    server = dashboard.server;
    ana = { page: dashboard.page, pageErrors: dashboard.pageErrors };
    ben = await dashboard.openPage();
    // No actor yet: the local single user (an admin) adds the first admin; from then on tokens are needed.
    tokens.admin = await addActor(null, { name: 'Admin', scope: 'admin' });
    tokens.ana = await addActor(tokens.admin, { name: 'Ana', roles: ['buyer'] });
    tokens.ben = await addActor(tokens.admin, { name: 'Ben', roles: ['merchandiser'] });
    tokens.rita = await addActor(tokens.admin, { name: 'Rita', scope: 'read' });
    tokens.carl = await addActor(tokens.admin, { name: 'Carl', roles: ['planner'] });

    const started = await call('/api/orchestrator/run-workflow', tokens.ana, {
      method: 'POST',
      body: JSON.stringify({ session_id: 'two-person', workflow: 'season-planning', parameters: SEASON }),
    });
    expect(started.status, JSON.stringify(started.body)).toBe(202);
    runId = String(started.body.run_id);
    expect((await server.engine.settled(runId)).state).toBe('waiting');
  }, 90_000);

  afterAll(() => dashboard?.close(), 60_000);

  it('asks Ana for her token once, says who she is and who must approve the buy', async () => {
    await signIn(ana.page, tokens.ana);
    await eventually(() => ana.page.getByTestId('whoami').textContent()).toBe('Signed in as Ana (buyer)Switch tokenForget token');
    const buy = ana.page.getByTestId('approval-manufacturing_approval');
    await buy.waitFor();
    expect(await buy.getByTestId('approvers').locator('p').first().textContent()).toBe(
      'Needs approval from buyer and merchandiser, each by a different person.',
    );
    expect(await approvalsShown(ana.page)).toEqual(['buyer=needed', 'merchandiser=needed']);
    // A shared decision is accepted or rejected as proposed: no value to modify.
    expect(await buy.getByRole('button', { name: 'Modify' }).count()).toBe(0);
    expect(await buy.getByTestId('approval-shared').isVisible()).toBe(true);
    expect(await ana.page.getByTestId('started-by').textContent()).toBe(' by Ana');
  }, 60_000);

  it('records Ana’s approval and keeps the run waiting, showing Ben is still needed', async () => {
    const buy = ana.page.getByTestId('approval-manufacturing_approval');
    await buy.getByRole('button', { name: 'Accept' }).click();
    await eventually(() => buy.getByTestId('approval-waiting').textContent()).toBe('You approved as buyer; waiting for merchandiser (another person).');
    await eventually(() => approvalsShown(ana.page)).toEqual(['buyer=approved', 'merchandiser=needed']);
    expect(await buy.locator('li[data-role="buyer"]').textContent()).toBe('buyer: approved by Ana');
    const vote = ana.page.locator('[data-testid="decision"][data-kind="vote"]');
    await eventually(() => vote.getByTestId('decision-text').textContent()).toBe('manufacturing approval: 1 of 2 approvals; still needed: merchandiser');
    expect(await vote.getByTestId('decision-by').textContent()).toBe('approved by Ana (buyer)');
    const status = await server.engine.status(runId);
    expect(status.state).toBe('waiting');
    expect(status.waitingFor?.phase).toBe('manufacturing_approval');
    expect(await ana.page.getByTestId('run-state').textContent()).toBe('waiting');
    await screenshot(ana.page, 'two-person-after-ana');
  }, 60_000);

  it('refuses Ana a second approval and shows why in the server’s words', async () => {
    const buy = ana.page.getByTestId('approval-manufacturing_approval');
    await buy.getByRole('button', { name: 'Accept' }).click();
    const notice = buy.getByTestId('error');
    await notice.waitFor();
    // The same refusal the API gives: 409, a different actor is needed.
    const again = await call(`/api/runs/${runId}/approvals/${(await server.engine.status(runId)).waitingFor?.id}`, tokens.ana, {
      method: 'POST',
      body: JSON.stringify({ action: 'accept' }),
    });
    expect(again.status).toBe(409);
    expect(String(again.body.message)).toMatch(/different actor/);
    expect(await notice.textContent()).toContain(`Not recorded: CONFLICT ${String(again.body.message)}`);
    // A refused action is no refused token: nobody asks Ana for another one.
    expect(await ana.page.getByRole('dialog', { name: 'API token' }).count()).toBe(0);
    expect((await server.engine.status(runId)).state).toBe('waiting');
  }, 60_000);

  /** Through the header's "Switch token": the prompt, another token, and the header names its actor. */
  const switchTo = async (page: Page, token: string, expected: string) => {
    await page.getByTestId('whoami').getByRole('button', { name: 'Switch token' }).click();
    const dialog = page.getByRole('dialog', { name: 'API token' });
    await dialog.waitFor();
    await page.getByLabel('Token', { exact: true }).fill(token);
    await dialog.getByRole('button', { name: 'Use this token' }).click();
    await eventually(() => page.getByTestId('whoami').textContent()).toBe(`Signed in as ${expected}Switch tokenForget token`);
  };

  it('shows a read-only token’s and a wrong role’s refusals in the server’s words, then switches to Ben’s token', async () => {
    await signIn(ben.page, tokens.rita);
    await eventually(() => ben.page.getByTestId('whoami-name').textContent()).toBe('Rita');
    const buy = ben.page.getByTestId('approval-manufacturing_approval');
    await buy.waitFor();
    expect(await buy.getByTestId('approvers-hint').textContent()).toBe('You (Rita) hold no role, not merchandiser: the server will refuse your answer.');
    await buy.getByRole('button', { name: 'Accept' }).click();
    const notice = buy.getByTestId('error');
    await notice.waitFor();
    expect(await notice.textContent()).toMatch(/^Not allowed: FORBIDDEN this route needs scope write; Rita has scope read/);
    expect(await ben.page.getByRole('dialog', { name: 'API token' }).count()).toBe(0);

    // Carl may decide, but holds neither role: the engine's 403 names the role still needed.
    await switchTo(ben.page, tokens.carl, 'Carl (planner)');
    expect(await notice.count()).toBe(0);
    await buy.getByRole('button', { name: 'Accept' }).click();
    await notice.waitFor();
    const refused = await call(`/api/runs/${runId}/approvals/${(await server.engine.status(runId)).waitingFor?.id}`, tokens.carl, {
      method: 'POST',
      body: JSON.stringify({ action: 'accept' }),
    });
    expect(refused.status).toBe(403);
    expect(String(refused.body.message)).toContain('merchandiser');
    expect(await notice.textContent()).toContain(`Not allowed: FORBIDDEN ${String(refused.body.message)}`);
    expect(await ben.page.getByRole('dialog', { name: 'API token' }).count()).toBe(0);

    await switchTo(ben.page, tokens.ben, 'Ben (merchandiser)');
    expect(await notice.count()).toBe(0);
  }, 60_000);

  it('lets Ben approve at his own browser: the run moves on and both pages say who approved', async () => {
    const buy = ben.page.getByTestId('approval-manufacturing_approval');
    await eventually(() => buy.getByTestId('approval-waiting').textContent()).toBe('Approved by Ana (buyer); waiting for merchandiser.');
    expect(await approvalsShown(ben.page)).toEqual(['buyer=approved', 'merchandiser=needed']);
    await buy.getByRole('button', { name: 'Accept' }).click();
    await eventually(() => buy.count()).toBe(0);

    const approved = 'approved by Ana (buyer) and Ben (merchandiser)';
    for (const { page } of [ana, ben]) {
      await eventually(() => page.getByTestId('run-page').getAttribute('data-run-state'), 30_000).toBe('completed');
      expect(await page.getByTestId('approval-manufacturing_approval').count()).toBe(0);
      const decision = page.locator('[data-testid="decision"][data-phase="manufacturing_approval"][data-kind="approval"]');
      expect(await decision.textContent()).toContain('manufacturing approval accepted');
      expect(await decision.getByTestId('decision-by').textContent()).toBe(approved);
      expect(await page.getByTestId('phase-by-manufacturing_approval').textContent()).toBe(approved);
      const logged = (await loggedEvents(page)).map((e) => e.text);
      expect(logged.filter((text) => /approval_vote|approval_resolved|run_created/.test(text)).map((text) => text.replace(/^#\d+ /, ''))).toEqual([
        'run_created · by Ana',
        'approval_vote · manufacturing_approval · by Ana',
        'approval_resolved · by Ben',
      ]);
    }
    const events = (await call(`/api/runs/${runId}/events?limit=10000`, tokens.ana)).body.events as { type: string; resolution?: { by?: { name: string } } }[];
    expect(events.find((e) => e.type === 'approval_resolved')?.resolution?.by?.name).toBe('Ben');
    await screenshot(ana.page, 'two-person-approved');
  }, 90_000);

  it('forgets Ana’s token when she asks, and keeps a new one for every tab of her browser when she says so', async () => {
    const { page } = ana;
    await page.getByTestId('whoami').getByRole('button', { name: 'Forget token' }).click();
    // Without a token this server refuses the API: the prompt asks again, in the server's words.
    const dialog = page.getByRole('dialog', { name: 'API token' });
    await dialog.waitFor();
    expect(await dialog.getByTestId('token-reason').textContent()).toBe('this route needs an API token');
    expect(await inPage(page, "[sessionStorage.getItem('baton.apiToken'), localStorage.getItem('baton.apiToken')]")).toEqual([null, null]);
    await page.getByLabel('Token', { exact: true }).fill(tokens.ana);
    await dialog.getByLabel('Keep it in this browser (otherwise: this tab only)').check();
    await dialog.getByRole('button', { name: 'Use this token' }).click();
    await eventually(() => page.getByTestId('whoami-name').textContent()).toBe('Ana');

    const tab = await page.context().newPage();
    await tab.goto(`${server.url}/runs/${runId}`);
    await eventually(() => tab.getByTestId('whoami-name').textContent()).toBe('Ana');
    expect(await tab.getByRole('dialog', { name: 'API token' }).count()).toBe(0);
    // The runs list says who started each run.
    await tab.goto(`${server.url}/runs`);
    await eventually(() => tab.locator('[data-testid="runs-table"] tbody tr').first().getByTestId('started-by').textContent()).toBe('Ana');
    await tab.close();
  }, 60_000);

  it('names who cancelled a run, live on the page of someone watching it', async () => {
    const started = await call('/api/orchestrator/run-workflow', tokens.ana, {
      method: 'POST',
      body: JSON.stringify({ session_id: 'two-person', workflow: 'season-planning', parameters: SEASON }),
    });
    const second = String(started.body.run_id);
    expect((await server.engine.settled(second)).state).toBe('waiting');
    const { page } = ana;
    await page.goto(`${server.url}/runs/${second}`);
    await page.getByTestId('approval-manufacturing_approval').waitFor();
    const cancelled = await call(`/api/runs/${second}/cancel`, tokens.ben, { method: 'POST', body: JSON.stringify({ reason: 'a duplicate plan' }) });
    expect(cancelled.status, JSON.stringify(cancelled.body)).toBeLessThan(300);
    await eventually(() => page.getByTestId('run-state').textContent()).toBe('cancelled');
    const decision = page.locator('[data-testid="decision"][data-kind="run"]');
    await eventually(() => decision.getByTestId('decision-text').textContent()).toBe('Run cancelled — a duplicate plan');
    expect(await decision.getByTestId('decision-by').textContent()).toBe('by Ben');
    expect(ana.pageErrors).toEqual([]);
    expect(ben.pageErrors).toEqual([]);
  }, 60_000);
});
