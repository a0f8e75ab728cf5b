/** Forecasting a batch of series and turning the results into output rows; shared by the main thread and the workers. */
import { forecast, type Method } from '../../forecasting/index.js';
import type { InputSeries } from './input.js';

export interface BatchJob {
  series: InputSeries[];
  horizon: number;
  method: Method;
}

/** series_id, step, forecast, lo80, hi80, lo95, hi95 */
export type OutputRow = [string, number, number, number, number, number, number];

export function forecastOne(series: InputSeries, horizon: number, method: Method): OutputRow[] {
  const result = forecast(series.values, { horizon, method, seasonPeriod: 52 });
  return result.forecast.map((value, i) => [series.id, i + 1, value, result.lo80[i]!, result.hi80[i]!, result.lo95[i]!, result.hi95[i]!]);
}
