/** In-season variance of actual sales against the forecast, per week and over the weeks seen so far. */
import { z } from 'zod';
import { InvalidParametersError } from '../errors/index.js';
import { parseInput } from './parse-input.js';

/** The variance that triggers a re-forecast unless the run says otherwise (issue 6: "above 20%"). */
export const DEFAULT_VARIANCE_THRESHOLD = 0.2;

const seriesSchema = z.array(z.number());

export interface WeekVariance {
  /** 0-based week of the season. */
  week: number;
  actual: number;
  forecast: number;
  /** (actual − forecast) / forecast; null when the forecast is 0 and the actual is not (see relativeVariance). */
  variance: number | null;
}

export interface VarianceReport {
  weeks: WeekVariance[];
  /** Over the weeks that have actuals: Σ actual, Σ forecast and (Σ actual − Σ forecast) / Σ forecast. */
  aggregate: { weeks: number; actual: number; forecast: number; variance: number | null };
}

/**
 * (actual − forecast) / |forecast|: the absolute value keeps the sign meaning "above plan" even for a
 * negative forecast (net returns). A forecast of 0 has no relative error: 0 when the actual is 0 too,
 * null otherwise, meaning "sold something against a plan of nothing", an unbounded variance that
 * exceedsThreshold treats as above any threshold. Null rather than Infinity because JSON and zod
 * carry no Infinity.
 */
export function relativeVariance(actual: number, forecast: number): number | null {
  if (forecast === 0) return actual === 0 ? 0 : null;
  return (actual - forecast) / Math.abs(forecast);
}

/** Actuals cover the weeks seen so far, so `actual` may be shorter than `forecast` but never longer. */
export function variance(actual: readonly number[], forecast: readonly number[]): VarianceReport {
  const actuals = parseInput(seriesSchema, actual, 'variance actuals');
  const forecasts = parseInput(seriesSchema, forecast, 'variance forecast');
  if (actuals.length > forecasts.length) {
    throw new InvalidParametersError('variance: more weeks of actuals than of forecast', [
      { path: 'actual', message: `${actuals.length} weeks of actuals against ${forecasts.length} of forecast` },
    ]);
  }
  const weeks = actuals.map((a, week) => {
    const f = forecasts[week]!;
    return { week, actual: a, forecast: f, variance: relativeVariance(a, f) };
  });
  const actualTotal = weeks.reduce((sum, w) => sum + w.actual, 0);
  const forecastTotal = weeks.reduce((sum, w) => sum + w.forecast, 0);
  return {
    weeks,
    aggregate: { weeks: weeks.length, actual: actualTotal, forecast: forecastTotal, variance: relativeVariance(actualTotal, forecastTotal) },
  };
}

/** |v| strictly above the threshold ("above 20%"); null (sales against a zero forecast) always exceeds. */
export function exceedsThreshold(v: number | null, threshold: number = DEFAULT_VARIANCE_THRESHOLD): boolean {
  return v === null || Math.abs(v) > threshold;
}
