/** Store clustering for allocation: k-means on standardised store features and sales profile, k chosen by silhouette. */
import { z } from 'zod';
import { InvalidParametersError } from '../../errors/index.js';
import { compareKeys, repeatedKeys } from '../key-order.js';
import { parseInput } from '../parse-input.js';
import { buildMatrix, readColumns, type FeatureMatrix } from './feature-matrix.js';
import { clusterLabels } from './labels.js';
import { bestKMeans } from './seeded-kmeans.js';
import { distanceMatrix, meanSilhouette } from './silhouette.js';
import {
  clusterOptionsSchema,
  clusterStoreSchema,
  type ClusterOptions,
  type ClusterStore,
  type ClusterSummary,
  type KScore,
  type ResolvedClusterOptions,
  type StoreClustering,
} from './schema.js';

/** Below this mean silhouette Kaufman & Rousseeuw (1990) find "no substantial structure". */
const WEAK_STRUCTURE = 0.25;

type ParsedStore = z.output<typeof clusterStoreSchema>;

/**
 * Clusters stores by k-means on standardised features (see buildMatrix), trying k = 2 … min(maxK,
 * stores − 1, distinct stores) and keeping the k with the highest mean silhouette (the smaller k on
 * a tie). Deterministic: stores are taken in store-id order and every k-means start is seeded.
 * Two stores or fewer, or stores that all look alike, make one cluster, with a note saying why.
 */
export async function clusterStores(stores: readonly ClusterStore[], options: ClusterOptions = {}): Promise<StoreClustering> {
  const parsed = parseInput(z.array(clusterStoreSchema), stores, 'clusterStores stores');
  const resolved = parseInput(clusterOptionsSchema, options, 'clusterStores options');
  checkStores(parsed, resolved);
  const sorted = [...parsed].sort((a, b) => compareKeys(a.storeId, b.storeId));
  const matrix = buildMatrix(readColumns(sorted.map(featuresOf)), sorted.length);
  const chosen = await chooseClustering(matrix, resolved);
  return summarise(sorted, matrix, chosen, resolved);
}

interface Chosen {
  k: number;
  labels: number[];
  silhouette: number | null;
  table: KScore[];
  notes: string[];
}

async function chooseClustering(matrix: FeatureMatrix, options: ResolvedClusterOptions): Promise<Chosen> {
  const n = matrix.rows.length;
  const distinct = new Set(matrix.rows.map((row) => row.map((v) => v.toPrecision(12)).join(','))).size;
  const single = (note: string): Chosen => ({ k: 1, labels: new Array<number>(n).fill(0), silhouette: null, table: [], notes: [note] });
  if (options.k === 1) return single('one cluster, as asked');
  if (options.k === undefined && n <= 2) return single(`${n} store${n === 1 ? ' is' : 's are'} too few to cluster: the silhouette needs at least 3`);
  if (distinct <= 1) return single('every store has the same features and sales profile: one cluster');
  const notes: string[] = [];
  let candidates: number[];
  if (options.k !== undefined) {
    candidates = [Math.min(options.k, distinct)];
    if (options.k > distinct) notes.push(`k = ${options.k} asked, but only ${distinct} stores differ: k = ${distinct}`);
  } else {
    const maxK = Math.min(options.maxK, n - 1, distinct);
    candidates = Array.from({ length: maxK - 1 }, (_, i) => i + 2);
  }
  const distances = distanceMatrix(matrix.rows);
  let best: { k: number; labels: number[]; silhouette: number } | null = null;
  const table: KScore[] = [];
  for (const k of candidates) {
    const fit = await bestKMeans(matrix.rows, k, options.seed, options.restarts);
    const silhouette = fit === null ? null : meanSilhouette(distances, fit.labels, k);
    table.push({ k, silhouette, withinClusterSS: fit?.withinClusterSS ?? null });
    if (fit !== null && silhouette !== null && (best === null || silhouette > best.silhouette + 1e-12)) best = { k, labels: fit.labels, silhouette };
  }
  if (best === null) return { ...single('no k-means start gave non-empty clusters: one cluster'), table };
  if (best.silhouette < WEAK_STRUCTURE) {
    notes.push(`mean silhouette ${best.silhouette.toFixed(2)} is below ${WEAK_STRUCTURE}: the stores form no strong groups, so clusters are a convenience`);
  }
  return { ...best, table, notes };
}

function summarise(stores: ParsedStore[], matrix: FeatureMatrix, chosen: Chosen, options: ResolvedClusterOptions): StoreClustering {
  const labels = canonicalLabels(chosen.labels);
  const names = clusterLabels(matrix, labels, chosen.k, options.words);
  const clusters: ClusterSummary[] = names.map((label, id) => {
    const members = labels.flatMap((l, i) => (l === id ? [i] : []));
    return {
      id,
      label,
      size: members.length,
      storeIds: members.map((i) => stores[i]!.storeId),
      centroid: Object.fromEntries(matrix.numeric.map(({ name, values }) => [name, meanPresent(members.map((i) => values[i]!))])),
      categories: Object.fromEntries(matrix.categorical.map(({ name, values }) => [name, levelShares(members.map((i) => values[i]!))])),
    };
  });
  const dropped = matrix.dropped.map((d) => `${d.feature} not used: ${d.reason}`);
  const imputed = matrix.imputed.map((d) => `${d.feature} missing for ${d.stores} store${d.stores === 1 ? '' : 's'}: filled with the mean`);
  return {
    k: chosen.k,
    silhouette: chosen.silhouette,
    silhouetteByK: chosen.table,
    assignments: Object.fromEntries(stores.map((s, i) => [s.storeId, labels[i]!])),
    clusters,
    features: { used: matrix.columns, dropped: matrix.dropped, imputed: matrix.imputed },
    notes: [...chosen.notes, ...dropped, ...imputed],
  };
}

/** Renumbers clusters in order of first appearance, so cluster 0 holds the first store in id order. */
function canonicalLabels(labels: readonly number[]): number[] {
  const renumber = new Map<number, number>();
  for (const label of labels) if (!renumber.has(label)) renumber.set(label, renumber.size);
  return labels.map((label) => renumber.get(label)!);
}

function meanPresent(values: (number | null)[]): number | null {
  const present = values.filter((v): v is number => v !== null);
  return present.length === 0 ? null : present.reduce((s, v) => s + v, 0) / present.length;
}

function levelShares(values: (string | null)[]): Record<string, number> {
  const present = values.filter((v): v is string => v !== null);
  const counts = new Map<string, number>();
  for (const v of present) counts.set(v, (counts.get(v) ?? 0) + 1);
  return Object.fromEntries([...counts].sort(([a], [b]) => (a < b ? -1 : 1)).map(([level, count]) => [level, count / present.length]));
}

function featuresOf(store: ParsedStore): Record<string, number | string | null | undefined> {
  const clash = Object.keys(store.sales).filter((name) => name in store.attributes);
  if (clash.length > 0) {
    throw new InvalidParametersError('clusterStores: a name is both an attribute and a sales figure', [
      { path: `stores.${store.storeId}`, message: `rename ${clash.join(', ')} in attributes or sales` },
    ]);
  }
  return { ...store.attributes, ...store.sales };
}

function checkStores(stores: ParsedStore[], options: ResolvedClusterOptions): void {
  if (stores.length === 0) throw new InvalidParametersError('clusterStores: no stores', [{ path: 'stores', message: 'needs at least one store' }]);
  const repeated = repeatedKeys(stores.map((s) => s.storeId));
  if (repeated.length > 0) {
    throw new InvalidParametersError('clusterStores: a store appears more than once', [
      { path: 'stores', message: `repeated storeId: ${repeated.join(', ')}` },
    ]);
  }
  if (options.k !== undefined && options.k > stores.length) {
    throw new InvalidParametersError('clusterStores: more clusters than stores', [
      { path: 'options.k', message: `k = ${options.k} but there are ${stores.length} stores` },
    ]);
  }
}
