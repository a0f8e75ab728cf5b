/** Hamilton's largest-remainder method: whole units, in proportion to shares, that add up exactly to a total. */
import { z } from 'zod';
import { InvalidParametersError } from '../errors/index.js';
import { compareKeys } from './key-order.js';
import { parseInput } from './parse-input.js';

/** A count of units: a whole number from 0 up to the largest integer a double holds exactly. */
export const unitsSchema = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
/** NaN and negative shares (a forecast net of returns) are accepted and count as 0; infinite ones are refused. */
export const sharesSchema = z.record(z.string(), z.union([z.number(), z.nan()]));

export type Shares = z.input<typeof sharesSchema>;
/** Units per key; every key of the shares appears, with 0 when it gets nothing. */
export type Allocation = Record<string, number>;

/** The weight a share carries: NaN and anything below zero count as nothing. */
export function usableShare(share: number): number {
  return Number.isNaN(share) || share < 0 ? 0 : share;
}

/**
 * Splits `total` units over the keys of `shares` in proportion to the shares: each key first gets
 * the whole part of its quota, then the units left go one each to the largest fractional parts;
 * equal fractions go to the key that sorts first (compareKeys). When no share is positive the split
 * is equal. The result sums to `total` exactly and is never negative.
 */
export function allocate(total: number, shares: Shares): Allocation {
  const units = parseInput(unitsSchema, total, 'allocate total');
  const checked = parseInput(sharesSchema, shares, 'allocate shares');
  const keys = Object.keys(checked).sort(compareKeys);
  if (keys.length === 0) {
    if (units === 0) return {};
    throw new InvalidParametersError('allocate: there is nothing to allocate to', [
      { path: 'shares', message: `${units} units need at least one key to go to` },
    ]);
  }
  const counts = hamilton(units, weightsOf(keys.map((key) => usableShare(checked[key]!))));
  return Object.fromEntries(keys.map((key, i) => [key, counts[i]!]));
}

/** Weights scaled so the largest is 1 (no overflow when summing huge shares); all ones when none is positive. */
function weightsOf(shares: number[]): number[] {
  const largest = shares.reduce((max, share) => Math.max(max, share), 0);
  return largest > 0 ? shares.map((share) => share / largest) : shares.map(() => 1);
}

/** Largest remainder over weights in tie-break order (index order); at least one weight is positive. */
function hamilton(units: number, weights: number[]): number[] {
  const totalWeight = weights.reduce((sum, w) => sum + w, 0);
  const quotas = weights.map((w) => (units * w) / totalWeight);
  const counts = quotas.map(Math.floor);
  const byRemainder = quotas
    .map((quota, index) => ({ index, remainder: quota - counts[index]! }))
    .sort((a, b) => b.remainder - a.remainder || a.index - b.index)
    .map((entry) => entry.index);
  let left = units - counts.reduce((sum, c) => sum + c, 0);
  // Normally 0 ≤ left < keys; the loops also absorb the odd unit that floating-point quotas can gain or lose.
  for (let i = 0; left > 0; i = (i + 1) % byRemainder.length) {
    const index = byRemainder[i]!;
    if (weights[index]! > 0) {
      counts[index]! += 1;
      left -= 1;
    }
  }
  for (let i = byRemainder.length - 1; left < 0; i = i === 0 ? byRemainder.length - 1 : i - 1) {
    const index = byRemainder[i]!;
    if (counts[index]! > 0) {
      counts[index]! -= 1;
      left += 1;
    }
  }
  return counts;
}
