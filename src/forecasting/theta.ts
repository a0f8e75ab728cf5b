/**
 * Optimised Theta: the series' linear trend extrapolated, combined with simple exponential smoothing
 * of the "theta line" θ·y + (1−θ)·trend. θ = 2 is the classic Theta method (M3's winner); here θ is
 * chosen from a small grid by the in-sample one-step error, and the smoothing weight is fitted by SSE.
 */
import { nelderMead } from './optimize.js';
import { linearTrend, mean } from './stats.js';
import type { PointForecast } from './types.js';

const THETAS = [1, 1.5, 2, 2.5, 3, 4] as const;

interface ThetaRun {
  theta: number;
  alpha: number;
  level: number;
  sse: number;
}

/** SES of the theta line; the one-step errors are those of the combined forecast (trend part + SES part / θ). */
function runTheta(y: readonly number[], theta: number, intercept: number, slope: number, alpha: number, level0: number): ThetaRun {
  let level = level0;
  let sse = 0;
  for (let t = 0; t < y.length; t++) {
    const trend = intercept + slope * t;
    const z = theta * y[t]! + (1 - theta) * trend;
    const fitted = (1 - 1 / theta) * trend + level / theta;
    sse += (y[t]! - fitted) ** 2;
    level += alpha * (z - level);
  }
  return { theta, alpha, level, sse };
}

function fitTheta(y: readonly number[], theta: number, intercept: number, slope: number): ThetaRun {
  const z0 = theta * y[0]! + (1 - theta) * intercept;
  const spread = Math.abs(mean(y)) * 0.1 + 1e-6;
  const objective = (x: number[]): number => {
    const alpha = x[0]!;
    if (!(alpha >= 1e-4 && alpha <= 0.9999)) return Number.POSITIVE_INFINITY;
    return runTheta(y, theta, intercept, slope, alpha, x[1]!).sse;
  };
  const best = nelderMead(objective, [0.3, z0], { step: [0.1, spread], maxEvaluations: 200, tolerance: 1e-7 });
  return runTheta(y, theta, intercept, slope, best.x[0]!, best.x[1]!);
}

export function thetaForecast(y: readonly number[], horizon: number): PointForecast & { theta: number } {
  const n = y.length;
  const { intercept, slope } = linearTrend(y);
  let best: ThetaRun | undefined;
  for (const theta of THETAS) {
    const run = fitTheta(y, theta, intercept, slope);
    if (best === undefined || run.sse < best.sse) best = run;
  }
  const fit = best!;
  const sigma2 = fit.sse / Math.max(1, n - 3);
  const meanPath: number[] = [];
  const sd: number[] = [];
  for (let h = 1; h <= horizon; h++) {
    const trend = intercept + slope * (n - 1 + h);
    meanPath.push((1 - 1 / fit.theta) * trend + fit.level / fit.theta);
    sd.push(Math.sqrt(sigma2 * (1 + (h - 1) * fit.alpha ** 2)));
  }
  return { mean: meanPath, sd, theta: fit.theta };
}
