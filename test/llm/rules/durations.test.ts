// The season's length in weeks, months (round(N × 52 / 12)) or years, in digits or words.
import { describe, expect, it } from 'vitest';
import { findHorizon, weeksInMonths } from '../../../src/llm/rules/durations.js';
import { Scan } from '../../../src/llm/rules/scan.js';

const weeksOf = (text: string) => findHorizon(new Scan(text))?.value;

describe('durations', () => {
  it.each([
    ['a 12-week season', 12],
    ['12 weeks from March 3', 12],
    ['runs for 14 weeks', 14],
    ['Eight-week season', 8],
    ['twelve weeks', 12],
    ['a twenty-six week season', 26],
    ['fifty two weeks', 52],
    ['12 wks', 12],
    ['a dozen weeks', 12],
    ['a 60-week season', 60],
  ])('"%s" is %d weeks', (text, weeks) => expect(weeksOf(text)).toBe(weeks));

  it.each([
    ['a three-month summer season', 13],
    ['6 months', 26],
    ['a four month season', 17],
    ['2-month run', 9],
    ['one month', 4],
    ['12 months', 52],
    ['a one year program', 52],
    ['a full year', 52],
    ['half a year', 26],
  ])('"%s" converts to %d weeks', (text, weeks) => expect(weeksOf(text)).toBe(weeks));

  it('converts months by the convention round(N × 52 / 12)', () => {
    expect([1, 2, 3, 4, 5, 6, 9, 12].map(weeksInMonths)).toEqual([4, 9, 13, 17, 22, 26, 39, 52]);
  });

  it('finds no length where none is said', () => {
    expect(weeksOf('weekly replenishment with 15% DC holdback')).toBeUndefined();
  });

  it('takes the first length when several are said', () => {
    expect(weeksOf('a 10-week season, then 4 weeks of clearance')).toBe(10);
  });
});
