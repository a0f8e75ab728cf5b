// Figures shown to planners (sell-through, variance, the forecast's calibration) are rounded by roundTo (season.ts).
import { expect, it } from 'vitest';
import { roundTo } from '../../../src/workflows/season-planning/season.js';

it('gives a figure to the decimals asked, printed without float noise (0.33283, not 0.33282999999999996)', () => {
  expect(roundTo(0.332834, 5)).toBe(0.33283);
  expect(String(roundTo(0.57, 5))).toBe('0.57');
  expect(roundTo(0.0412345, 6)).toBe(0.041235);
  // A fine grid over [0, 1): within half a unit of the last decimal, and printed with no more decimals than asked.
  for (let i = 0; i < 20_000; i++) {
    const value = i / 20_000 + 1e-7;
    const rounded = roundTo(value, 5);
    expect(Math.abs(rounded - value)).toBeLessThanOrEqual(5e-6 + 1e-12);
    expect(String(rounded).replace(/^0\.?/, '').length).toBeLessThanOrEqual(5);
  }
});
