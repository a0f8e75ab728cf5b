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
  /** Periods between the last observation and the end of the input (missing at its end): the forecast starts that much further ahead. */
  trailingMissing?: number;
}

const DAY_MS = 86_400_000;

/** `lastDay` moved back by `periods` weeks: the calendar is given for weekly data only (seasonPeriod 52). */
function shiftWeeks(lastDay: string | undefined, periods: number): string | undefined {
  if (lastDay === undefined || periods === 0) return lastDay;
  return new Date(Date.parse(`${lastDay}T00:00:00Z`) - 7 * periods * DAY_MS).toISOString().slice(0, 10);
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

/**
 * The forecast for the `horizon` periods after the input's end. When the input ended with missing periods the
 * model forecasts them too (it never fills them from the last value) and they are dropped from the result.
 */
export function forecastSeries(run: SeriesRun, options: ResolvedForecastOptions): ForecastResult {
  const skipped = run.trailingMissing ?? 0;
  const result = forecastAhead(run, { ...options, horizon: options.horizon + skipped, lastDay: shiftWeeks(options.lastDay, skipped) });
  if (skipped === 0) return result;
  const tail = (values: number[]) => values.slice(skipped);
  return { ...result, forecast: tail(result.forecast), lo80: tail(result.lo80), hi80: tail(result.hi80), lo95: tail(result.lo95), hi95: tail(result.hi95) };
}

function forecastAhead(run: SeriesRun, options: ResolvedForecastOptions): ForecastResult {
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
