/**
 * One prepared series to a forecast with intervals: the fallbacks for short history and non-finite
 * output, then the 80% and 95% bands. Shared by `forecast` (one series) and `forecastPanel` (groups).
 */
import { naiveForecast } from './baselines.js';
import { MIN_MODEL_LENGTH, runMethod, type MethodOutcome, type SeasonalChoice } from './methods.js';
import { allFinite, Z80, Z95 } from './stats.js';
import type { ForecastResult, Method, ResolvedForecastOptions } from './types.js';

export interface SeriesRun {
  /** The clean history (gaps filled), possibly denoised by pooling. */
  values: readonly number[];
  notes: readonly string[];
  nonNegative: boolean;
  /** Variance added to every step's error variance: the noise pooling removed from the history but the future will have. */
  extraVariance?: number;
  choice?: SeasonalChoice;
}

function withIntervals(outcome: MethodOutcome, nonNegative: boolean, extraVariance: number, notes: string[]): ForecastResult {
  const floor = (v: number): number => (nonNegative ? Math.max(0, v) : v);
  const sd = outcome.sd.map((s) => Math.sqrt(s * s + extraVariance));
  const band = (z: number, sign: 1 | -1) => outcome.mean.map((m, i) => floor(m + sign * z * sd[i]!));
  return {
    method: outcome.method,
    forecast: outcome.mean.map(floor),
    lo80: band(Z80, -1),
    hi80: band(Z80, 1),
    lo95: band(Z95, -1),
    hi95: band(Z95, 1),
    notes,
  };
}

export function forecastSeries(run: SeriesRun, options: ResolvedForecastOptions): ForecastResult {
  const { horizon, method, seasonPeriod, lastDay } = options;
  const notes = [...run.notes];
  const y = run.values;
  if (y.length === 0) {
    notes.push('no history: the forecast is zero with no spread');
    const zeros = new Array<number>(horizon).fill(0);
    return { method: 'naive', forecast: zeros, lo80: zeros, hi80: zeros, lo95: zeros, hi95: zeros, notes };
  }
  let chosen: Method = method;
  if (y.length < MIN_MODEL_LENGTH && method !== 'naive') {
    notes.push(`only ${y.length} observation(s): naive forecast used instead of ${method}`);
    chosen = 'naive';
  }
  let outcome = runMethod(y, chosen, horizon, seasonPeriod, run.choice, lastDay);
  if (!allFinite(outcome.mean) || !allFinite(outcome.sd)) {
    notes.push(`${outcome.method} gave non-finite values: naive forecast used instead`);
    outcome = { method: 'naive', notes: [], ...naiveForecast(y, horizon) };
  }
  return withIntervals(outcome, run.nonNegative, run.extraVariance ?? 0, [...notes, ...outcome.notes]);
}
