/** Nelder–Mead simplex minimiser, written once for every method that fits parameters (ETS, Theta). */

export interface MinimizeOptions {
  /** Per-coordinate step of the initial simplex (default 0.1 for every coordinate). */
  step?: readonly number[];
  maxEvaluations?: number;
  /** Stop when the spread of the simplex's values falls under this (relative to their size). */
  tolerance?: number;
}

export interface MinimizeResult {
  x: number[];
  value: number;
  evaluations: number;
}

/**
 * Minimises f from x0. Non-finite values of f count as +Infinity, so an objective can refuse
 * a point (a parameter outside its bounds) by returning Infinity.
 */
export function nelderMead(f: (x: number[]) => number, x0: readonly number[], options: MinimizeOptions = {}): MinimizeResult {
  const n = x0.length;
  const maxEvaluations = options.maxEvaluations ?? 200 * n;
  const tolerance = options.tolerance ?? 1e-8;
  let evaluations = 0;
  const evaluate = (x: number[]): number => {
    evaluations++;
    const value = f(x);
    return Number.isFinite(value) ? value : Number.POSITIVE_INFINITY;
  };
  const simplex: number[][] = [[...x0]];
  for (let i = 0; i < n; i++) {
    const point = [...x0];
    point[i]! += options.step?.[i] ?? 0.1;
    simplex.push(point);
  }
  const values = simplex.map(evaluate);
  const order = (): void => {
    const indices = values.map((_, i) => i).sort((a, b) => values[a]! - values[b]!);
    const points = indices.map((i) => simplex[i]!);
    const sortedValues = indices.map((i) => values[i]!);
    for (let i = 0; i <= n; i++) {
      simplex[i] = points[i]!;
      values[i] = sortedValues[i]!;
    }
  };
  const along = (centroid: number[], worst: number[], t: number): number[] => centroid.map((c, i) => c + t * (worst[i]! - c));

  while (evaluations < maxEvaluations) {
    order();
    const best = values[0]!;
    const worstValue = values[n]!;
    if (Number.isFinite(worstValue) && Math.abs(worstValue - best) <= tolerance * (Math.abs(best) + tolerance)) break;
    const centroid = new Array<number>(n).fill(0);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) centroid[j]! += simplex[i]![j]! / n;
    const worst = simplex[n]!;
    const reflected = along(centroid, worst, -1);
    const reflectedValue = evaluate(reflected);
    if (reflectedValue < best) {
      const expanded = along(centroid, worst, -2);
      const expandedValue = evaluate(expanded);
      if (expandedValue < reflectedValue) {
        simplex[n] = expanded;
        values[n] = expandedValue;
      } else {
        simplex[n] = reflected;
        values[n] = reflectedValue;
      }
      continue;
    }
    if (reflectedValue < values[n - 1]!) {
      simplex[n] = reflected;
      values[n] = reflectedValue;
      continue;
    }
    const outside = reflectedValue < worstValue;
    const contracted = along(centroid, worst, outside ? -0.5 : 0.5);
    const contractedValue = evaluate(contracted);
    if (contractedValue < (outside ? reflectedValue : worstValue)) {
      simplex[n] = contracted;
      values[n] = contractedValue;
      continue;
    }
    // Shrink everything towards the best point.
    for (let i = 1; i <= n; i++) {
      simplex[i] = simplex[i]!.map((v, j) => simplex[0]![j]! + 0.5 * (v - simplex[0]![j]!));
      values[i] = evaluate(simplex[i]!);
    }
  }
  order();
  return { x: simplex[0]!, value: values[0]!, evaluations };
}
