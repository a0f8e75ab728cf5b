// Missing last values are forecast, never carried forward; a total's spread is measured by back-tests of the same forecaster.
import { describe, expect, it } from 'vitest';
import { calibrateTotal, forecast, forecastPanel, growthAt, sumSpread } from '../../src/forecasting/index.js';
import { fitGrowth } from '../../src/forecasting/totals.js';

/** A seeded normal draw (Box–Muller on a linear congruential generator): tests need the same series every run. */
function normals(seed: number) {
  let state = seed >>> 0;
  const uniform = () => ((state = (Math.imul(state, 1664525) + 1013904223) >>> 0) + 0.5) / 2 ** 32;
  return () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
}

const seasonal = (weeks: number, seed: number, walk = 0) => {
  const z = normals(seed);
  let level = 100;
  return Array.from({ length: weeks }, (_, t) => {
    level += walk * z();
    return level + 30 * Math.sin((2 * Math.PI * t) / 52) + 5 * z();
  });
};

describe('missing values at the end of a series', () => {
  it('are forecast as steps ahead, exactly as the shorter series forecast further out', () => {
    const history = seasonal(120, 1);
    const padded = [...history, null, null, null];
    const fromPadded = forecast(padded, { horizon: 4, lastDay: '2025-12-28' });
    const fromHistory = forecast(history, { horizon: 7, lastDay: '2025-12-07' });
    expect(fromPadded.forecast).toEqual(fromHistory.forecast.slice(3));
    expect(fromPadded.hi95).toEqual(fromHistory.hi95.slice(3));
    expect(fromPadded.notes.join(' ')).toContain('3 trailing missing value(s) are not history');
  });

  it('never become a flat level of the last value: a seasonal series keeps its pattern across a long gap', () => {
    const history = seasonal(104, 2);
    const result = forecast([...history, ...new Array<null>(26).fill(null)], { horizon: 13 });
    const last = history.at(-1)!;
    expect(Math.max(...result.forecast) - Math.min(...result.forecast)).toBeGreaterThan(20);
    expect(result.forecast.some((v) => Math.abs(v - last) > 10)).toBe(true);
  });

  it('leave a panel series out of pooling (it ends earlier than its group) and forecast it to the group’s weeks', () => {
    const group = [1, 2, 3, 4].map((seed) => ({ id: `s${seed}`, group: 'g', values: seasonal(104, seed) }));
    const short = { id: 'short', group: 'g', values: [...seasonal(100, 9), null, null, null, null] };
    const [result] = forecastPanel([short, ...group], { horizon: 6, method: 'seasonal' }).filter((r) => r.id === 'short');
    expect(result!.forecast).toEqual(forecast(seasonal(100, 9), { horizon: 10, method: 'seasonal' }).forecast.slice(4));
    expect(result!.notes.join(' ')).not.toContain('pooled');
  });
});

describe('the spread of a total, measured on its history', () => {
  it('finds the model’s own spread about right on a stable seasonal series', () => {
    const calibration = calibrateTotal(seasonal(156, 3), { horizon: 26, lastDay: '2025-12-28' });
    expect(calibration.measured).toBe(true);
    expect(calibration.origins).toEqual([143, 130, 117, 104]);
    expect(calibration.scale).toBeGreaterThan(0.6);
    expect(calibration.scale).toBeLessThan(1.6);
  });

  it('fits errors that grow with the lead as a squared size rising per step, and never lets it fall', () => {
    // Errors whose square is exactly 1 + 0.1·step, in two back-tests.
    const growing = [0, 1, 2].map(() => Array.from({ length: 20 }, (_, h) => [h, Math.sqrt(1 + 0.1 * h)] as [number, number]));
    const fit = fitGrowth(growing);
    expect(fit.first).toBeCloseTo(1, 9);
    expect(fit.perStep).toBeCloseTo(0.1, 9);
    expect(growthAt(fit, 40)).toBeCloseTo(5, 9);
    const shrinking = [Array.from({ length: 10 }, (_, h) => [h, 3 - 0.2 * h] as [number, number])];
    expect(fitGrowth(shrinking).perStep).toBe(0);
  });

  it('says when the history is too short to back-test and keeps the model’s own spread', () => {
    const calibration = calibrateTotal(seasonal(60, 5), { horizon: 13 });
    expect(calibration).toMatchObject({ measured: false, scale: 1, scored: 0 });
  });

  it('adds a season’s weeks between independence and full correlation', () => {
    expect(sumSpread([3, 4], 0)).toBeCloseTo(5, 10);
    expect(sumSpread([3, 4], 1)).toBeCloseTo(7, 10);
    expect(sumSpread([1, 1, 1, 1], 0.5)).toBeCloseTo(Math.sqrt(0.5 * 4 + 0.5 * 16), 10);
  });
});
