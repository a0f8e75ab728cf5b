// The series a forecast hands to the panel: the history alone before the season; in-season the gap's forecast and the actuals, every series ending on the same week.
import { describe, expect, it } from 'vitest';
import { demandSoFar, historyFor, totalOf } from '../../../../src/workflows/season-planning/agents/demand.js';
import { markdownLift } from '../../../../src/workflows/season-planning/markdown-lift.js';

const series = (key: string, values: (number | null)[]) => ({ key, storeId: key.split('|')[0]!, categoryId: key.split('|')[1]!, values });

describe('the history a forecast pools', () => {
  it('is the history alone before the season: the weeks up to the season are forecast, not appended as missing', () => {
    expect(historyFor(series('s1|c1', [1, 2, 3]), [null, null], 0, new Map())).toEqual([1, 2, 3]);
  });

  it('follows the history with the first plan’s forecast of the gap, then the actuals so far, when re-forecasting', () => {
    const actuals = new Map([['s1|c1', [5, 6]]]);
    expect(historyFor(series('s1|c1', [1, 2, 3]), [3.5, 4], 2, actuals)).toEqual([1, 2, 3, 3.5, 4, 5, 6]);
  });

  it('gives a series with no actuals posted as many weeks as one with actuals, the season weeks missing', () => {
    const actuals = new Map([['s1|c1', [5, 6]]]);
    const withActuals = historyFor(series('s1|c1', [1, 2, 3]), [4, 4], 2, actuals);
    const without = historyFor(series('s2|c1', [7, 8, 9]), [9, 9], 2, actuals);
    expect(without).toHaveLength(withActuals.length);
    expect(without).toEqual([7, 8, 9, 9, 9, null, null]);
  });
});

describe('the demand a re-forecast learns from the season so far', () => {
  const row = (storeId: string, categoryId: string, seasonWeek: number, unitsSold: number) => ({ storeId, categoryId, seasonWeek, unitsSold });

  it('leaves a week a series was not posted in (a partial week) missing, never a week of no sales', () => {
    const posted = [row('S1', 'C1', 1, 10), row('S1', 'C1', 2, 12), row('S2', 'C1', 2, 7)];
    expect(demandSoFar(posted, new Map(), 3)).toEqual(
      new Map([
        ['S1|C1', [10, 12]],
        ['S2|C1', [null, 7]],
      ]),
    );
  });

  it('leaves a store’s weeks that sold all it had missing in every category, and ignores weeks from fromWeek on', () => {
    const posted = [row('S1', 'C1', 1, 10), row('S1', 'C2', 1, 4), row('S1', 'C1', 2, 0), row('S2', 'C1', 1, 9), row('S2', 'C1', 3, 99)];
    const stockBound = new Map([[1, new Set(['S1'])]]);
    expect(demandSoFar(posted, stockBound, 3)).toEqual(
      new Map([
        ['S1|C1', [null, 0]],
        ['S1|C2', [null, null]],
        ['S2|C1', [9, null]],
      ]),
    );
  });

  it('learns the weeks after an accepted markdown without its lift, as full-price demand', () => {
    // 30% off from after week 2 at ε = −2 sells 0.7^−2 = 2.04× the full-price demand.
    const liftOf = markdownLift({ rate: 0.3, fromWeek: 2 }, -2);
    const posted = [row('S1', 'C1', 1, 10), row('S1', 'C1', 2, 10), row('S1', 'C1', 3, 20.408163265306122), row('S1', 'C1', 4, 30.6122448979)];
    const learnt = demandSoFar(posted, new Map(), 5, liftOf).get('S1|C1')!;
    expect(learnt.map((v) => Math.round(v! * 1e6) / 1e6)).toEqual([10, 10, 10, 15]);
  });
});

describe('a total of series', () => {
  it('adds series aligned at their end, a missing value counting as no sales unless every series misses the week', () => {
    expect(
      totalOf([
        [1, null, 3, 4],
        [null, 2, null],
      ]),
    ).toEqual([1, null, 5, 4]);
    expect(
      totalOf([
        [null, 1],
        [null, 2],
      ]),
    ).toEqual([null, 3]);
  });
});
