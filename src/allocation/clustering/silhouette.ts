/**
 * Mean silhouette (Rousseeuw 1987), written here because ml-kmeans has none: for each point,
 * a = mean distance to its own cluster, b = smallest mean distance to another cluster, s = (b − a) / max(a, b).
 */

/** Euclidean distances between every pair of rows, computed once and shared by every k tried. */
export function distanceMatrix(rows: readonly number[][]): Float64Array[] {
  const n = rows.length;
  const distances = Array.from({ length: n }, () => new Float64Array(n));
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const a = rows[i]!;
      const b = rows[j]!;
      let squared = 0;
      for (let d = 0; d < a.length; d++) squared += (a[d]! - b[d]!) ** 2;
      distances[i]![j] = distances[j]![i] = Math.sqrt(squared);
    }
  }
  return distances;
}

/**
 * Mean silhouette over all points for labels 0..k−1. A point alone in its cluster scores 0
 * (Rousseeuw's convention); so does a point with a = b = 0. Needs at least two non-empty clusters.
 */
export function meanSilhouette(distances: readonly Float64Array[], labels: readonly number[], k: number): number {
  const n = labels.length;
  const sizes = new Array<number>(k).fill(0);
  for (const label of labels) sizes[label]! += 1;
  let total = 0;
  for (let i = 0; i < n; i++) {
    const own = labels[i]!;
    if (sizes[own]! <= 1) continue;
    const sums = new Array<number>(k).fill(0);
    for (let j = 0; j < n; j++) if (j !== i) sums[labels[j]!]! += distances[i]![j]!;
    const a = sums[own]! / (sizes[own]! - 1);
    let b = Infinity;
    for (let c = 0; c < k; c++) if (c !== own && sizes[c]! > 0) b = Math.min(b, sums[c]! / sizes[c]!);
    const spread = Math.max(a, b);
    total += spread > 0 ? (b - a) / spread : 0;
  }
  return total / n;
}
