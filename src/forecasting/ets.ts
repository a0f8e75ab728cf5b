/**
 * Exponential smoothing with additive errors (ETS): SES (A,N,N), Holt (A,A,N) and damped trend (A,Ad,N).
 * Smoothing parameters and initial states minimise the sum of squared one-step errors (the Gaussian
 * likelihood for additive errors); the form is chosen by AICc. Seasonality is handled outside, by
 * deseasonalising (see seasonal.ts), because a 52-state seasonal vector is poorly identified on weekly data.
 */
import { nelderMead } from './optimize.js';
import { aicc, linearTrend, mean, variance } from './stats.js';
import type { PointForecast } from './types.js';

export type EtsTrend = 'none' | 'additive' | 'damped';

export interface EtsFit {
  trend: EtsTrend;
  alpha: number;
  beta: number;
  phi: number;
  level: number;
  slope: number;
  sse: number;
  sigma2: number;
  aicc: number;
}

const PHI_MIN = 0.8;
const PHI_MAX = 0.98;

/** Runs the filter; returns the SSE and the final states, or Infinity for parameters outside their bounds. */
function filter(y: readonly number[], alpha: number, beta: number, phi: number, level0: number, slope0: number) {
  let level = level0;
  let slope = slope0;
  let sse = 0;
  for (let t = 0; t < y.length; t++) {
    const fitted = level + phi * slope;
    const error = y[t]! - fitted;
    sse += error * error;
    level = fitted + alpha * error;
    slope = phi * slope + beta * error;
  }
  return { sse, level, slope };
}

function parametersFor(trend: EtsTrend, x: readonly number[]) {
  const alpha = x[0]!;
  const level0 = x[1]!;
  if (trend === 'none') return { alpha, beta: 0, phi: 0, level0, slope0: 0 };
  const beta = x[2]!;
  const slope0 = x[3]!;
  const phi = trend === 'damped' ? x[4]! : 1;
  return { alpha, beta, phi, level0, slope0 };
}

function withinBounds(trend: EtsTrend, p: ReturnType<typeof parametersFor>): boolean {
  if (!(p.alpha >= 1e-4 && p.alpha <= 0.9999)) return false;
  if (trend === 'none') return true;
  if (!(p.beta >= 1e-4 && p.beta <= p.alpha)) return false;
  return trend !== 'damped' || (p.phi >= PHI_MIN && p.phi <= PHI_MAX);
}

/** Fits one ETS form to y (at least 3 observations; 5 for trended forms is sensible). */
export function fitEts(y: readonly number[], trend: EtsTrend): EtsFit {
  const n = y.length;
  const head = y.slice(0, Math.min(n, 10));
  const start = linearTrend(head);
  const scale = Math.sqrt(variance(y)) || Math.abs(mean(y)) || 1;
  const x0 = trend === 'none' ? [0.3, mean(y.slice(0, Math.min(n, 5)))] : [0.3, start.intercept, 0.05, start.slope];
  const step = trend === 'none' ? [0.1, 0.1 * scale] : [0.1, 0.1 * scale, 0.02, 0.01 * scale];
  if (trend === 'damped') {
    x0.push(0.9);
    step.push(0.03);
  }
  const objective = (x: number[]): number => {
    const p = parametersFor(trend, x);
    if (!withinBounds(trend, p)) return Number.POSITIVE_INFINITY;
    return filter(y, p.alpha, p.beta, p.phi, p.level0, p.slope0).sse;
  };
  const best = nelderMead(objective, x0, { step, maxEvaluations: 120 * x0.length, tolerance: 1e-7 });
  const p = parametersFor(trend, best.x);
  const run = filter(y, p.alpha, p.beta, p.phi, p.level0, p.slope0);
  const k = x0.length + 1;
  const sse = Number.isFinite(run.sse) ? run.sse : Number.POSITIVE_INFINITY;
  return {
    trend,
    alpha: p.alpha,
    beta: p.beta,
    phi: trend === 'none' ? 1 : p.phi,
    level: run.level,
    slope: run.slope,
    sse,
    sigma2: sse / Math.max(1, n - k + 1),
    aicc: aicc(sse, n, k),
  };
}

/** Point forecasts and error standard deviations (Hyndman et al. 2008, class 1 variance). */
export function etsForecast(fit: EtsFit, horizon: number): PointForecast {
  const meanPath: number[] = [];
  const sd: number[] = [];
  const phi = fit.trend === 'none' ? 0 : fit.phi;
  let dampedSum = 0;
  let varianceSum = 0;
  for (let h = 1; h <= horizon; h++) {
    dampedSum += phi ** h;
    meanPath.push(fit.level + dampedSum * fit.slope);
    // c_{h-1} = alpha + beta (phi + … + phi^{h-1}) is the weight of the error made h-1 steps before.
    if (h > 1) varianceSum += (fit.alpha + fit.beta * (dampedSum - phi ** h)) ** 2;
    sd.push(Math.sqrt(fit.sigma2 * (1 + varianceSum)));
  }
  return { mean: meanPath, sd };
}

/** Fits the forms the history supports and keeps the one with the lowest AICc. */
export function autoEts(y: readonly number[], horizon: number, trends: readonly EtsTrend[] = ['none', 'additive', 'damped']): PointForecast & { fit: EtsFit } {
  const usable = trends.filter((t) => t === 'none' || y.length >= 8);
  let best: EtsFit | undefined;
  for (const trend of usable.length > 0 ? usable : (['none'] as const)) {
    const fit = fitEts(y, trend);
    if (best === undefined || fit.aicc < best.aicc) best = fit;
  }
  const fit = best!;
  return { ...etsForecast(fit, horizon), fit };
}
