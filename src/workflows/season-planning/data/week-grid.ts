/**
 * A sales history is one grid of 7-day weeks, every week starting on the same weekday: what is written
 * into it on another weekday would be snapped onto the grid and added to the week it lands in, counting
 * weeks twice. These checks refuse it before anything is written (imports, generated history).
 */
import { BatonError } from '../../../errors/index.js';
import type { SeasonData } from './types.js';
import { sameWeekdayOnOrBefore, WEEKDAY_NAMES, weekday, weekdayName } from './weeks.js';

/** How an import's dates sit in their weeks (as `--week-dates` says). */
export type WeekDates = 'start' | 'end';

const withWeekday = (week: string) => `${week} (a ${weekdayName(week)})`;

/**
 * The weekday every week of the file starts on. A history is a grid of 7-day weeks: rows on other
 * weekdays would be snapped onto it and added to the week they land in, so a mix is refused.
 */
export function fileWeekday(weeks: readonly string[], source: string, weekDates: WeekDates, advice: readonly string[] = []): number | undefined {
  const first = weeks[0];
  if (first === undefined) return undefined;
  const other = weeks.find((week) => weekday(week) !== weekday(first));
  if (other === undefined) return weekday(first);
  const stored = weekDates === 'end' ? ' (stored from the day after the previous week\'s date, as --week-dates end says)' : '';
  throw new BatonError('INVALID_PARAMETERS', `${source}: weeks start on different weekdays, ${withWeekday(first)} and ${withWeekday(other)}${stored}: weekly sales need one date per week, on the same weekday throughout`, {
    details: { source, weeks: [first, other] },
    suggestions: [...advice, 'give each week the date of the same weekday (for example the Monday each week starts, or the Friday it ends with --week-dates end)'],
  });
}

/** Refuses a file whose weeks start on another weekday than the stored history's: added, every week would count twice. */
export async function sameWeekdayAsHistory(data: SeasonData, source: string, weekDay: number, weekDates: WeekDates, advice: readonly string[] = []): Promise<void> {
  const stored = await data.firstHistoryWeek();
  if (stored === null || weekday(stored) === weekDay) return;
  const fileDay = WEEKDAY_NAMES[weekDay]!;
  const historyDay = weekdayName(stored);
  throw new BatonError(
    'CONFLICT',
    `${source}: its weeks start on ${fileDay}s but the sales history's start on ${historyDay}s (${stored}): added to it, every week would be counted twice`,
    {
      details: { source, file_weekday: fileDay, history_weekday: historyDay, history_week: stored, week_dates: weekDates },
      suggestions: [
        ...advice,
        'to replace the history with this file, import it with --replace (?replace=true)',
        `if the file's dates are the ${weekDates === 'end' ? 'first' : 'last'} day of each week, import it with --week-dates ${weekDates === 'end' ? 'start' : 'end'} (?week_dates=${weekDates === 'end' ? 'start' : 'end'})`,
      ],
    },
  );
}

/**
 * Generated weeks start on the weekday of `lastWeek`: into a history whose weeks start on another (imported
 * Walmart weeks start on Saturdays), every week would be counted twice, so that is refused before anything is written.
 */
export async function generatedOnHistoryWeekday(season: SeasonData, lastWeek: string): Promise<void> {
  const stored = await season.firstHistoryWeek();
  if (stored === null || weekday(stored) === weekday(lastWeek)) return;
  const aligned = sameWeekdayOnOrBefore(lastWeek, stored);
  throw new BatonError(
    'CONFLICT',
    `the database's sales history starts its weeks on ${weekdayName(stored)}s (${stored}) and generated weeks would start on ${weekdayName(lastWeek)}s (the last one ${lastWeek}): together every week would be counted twice`,
    {
      details: { history_week: stored, last_week: lastWeek },
      suggestions: [`generate into another database (--db FILE, or another DATABASE_URL)`, `or end the generated history on a ${weekdayName(stored)}: --last-week ${aligned}`],
    },
  );
}
