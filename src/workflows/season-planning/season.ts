/** The season's calendar and where a run is in it. */
import type { WorkflowContext } from '../../engine/index.js';
import { BatonError } from '../../errors/index.js';
import { addDays, daysBetween } from './data/weeks.js';
import type { PlanParameters } from './parameters.js';

/** Monday (or whatever day the season starts) of season week `week` (1-based). */
export const seasonWeekStart = (parameters: PlanParameters, week: number): string => addDays(parameters.season_start_date, 7 * (week - 1));

/** The season week a run is in: one more than the weeks closed so far. */
export const currentWeek = (context: Pick<WorkflowContext, 'visits'>): number => (context.visits.week_end ?? 0) + 1;

/** A season is bought at most a year ahead of the history's end. */
export const MAX_LEAD_WEEKS = 52;

export interface SeasonLead {
  /** Whole weeks between the history's last week and the season's first (forecast, then dropped). */
  gap: number;
  /** The last day the history covers (its last week's start + 6). */
  historyEnds: string;
  earliestStart: string;
  latestStart: string;
  /** The longest gap the history supports: min(52, weeks of history − 52). */
  maxGap: number;
  /** The history's week (its start) the season's first week is forecast as: the start itself when on the history's weekday. */
  firstSeasonWeek: string;
}

/**
 * Where the season sits after the history, or INVALID_PARAMETERS naming the history's last week and the
 * starts it supports. A season must start after the history ends (its weeks are forecast, not already known)
 * and at most min(52, weeks of history − 52) weeks after it: the forecast carries last year's pattern across
 * the gap and moves it by how the level changed, which only the weeks beyond the first year show, so a
 * history of one year supports a season right after it and two years one bought a year ahead.
 */
export function seasonLead(lastHistoryWeek: string, historyWeeks: number, seasonStart: string): SeasonLead {
  const historyEnds = addDays(lastHistoryWeek, 6);
  const earliestStart = addDays(lastHistoryWeek, 7);
  const maxGap = Math.max(0, Math.min(MAX_LEAD_WEEKS, historyWeeks - 52));
  const latestStart = addDays(lastHistoryWeek, 7 * (maxGap + 1));
  const days = daysBetween(lastHistoryWeek, seasonStart);
  // A start off the history's weekday is planned on the history's week it shares most days with (a Monday start on
  // Saturday weeks: the week begun two days before, not the one five days after).
  const gap = Math.round(days / 7) - 1;
  const details = {
    season_start_date: seasonStart,
    last_history_week: lastHistoryWeek,
    history_ends: historyEnds,
    weeks_of_history: historyWeeks,
    earliest_start: earliestStart,
    latest_start: latestStart,
    max_gap_weeks: maxGap,
  };
  // `issues` as a schema failure has them, so a form shows the message by the start date's field.
  const startIssue = (message: string) => [{ path: 'season_start_date', message }];
  if (days < 7) {
    throw new BatonError(
      'INVALID_PARAMETERS',
      `the season starts on ${seasonStart}, before the sales history ends (its last week starts ${lastHistoryWeek} and ends ${historyEnds}): a season is planned from history that ends before it; the earliest start is ${earliestStart}`,
      {
        details: { ...details, issues: startIssue(`must be on or after ${earliestStart}: the sales history runs to ${historyEnds}`) },
        suggestions: [`start the season on or after ${earliestStart}`, 'or import history that ends before the season starts'],
      },
    );
  }
  if (gap > maxGap) {
    throw new BatonError(
      'INVALID_PARAMETERS',
      `the season starts on ${seasonStart}, ${gap} weeks after the sales history's last week (${lastHistoryWeek}); ${historyWeeks} weeks of history support a season starting at most ${maxGap} weeks after it, by ${latestStart}`,
      {
        details: {
          ...details,
          gap_weeks: gap,
          issues: startIssue(`must be by ${latestStart}: ${historyWeeks} weeks of sales history support a season at most ${maxGap} weeks after the history`),
        },
        suggestions: [`start the season between ${earliestStart} and ${latestStart}`, 'or import more recent (or longer) sales history'],
      },
    );
  }
  return { gap, historyEnds, earliestStart, latestStart, maxGap, firstSeasonWeek: addDays(lastHistoryWeek, 7 * (gap + 1)) };
}

/**
 * `value` to `digits` decimals, as a reader expects to see it: 0.33283, not 0.33282999999999996. Dividing a
 * rounded integer by a power of ten lands on the double nearest the decimal; round2(x × 1000) / 1000 did not
 * (a quarter of such figures printed with float noise).
 */
export const roundTo = (value: number, digits: number): number => Math.round(value * 10 ** digits) / 10 ** digits;
/** To the cent: money, and the forecasts' figures. */
export const round2 = (value: number): number => roundTo(value, 2);
export const sum = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0);
