/** Store features → a standardised matrix for k-means: missing values imputed, useless features dropped, categories one-hot. */
import { InvalidParametersError } from '../../errors/index.js';

type RawValue = number | string | null | undefined;

export interface FeatureColumns {
  /** Numeric features as read (null = missing), including dropped ones, for centroids in original units. */
  numeric: { name: string; values: (number | null)[] }[];
  /** Categorical features as read, for the level shares of each cluster. */
  categorical: { name: string; values: (string | null)[] }[];
}

export interface FeatureMatrix extends FeatureColumns {
  /** One row per store, one column per entry of `columns`. */
  rows: number[][];
  columns: string[];
  /** Used numeric features and their column: their cluster means are z-scores, which the labels read. */
  zColumns: { name: string; column: number }[];
  /** Used categorical features with the column of each level. */
  levelColumns: { name: string; level: string; column: number }[];
  dropped: { feature: string; reason: string }[];
  imputed: { feature: string; stores: number }[];
}

/** Rows of named values per store, in store order: attributes and sales merged (a name in both is an error). */
export function readColumns(rows: Record<string, RawValue>[]): FeatureColumns {
  const names = [...new Set(rows.flatMap((row) => Object.keys(row)))].sort();
  const numeric: FeatureColumns['numeric'] = [];
  const categorical: FeatureColumns['categorical'] = [];
  for (const name of names) {
    const values = rows.map((row) => missingAsNull(row[name]));
    const present = values.filter((v) => v !== null);
    if (present.every((v) => typeof v === 'number')) numeric.push({ name, values: values as (number | null)[] });
    else if (present.every((v) => typeof v === 'string')) categorical.push({ name, values: values as (string | null)[] });
    else {
      throw new InvalidParametersError('clusterStores: a feature mixes numbers and categories', [
        { path: `stores.*.${name}`, message: 'use numbers for every store or text for every store' },
      ]);
    }
  }
  return { numeric, categorical };
}

const missingAsNull = (v: RawValue): number | string | null => (v === undefined || v === null || (typeof v === 'number' && Number.isNaN(v)) ? null : v);

/**
 * Numeric features become z-scores (population standard deviation); a missing value takes the
 * feature's mean, i.e. z = 0. Categorical features become one 0/1 column per level, NOT z-scored:
 * two stores of different levels then lie √2 apart, about the typical distance between two stores
 * on one standardised feature (mean squared difference 2), so a category weighs like one numeric
 * feature, and a rare level is not blown up the way z-scoring a 0/1 column would (1 store in 45 → z ≈ 6.6).
 * A missing category takes each level's share, the mean of its 0/1 column. A feature missing for
 * every store, or with one value (level) for all, tells stores apart in no way and is dropped.
 */
export function buildMatrix(columns: FeatureColumns, storeCount: number): FeatureMatrix {
  const rows = Array.from({ length: storeCount }, (): number[] => []);
  const matrix: FeatureMatrix = { ...columns, rows, columns: [], zColumns: [], levelColumns: [], dropped: [], imputed: [] };
  for (const { name, values } of columns.numeric) addNumeric(matrix, name, values);
  for (const { name, values } of columns.categorical) addCategorical(matrix, name, values);
  return matrix;
}

function addNumeric(matrix: FeatureMatrix, name: string, values: (number | null)[]): void {
  const present = values.filter((v): v is number => v !== null);
  if (present.length === 0) {
    matrix.dropped.push({ feature: name, reason: 'missing for every store' });
    return;
  }
  const mean = present.reduce((s, v) => s + v, 0) / present.length;
  const sd = Math.sqrt(present.reduce((s, v) => s + (v - mean) ** 2, 0) / present.length);
  // Relative test: a spread at the level of rounding noise is no spread.
  if (!(sd > 1e-12 * Math.max(1, Math.abs(mean)))) {
    matrix.dropped.push({ feature: name, reason: 'same value for every store that has one' });
    return;
  }
  if (present.length < values.length) matrix.imputed.push({ feature: name, stores: values.length - present.length });
  matrix.zColumns.push({ name, column: matrix.columns.length });
  matrix.columns.push(name);
  values.forEach((v, i) => matrix.rows[i]!.push(v === null ? 0 : (v - mean) / sd));
}

function addCategorical(matrix: FeatureMatrix, name: string, values: (string | null)[]): void {
  const present = values.filter((v): v is string => v !== null);
  const levels = [...new Set(present)].sort();
  if (levels.length === 0) {
    matrix.dropped.push({ feature: name, reason: 'missing for every store' });
    return;
  }
  if (levels.length === 1) {
    matrix.dropped.push({ feature: name, reason: 'same value for every store that has one' });
    return;
  }
  if (present.length < values.length) matrix.imputed.push({ feature: name, stores: values.length - present.length });
  for (const level of levels) {
    const share = present.filter((v) => v === level).length / present.length;
    matrix.levelColumns.push({ name, level, column: matrix.columns.length });
    matrix.columns.push(`${name}=${level}`);
    values.forEach((v, i) => matrix.rows[i]!.push(v === null ? share : v === level ? 1 : 0));
  }
}
