/**
 * How far off a forecast of a total (a chain's or a category's weekly sales) really is, measured on the
 * history itself: a rolling-origin backtest of the same forecaster on the total, which gives the scale of
 * its errors against the model's own spread and how strongly one week's error carries into the next. Sums
 * of many series' spreads in quadrature take the series as independent; totals of real stores are not
 * (Walmart: 6 of 26 chain weeks inside the 80% band built that way).
 */
import { forecastSeries } from './forecast-series.js';
import { prepareSeries } from './prepare.js';
import { Z80 } from './stats.js';
import { forecastOptionsSchema, type ForecastOptions } from './types.js';

export interface TotalErrorOptions extends ForecastOptions {
  /** Back-test origins at most (fewer when the history is short). Default 4. */
  origins?: number;
  /** Weeks between origins. Default 13 (a quarter: origins a year apart at most). */
  spacing?: number;
  /** The shortest history a back-test may train on. Default seasonPeriod + 13 (what the seasonal anchor needs). */
  minTrain?: number;
}

/** What the back-tests measured on a total's history. */
export interface TotalCalibration {
  /** Root mean square of the back-tests' errors in units of the model's spread (1: the model's spread was right). */
  scale: number;
  /**
   * The squared error (in units of the model's spread) one step ahead, and how much it grows per step further
   * ahead (≥ 0), fitted by least squares on the back-tests: a level that wanders adds variance in proportion to
   * the lead, which the seasonal anchor's own spread (flat within a year) does not show.
   */
  growth: { first: number; perStep: number };
  /** Mean error over the back-tests in the same units (positive: the forecaster was low). */
  bias: number;
  /** Mean correlation between two weeks' errors of one back-test (0–1): how much of a season's error does not average out. */
  correlation: number;
  /** The back-tests' weighted absolute percentage error per week (Σ|actual − forecast| ÷ Σ actual); NaN without back-tests. */
  weeklyError: number;
  /** The history length each back-test trained on. */
  origins: number[];
  /** Weeks scored over all back-tests. */
  scored: number;
  /** False when too few weeks could be scored: scale 1 (the model's own spread) and correlation 0.5 are assumed. */
  measured: boolean;
}

export interface TotalError extends TotalCalibration {
  /** The forecaster's own forecast of the total and its own error spread (one standard deviation) per step. */
  forecast: number[];
  modelSd: number[];
  /** The spread per step the back-tests support: modelSd × √(growth at that step). */
  sd: number[];
}

/** Below this many scored weeks the back-test says too little: the model's own spread is used (scale 1), correlation 0.5. */
const MIN_SCORED = 8;
const FALLBACK_CORRELATION = 0.5;
const DAY_MS = 86_400_000;

/** A step's standard deviation from a result's band (forecast and hi80 are floored the same way, so this is exact while the forecast is ≥ 0). */
export function spreadOf(result: { forecast: readonly number[]; hi80: readonly number[] }, i: number): number {
  return Math.max(0, (result.hi80[i]! - result.forecast[i]!) / Z80);
}

/**
 * Back-tests at origins spaced `spacing` apart from the end of `values`: each forecasts `horizon` steps ahead
 * (or to the end of the history) from the history before its origin, with the options given, and its errors are
 * scored in units of its own spread. `lastDay` is that of the last value, as for `forecast`.
 */
export function calibrateTotal(values: readonly (number | null)[], options: TotalErrorOptions): TotalCalibration {
  const resolved = forecastOptionsSchema.parse(options);
  const origins = options.origins ?? 4;
  const spacing = options.spacing ?? 13;
  const minTrain = options.minTrain ?? resolved.seasonPeriod + 13;
  const n = values.length;
  const used: number[] = [];
  /** Per back-test: [step (0-based), error in units of the model's spread]. */
  const z: [number, number][][] = [];
  let absError = 0;
  let volume = 0;
  for (let k = 1; k <= origins; k++) {
    const origin = n - k * spacing;
    if (origin < minTrain) break;
    const steps = Math.min(resolved.horizon, n - origin);
    const lastDay =
      resolved.lastDay === undefined ? undefined : new Date(Date.parse(`${resolved.lastDay}T00:00:00Z`) - 7 * (n - origin) * DAY_MS).toISOString().slice(0, 10);
    const back = forecastSeries(prepareSeries(values.slice(0, origin), resolved.floorAtZero), { ...resolved, horizon: steps, lastDay });
    const errors: [number, number][] = [];
    for (let h = 0; h < steps; h++) {
      const actual = values[origin + h];
      const sd = spreadOf(back, h);
      if (actual === null || actual === undefined || !(sd > 0)) continue;
      errors.push([h, (actual - back.forecast[h]!) / sd]);
      absError += Math.abs(actual - back.forecast[h]!);
      volume += Math.abs(actual);
    }
    if (errors.length > 0) {
      used.push(origin);
      z.push(errors);
    }
  }
  const scored = z.reduce((a, e) => a + e.length, 0);
  const weeklyError = volume > 0 ? absError / volume : Number.NaN;
  if (scored < MIN_SCORED)
    return { scale: 1, growth: { first: 1, perStep: 0 }, bias: 0, correlation: FALLBACK_CORRELATION, weeklyError, origins: used, scored, measured: false };
  const growth = fitGrowth(z);
  let squares = 0;
  let total = 0;
  let cross = 0;
  let pairs = 0;
  for (const errors of z) {
    let sum = 0;
    let sumSquares = 0;
    for (const [h, raw] of errors) {
      // Correlation between weeks is measured on errors brought to one size, so growth alone does not read as it.
      const e = raw / Math.sqrt(growthAt(growth, h));
      sum += e;
      sumSquares += e * e;
      squares += raw * raw;
      total += raw;
    }
    // Σ over ordered pairs of different weeks of e_h·e_h' = (Σe)² − Σe².
    cross += sum * sum - sumSquares;
    pairs += errors.length * (errors.length - 1);
  }
  const meanSquare = squares / scored;
  // The normalised errors have mean square 1 by construction of the fit (about): the correlation is their mean cross product.
  const normalised = z.reduce((a, errors) => a + errors.reduce((b, [h, e]) => b + (e * e) / growthAt(growth, h), 0), 0) / scored;
  const correlation = pairs > 0 && normalised > 0 ? Math.min(1, Math.max(0, cross / pairs / normalised)) : FALLBACK_CORRELATION;
  return { scale: Math.sqrt(meanSquare), growth, bias: total / scored, correlation, weeklyError, origins: used, scored, measured: true };
}

/** A squared-error level never below this share of the mean: a fit that dips near zero would promise certainty. */
const MIN_LEVEL_SHARE = 0.25;

/** Least squares of z² on the step (0-based) over every scored error ([step, error] per back-test), the slope held ≥ 0. */
export function fitGrowth(z: readonly (readonly (readonly [number, number])[])[]): { first: number; perStep: number } {
  let n = 0;
  let sx = 0;
  let sy = 0;
  let sxx = 0;
  let sxy = 0;
  for (const errors of z) {
    for (const [h, e] of errors) {
      n++;
      sx += h;
      sy += e * e;
      sxx += h * h;
      sxy += h * e * e;
    }
  }
  const mean = sy / n;
  const denominator = n * sxx - sx * sx;
  const slope = denominator > 0 ? (n * sxy - sx * sy) / denominator : 0;
  if (!(slope > 0)) return { first: mean, perStep: 0 };
  const first = (sy - slope * sx) / n;
  return { first: Math.max(first, MIN_LEVEL_SHARE * mean), perStep: slope };
}

/** The squared-error size h steps ahead (0-based), in units of the model's spread. */
export function growthAt(growth: { first: number; perStep: number }, h: number): number {
  return growth.first + growth.perStep * h;
}

/** The total's own forecast over `horizon` steps with the spread its back-tests support (see calibrateTotal). */
export function totalError(values: readonly (number | null)[], options: TotalErrorOptions): TotalError {
  const resolved = forecastOptionsSchema.parse(options);
  const own = forecastSeries(prepareSeries(values, resolved.floorAtZero), resolved);
  const modelSd = own.forecast.map((_, i) => spreadOf(own, i));
  const calibration = calibrateTotal(values, options);
  return { ...calibration, forecast: own.forecast, modelSd, sd: modelSd.map((s, h) => s * Math.sqrt(growthAt(calibration.growth, h))) };
}

/**
 * The spread of a sum over steps whose errors have spreads `sd` and a common correlation ρ between any two:
 * √((1 − ρ)·Σ sd² + ρ·(Σ sd)²); ρ = 0 is independent weeks, ρ = 1 an error that never averages out.
 */
export function sumSpread(sd: readonly number[], correlation: number): number {
  let sum = 0;
  let squares = 0;
  for (const s of sd) {
    sum += s;
    squares += s * s;
  }
  return Math.sqrt((1 - correlation) * squares + correlation * sum * sum);
}
