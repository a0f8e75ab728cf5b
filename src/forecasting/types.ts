/** The public shapes of the forecasting library: options in, one forecast with intervals and notes out. */
import { z } from 'zod';

export const METHODS = ['ensemble', 'ets', 'theta', 'arima', 'naive', 'snaive', 'naive2', 'seasonal'] as const;
export const methodSchema = z.enum(METHODS);
export type Method = z.infer<typeof methodSchema>;

export const forecastOptionsSchema = z.object({
  horizon: z.number().int().min(1).max(520),
  method: methodSchema.default('ensemble'),
  /** Observations per year for seasonal methods: 52 for weekly data (the default), 1 for none. */
  seasonPeriod: z.number().int().min(1).max(366).default(52),
  /**
   * The last day the last observation covers (ISO `YYYY-MM-DD`; for weekly sales labelled by week start,
   * that date + 6). Optional: with it and seasonPeriod 52, the seasonal anchor lines last year's weeks up
   * with this year's around Christmas and Easter (calendar.ts); without it a year back is simply 52 weeks.
   */
  lastDay: z.iso.date('expected a calendar date, YYYY-MM-DD').optional(),
  /**
   * Floors forecasts and lower bounds at zero even when the history holds negative weeks (returns): demand
   * cannot be negative, and a buy or an allocation planned on a negative week is nonsense. Without it only a
   * history with no negative value is floored (a series that can go below zero keeps its sign).
   */
  floorAtZero: z.boolean().default(false),
});
export type ForecastOptions = z.input<typeof forecastOptionsSchema>;
export type ResolvedForecastOptions = z.output<typeof forecastOptionsSchema>;

export interface ForecastResult {
  /** The method that produced the numbers (may differ from the one asked for: see notes). */
  method: Method;
  forecast: number[];
  lo80: number[];
  hi80: number[];
  lo95: number[];
  hi95: number[];
  /** Plain sentences on what was done to the data and any fallback taken. */
  notes: string[];
}

/** What each member method returns internally: point forecasts and the standard deviation of each step's error. */
export interface PointForecast {
  mean: number[];
  sd: number[];
}
