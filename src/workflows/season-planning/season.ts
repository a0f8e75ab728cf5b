/** The season's calendar and where a run is in it. */
import type { WorkflowContext } from '../../engine/index.js';
import { addDays, daysBetween } from './data/weeks.js';
import type { PlanParameters } from './parameters.js';

/** Monday (or whatever day the season starts) of season week `week` (1-based). */
export const seasonWeekStart = (parameters: PlanParameters, week: number): string => addDays(parameters.season_start_date, 7 * (week - 1));

/** The season week a run is in: one more than the weeks closed so far. */
export const currentWeek = (context: Pick<WorkflowContext, 'visits'>): number => (context.visits.week_end ?? 0) + 1;

/**
 * Weeks between the history's last week and the season's first. A season that starts inside the
 * history, or more than a year after it, is planned as if it followed the history directly.
 */
export function weeksBeforeSeason(lastHistoryWeek: string, seasonStart: string): { gap: number; note?: string } {
  const days = daysBetween(lastHistoryWeek, seasonStart);
  const gap = Math.ceil(days / 7) - 1;
  if (days <= 0) return { gap: 0, note: `the season starts before the history ends (${lastHistoryWeek}): it is planned as the weeks right after the history` };
  if (gap > 52) return { gap: 0, note: `the season starts ${gap} weeks after the history ends (${lastHistoryWeek}): it is planned as if it followed the history directly` };
  return { gap };
}

export const round2 = (value: number): number => Math.round(value * 100) / 100;
export const sum = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0);
