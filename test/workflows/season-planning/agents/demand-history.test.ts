// The series a forecast hands to the panel: the history alone before the season; in-season the gap's forecast and the actuals, every series ending on the same week.
import { describe, expect, it } from 'vitest';
import { historyFor, totalOf } from '../../../../src/workflows/season-planning/agents/demand.js';

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
