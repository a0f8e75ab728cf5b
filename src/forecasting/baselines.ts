/** The benchmarks every method is judged against: naive, seasonal naive and M4's Naive2 (naive on seasonally adjusted data). */
import { classicalSeasonalIndices, isSeasonal } from './seasonality.js';
import type { PointForecast } from './types.js';

function residualSd(y: readonly number[], lag: number): number {
  let sse = 0;
  let count = 0;
  for (let t = lag; t < y.length; t++) {
    sse += (y[t]! - y[t - lag]!) ** 2;
    count++;
  }
  return count > 0 ? Math.sqrt(sse / count) : 0;
}

/** The last value carried forward; the error of a random walk grows with √h. */
export function naiveForecast(y: readonly number[], horizon: number): PointForecast {
  const last = y[y.length - 1] ?? 0;
  const sigma = residualSd(y, 1);
  return {
    mean: new Array<number>(horizon).fill(last),
    sd: Array.from({ length: horizon }, (_, i) => sigma * Math.sqrt(i + 1)),
  };
}

/** The value one season earlier; needs at least one full season (the caller falls back to naive otherwise). */
export function seasonalNaiveForecast(y: readonly number[], horizon: number, period: number): PointForecast {
  const n = y.length;
  const sigma = residualSd(y, period);
  const meanPath: number[] = [];
  const sd: number[] = [];
  for (let h = 1; h <= horizon; h++) {
    const seasonsBack = Math.ceil(h / period);
    meanPath.push(y[n - seasonsBack * period + ((h - 1) % period)]!);
    sd.push(sigma * Math.sqrt(seasonsBack));
  }
  return { mean: meanPath, sd };
}

/**
 * M4's Naive2: naive on data divided by classical multiplicative seasonal indices when a 90% autocorrelation
 * test finds seasonality, reseasonalised after. M4 scored weekly series with period 1, where it equals naive.
 */
export function naive2Forecast(y: readonly number[], horizon: number, period: number): PointForecast {
  const n = y.length;
  if (period <= 1 || !isSeasonal(y, period) || y.some((v) => v <= 0)) return naiveForecast(y, horizon);
  const indices = classicalSeasonalIndices(y, period);
  const adjusted = y.map((v, t) => v / indices[t % period]!);
  const base = naiveForecast(adjusted, horizon);
  const factor = (h: number): number => indices[(n - 1 + h) % period]!;
  return { mean: base.mean.map((v, i) => v * factor(i + 1)), sd: base.sd.map((v, i) => v * factor(i + 1)) };
}
