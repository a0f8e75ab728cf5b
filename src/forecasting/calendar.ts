/**
 * Lining up last year's weeks with this year's around the holidays that move (weekly data only).
 * A year back is 52 weeks, so last year's week falls on the same weekdays: holidays fixed to a weekday
 * (Thanksgiving, the Super Bowl, Memorial and Labor Day) stay aligned most years, but two do not:
 * - Christmas is fixed to a date, which moves one weekday a year (two after a leap day). Around it sales
 *   follow the days left before Christmas, so the week 52 weeks back is blended with the week before it in
 *   proportion to the days it is off: a week one day off takes 6/7 of its year-ago week and 1/7 of the one
 *   before (the Walmart Kaggle winner shifted Christmas sales between neighbouring weeks the same way).
 * - Easter moves by weeks (22 March to 25 April): this year's Easter week takes the Easter week of the
 *   year looked back to, and the week that would have taken that one takes this year's Easter week's
 *   usual source instead (a swap, so no week is counted twice).
 * Pure date arithmetic in UTC; no holiday list beyond these two, which are the ones that move against a
 * 52-week lag in the years the data covers (Thanksgiving also slips a week about one year in six: not handled).
 */

const DAY_MS = 86_400_000;

/** Days of a year's calendar, counted from 1 January 1970. */
function dayNumber(year: number, month: number, day: number): number {
  return Date.UTC(year, month - 1, day) / DAY_MS;
}

/** Easter Sunday (Gregorian, anonymous algorithm of Meeus/Jones/Butcher) as a day number. */
export function easterSunday(year: number): number {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return dayNumber(year, month, day);
}

/** One source of a forecast week: an index into the series (or its forecast path) and its weight. */
export type YearAgoSource = readonly [index: number, weight: number];

/**
 * Where the value `lag` periods (a whole number of years) before period `t` comes from. Without a
 * calendar it is simply t − lag; with one it may be another week or a blend of two.
 */
export type YearAgo = (t: number, lag: number) => readonly YearAgoSource[];

export const plainYearAgo: YearAgo = (t, lag) => [[t - lag, 1]];

/**
 * Christmas alignment applies to weeks holding a day from 11 December to 1 January: the fortnight of
 * Christmas shopping and the week after it, where the date matters more than the weekday. Elsewhere a
 * blend would only smooth last year's week.
 */
const CHRISTMAS_FROM = { month: 12, day: 11 };
const CHRISTMAS_TO_DAYS_AFTER = 7; // 1 January is 7 days after 25 December

function holdsChristmasDays(firstDay: number, lastDay: number): boolean {
  const year = new Date(lastDay * DAY_MS).getUTCFullYear();
  // A week may straddle the new year: look at this year's season and the one before.
  for (const y of [year, year - 1]) {
    const from = dayNumber(y, CHRISTMAS_FROM.month, CHRISTMAS_FROM.day);
    const to = dayNumber(y, 12, 25) + CHRISTMAS_TO_DAYS_AFTER;
    if (lastDay >= from && firstDay <= to) return true;
  }
  return false;
}

/**
 * Year-ago sources for a weekly series of `length` periods whose last period ends on `lastDay`
 * (ISO date, the last day the last observation covers). Works for indices beyond the history too
 * (forecast weeks), as long as the caller has values for the indices it returns.
 */
export function calendarYearAgo(lastDay: string, length: number): YearAgo {
  const lastDayNumber = Date.parse(`${lastDay}T00:00:00Z`) / DAY_MS;
  const lastIndex = length - 1;
  const endOf = (t: number) => lastDayNumber + (t - lastIndex) * 7;
  const yearOf = (t: number) => new Date(endOf(t) * DAY_MS).getUTCFullYear();
  const easterWeeks = new Map<number, number>();
  /** The week holding most of the seven days before Easter Sunday: the one ending 4 days before to 2 days after it. */
  const easterWeek = (year: number): number => {
    let week = easterWeeks.get(year);
    if (week === undefined) {
      const earliestEnd = easterSunday(year) - 4;
      week = lastIndex + Math.ceil((earliestEnd - lastDayNumber) / 7);
      easterWeeks.set(year, week);
    }
    return week;
  };
  return (t, lag) => {
    const years = Math.round(lag / 52);
    if (years < 1) return [[t - lag, 1]];
    const year = yearOf(t);
    let source = t - lag;
    const thisEaster = easterWeek(year);
    const thenEaster = easterWeek(year - years);
    if (t === thisEaster) source = thenEaster;
    else if (source === thenEaster) source = thisEaster - lag;
    const end = endOf(t);
    if (source === t - lag && holdsChristmasDays(end - 6, end)) {
      // Days the week `lag` back ends after the same dates `years` years back (1 a year, 2 across a 29 February).
      const date = new Date(end * DAY_MS);
      const sameDate = dayNumber(date.getUTCFullYear() - years, date.getUTCMonth() + 1, date.getUTCDate());
      const offset = endOf(source) - sameDate;
      if (offset > 0 && offset < 7) {
        return [
          [source, (7 - offset) / 7],
          [source - 1, offset / 7],
        ];
      }
    }
    return [[source, 1]];
  };
}

/** The weighted year-ago value from `values` (history followed by any forecasts so far); plain lag when a source is out of range. */
export function yearAgoValue(values: readonly number[], yearAgo: YearAgo, t: number, lag: number): number {
  const sources = yearAgo(t, lag);
  let total = 0;
  for (const [index, weight] of sources) {
    if (index < 0 || index >= values.length) return values[t - lag]!;
    total += weight * values[index]!;
  }
  return total;
}
