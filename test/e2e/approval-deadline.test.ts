// The dashboard in a real browser: an approval with a deadline shows it, counting down, and the run is shown expired once it passes unanswered.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM } from './support/chromium.js';
import { eventually } from './support/eventually.js';
import type { DashboardServer } from './support/dashboard-server.js';
import { openDashboard, type DashboardSession } from './support/dashboard-session.js';

/** A 4-week season whose buy must be answered within `seconds`. */
const seasonWithBuyDeadline = (seconds: number) => ({
  forecast_horizon_weeks: 4,
  season_start_date: '2026-01-05',
  season_end_date: '2026-02-02',
  replenishment_strategy: 'weekly',
  dc_holdback_percentage: 0.15,
  markdown_checkpoint_week: null,
  markdown_threshold: null,
  actuals: 'simulated',
  buy_approval_deadline_hours: seconds / 3600,
});

describe.skipIf(!CHROMIUM)('dashboard: approval deadlines', () => {
  let dashboard: DashboardSession | undefined;
  let server: DashboardServer;
  let page: Page;
  let pageErrors: string[];

  beforeAll(async () => {
    dashboard = await openDashboard();
    ({ server, page, pageErrors } = dashboard);
  }, 60_000);
  afterAll(() => dashboard?.close(), 60_000);

  it('shows the buy approval’s deadline and what happens then, and the run as expired once it passes unanswered', async () => {
    const started = await fetch(`${server.url}/api/orchestrator/run-workflow`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ session_id: 'deadline', workflow: 'season-planning', parameters: seasonWithBuyDeadline(12) }),
    });
    expect(started.status).toBe(202);
    const { run_id: runId } = (await started.json()) as { run_id: string };
    const waiting = await server.engine.settled(runId);
    expect(waiting.state).toBe('waiting');

    await page.goto(`${server.url}/runs/${runId}`);
    const buy = page.getByTestId('approval-manufacturing_approval');
    await buy.waitFor();
    const deadline = buy.getByTestId('approval-deadline');
    expect(await deadline.textContent()).toMatch(/^Answer by .+ \(in \d+ s\); unanswered, the run ends expired and nothing is bought\.$/);
    expect(await deadline.locator('time').getAttribute('datetime')).toBe(new Date(waiting.waitingFor!.deadlineAt!).toISOString());

    // Nobody answers: the badge turns expired, the panel goes and the decisions say why.
    await eventually(() => page.getByTestId('run-state').textContent(), 30_000).toBe('expired');
    expect(await buy.count()).toBe(0);
    expect(await page.locator('[data-testid="decision"][data-phase="manufacturing_approval"]').last().textContent()).toContain(
      'manufacturing approval expired unanswered',
    );
    expect((await server.engine.status(runId)).state).toBe('expired');
    expect(pageErrors).toEqual([]);
  }, 60_000);
});
