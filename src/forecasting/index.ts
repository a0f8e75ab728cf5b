/**
 * The forecasting library's public API: `forecast(values, { horizon, method })` turns one series into
 * point forecasts with 80% and 95% intervals and notes on what was done. Pure: arrays in, numbers out.
 * It never throws on odd-but-valid data (constant, zeros, negatives, gaps, short history); it only
 * refuses invalid options.
 */
import { InvalidParametersError } from '../errors/index.js';
import { MIN_MODEL_LENGTH, runMethod, type MethodOutcome } from './methods.js';
import { prepareSeries } from './prepare.js';
import { allFinite, Z80, Z95 } from './stats.js';
import { naiveForecast } from './baselines.js';
import { forecastOptionsSchema, type ForecastOptions, type ForecastResult, type Method } from './types.js';

export { METHODS, methodSchema, forecastOptionsSchema } from './types.js';
export type { ForecastOptions, ForecastResult, Method } from './types.js';
export { smape, mase, wape, owa, naiveScale, M4_WEEKLY_NAIVE2 } from './metrics.js';
export { prepareSeries, alignToGrid, type DatedValue, type PreparedSeries } from './prepare.js';

function withIntervals(outcome: MethodOutcome, nonNegative: boolean, notes: string[]): ForecastResult {
  const floor = (v: number): number => (nonNegative ? Math.max(0, v) : v);
  const band = (z: number, sign: 1 | -1) => outcome.mean.map((m, i) => floor(m + sign * z * outcome.sd[i]!));
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

export function forecast(values: readonly (number | null | undefined)[], options: ForecastOptions): ForecastResult {
  const parsed = forecastOptionsSchema.safeParse(options);
  if (!parsed.success) {
    throw new InvalidParametersError(
      'invalid forecast options',
      parsed.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message })),
    );
  }
  const { horizon, method, seasonPeriod } = parsed.data;
  const prepared = prepareSeries(values);
  const notes = [...prepared.notes];
  const y = prepared.values;
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
  let outcome = runMethod(y, chosen, horizon, seasonPeriod);
  if (!allFinite(outcome.mean) || !allFinite(outcome.sd)) {
    notes.push(`${outcome.method} gave non-finite values: naive forecast used instead`);
    outcome = { method: 'naive', notes: [], ...naiveForecast(y, horizon) };
  }
  return withIntervals(outcome, prepared.nonNegative, [...notes, ...outcome.notes]);
}
