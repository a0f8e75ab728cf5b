// Season dates: ISO, written-out and US forms through chrono-node; year-less and relative dates by the conventions.
import { describe, expect, it } from 'vitest';
import { findDates } from '../../../src/llm/rules/dates.js';
import { Scan } from '../../../src/llm/rules/scan.js';

const datesOf = (text: string, reference = '2024-11-01') => {
  const found = findDates(new Scan(text), reference);
  return { start: found.start?.value, end: found.end?.value };
};
const startOf = (text: string, reference?: string) => datesOf(text, reference).start;

describe('dates', () => {
  it.each([
    ['starting 2025-03-03', '2025-03-03'],
    ['start date 2025/04/07', '2025-04-07'],
    ['starting January 1, 2025', '2025-01-01'],
    ['beginning 1 September 2025', '2025-09-01'],
    ['starting Feb 3rd 2025', '2025-02-03'],
    ['from Sept. 8, 2025', '2025-09-08'],
    ['launch on 3 November 2025', '2025-11-03'],
    ['starting 1st of October 2025', '2025-10-01'],
    ['Monday, March 3, 2025', '2025-03-03'],
  ])('reads the absolute date in "%s"', (text, iso) => expect(startOf(text)).toBe(iso));

  it('reads US dates month first', () => {
    expect(startOf('starting 03/03/2025')).toBe('2025-03-03');
    expect(startOf('from 9/8/2025')).toBe('2025-09-08');
    expect(startOf('starting 1/6/2026')).toBe('2026-01-06');
  });

  it('gives a date without a year its next occurrence on or after the reference date', () => {
    expect(startOf('12 weeks from March 3', '2025-02-10')).toBe('2025-03-03');
    expect(startOf('start date Feb 2', '2025-02-10')).toBe('2026-02-02');
    expect(startOf('starting Feb 10', '2025-02-10')).toBe('2025-02-10');
  });

  it('reads "next Monday" as the first Monday strictly after the reference date', () => {
    expect(startOf('Starting next Monday', '2025-01-15')).toBe('2025-01-20'); // a Wednesday
    expect(startOf('starting next Monday', '2025-01-20')).toBe('2025-01-27'); // a Monday
    expect(startOf('starting next Monday', '2025-01-19')).toBe('2025-01-20'); // a Sunday
    expect(startOf('beginning on Friday', '2025-01-15')).toBe('2025-01-17');
    expect(startOf('starting this Wednesday', '2025-01-15')).toBe('2025-01-15');
  });

  it('reads today, tomorrow, next week and "in N weeks" against the reference date', () => {
    expect(startOf('starting today', '2025-10-27')).toBe('2025-10-27');
    expect(startOf('starting tomorrow', '2025-12-31')).toBe('2026-01-01');
    expect(startOf('starting in two weeks', '2025-03-05')).toBe('2025-03-19');
    expect(startOf('begins 10 days from now', '2025-03-05')).toBe('2025-03-15');
    expect(startOf('starting next week', '2025-01-15')).toBe('2025-01-20');
    expect(startOf('starting next month', '2025-12-15')).toBe('2026-01-01');
  });

  it('reads a range as the start and the end', () => {
    expect(datesOf('Season runs from 2025-01-06 to 2025-03-31')).toEqual({ start: '2025-01-06', end: '2025-03-31' });
    expect(datesOf('from March 3 to May 26, 2025')).toEqual({ start: '2025-03-03', end: '2025-05-26' });
    expect(datesOf('The season starts on 2025-03-03 and ends on 2025-05-26')).toEqual({ start: '2025-03-03', end: '2025-05-26' });
  });

  it('gives a year-less end date its next occurrence on or after the start', () => {
    expect(datesOf('from Nov 3 until Jan 5', '2024-10-01')).toEqual({ start: '2024-11-03', end: '2025-01-05' });
  });

  it('reads a lone date after an end word as the end', () => {
    expect(datesOf('season ending 2025-05-26, 12 weeks long')).toEqual({ start: undefined, end: '2025-05-26' });
  });

  it('does not read durations, times or fractions as dates', () => {
    expect(datesOf('12 weeks from now, weekly')).toEqual({ start: '2024-11-01', end: undefined });
    expect(datesOf('a 12-week season, weekly replenishment')).toEqual({ start: undefined, end: undefined });
    expect(datesOf('8 weeks from 2025-06-02, 10% DC')).toEqual({ start: '2025-06-02', end: undefined });
    expect(datesOf('hold back 1/5 of stock at the DC')).toEqual({ start: undefined, end: undefined });
  });
});

describe('weekdays of a month', () => {
  it('reads "the first Monday of March" and "the last Friday in May", year-less ones forward from the reference date', () => {
    expect(startOf('from the first Monday of March', '2025-01-15')).toBe('2025-03-03');
    expect(startOf('starting the 2nd Tuesday of Sept 2025', '2025-01-15')).toBe('2025-09-09');
    expect(startOf('beginning the last Friday in May', '2025-01-15')).toBe('2025-05-30');
    expect(startOf('from the first Monday of January', '2025-01-15')).toBe('2026-01-05');
  });

  it('does not take a weekday without a word that makes it a coming day', () => {
    expect(startOf('deliveries land Monday in week 3', '2025-01-15')).toBeUndefined();
  });
});
