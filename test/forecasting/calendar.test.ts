import { describe, expect, it } from 'vitest';
import { InvalidParametersError } from '../../src/errors/index.js';
import { forecast, forecastPanel } from '../../src/forecasting/index.js';
import { calendarYearAgo, easterSunday } from '../../src/forecasting/calendar.js';

const DAY_MS = 86_400_000;
const iso = (dayNumber: number) => new Date(dayNumber * DAY_MS).toISOString().slice(0, 10);
const addDays = (date: string, days: number) => iso(Date.parse(`${date}T00:00:00Z`) / DAY_MS + days);

/** Weekly values for weeks ending on Fridays from `first` to `last`, 100 except the given week endings. */
function fridays(first: string, last: string, peaks: Record<string, number>): { dates: string[]; values: number[] } {
  const dates: string[] = [];
  for (let d = first; d <= last; d = addDays(d, 7)) dates.push(d);
  return { dates, values: dates.map((d) => peaks[d] ?? 100) };
}

describe('calendar', () => {
  it('knows Easter Sunday', () => {
    expect([2010, 2011, 2012, 2024, 2025, 2038].map((y) => iso(easterSunday(y)))).toEqual([
      '2010-04-04',
      '2011-04-24',
      '2012-04-08',
      '2024-03-31',
      '2025-04-20',
      '2038-04-25',
    ]);
  });

  it('a year back is 52 weeks outside Christmas and Easter', () => {
    const yearAgo = calendarYearAgo('2011-10-28', 91);
    expect(yearAgo(95, 52)).toEqual([[43, 1]]);
  });

  it('moves the Easter week to last year’s Easter week, and swaps the week that took it', () => {
    // History to the end of 2011 with an Easter peak (the week ending on Good Friday) in 2010 and 2011.
    const { dates, values } = fridays('2010-02-05', '2011-12-30', { '2010-04-02': 300, '2011-04-22': 300 });
    const horizon = 20;
    const weeks = Array.from({ length: horizon }, (_, i) => addDays(dates.at(-1)!, 7 * (i + 1)));
    const aligned = forecast(values, { horizon, method: 'seasonal', lastDay: dates.at(-1) });
    const plain = forecast(values, { horizon, method: 'seasonal' });
    const at = (result: { forecast: number[] }, date: string) => result.forecast[weeks.indexOf(date)]!;
    // Easter 2012 is on 8 April: its week ends on Friday 6 April.
    expect(at(aligned, '2012-04-06')).toBeCloseTo(300, 9);
    expect(at(aligned, '2012-04-20')).toBeCloseTo(100, 9);
    expect(at(plain, '2012-04-06')).toBeCloseTo(100, 9);
    expect(at(plain, '2012-04-20')).toBeCloseTo(300, 9);
    expect(aligned.notes.join(' ')).toMatch(/Christmas and Easter/);
  });

  it('shifts Christmas sales by the days Christmas moved against the weekday', () => {
    // 2010: Christmas Eve is a Friday, the last day of the week ending 24 December. In 2011 Christmas falls one
    // weekday later, so the week ending 23 December 2011 covers six of those seven days and the next week one.
    const { dates, values } = fridays('2010-02-05', '2011-10-28', { '2010-12-24': 800 });
    const horizon = 10;
    const weeks = Array.from({ length: horizon }, (_, i) => addDays(dates.at(-1)!, 7 * (i + 1)));
    const aligned = forecast(values, { horizon, method: 'seasonal', lastDay: dates.at(-1) });
    const at = (date: string) => aligned.forecast[weeks.indexOf(date)]!;
    expect(at('2011-12-16')).toBeCloseTo(100, 9);
    expect(at('2011-12-23')).toBeCloseTo((6 / 7) * 800 + (1 / 7) * 100, 9);
    expect(at('2011-12-30')).toBeCloseTo((6 / 7) * 100 + (1 / 7) * 800, 9);
    expect(at('2011-11-25')).toBeCloseTo(100, 9);
    // The week's total over the two weeks is kept.
    expect(at('2011-12-23') + at('2011-12-30')).toBeCloseTo(900, 9);
  });

  it('panels take the calendar too', () => {
    const { dates, values } = fridays('2010-02-05', '2011-12-30', { '2010-04-02': 300, '2011-04-22': 300 });
    const series = [1, 2, 3, 4].map((k) => ({ id: `s${k}`, group: 'g', values: values.map((v) => k * v) }));
    const results = forecastPanel(series, { horizon: 20, method: 'ensemble', lastDay: dates.at(-1) });
    // Week 14 after 30 December 2011 ends on 6 April 2012, the Easter week.
    results.forEach((r, k) => expect(r.forecast[13]).toBeCloseTo(300 * (k + 1), 6));
  });

  it('refuses a last day that is not a date', () => {
    expect(() => forecast([1, 2, 3], { horizon: 2, lastDay: '2011-13-40' })).toThrow(InvalidParametersError);
    expect(() => forecast([1, 2, 3], { horizon: 2, lastDay: '2011-02-30' })).toThrow(InvalidParametersError);
    expect(() => forecast([1, 2, 3], { horizon: 2, lastDay: '28/10/2011' })).toThrow(InvalidParametersError);
  });
});
