/**
 * A small automatic ARIMA(p,1,0) with optional drift, fitted by conditional least squares and chosen by
 * AICc over p = 0..3. Autoregressions on differences capture the short-term momentum weekly series have;
 * explosive or non-finite fits fall back to the random walk (with drift when it was chosen).
 */
import { aicc, allFinite, leastSquares } from './stats.js';
import type { PointForecast } from './types.js';

const MAX_P = 3;

interface ArFit {
  p: number;
  drift: boolean;
  constant: number;
  coefficients: number[];
  sigma2: number;
  aicc: number;
}

function fitAr(d: readonly number[], p: number, drift: boolean): ArFit | null {
  const rows: number[][] = [];
  const target: number[] = [];
  // Every candidate uses the same observations (from MAX_P on), so their AICc values compare fairly.
  for (let t = MAX_P; t < d.length; t++) {
    const row: number[] = drift ? [1] : [];
    for (let i = 1; i <= p; i++) row.push(d[t - i]!);
    rows.push(row);
    target.push(d[t]!);
  }
  const n = target.length;
  const k = p + (drift ? 1 : 0);
  let beta: number[] = [];
  if (k > 0) {
    const solved = leastSquares(rows, target);
    if (solved === null || !allFinite(solved)) return null;
    beta = solved;
  }
  let sse = 0;
  for (let i = 0; i < n; i++) {
    let fitted = 0;
    for (let j = 0; j < k; j++) fitted += rows[i]![j]! * beta[j]!;
    sse += (target[i]! - fitted) ** 2;
  }
  return {
    p,
    drift,
    constant: drift ? beta[0]! : 0,
    coefficients: drift ? beta.slice(1) : beta,
    sigma2: sse / Math.max(1, n - k),
    aicc: aicc(sse, n, k + 1),
  };
}

function forecastFrom(y: readonly number[], d: readonly number[], fit: ArFit, horizon: number): PointForecast {
  const history = [...d];
  const meanPath: number[] = [];
  let last = y[y.length - 1]!;
  for (let h = 1; h <= horizon; h++) {
    let next = fit.constant;
    for (let i = 0; i < fit.p; i++) next += fit.coefficients[i]! * history[history.length - 1 - i]!;
    history.push(next);
    last += next;
    meanPath.push(last);
  }
  // psi weights of the AR part, then cumulated for the integration: Var_h = σ² Σ_{j<h} Ψ_j².
  const psi = [1];
  for (let j = 1; j < horizon; j++) {
    let value = 0;
    for (let i = 0; i < fit.p && i < j; i++) value += fit.coefficients[i]! * psi[j - 1 - i]!;
    psi.push(value);
  }
  const sd: number[] = [];
  let cumulative = 0;
  let total = 0;
  for (let j = 0; j < horizon; j++) {
    cumulative += psi[j]!;
    total += cumulative * cumulative;
    sd.push(Math.sqrt(fit.sigma2 * total));
  }
  return { mean: meanPath, sd };
}

/** A forecast is degenerate when it is not finite or runs far outside anything the history has seen. */
function degenerate(y: readonly number[], forecast: PointForecast): boolean {
  let range = 0;
  for (const v of y) range = Math.max(range, Math.abs(v));
  return !allFinite(forecast.mean) || !allFinite(forecast.sd) || forecast.mean.some((v) => Math.abs(v) > 10 * (range + 1));
}

export function arimaForecast(y: readonly number[], horizon: number): PointForecast & { order: string } {
  const d: number[] = [];
  for (let t = 1; t < y.length; t++) d.push(y[t]! - y[t - 1]!);
  const candidates: ArFit[] = [];
  if (d.length > MAX_P + 6) {
    for (let p = 0; p <= MAX_P; p++) {
      for (const drift of [false, true]) {
        const fit = fitAr(d, p, drift);
        if (fit !== null && Number.isFinite(fit.aicc)) candidates.push(fit);
      }
    }
  }
  candidates.sort((a, b) => a.aicc - b.aicc);
  for (const fit of candidates) {
    const forecast = forecastFrom(y, d, fit, horizon);
    if (!degenerate(y, forecast)) return { ...forecast, order: `ARIMA(${fit.p},1,0)${fit.drift ? ' with drift' : ''}` };
  }
  // Too short to fit anything: the random walk.
  let sse = 0;
  for (const v of d) sse += v * v;
  const sigma2 = d.length > 0 ? sse / d.length : 0;
  const last = y[y.length - 1] ?? 0;
  return {
    mean: new Array<number>(horizon).fill(last),
    sd: Array.from({ length: horizon }, (_, i) => Math.sqrt(sigma2 * (i + 1))),
    order: 'ARIMA(0,1,0)',
  };
}
