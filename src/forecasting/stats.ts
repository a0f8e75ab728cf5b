/** Small numeric helpers shared by the forecasting methods: sums, regression, autocorrelation, normal quantiles. */

export function sum(values: readonly number[]): number {
  let total = 0;
  for (const v of values) total += v;
  return total;
}

export function mean(values: readonly number[]): number {
  return values.length === 0 ? 0 : sum(values) / values.length;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function variance(values: readonly number[]): number {
  if (values.length < 2) return 0;
  const m = mean(values);
  let total = 0;
  for (const v of values) total += (v - m) ** 2;
  return total / (values.length - 1);
}

/** Ordinary least squares of y on t = 0..n-1: intercept and slope. */
export function linearTrend(values: readonly number[]): { intercept: number; slope: number } {
  const n = values.length;
  if (n < 2) return { intercept: values[0] ?? 0, slope: 0 };
  const tMean = (n - 1) / 2;
  const yMean = mean(values);
  let sxy = 0;
  let sxx = 0;
  for (let t = 0; t < n; t++) {
    sxy += (t - tMean) * (values[t]! - yMean);
    sxx += (t - tMean) ** 2;
  }
  const slope = sxy / sxx;
  return { intercept: yMean - slope * tMean, slope };
}

/** Sample autocorrelations r_1..r_maxLag (r_k = 0 where the series is constant or too short). */
export function autocorrelations(values: readonly number[], maxLag: number): number[] {
  const n = values.length;
  const m = mean(values);
  let denominator = 0;
  for (const v of values) denominator += (v - m) ** 2;
  const result: number[] = [];
  for (let k = 1; k <= maxLag; k++) {
    if (denominator === 0 || k >= n) {
      result.push(0);
      continue;
    }
    let numerator = 0;
    for (let t = k; t < n; t++) numerator += (values[t]! - m) * (values[t - k]! - m);
    result.push(numerator / denominator);
  }
  return result;
}

/** Solves A x = b (A square, row-major) by Gaussian elimination with partial pivoting; null when singular. */
export function solveLinear(a: number[][], b: number[]): number[] | null {
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i]!]);
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(m[r]![col]!) > Math.abs(m[pivot]![col]!)) pivot = r;
    if (Math.abs(m[pivot]![col]!) < 1e-12) return null;
    [m[col], m[pivot]] = [m[pivot]!, m[col]!];
    const pivotRow = m[col]!;
    for (let r = col + 1; r < n; r++) {
      const row = m[r]!;
      const factor = row[col]! / pivotRow[col]!;
      for (let c = col; c <= n; c++) row[c]! -= factor * pivotRow[c]!;
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    const row = m[r]!;
    let acc = row[n]!;
    for (let c = r + 1; c < n; c++) acc -= row[c]! * x[c]!;
    x[r] = acc / row[r]!;
  }
  return x;
}

/** Least squares of y on the columns of X (rows are observations), with a tiny ridge so collinear columns stay solvable. */
export function leastSquares(rows: readonly number[][], y: readonly number[]): number[] | null {
  const k = rows[0]?.length ?? 0;
  const xtx = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  const xty = new Array<number>(k).fill(0);
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!;
    for (let a = 0; a < k; a++) {
      xty[a]! += row[a]! * y[i]!;
      for (let b = a; b < k; b++) xtx[a]![b]! += row[a]! * row[b]!;
    }
  }
  for (let a = 0; a < k; a++) {
    for (let b = 0; b < a; b++) xtx[a]![b] = xtx[b]![a]!;
    xtx[a]![a]! += 1e-9 * (xtx[a]![a]! || 1);
  }
  return solveLinear(xtx, xty);
}

/** Two-sided standard normal quantiles for the interval levels the library reports. */
export const Z80 = 1.2815515655446004;
export const Z95 = 1.959963984540054;

/** Corrected Akaike information criterion for a Gaussian model with k estimated parameters. */
export function aicc(sse: number, n: number, k: number): number {
  if (n - k - 1 <= 0) return Number.POSITIVE_INFINITY;
  const safe = Math.max(sse, 1e-12 * n);
  return n * Math.log(safe / n) + 2 * k + (2 * k * (k + 1)) / (n - k - 1);
}

export const allFinite = (values: readonly number[]): boolean => values.every((v) => Number.isFinite(v));
