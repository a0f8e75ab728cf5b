// The dashboard in a real browser: plan a season from words, watch the agents, approve the buy, lose the
// live stream mid-run and catch up, see the charts, approve the markdown and see the season end.
import type { Page, WebSocketRoute } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM } from './support/chromium.js';
import { eventually } from './support/eventually.js';
import type { DashboardServer } from './support/dashboard-server.js';
import { openDashboard, type DashboardSession } from './support/dashboard-session.js';
import { focusedText, loggedEvents, pageWidth } from './support/in-page.js';
import { PHONE, screenshot } from './support/screens.js';

const SEASON_TEXT =
  'A 6-week season starting 2026-01-05, ship everything up front with no replenishment, markdown check at week 3 if sell-through is below 95%';

interface ServerRun {
  state: string;
  phase: string | null;
  last_seq: number;
  waiting_for: { phase: string } | null;
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Every WebSocket of the page goes through here, so the test can cut them and hold reconnections off. */
class StreamSwitch {
  private blocked = false;
  private readonly open = new Set<WebSocketRoute>();
  refused = 0;

  async install(page: Page): Promise<void> {
    await page.routeWebSocket(/\/ws\//, (ws) => {
      if (this.blocked) {
        this.refused += 1;
        void ws.close({ code: 4000, reason: 'network down (test)' });
        return;
      }
      ws.connectToServer();
      this.open.add(ws);
      ws.onClose(() => this.open.delete(ws));
    });
  }

  async drop(): Promise<number> {
    this.blocked = true;
    const cut = [...this.open];
    this.open.clear();
    await Promise.all(cut.map((ws) => ws.close({ code: 4000, reason: 'network down (test)' })));
    return cut.length;
  }

  restore(): void {
    this.blocked = false;
  }
}

describe.skipIf(!CHROMIUM)('dashboard: a season planned, watched and approved in the browser', () => {
  let dashboard: DashboardSession | undefined;
  let server: DashboardServer;
  let page: Page;
  let pageErrors: string[];

  const serverRun = async (runId: string): Promise<ServerRun> => (await (await fetch(`${server.url}/api/runs/${runId}`)).json()) as ServerRun;
  const serverEvents = async (runId: string): Promise<{ seq: number; type: string }[]> =>
    ((await (await fetch(`${server.url}/api/runs/${runId}/events?limit=10000`)).json()) as { events: { seq: number; type: string }[] }).events;
  const pageEvents = () => loggedEvents(page);

  beforeAll(async () => {
    dashboard = await openDashboard();
    ({ server, page, pageErrors } = dashboard);
  }, 60_000);

  afterAll(() => dashboard?.close(), 60_000);

  it('plans, streams, survives a dropped connection, charts and finishes a season', async () => {
    const streams = new StreamSwitch();
    await streams.install(page);
    await page.goto(server.url);

    // Incomplete words: what is missing is named next to its field, with the server's suggestion.
    const text = page.getByLabel('Describe the season in your own words');
    await text.fill('A 6-week season with no replenishment');
    await eventually(() => page.getByTestId('message-season_start_date').textContent()).toContain('say when the season starts');
    expect(await page.getByTestId('message-dc_holdback_percentage').textContent()).toContain('ship everything');
    expect(await page.getByRole('button', { name: 'Start planning' }).isDisabled()).toBe(true);
    await screenshot(page, 'new-plan-incomplete');

    // A value out of range: the allowed range is named next to its field.
    await text.fill('A 60-week season starting 2026-01-05 with weekly replenishment, hold back 15% at the DC');
    await eventually(() => page.getByTestId('message-forecast_horizon_weeks').textContent()).toContain('from 4 to 52');
    expect(await page.locator('#field-forecast_horizon_weeks').inputValue()).toBe('60');

    // A season that starts before the sales history ends: refused at the start, the reason by the start date.
    // (Another threshold too, so that the whole season's words below are seen to be read again.)
    await text.fill(SEASON_TEXT.replace('2026-01-05', '2025-12-22').replace('95%', '90%'));
    await eventually(() => page.locator('#field-season_start_date').inputValue()).toBe('2025-12-22');
    await page.getByRole('button', { name: 'Start planning' }).click();
    await eventually(() => page.getByTestId('message-season_start_date').textContent()).toContain('must be on or after 2026-01-05');
    expect(new URL(page.url()).pathname).not.toMatch(/\/runs\//);

    // The whole season: every field filled, each with the words it came from.
    await text.fill(SEASON_TEXT);
    await eventually(() => page.getByTestId('source-markdown_threshold').textContent()).toBe('from “95%”');
    expect(await page.locator('#field-forecast_horizon_weeks').inputValue()).toBe('6');
    expect(await page.locator('#field-season_start_date').inputValue()).toBe('2026-01-05');
    expect(await page.locator('#field-season_end_date').inputValue()).toBe('2026-02-16');
    expect(await page.locator('#field-replenishment_strategy').inputValue()).toBe('none');
    expect(await page.locator('#field-dc_holdback_percentage').inputValue()).toBe('0');
    expect(await page.getByTestId('source-dc_holdback_percentage').textContent()).toBe('from “ship everything”');
    expect(await page.locator('#field-markdown_checkpoint_week').inputValue()).toBe('3');
    await screenshot(page, 'new-plan');

    await page.getByRole('button', { name: 'Start planning' }).click();
    await page.waitForURL(/\/runs\/[\w-]+$/);
    const runId = new URL(page.url()).pathname.split('/').at(-1)!;

    // Demand forecasts and asks for the buy; Inventory has not moved yet.
    const buy = page.getByTestId('approval-manufacturing_approval');
    await buy.waitFor();
    await eventually(() => page.getByTestId('agent-demand').getAttribute('data-state')).toBe('done');
    expect(await page.getByTestId('agent-inventory').getAttribute('data-state')).toBe('idle');
    expect(await page.getByTestId('phase-manufacturing_approval').getAttribute('data-state')).toBe('waiting');
    expect(await page.getByTestId('stream-status').getAttribute('data-state')).toBe('live');
    await screenshot(page, 'run-buy-approval');

    // Modify the buy to twice the proposal (stock left at the checkpoint, so a markdown pays): Demand runs again and asks again.
    const proposed = Number(await page.getByLabel('Manufacturing quantity (units)').inputValue());
    expect(proposed).toBeGreaterThan(0);
    await page.getByLabel('Manufacturing quantity (units)').fill(String(2 * proposed));
    await buy.getByRole('button', { name: 'Modify' }).click();
    await eventually(() => page.locator('[data-testid="decision"][data-phase="manufacturing_approval"]').first().textContent()).toContain(
      `modified with {"manufacturing_quantity":${2 * proposed}}`,
    );
    await eventually(async () => (await buy.isVisible()) && Number(await page.getByLabel('Manufacturing quantity (units)').inputValue())).toBe(2 * proposed);

    // The connection drops. While it is down the buy is accepted and the season runs on to the markdown checkpoint.
    expect(await streams.drop()).toBeGreaterThan(0);
    await eventually(() => page.getByTestId('stream-status').getAttribute('data-state')).toBe('reconnecting');
    expect(await page.getByTestId('stream-status').textContent()).toContain('reconnecting');
    await buy.getByRole('button', { name: 'Accept' }).click();
    const atMarkdown = await until('the markdown approval', async () => {
      const run = await serverRun(runId);
      return run.waiting_for?.phase === 'markdown_approval' ? run : undefined;
    });
    const seenWhileDown = Number(await page.getByTestId('run-page').getAttribute('data-last-seq'));
    expect(seenWhileDown).toBeLessThan(atMarkdown.last_seq);
    expect(await page.getByTestId('agent-inventory').getAttribute('data-state')).toBe('idle');
    await screenshot(page, 'run-reconnecting');

    // Back online: the page resumes after the last event it saw and catches up with nothing missing or repeated.
    streams.restore();
    await eventually(() => page.getByTestId('stream-status').getAttribute('data-state'), 15_000).toBe('live');
    await eventually(() => page.getByTestId('run-page').getAttribute('data-last-seq')).toBe(String(atMarkdown.last_seq));
    const logged = await pageEvents();
    const events = (await serverEvents(runId)).filter((e) => e.seq <= atMarkdown.last_seq);
    expect(logged.map((e) => e.seq)).toEqual(events.map((e) => e.seq));
    expect(logged.map((e) => e.text.split(' ')[1])).toEqual(events.map((e) => e.type));
    expect(logged.map((e) => e.seq)).toEqual(Array.from({ length: atMarkdown.last_seq }, (_, i) => i + 1));
    expect(streams.refused).toBeGreaterThan(0);
    expect(await page.getByTestId('agent-inventory').getAttribute('data-state')).toBe('done');
    expect(await page.getByTestId('phase-replenishment').getAttribute('data-state')).toBe('skipped');
    expect(await page.getByTestId('phase-replenishment').textContent()).toContain('replenishment');

    // The allocation chart, by store with the clusters, and the forecast with its bands.
    await page.getByRole('tab', { name: 'Plan charts' }).click();
    const allocation = page.getByTestId('allocation-chart');
    await eventually(() => allocation.locator('svg text').allTextContents()).toContain('Allocation by store');
    const labels = await allocation.locator('svg text').allTextContents();
    expect(labels).toEqual(expect.arrayContaining(['Store', 'Units allocated', 'S001', 'DC']));
    expect(labels.some((t) => t.startsWith('Cluster 0'))).toBe(true);
    await eventually(() => page.getByTestId('forecast-chart').locator('svg text').allTextContents()).toContain('History and forecast');
    await screenshot(page, 'run-charts-before-markdown');

    // The markdown: recommended, accepted, and the season closes.
    const markdown = page.getByTestId('approval-markdown_approval');
    await markdown.waitFor();
    const recommended = await page.getByLabel('Markdown (%)').inputValue();
    expect(Number(recommended)).toBeGreaterThan(0);
    await markdown.getByRole('button', { name: 'Accept' }).click();
    await eventually(() => page.getByTestId('run-page').getAttribute('data-run-state'), 20_000).toBe('completed');
    await eventually(() => page.getByTestId('markdown-chart').locator('svg text').allTextContents()).toContain(`Markdown at week 3: ${recommended}%`);
    expect(await page.getByTestId('markdown-explanation').textContent()).toMatch(/markdown/i);
    expect(await page.getByTestId('run-summary').textContent()).toContain(`Markdown${recommended}%`);
    await eventually(() => page.getByTestId('variance-chart').locator('svg text').allTextContents()).toContain('Actuals against forecast');
    await screenshot(page, 'run-charts');
    await page.getByRole('tab', { name: 'Progress' }).click();
    expect(await page.getByTestId('phase-season_close').getAttribute('data-state')).toBe('done');
    expect(await page.locator('[data-testid="decision"][data-phase="markdown_approval"]').first().textContent()).toContain('markdown approval accepted');
    await screenshot(page, 'run-completed');

    const final = await serverEvents(runId);
    expect((await pageEvents()).map((e) => e.seq)).toEqual(final.map((e) => e.seq));
    expect(pageErrors).toEqual([]);
  }, 90_000);

  it('lists the run with its state, workflow, start and duration, filters it, and links to it', async () => {
    await page.goto(`${server.url}/runs`);
    const rows = page.locator('[data-testid="runs-table"] tbody tr');
    await rows.first().waitFor();
    expect(await rows.count()).toBe(1);
    expect(await rows.first().textContent()).toMatch(/season-planning.*completed.*\d+ s/);
    await page.getByTestId('filter-state').selectOption('failed');
    await eventually(() => page.getByText('No runs match these filters').isVisible()).toBe(true);
    expect(page.url()).toContain('state=failed');
    await page.getByTestId('filter-state').selectOption('completed');
    await rows.first().getByRole('link').click();
    await page.getByTestId('run-summary').waitFor();
    await page.goto(`${server.url}/runs`);
    await rows.first().waitFor();
    await screenshot(page, 'runs');
  }, 60_000);

  it('shows the data with clusters and imports, and imports an uploaded CSV', async () => {
    await page.goto(`${server.url}/data`);
    await eventually(() => page.getByTestId('data-summary').textContent()).toContain('Weeks of history104');
    await eventually(() => page.locator('[data-testid="stores-table"] tbody tr').count()).toBe(8);
    await page.getByTestId('upload-table').selectOption('categories');
    await page
      .getByTestId('upload-file')
      .setInputFiles({ name: 'categories.csv', mimeType: 'text/csv', buffer: Buffer.from('category_id,name\nC01,Coats and jackets\n') });
    await page.getByRole('button', { name: 'Import' }).click();
    await eventually(() => page.getByTestId('upload-report').textContent()).toContain('categories.csv: 1 rows into categories (0 new, 1 updated)');
    await eventually(() => page.getByTestId('imports').textContent()).toContain('categories.csv');
    // A file the import refuses: the server's error with its suggestions and request id.
    await page.getByTestId('upload-table').selectOption('sales');
    await page.getByTestId('upload-file').setInputFiles({
      name: 'bad.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from('store_id,category_id,week_start_date,units_sold\nS001,C01,not-a-date,5\n'),
    });
    await page.getByRole('button', { name: 'Import' }).click();
    const error = page.getByTestId('error');
    await error.waitFor();
    expect(await error.textContent()).toMatch(/request id [\w-]+/);
    await screenshot(page, 'data');
  }, 60_000);

  it('imports sales files as planners’ tools write them: week-ending dates, semicolons with decimal commas, days first', async () => {
    const HEADER = 'store_id,category_id,week_start_date,units_sold';
    const upload = async (name: string, text: string) => {
      await page.getByTestId('upload-file').setInputFiles({ name, mimeType: 'text/csv', buffer: Buffer.from(text) });
      await page.getByRole('button', { name: 'Import' }).click();
    };
    const reported = () => page.getByTestId('upload-report').textContent();
    const refused = () => page.getByTestId('error').textContent();
    await page.goto(`${server.url}/data`);
    await page.getByTestId('upload-table').selectOption('sales');

    // Sunday 2025-12-28 as a week's last day is the history's Monday week from 2025-12-22, so it updates that week…
    await page.getByTestId('upload-week-dates').selectOption('end');
    await upload('week-ends.csv', `${HEADER}\nS001,C01,2025-12-28,40\n`);
    await eventually(reported).toContain('week-ends.csv: 1 rows into sales (0 new, 1 updated)');
    // …while as a week's first day it starts a Sunday week beside the Monday ones: refused, with how to fix it.
    await page.getByTestId('upload-week-dates').selectOption('start');
    await upload('week-starts.csv', `${HEADER}\nS001,C01,2025-12-28,40\n`);
    await eventually(refused).toContain("its weeks start on Sundays but the sales history's start on Mondays");
    expect(await refused()).toContain('--week-dates end');

    // A spreadsheet saved with semicolons and a decimal comma: refused as one column until the separator is chosen.
    const semicolons = `${HEADER.replaceAll(',', ';')}\nS001;C01;2025-12-22;40,5\n`;
    await upload('semicolons.csv', semicolons);
    await eventually(refused).toContain('the file seems separated by semicolons, not commas');
    await page.getByTestId('upload-delimiter').selectOption(';');
    await upload('semicolons.csv', semicolons);
    await eventually(reported).toContain('semicolons.csv: 1 rows into sales (0 new, 1 updated)');

    // Dates written day first (22/12/2025, a Monday), read so when told.
    await page.getByTestId('upload-delimiter').selectOption(',');
    await page.getByTestId('upload-date-order').selectOption('dmy');
    await upload('day-first.csv', `${HEADER}\nS001,C01,22/12/2025,41\n`);
    await eventually(reported).toContain('day-first.csv: 1 rows into sales (0 new, 1 updated)');
    await screenshot(page, 'data-conventions');
  }, 60_000);

  it('stays usable on a phone: every page at 390×844 without sideways scrolling', async () => {
    await page.setViewportSize(PHONE);
    const runs = (await (await fetch(`${server.url}/api/runs`)).json()) as { runs: { run_id: string }[] };
    const runId = runs.runs[0]!.run_id;
    for (const [name, path, ready] of [
      ['new-plan', '/', 'Describe the season in your own words'],
      ['run-completed', `/runs/${runId}`, 'Decisions'],
      ['runs', '/runs', 'Runs'],
      ['data', '/data', 'Import a CSV file'],
    ] as const) {
      await page.goto(`${server.url}${path}`);
      await page.getByText(ready, { exact: true }).first().waitFor();
      await page.waitForLoadState('networkidle');
      expect(await pageWidth(page), name).toBeLessThanOrEqual(PHONE.width);
      await screenshot(page, name);
    }
    await page.goto(`${server.url}/runs/${runId}`);
    await page.getByRole('tab', { name: 'Plan charts' }).click();
    await page.getByTestId('allocation-chart').locator('svg text').first().waitFor();
    expect(await pageWidth(page)).toBeLessThanOrEqual(PHONE.width);
    await screenshot(page, 'run-charts');
    // Keyboard: from a fresh page, Tab reaches the skip link, then the main navigation.
    await page.goto(`${server.url}/runs`);
    await page.getByText('Runs', { exact: true }).first().waitFor();
    await page.keyboard.press('Tab');
    expect(await focusedText(page)).toBe('Skip to content');
    await page.keyboard.press('Tab');
    expect(await focusedText(page)).toBe('New plan');
    expect(pageErrors).toEqual([]);
  }, 60_000);
});
