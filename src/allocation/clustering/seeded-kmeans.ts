/** k-means (ml-kmeans, k-means++ starts) made deterministic: fixed seeds, several starts, the tightest kept. */
import type * as MlKmeans from 'ml-kmeans';

// Loaded on the first clustering: ml-kmeans brings ml-spectra-processing (245 modules, ~0.17 s), which every
// start of `baton` and every server would otherwise load whether or not it ever clusters a store.
let library: Promise<typeof MlKmeans> | undefined;
const loadKmeans = () => (library ??= import('ml-kmeans'));

export interface KMeansFit {
  labels: number[];
  /** Within-cluster sum of squared distances to the centroids. */
  withinClusterSS: number;
  seed: number;
}

/**
 * Runs k-means++ from seeds seed, seed + 1, …, seed + restarts − 1 and keeps the start with the
 * lowest within-cluster sum of squares (the first on a tie). A start that leaves a cluster empty
 * is not a k-cluster solution and is skipped; null when every start did. Every call to ml-kmeans
 * gets a seed: without one it falls back to Math.random.
 */
export async function bestKMeans(rows: number[][], k: number, seed: number, restarts: number): Promise<KMeansFit | null> {
  const { kmeans } = await loadKmeans();
  let best: KMeansFit | null = null;
  for (let r = 0; r < restarts; r++) {
    const fit = kmeans(rows, k, { seed: seed + r, initialization: 'kmeans++', maxIterations: 300 });
    const labels = fit.clusters;
    const sizes = new Array<number>(k).fill(0);
    for (const label of labels) sizes[label]! += 1;
    if (sizes.some((size) => size === 0)) continue;
    const withinClusterSS = labels.reduce((sum, label, i) => sum + squaredDistance(rows[i]!, fit.centroids[label]!), 0);
    if (best === null || withinClusterSS < best.withinClusterSS - 1e-12 * Math.max(1, best.withinClusterSS)) {
      best = { labels: [...labels], withinClusterSS, seed: seed + r };
    }
  }
  return best;
}

function squaredDistance(a: readonly number[], b: readonly number[]): number {
  let total = 0;
  for (let d = 0; d < a.length; d++) total += (a[d]! - b[d]!) ** 2;
  return total;
}
