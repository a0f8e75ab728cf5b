/** Short human labels for clusters ("large, high sales"), from how far each cluster's centre sits from the average store. */
import type { FeatureMatrix } from './feature-matrix.js';

/** Half a standard deviation from the average store: less is not worth a word. */
const NOTABLE_Z = 0.5;
/** A level names a cluster when at least this share of it has the level … */
const DOMINANT_SHARE = 0.75;
/** … and that share is at least this much above its share among all stores. */
const DISTINCTIVE_LIFT = 0.25;

/** Words guessed from common feature names; anything else reads "low <name>" / "high <name>". */
const GUESSED_WORDS: [RegExp, [string, string]][] = [
  [/size|sqft|square|area/i, ['small', 'large']],
  [/income/i, ['lower-income', 'higher-income']],
  [/season/i, ['less seasonal', 'more seasonal']],
  [/trend|growth/i, ['slower growth', 'faster growth']],
  [/share|sales|revenue|units|volume/i, ['low sales', 'high sales']],
];

export function readableName(name: string): string {
  return name
    .replace(/^store_/, '')
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .replace(/_/g, ' ')
    .toLowerCase();
}

function wordsFor(name: string, words: Record<string, [string, string]>): [string, string] {
  const given = words[name];
  if (given) return given;
  const guessed = GUESSED_WORDS.find(([pattern]) => pattern.test(name));
  return guessed ? guessed[1] : [`low ${readableName(name)}`, `high ${readableName(name)}`];
}

/**
 * Up to two numeric features whose cluster mean lies furthest (at least half a standard deviation)
 * from the average store, then one category level the cluster is mostly made of; "typical" when
 * nothing stands out. Two clusters that would read alike get their id appended.
 */
export function clusterLabels(matrix: FeatureMatrix, labels: readonly number[], k: number, words: Record<string, [string, string]>): string[] {
  const texts = Array.from({ length: k }, (_, cluster) => labelOf(matrix, labels, cluster, words));
  return texts.map((text, cluster) => (texts.indexOf(text) === texts.lastIndexOf(text) ? text : `${text} (cluster ${cluster})`));
}

function labelOf(matrix: FeatureMatrix, labels: readonly number[], cluster: number, words: Record<string, [string, string]>): string {
  const members = matrix.rows.filter((_, i) => labels[i] === cluster);
  const meanOf = (column: number, rows: number[][]): number => rows.reduce((s, row) => s + row[column]!, 0) / rows.length;
  const numeric = matrix.zColumns
    .map(({ name, column }) => ({ name, z: meanOf(column, members) }))
    .filter(({ z }) => Math.abs(z) >= NOTABLE_Z)
    .sort((a, b) => Math.abs(b.z) - Math.abs(a.z))
    .map(({ name, z }) => wordsFor(name, words)[z > 0 ? 1 : 0]);
  const level = matrix.levelColumns
    .map(({ name, level, column }) => ({ name, level, share: meanOf(column, members), lift: meanOf(column, members) - meanOf(column, matrix.rows) }))
    .filter(({ share, lift }) => share >= DOMINANT_SHARE && lift >= DISTINCTIVE_LIFT)
    .sort((a, b) => b.share - a.share)
    .map(({ name, level }) => `${readableName(name)} ${level}`);
  const parts = [...new Set(numeric)].slice(0, 2).concat(level.slice(0, 1));
  return parts.length > 0 ? parts.join(', ') : 'typical';
}
