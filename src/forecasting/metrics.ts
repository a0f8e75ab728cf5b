/** Forecast accuracy measures with the M4 competition's definitions (sMAPE, MASE, OWA) and WAPE for retail. */
import { mean } from './stats.js';

/** Symmetric MAPE in percent: 200/h · Σ |y − f| / (|y| + |f|); a step where both are zero counts as exact. */
export function smape(actual: readonly number[], forecast: readonly number[]): number {
  const h = Math.min(actual.length, forecast.length);
  if (h === 0) return 0;
  let total = 0;
  for (let i = 0; i < h; i++) {
    const y = actual[i]!;
    const f = forecast[i]!;
    const denominator = Math.abs(y) + Math.abs(f);
    if (denominator > 0) total += Math.abs(y - f) / denominator;
  }
  return (200 * total) / h;
}

/** In-sample mean absolute error of the seasonal naive forecast with period m (M4 scales weekly data with m = 1). */
export function naiveScale(insample: readonly number[], m = 1): number {
  const diffs: number[] = [];
  for (let t = m; t < insample.length; t++) diffs.push(Math.abs(insample[t]! - insample[t - m]!));
  return mean(diffs);
}

/**
 * Mean absolute scaled error: the forecast's mean absolute error over the in-sample naive error.
 * NaN when the scale is zero (a constant history), so callers can see the measure is undefined.
 */
export function mase(insample: readonly number[], actual: readonly number[], forecast: readonly number[], m = 1): number {
  const h = Math.min(actual.length, forecast.length);
  const scale = naiveScale(insample, m);
  if (h === 0) return 0;
  let total = 0;
  for (let i = 0; i < h; i++) total += Math.abs(actual[i]! - forecast[i]!);
  return scale > 0 ? total / h / scale : Number.NaN;
}

/** Weighted absolute percentage error: Σ|y − f| / Σ|y| (the usual retail measure; summed over every series and step). */
export function wape(actual: readonly number[], forecast: readonly number[]): number {
  let error = 0;
  let volume = 0;
  for (let i = 0; i < Math.min(actual.length, forecast.length); i++) {
    error += Math.abs(actual[i]! - forecast[i]!);
    volume += Math.abs(actual[i]!);
  }
  return volume > 0 ? error / volume : Number.NaN;
}

/** M4 overall weighted average: the mean of sMAPE and MASE, each relative to a benchmark's (Naive2 in M4). */
export function owa(smapeValue: number, maseValue: number, benchmark: { smape: number; mase: number }): number {
  return 0.5 * (smapeValue / benchmark.smape + maseValue / benchmark.mase);
}

/** The Naive2 figures M4 published for its weekly test set; OWA against these is the fixed-constant form. */
export const M4_WEEKLY_NAIVE2 = { smape: 9.161, mase: 2.777 } as const;
