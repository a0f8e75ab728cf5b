// Whether re-forecasting paid: the latest in-season re-forecast against the revision before it, on the weeks posted since.
import { describe, expect, it } from 'vitest';
import type { ForecastPlan } from '../../../../src/workflows/season-planning/agents/demand.js';
import { reforecastPayoff } from '../../../../src/workflows/season-planning/agents/monitor.js';

/** A plan of one series from `fromWeek`, its forecast `weekly` every week of an 8-week season. */
const plan = (revision: number, fromWeek: number, weekly: number): ForecastPlan =>
  ({
    revision,
    from_week: fromWeek,
    series: [{ store_id: 'S1', category_id: 'C1', forecast: Array<number>(9 - fromWeek).fill(weekly) }],
  }) as unknown as ForecastPlan;
const sold = (weeks: number[], units: number) => weeks.map((seasonWeek) => ({ storeId: 'S1', categoryId: 'C1', seasonWeek, unitsSold: units }));

describe('the re-forecast payoff', () => {
  it('judges no modified buy as a re-forecast: a revision from week 1 was planned before any actual', () => {
    // Before: "the re-forecast paid" at the same error, for a buy the planner only modified.
    expect(reforecastPayoff([plan(1, 1, 100), plan(2, 1, 100)], sold([1, 2], 80), 2)).toBeNull();
  });

  it('says a re-forecast paid only when it cut the error on the weeks since, not when it equalled it', () => {
    const actuals = sold([1, 2, 3, 4], 80);
    expect(reforecastPayoff([plan(1, 1, 100), plan(2, 3, 100)], actuals, 4)).toMatchObject({ error: 0.25, previous_error: 0.25, paid: false, weeks: [3, 4] });
    expect(reforecastPayoff([plan(1, 1, 100), plan(2, 3, 85)], actuals, 4)).toMatchObject({ error: 0.0625, previous_error: 0.25, paid: true });
    expect(reforecastPayoff([plan(1, 1, 100), plan(2, 3, 40)], actuals, 4)).toMatchObject({ error: 0.5, paid: false });
  });
});
