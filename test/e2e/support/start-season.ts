/** Starts a 4-week season after the generated history over real HTTP, as a script or another tab would. */
import { addDays } from '../../../src/workflows/season-planning/data/weeks.js';
import { LAST_HISTORY_WEEK } from './dashboard-server.js';

export async function startSeason(url: string, sessionId: string, actuals: 'manual' | 'simulated'): Promise<string> {
  const started = await fetch(`${url}/api/orchestrator/run-workflow`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      session_id: sessionId,
      workflow: 'season-planning',
      parameters: {
        forecast_horizon_weeks: 4,
        season_start_date: addDays(LAST_HISTORY_WEEK, 7),
        replenishment_strategy: 'weekly',
        dc_holdback_percentage: 0.2,
        markdown_checkpoint_week: null,
        markdown_threshold: null,
        actuals,
      },
    }),
  });
  if (started.status !== 202) throw new Error(`the season did not start: ${started.status} ${await started.text()}`);
  return ((await started.json()) as { run_id: string }).run_id;
}
