/**
 * The forecasting library's public API: `forecast(values, { horizon, method })` turns one series into
 * point forecasts with 80% and 95% intervals and notes on what was done. Pure: arrays in, numbers out.
 * It never throws on odd-but-valid data (constant, zeros, negatives, gaps, short history); it only
 * refuses invalid options. Missing values at the end are forecast, never filled with the last one.
 */
import { InvalidParametersError } from '../errors/index.js';
import { forecastSeries } from './forecast-series.js';
import { prepareSeries } from './prepare.js';
import { forecastOptionsSchema, type ForecastOptions, type ForecastResult } from './types.js';

export { METHODS, methodSchema, forecastOptionsSchema } from './types.js';
export type { ForecastOptions, ForecastResult, Method } from './types.js';
export { smape, mase, wape, owa, naiveScale, M4_WEEKLY_NAIVE2 } from './metrics.js';
export { prepareSeries, alignToGrid, type DatedValue, type PreparedSeries } from './prepare.js';
export { totalError, calibrateTotal, growthAt, sumSpread, spreadOf, type TotalError, type TotalCalibration, type TotalErrorOptions } from './totals.js';
export {
  forecastPanel,
  forecastPanelInSlices,
  panelOptionsSchema,
  panelSeriesSchema,
  type PanelOptions,
  type PanelSeries,
  type PanelForecastResult,
} from './panel.js';

export function forecast(values: readonly (number | null | undefined)[], options: ForecastOptions): ForecastResult {
  const parsed = forecastOptionsSchema.safeParse(options);
  if (!parsed.success) {
    throw new InvalidParametersError(
      'invalid forecast options',
      parsed.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message })),
    );
  }
  return forecastSeries(prepareSeries(values, parsed.data.floorAtZero), parsed.data);
}
