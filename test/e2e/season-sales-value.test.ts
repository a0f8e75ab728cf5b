// The dashboard in a real browser on a history of sales value (money, as Walmart's Weekly_Sales): the buy, the charts
// and the season's summary say "sales value", never "units".
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays } from '../../src/workflows/season-planning/data/weeks.js';
import { CHROMIUM } from './support/chromium.js';
import { eventually } from './support/eventually.js';
import { LAST_HISTORY_WEEK, type DashboardServer } from './support/dashboard-server.js';
import { openDashboard, type DashboardSession } from './support/dashboard-session.js';
import { startSeason } from './support/start-season.js';

/** Two years of weekly takings of four stores, in money, ending on the generated history's last week. */
function takings(): string {
  const rows = ['Store,Dept,Date,Weekly_Sales'];
  for (let week = 0; week < 104; week++) {
    const date = addDays(LAST_HISTORY_WEEK, -7 * (103 - week));
    for (const store of ['S001', 'S002', 'S003', 'S004']) {
      const seasonal = 1 + 0.3 * Math.sin((2 * Math.PI * week) / 52);
      rows.push(`${store},C01,${date},${(2500 * seasonal + 37 * ((week * 7 + store.charCodeAt(3)) % 11)).toFixed(2)}`);
    }
  }
  return rows.join('\n');
}

describe.skipIf(!CHROMIUM)('dashboard: a season planned on sales value', () => {
  let dashboard: DashboardSession | undefined;
  let server: DashboardServer;
  let page: Page;
  let pageErrors: string[];

  beforeAll(async () => {
    dashboard = await openDashboard();
    ({ server, page, pageErrors } = dashboard);
  }, 60_000);
  afterAll(() => dashboard?.close(), 60_000);

  it('labels the buy, the charts and the summary in sales value', async () => {
    const imported = await fetch(`${server.url}/api/data/sales?quantity=sales_value&replace=true&name=takings.csv`, {
      method: 'POST',
      headers: { 'content-type': 'text/csv' },
      body: takings(),
    });
    expect(imported.status).toBe(200);
    const runId = await startSeason(server.url, 'money', 'simulated');

    await page.goto(`${server.url}/runs/${runId}`);
    const buy = page.getByTestId('approval-manufacturing_approval');
    await buy.waitFor();
    expect(Number(await page.getByLabel('Manufacturing quantity (sales value)').inputValue())).toBeGreaterThan(0);
    expect(await page.getByLabel('Manufacturing quantity (units)').count()).toBe(0);
    await buy.getByRole('button', { name: 'Accept' }).click();

    await eventually(() => page.getByTestId('run-state').textContent(), 30_000).toBe('completed');
    const summary = await page.getByTestId('run-summary').textContent();
    expect(summary).toContain('Bought (sales value)');
    expect(summary).toContain('Sold (sales value)');
    expect(summary).not.toContain('Units sold');

    await page.getByRole('tab', { name: 'Plan charts' }).click();
    const allocation = page.getByTestId('allocation-chart');
    await eventually(() => allocation.locator('svg text').allTextContents()).toContain('Sales value allocated');
    const subtitle = (await allocation.locator('svg text').allTextContents()).find((t) => t.includes(', DC '));
    expect(subtitle).toMatch(/^[\d,]+ in sales value, DC 20%$/);
    await eventually(() => page.getByTestId('forecast-chart').locator('svg text').allTextContents()).toContain('Sales value sold');
    expect(pageErrors).toEqual([]);
  }, 90_000);
});
