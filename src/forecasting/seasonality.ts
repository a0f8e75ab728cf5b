/** Detecting and estimating yearly seasonality: M4's autocorrelation test, classical indices, and Fourier terms for the 52.18-week year. */
import { autocorrelations, leastSquares, aicc } from './stats.js';

/** Weeks in a mean Gregorian year: weekly seasonality is not a whole number of observations. */
export const WEEKS_PER_YEAR = 365.2425 / 7;

/** M4's test: the lag-m autocorrelation exceeds 1.645 × its Bartlett standard error (90%, one-sided). Needs 3 seasons. */
export function isSeasonal(y: readonly number[], period: number): boolean {
  if (period <= 1 || y.length < 3 * period) return false;
  const r = autocorrelations(y, period);
  let squares = 0;
  for (let k = 0; k < period - 1; k++) squares += r[k]! ** 2;
  const limit = 1.645 * Math.sqrt((1 + 2 * squares) / y.length);
  return Math.abs(r[period - 1]!) > limit;
}

/** Centred moving average over one season (2×m when m is even): the trend-cycle of classical decomposition. */
export function centredMovingAverage(y: readonly number[], period: number): (number | undefined)[] {
  const n = y.length;
  const half = Math.floor(period / 2);
  const result: (number | undefined)[] = new Array<number | undefined>(n).fill(undefined);
  for (let t = half; t < n - half; t++) {
    let total = 0;
    if (period % 2 === 0) {
      for (let j = -half; j <= half; j++) total += (Math.abs(j) === half ? 0.5 : 1) * y[t + j]!;
    } else {
      for (let j = -half; j <= half; j++) total += y[t + j]!;
    }
    result[t] = total / period;
  }
  return result;
}

/** Classical multiplicative seasonal indices (mean ratio to the centred moving average, normalised to average 1). */
export function classicalSeasonalIndices(y: readonly number[], period: number): number[] {
  const trend = centredMovingAverage(y, period);
  const totals = new Array<number>(period).fill(0);
  const counts = new Array<number>(period).fill(0);
  y.forEach((v, t) => {
    const level = trend[t];
    if (level !== undefined && level > 0) {
      totals[t % period]! += v / level;
      counts[t % period]!++;
    }
  });
  const raw = totals.map((total, i) => (counts[i]! > 0 ? total / counts[i]! : 1));
  const average = raw.reduce((a, b) => a + b, 0) / period;
  return raw.map((v) => v / average);
}

function fourierRow(t: number, harmonics: number, cycle: number): number[] {
  const row: number[] = [];
  for (let k = 1; k <= harmonics; k++) {
    const angle = (2 * Math.PI * k * t) / cycle;
    row.push(Math.sin(angle), Math.cos(angle));
  }
  return row;
}

export interface FourierSeason {
  harmonics: number;
  /** The seasonal component at time index t (0 = first observation; may be beyond the history). */
  at: (t: number) => number;
}

/**
 * Additive yearly seasonality as K sine/cosine pairs, fitted to the data minus its centred moving average;
 * K is chosen by AICc. For weekly data (period 52) the cycle is the true 52.18-week year. Null when no K
 * improves on no seasonality.
 */
export function fitFourierSeason(y: readonly number[], period: number, maxHarmonics = 12): FourierSeason | null {
  const cycle = period === 52 ? WEEKS_PER_YEAR : period;
  const trend = centredMovingAverage(y, period);
  const times: number[] = [];
  const detrended: number[] = [];
  trend.forEach((level, t) => {
    if (level !== undefined) {
      times.push(t);
      detrended.push(y[t]! - level);
    }
  });
  const n = detrended.length;
  if (n < period) return null;
  let baseSse = 0;
  for (const v of detrended) baseSse += v * v;
  let best: { harmonics: number; coefficients: number[]; score: number } | null = null;
  const baseScore = aicc(baseSse, n, 1);
  const kMax = Math.min(maxHarmonics, Math.floor(period / 2));
  // Sines and cosines once for the most harmonics tried; each K uses the first 2K columns
  // (recomputing them per K was a third of a panel forecast's time).
  const allRows = times.map((t) => fourierRow(t, kMax, cycle));
  for (let k = 1; k <= kMax && 2 * k + 2 < n / 2; k++) {
    const rows = allRows.map((row) => row.slice(0, 2 * k));
    const coefficients = leastSquares(rows, detrended);
    if (coefficients === null) continue;
    let sse = 0;
    rows.forEach((row, i) => {
      let fitted = 0;
      for (let j = 0; j < row.length; j++) fitted += row[j]! * coefficients[j]!;
      sse += (detrended[i]! - fitted) ** 2;
    });
    const score = aicc(sse, n, 2 * k + 1);
    if (score < (best?.score ?? baseScore)) best = { harmonics: k, coefficients, score };
  }
  if (best === null) return null;
  const { harmonics, coefficients } = best;
  return {
    harmonics,
    at: (t: number) => fourierRow(t, harmonics, cycle).reduce((acc, v, j) => acc + v * coefficients[j]!, 0),
  };
}
