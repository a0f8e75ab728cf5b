import { describe, expect, it } from 'vitest';
import { BatonError } from '../../src/errors/index.js';
import { allocate } from '../../src/allocation/index.js';
import { intBetween, seededRandom } from './seeded-random.js';

const sum = (allocation: Record<string, number>): number => Object.values(allocation).reduce((s, v) => s + v, 0);

function expectInvalid(call: () => unknown): void {
  try {
    call();
  } catch (error) {
    expect(error).toBeInstanceOf(BatonError);
    expect((error as BatonError).code).toBe('INVALID_PARAMETERS');
    return;
  }
  throw new Error('expected INVALID_PARAMETERS');
}

describe('allocate (largest remainder)', () => {
  it('gives whole parts of the quotas, then the units left to the largest fractions', () => {
    // Quotas 5.5, 3.2, 1.3: floors 5 + 3 + 1 = 9; the one unit left goes to a (.5).
    expect(allocate(10, { a: 5.5, b: 3.2, c: 1.3 })).toEqual({ a: 6, b: 3, c: 1 });
    // Quotas 2.8, 4.2, 3.0 of 10: floors 2 + 4 + 3 = 9; the unit goes to a (.8), not b (.2).
    expect(allocate(10, { a: 28, b: 42, c: 30 })).toEqual({ a: 3, b: 4, c: 3 });
  });

  it('breaks equal remainders by key, with numeric ids in numeric order', () => {
    expect(allocate(10, { c: 1, a: 1, b: 1 })).toEqual({ a: 4, b: 3, c: 3 });
    expect(allocate(1, { '10': 1, '2': 1 })).toEqual({ '2': 1, '10': 0 });
    expect(allocate(2, { '10': 1, '2': 1, '1': 1 })).toEqual({ '1': 1, '2': 1, '10': 0 });
  });

  it('counts negative and NaN shares as zero', () => {
    expect(allocate(9, { a: -5, b: Number.NaN, c: 3, d: 6 })).toEqual({ a: 0, b: 0, c: 3, d: 6 });
  });

  it('splits equally when no share is positive', () => {
    expect(allocate(7, { a: 0, b: -1, c: Number.NaN })).toEqual({ a: 3, b: 2, c: 2 });
  });

  it('sums exactly to the total, never negative, each within a unit of its quota, over 2,000 random cases', () => {
    const random = seededRandom(6);
    const failures: string[] = [];
    for (let trial = 0; trial < 2000; trial++) {
      const keys = intBetween(random, 1, 30);
      const total = intBetween(random, 0, trial % 10 === 0 ? 1e9 : 10_000);
      const shares: Record<string, number> = {};
      for (let i = 0; i < keys; i++) {
        const kind = random();
        shares[`s${intBetween(random, 0, 1e6)}-${i}`] =
          kind < 0.1 ? -random() * 100 : kind < 0.15 ? Number.NaN : kind < 0.25 ? 0 : kind < 0.3 ? random() * 1e300 : random() * 1000;
      }
      const result = allocate(total, shares);
      if (sum(result) !== total) failures.push(`trial ${trial}: sum ${sum(result)} ≠ ${total}`);
      if (Object.keys(result).sort().join() !== Object.keys(shares).sort().join()) failures.push(`trial ${trial}: keys differ`);
      const weights = Object.fromEntries(Object.entries(shares).map(([k, s]) => [k, Number.isNaN(s) || s < 0 ? 0 : s]));
      const largest = Math.max(...Object.values(weights));
      const scaled = Object.values(weights).reduce((s, w) => s + (largest > 0 ? w / largest : 1), 0);
      for (const [key, units] of Object.entries(result)) {
        const quota = (total * (largest > 0 ? weights[key]! / largest : 1)) / scaled;
        const withinQuota = units >= Math.floor(quota - 1e-6) && units <= Math.ceil(quota + 1e-6);
        if (!Number.isInteger(units) || units < 0 || !withinQuota) failures.push(`trial ${trial}: ${key} got ${units} for quota ${quota}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it('gives the same answer whatever order the keys come in', () => {
    const random = seededRandom(7);
    const entries = Array.from({ length: 25 }, (_, i) => [String(i), Math.round(random() * 5)] as const);
    const reversed = [...entries].reverse();
    expect(allocate(101, Object.fromEntries(entries))).toEqual(allocate(101, Object.fromEntries(reversed)));
  });

  it('returns nothing for nothing, and refuses units with nowhere to go', () => {
    expect(allocate(0, {})).toEqual({});
    expectInvalid(() => allocate(5, {}));
  });

  it('refuses a negative, fractional or unsafe total and an infinite share', () => {
    expectInvalid(() => allocate(-1, { a: 1 }));
    expectInvalid(() => allocate(2.5, { a: 1 }));
    expectInvalid(() => allocate(2 ** 60, { a: 1 }));
    expectInvalid(() => allocate(5, { a: Number.POSITIVE_INFINITY, b: 1 }));
  });
});
