import { describe, expect, it } from 'vitest';
import { alignToGrid, forecast, prepareSeries } from '../../src/forecasting/index.js';

describe('preparing real series', () => {
  it('fills interior gaps by interpolation, drops leading ones, cuts trailing ones off (never carries the last value) and says so', () => {
    const prepared = prepareSeries([null, 1, Number.NaN, Number.NaN, 4, undefined]);
    expect(prepared.values).toEqual([1, 2, 3, 4]);
    expect(prepared.trailingMissing).toBe(1);
    expect(prepared.notes).toEqual([
      '1 leading missing value(s) dropped',
      '1 trailing missing value(s) are not history: forecast from the last observed period, 1 step(s) further ahead',
      '2 missing value(s) filled by interpolation',
    ]);
  });

  it('keeps negative values (returns) and stops flooring forecasts at zero', () => {
    const prepared = prepareSeries([5, -3, 2]);
    expect(prepared.values).toEqual([5, -3, 2]);
    expect(prepared.nonNegative).toBe(false);
    expect(prepared.notes.join(' ')).toContain('1 negative value(s) kept as returns');
  });

  it('floors forecasts and lower bounds at zero when the history has no negative value', () => {
    const falling = Array.from({ length: 30 }, (_, t) => Math.max(0, 60 - 3 * t));
    const result = forecast(falling, { horizon: 10, method: 'ets' });
    expect(Math.min(...result.forecast, ...result.lo95)).toBeGreaterThanOrEqual(0);
  });

  it('places dated values on a weekly grid with missing weeks marked and same-week values added', () => {
    const { values, notes } = alignToGrid([
      { date: '2024-01-05', value: 1 },
      { date: '2024-01-19', value: 3 },
      { date: '2024-01-19', value: 2 },
    ]);
    expect(values).toEqual([1, Number.NaN, 5]);
    expect(notes).toHaveLength(1);
  });

  it('falls back to naive on very short history and says so', () => {
    const result = forecast([3, 4, 5], { horizon: 2, method: 'ensemble' });
    expect(result.method).toBe('naive');
    expect(result.forecast).toEqual([5, 5]);
    expect(result.notes.join(' ')).toContain('only 3 observation(s)');
  });

  it('forecasts zero with a note when there is no history at all', () => {
    const result = forecast([null, null], { horizon: 3 });
    expect(result.forecast).toEqual([0, 0, 0]);
    expect(result.notes).toContain('no history: the forecast is zero with no spread');
  });

  it('never throws on all-zero, constant-with-one-spike or two-season series', () => {
    const cases = [new Array<number>(200).fill(0), [...new Array<number>(80).fill(7), 700, 7, 7], Array.from({ length: 110 }, (_, t) => (t % 52) + 1)];
    for (const values of cases) {
      const result = forecast(values, { horizon: 13 });
      expect(result.forecast.every(Number.isFinite)).toBe(true);
      expect(result.hi95.every(Number.isFinite)).toBe(true);
    }
  });

  it('says when a seasonal method lacks a full season and what it used instead', () => {
    const result = forecast(
      Array.from({ length: 30 }, (_, t) => t),
      { horizon: 4, method: 'snaive' },
    );
    expect(result.method).toBe('naive');
    expect(result.notes.join(' ')).toContain('needs one full season');
  });
});
