import { describe, expect, it } from 'vitest';
import { exceedsThreshold, variance } from '../../src/allocation/index.js';

describe('variance', () => {
  it('gives (actual − forecast) / forecast per week and over the weeks seen so far', () => {
    const report = variance([110, 75, 130], [100, 100, 100, 100, 100]);
    expect(report.weeks.map((w) => w.variance)).toEqual([0.1, -0.25, 0.3]);
    // Σ actual 315 against Σ forecast 300 over the three weeks with actuals: +5%.
    expect(report.aggregate).toEqual({ weeks: 3, actual: 315, forecast: 300, variance: 0.05 });
  });

  it('handles a zero forecast: 0 when nothing sold, null (unbounded) when something did', () => {
    const report = variance([0, 5], [0, 0]);
    expect(report.weeks.map((w) => w.variance)).toEqual([0, null]);
    expect(report.aggregate.variance).toBeNull();
  });

  it('has no weeks before the first actual arrives', () => {
    expect(variance([], [100, 100]).aggregate).toEqual({ weeks: 0, actual: 0, forecast: 0, variance: 0 });
  });

  it('refuses more weeks of actuals than of forecast, and NaN', () => {
    expect(() => variance([1, 2, 3], [1, 2])).toThrow(expect.objectContaining({ code: 'INVALID_PARAMETERS' }) as Error);
    expect(() => variance([Number.NaN], [1])).toThrow(expect.objectContaining({ code: 'INVALID_PARAMETERS' }) as Error);
  });
});

describe('exceedsThreshold', () => {
  it('is strictly above 20% either way by default', () => {
    expect([0.2, 0.2001, -0.2, -0.25, 0].map((v) => exceedsThreshold(v))).toEqual([false, true, false, true, false]);
  });

  it('takes another threshold, and treats a null (sales against a zero forecast) as exceeding', () => {
    expect(exceedsThreshold(0.15, 0.1)).toBe(true);
    expect(exceedsThreshold(0.15, 0.3)).toBe(false);
    expect(exceedsThreshold(null)).toBe(true);
  });
});
