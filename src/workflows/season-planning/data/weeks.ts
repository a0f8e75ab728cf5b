/** Calendar arithmetic on ISO dates (YYYY-MM-DD) in UTC, so no time zone can shift a week. */
import { addDays } from '../../../llm/season-parameters.js';

const DAY_MS = 86_400_000;

export const toDayNumber = (iso: string): number => Date.parse(`${iso}T00:00:00Z`) / DAY_MS;
export const fromDayNumber = (day: number): string => new Date(day * DAY_MS).toISOString().slice(0, 10);
// Adding and counting days is the extraction layer's (season end = start + 7 × horizon days there).
export { addDays, daysBetween } from '../../../llm/season-parameters.js';

/** Monday = 0 … Sunday = 6. */
export const weekday = (iso: string): number => (new Date(`${iso}T00:00:00Z`).getUTCDay() + 6) % 7;
export const mondayOnOrBefore = (iso: string): string => addDays(iso, -weekday(iso));
export const WEEKDAY_NAMES = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'] as const;
export const weekdayName = (iso: string): string => WEEKDAY_NAMES[weekday(iso)]!;
/** The latest date on or before `iso` that falls on the weekday of `like`. */
export const sameWeekdayOnOrBefore = (iso: string, like: string): string => addDays(iso, -((weekday(iso) - weekday(like) + 7) % 7));

/** Day of the year, 0-based, and the position in the year as a fraction (for seasonality). */
export function yearFraction(iso: string): number {
  const year = Number(iso.slice(0, 4));
  const start = toDayNumber(`${year}-01-01`);
  const length = toDayNumber(`${year + 1}-01-01`) - start;
  return (toDayNumber(iso) - start) / length;
}

export const todayIso = (now = Date.now()): string => new Date(now).toISOString().slice(0, 10);

/** True when the text is a real calendar date in ISO form. */
export function isIsoDate(text: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return false;
  const parsed = Date.parse(`${text}T00:00:00Z`);
  return Number.isFinite(parsed) && new Date(parsed).toISOString().slice(0, 10) === text;
}
