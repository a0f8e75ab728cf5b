import { describe, expect, it } from 'vitest';
import { mase, owa, smape, wape } from '../../src/forecasting/index.js';

describe('forecast accuracy measures', () => {
  it('sMAPE is 200/h times the sum of |y − f| / (|y| + |f|)', () => {
    // |100−110|/210 = 0.047619…, |200−180|/380 = 0.052631…; mean × 200
    expect(smape([100, 200], [110, 180])).toBeCloseTo(100 * (10 / 210 + 20 / 380), 10);
  });

  it('sMAPE counts a step where actual and forecast are both zero as exact', () => {
    expect(smape([0, 10], [0, 10])).toBe(0);
  });

  it('MASE divides the mean absolute error by the in-sample lag-1 naive error', () => {
    // in-sample |2−1|, |4−2|, |7−4| → scale 2; errors 1 and 3 → mean 2 → MASE 1
    expect(mase([1, 2, 4, 7], [10, 12], [9, 15])).toBeCloseTo(1, 12);
  });

  it('MASE is NaN when the history is constant (the scale is zero)', () => {
    expect(mase([5, 5, 5], [6], [5])).toBeNaN();
  });

  it('WAPE is the total absolute error over the total absolute actual', () => {
    expect(wape([100, -20, 50], [90, 0, 60])).toBeCloseTo((10 + 20 + 10) / 170, 12);
  });

  it('OWA averages sMAPE and MASE relative to the benchmark', () => {
    expect(owa(9, 3, { smape: 10, mase: 2 })).toBeCloseTo(0.5 * (0.9 + 1.5), 12);
  });
});
