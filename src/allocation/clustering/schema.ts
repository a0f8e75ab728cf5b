/** What clusterStores takes and returns: per store its attributes and sales profile; per cluster its summary. */
import { z } from 'zod';

/** A feature value; null, undefined and NaN all mean "missing for this store". */
const attributeValue = z.union([z.number(), z.nan(), z.string(), z.null(), z.undefined()]);
const salesValue = z.union([z.number(), z.nan(), z.null(), z.undefined()]);

export const clusterStoreSchema = z.object({
  storeId: z.string().min(1),
  /** Store attributes: numbers (size, income) or categories (format, tier, region). */
  attributes: z.record(z.string(), attributeValue).default({}),
  /** Sales profile, numbers only: e.g. share of total sales, average weekly sales, seasonality, trend. */
  sales: z.record(z.string(), salesValue).default({}),
});
export type ClusterStore = z.input<typeof clusterStoreSchema>;

export const clusterOptionsSchema = z.object({
  /** Seed of the first k-means++ start; restart r uses seed + r. */
  seed: z.number().int().default(42),
  /** k-means++ starts per k; the one with the lowest within-cluster sum of squares is kept. */
  restarts: z.number().int().min(1).max(100).default(10),
  /** Largest k tried (and never more than stores − 1). */
  maxK: z.number().int().min(2).max(20).default(8),
  /** A fixed number of clusters instead of the silhouette search. */
  k: z.number().int().min(1).optional(),
  /** Words for labels, [below average, above average], per feature name; defaults guess from the name. */
  words: z.record(z.string(), z.tuple([z.string(), z.string()])).default({}),
});
export type ClusterOptions = z.input<typeof clusterOptionsSchema>;
export type ResolvedClusterOptions = z.output<typeof clusterOptionsSchema>;

export interface ClusterSummary {
  /** 0-based; cluster 0 holds the first store in store-id order, cluster 1 the first store not in 0, … */
  id: number;
  /** Short description from the features that set the cluster apart, e.g. "large, high sales". */
  label: string;
  size: number;
  storeIds: string[];
  /** Mean of each numeric feature over the cluster's stores that have it, in the caller's units. */
  centroid: Record<string, number | null>;
  /** Share of the cluster's stores (with a value) at each level of each categorical feature. */
  categories: Record<string, Record<string, number>>;
}

export interface KScore {
  k: number;
  /** Mean silhouette of the best start; null when no start gave k non-empty clusters. */
  silhouette: number | null;
  /** Within-cluster sum of squares (standardised units) of the best start. */
  withinClusterSS: number | null;
}

export interface StoreClustering {
  k: number;
  /** Mean silhouette of the chosen clustering; null for a single cluster. */
  silhouette: number | null;
  silhouetteByK: KScore[];
  /** storeId → cluster id. */
  assignments: Record<string, number>;
  clusters: ClusterSummary[];
  features: {
    /** Matrix columns: numeric features as z-scores, categorical ones as `feature=level` 0/1 columns. */
    used: string[];
    dropped: { feature: string; reason: string }[];
    imputed: { feature: string; stores: number }[];
  };
  notes: string[];
}
