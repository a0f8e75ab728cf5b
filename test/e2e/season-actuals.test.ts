// The dashboard in a real browser posts a season's weekly actuals from CSV files: a week refused for missing
// stores says how to post it, a partial week goes through, the stores that reported late come with the next week,
// and an unusual week is confirmed with a correction of an earlier week's figure.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM } from './support/chromium.js';
import { eventually } from './support/eventually.js';
import type { DashboardServer } from './support/dashboard-server.js';
import { openDashboard, type DashboardSession } from './support/dashboard-session.js';
import { startSeason } from './support/start-season.js';

interface Series {
  store_id: string;
  category_id: string;
  forecast: number[];
}

describe.skipIf(!CHROMIUM)('dashboard: posting weekly actuals', () => {
  let dashboard: DashboardSession | undefined;
  let server: DashboardServer;
  let page: Page;
  let pageErrors: string[];

  beforeAll(async () => {
    dashboard = await openDashboard();
    ({ server, page, pageErrors } = dashboard);
  }, 60_000);
  afterAll(() => dashboard?.close(), 60_000);

  const json = async <T>(path: string): Promise<T> => (await (await fetch(`${server.url}${path}`)).json()) as T;
  /** The form's button names the week it posts: the next week's form says the last one was taken. */
  const postButton = () =>
    page
      .getByTestId('actuals-form')
      .getByRole('button', { name: /^Post week/ })
      .textContent();
  const upload = async (name: string, text: string) => {
    await page.getByTestId('actuals-file').setInputFiles({ name, mimeType: 'text/csv', buffer: Buffer.from(text) });
    await page
      .getByTestId('actuals-form')
      .getByRole('button', { name: /^Post week/ })
      .click();
  };

  it('refuses a modified buy twenty-five times the proposal as a slip, showing why, and takes it once confirmed', async () => {
    const runId = await startSeason(server.url, 'unusual-buy', 'manual');
    await page.goto(`${server.url}/runs/${runId}`);
    const buy = page.getByTestId('approval-manufacturing_approval');
    await buy.waitFor();
    const proposed = Number(await page.getByLabel('Manufacturing quantity (units)').inputValue());
    await page.getByLabel('Manufacturing quantity (units)').fill(String(25 * proposed));
    await buy.getByRole('button', { name: 'Modify' }).click();
    await eventually(() => buy.getByRole('alert').textContent()).toContain(`is ${25 * proposed}, 20× the proposed ${proposed} or more`);
    await page.getByTestId('approval-confirm-unusual').check();
    await buy.getByRole('button', { name: 'Modify' }).click();
    // Demand plans the confirmed buy and asks again, showing it.
    await eventually(async () => (await buy.isVisible()) && Number(await page.getByLabel('Manufacturing quantity (units)').inputValue()), 30_000).toBe(
      25 * proposed,
    );
    expect(pageErrors).toEqual([]);
  }, 60_000);

  it('posts a partial week, then the next week with the late stores, then a confirmed unusual week correcting a figure, and refuses a week missing stores saying how', async () => {
    const runId = await startSeason(server.url, 'actuals', 'manual');
    await page.goto(`${server.url}/runs/${runId}`);
    const buy = page.getByTestId('approval-manufacturing_approval');
    await buy.waitFor();
    await buy.getByRole('button', { name: 'Accept' }).click();

    const form = page.getByTestId('actuals-form');
    await form.waitFor();
    expect(await postButton()).toBe('Post week 1');
    const { series } = await json<{ series: Series[] }>(`/api/forecasts/${runId}`);
    const line = (s: Series, week: number, separator = ',') => [s.store_id, s.category_id, Math.round(s.forecast[week - 1] ?? 0)].join(separator);
    const reported = series.slice(1);
    const lateStore = series[0]!;

    // Week 1 without one series: refused, naming it and the way to post a partial week.
    await upload('week1.csv', ['store_id,category_id,units_sold', ...reported.map((s) => line(s, 1))].join('\n'));
    const refusal = page.getByTestId('actuals-form').getByRole('alert');
    await eventually(() => refusal.textContent()).toContain(`${lateStore.store_id} × ${lateStore.category_id}`);
    expect(await refusal.textContent()).toContain('partial');
    await page.getByTestId('actuals-partial').check();
    await page.getByTestId('actuals-form').getByRole('button', { name: 'Post week 1' }).click();
    await eventually(postButton, 30_000).toBe('Post week 2');

    // Week 2 from a semicolon file with a week column: the late series of week 1 comes with it.
    await page.getByTestId('actuals-delimiter').selectOption(';');
    await upload(
      'week2.csv',
      ['week;store_id;category_id;units_sold', ...series.map((s) => `2;${line(s, 2, ';')}`), `1;${lateStore.store_id};${lateStore.category_id};7,5`].join('\n'),
    );
    await eventually(postButton, 30_000).toBe('Post week 3');
    const events = await json<{ events: { type: string; resolution?: { data?: unknown } }[] }>(`/api/runs/${runId}/events?limit=1000`);
    const weeks = events.events.filter((e) => e.type === 'wait_resolved').map((e) => e.resolution?.data);
    expect(weeks).toEqual([
      { week: 1, partial: true, missing: 1 },
      { week: 2, late: 1 },
    ]);
    const variance = await json<{ weeks: { week: number; actual: number }[] }>(`/api/variance/${runId}`);
    const week1 = variance.weeks.find((w) => w.week === 1)!;
    expect(week1.actual).toBeCloseTo(reported.reduce((sum, s) => sum + Math.round(s.forecast[0] ?? 0), 0) + 7.5, 6);

    // Week 3 at twenty times its forecast (another measure, unless meant), with the late store's week-1 figure
    // corrected (7,5 was typed for 8,5): refused until confirmed, then taken with the correction.
    await page.getByTestId('actuals-delimiter').selectOption(';');
    await page.getByTestId('actuals-corrections').check();
    await upload(
      'week3.csv',
      [
        'week;store_id;category_id;units_sold',
        ...series.map((s) => `3;${s.store_id};${s.category_id};${20 * Math.max(1, Math.round(s.forecast[2] ?? 0))}`),
        `1;${lateStore.store_id};${lateStore.category_id};8,5`,
      ].join('\n'),
    );
    await eventually(() => refusal.textContent()).toContain('week 3');
    await page.getByTestId('actuals-confirm-unusual').check();
    await page.getByTestId('actuals-form').getByRole('button', { name: 'Post week 3' }).click();
    await eventually(postButton, 30_000).toBe('Post week 4');
    const after = await json<{ events: { type: string; resolution?: { data?: unknown } }[] }>(`/api/runs/${runId}/events?limit=1000`);
    expect(after.events.filter((e) => e.type === 'wait_resolved').at(-1)?.resolution?.data).toEqual({
      week: 3,
      corrected: 1,
      corrections: [{ week: 1, store_id: lateStore.store_id, category_id: lateStore.category_id, from: 7.5, to: 8.5 }],
    });
    const corrected = (await json<{ weeks: { week: number; actual: number }[] }>(`/api/variance/${runId}`)).weeks.find((w) => w.week === 1)!;
    expect(corrected.actual).toBeCloseTo(week1.actual + 1, 6);
    expect(pageErrors).toEqual([]);
  }, 120_000);
});
