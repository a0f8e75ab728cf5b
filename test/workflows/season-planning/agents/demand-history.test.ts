// The series a re-forecast hands to the panel: every one ends on the same week, actuals or not.
import { describe, expect, it } from 'vitest';
import { historyFor } from '../../../../src/workflows/season-planning/agents/demand.js';

const series = (key: string, values: (number | null)[]) => ({ key, storeId: key.split('|')[0]!, categoryId: key.split('|')[1]!, values });

describe('the history a re-forecast pools', () => {
  it('follows the history with the weeks before the season as missing, then the actuals so far', () => {
    const actuals = new Map([['s1|c1', [5, 6]]]);
    expect(historyFor(series('s1|c1', [1, 2, 3]), 2, 2, actuals)).toEqual([1, 2, 3, null, null, 5, 6]);
  });

  it('gives a series with no actuals posted as many weeks as one with actuals, the season weeks missing', () => {
    const actuals = new Map([['s1|c1', [5, 6]]]);
    const withActuals = historyFor(series('s1|c1', [1, 2, 3]), 2, 2, actuals);
    const without = historyFor(series('s2|c1', [7, 8, 9]), 2, 2, actuals);
    expect(without).toHaveLength(withActuals.length);
    expect(without).toEqual([7, 8, 9, null, null, null, null]);
  });
});
