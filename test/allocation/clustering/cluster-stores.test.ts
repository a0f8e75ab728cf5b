import { describe, expect, it } from 'vitest';
import { clusterStores, type ClusterStore } from '../../../src/allocation/index.js';
import { seededRandom } from '../seeded-random.js';

/** Gaussian-ish noise from a seeded uniform source (sum of three uniforms, centred). */
const noise = (random: () => number, scale: number): number => (random() + random() + random() - 1.5) * scale;

/** Stores around given centres of (size, weekly sales); ids run s01, s02, … in the order generated. */
function blobs(centres: [number, number][], perBlob: number, seed: number): ClusterStore[] {
  const random = seededRandom(seed);
  return centres.flatMap(([size, sales], b) =>
    Array.from({ length: perBlob }, (_, i) => ({
      storeId: `s${String(b * perBlob + i + 1).padStart(2, '0')}`,
      attributes: { store_size_sqft: size + noise(random, 4000) },
      sales: { avg_weekly_sales: sales + noise(random, 300) },
    })),
  );
}

const groupOf = (result: Awaited<ReturnType<typeof clusterStores>>, ids: string[]): Set<number> => new Set(ids.map((id) => result.assignments[id]!));

describe('clusterStores', () => {
  it('separates two obvious groups and labels them from their features', async () => {
    const stores = blobs(
      [
        [200_000, 9000],
        [40_000, 2000],
      ],
      10,
      1,
    );
    const result = await clusterStores(stores);
    expect(result.k).toBe(2);
    const large = stores.slice(0, 10).map((s) => s.storeId);
    const small = stores.slice(10).map((s) => s.storeId);
    expect(groupOf(result, large).size).toBe(1);
    expect(groupOf(result, small).size).toBe(1);
    expect(groupOf(result, large)).not.toEqual(groupOf(result, small));
    expect(result.clusters.map((c) => [c.id, c.size, c.label])).toEqual([
      [0, 10, 'large, high sales'],
      [1, 10, 'small, low sales'],
    ]);
  });

  it('chooses k = 3 for three clear blobs by the silhouette of every k tried', async () => {
    const stores = blobs(
      [
        [200_000, 9000],
        [120_000, 5000],
        [40_000, 1000],
      ],
      8,
      2,
    );
    const result = await clusterStores(stores);
    expect(result.silhouetteByK.map((s) => s.k)).toEqual([2, 3, 4, 5, 6, 7, 8]);
    const best = result.silhouetteByK.reduce((a, b) => ((b.silhouette ?? -1) > (a.silhouette ?? -1) ? b : a));
    expect(best.k).toBe(3);
    expect(result.k).toBe(3);
    expect(result.silhouette).toBe(best.silhouette);
    expect(result.silhouette).toBeGreaterThan(0.7);
    for (let b = 0; b < 3; b++)
      expect(
        groupOf(
          result,
          stores.slice(b * 8, b * 8 + 8).map((s) => s.storeId),
        ).size,
      ).toBe(1);
  });

  it('gives the same clusters for the same stores, in any order', async () => {
    const stores = blobs(
      [
        [180_000, 7000],
        [150_000, 6500],
        [60_000, 1500],
        [90_000, 4000],
      ],
      6,
      3,
    );
    const first = await clusterStores(stores);
    expect(await clusterStores(stores)).toEqual(first);
    expect(await clusterStores([...stores].reverse())).toEqual(first);
  });

  it('tries other seeds when asked and reports them deterministically', async () => {
    const stores = blobs(
      [
        [200_000, 9000],
        [40_000, 2000],
      ],
      6,
      4,
    );
    expect(await clusterStores(stores, { seed: 7, restarts: 3 })).toEqual(await clusterStores(stores, { seed: 7, restarts: 3 }));
  });

  it('imputes a missing value with the feature mean, drops features missing everywhere or constant, and says so', async () => {
    const stores = blobs(
      [
        [200_000, 9000],
        [40_000, 2000],
      ],
      5,
      5,
    ).map((s, i) => ({ ...s, attributes: { ...s.attributes, region: null, chain: 'Walmart', ...(i === 0 ? { store_size_sqft: null } : {}) } }));
    const result = await clusterStores(stores);
    expect(result.features.imputed).toEqual([{ feature: 'store_size_sqft', stores: 1 }]);
    expect(result.features.dropped).toEqual([
      { feature: 'region', reason: 'missing for every store' },
      { feature: 'chain', reason: 'same value for every store that has one' },
    ]);
    expect(result.features.used).toEqual(['avg_weekly_sales', 'store_size_sqft']);
    // Store s01 has no size but the sales of the large group: it still joins them.
    expect(result.assignments.s01).toBe(result.assignments.s02);
    // Its cluster's size centroid is the mean of the sizes that exist (s02 … s05), in square feet.
    const sizes = stores.slice(1, 5).map((s) => Number(s.attributes.store_size_sqft));
    expect(result.clusters[0]!.centroid.store_size_sqft).toBeCloseTo(sizes.reduce((a, b) => a + b, 0) / 4, 6);
    expect(result.notes).toContain('store_size_sqft missing for 1 store: filled with the mean');
  });

  it('one-hot encodes a category, fills a missing one with level shares, and reports its share per cluster', async () => {
    const random = seededRandom(8);
    const stores = Array.from({ length: 12 }, (_, i) => ({
      storeId: String(i + 1),
      attributes: { store_format: i === 11 ? null : i < 6 ? 'A' : 'C' },
      sales: { avg_weekly_sales: (i < 6 ? 9000 : 2000) + noise(random, 500) },
    }));
    const result = await clusterStores(stores);
    expect(result.features.used).toEqual(['avg_weekly_sales', 'store_format=A', 'store_format=C']);
    expect(result.features.imputed).toEqual([{ feature: 'store_format', stores: 1 }]);
    expect(result.k).toBe(2);
    expect(groupOf(result, ['1', '2', '3', '4', '5', '6']).size).toBe(1);
    expect(groupOf(result, ['7', '8', '9', '10', '11', '12']).size).toBe(1);
    const clusterA = result.clusters[result.assignments['1']!]!;
    const clusterC = result.clusters[result.assignments['7']!]!;
    expect(clusterA.categories.store_format).toEqual({ A: 1 });
    expect(clusterC.categories.store_format).toEqual({ C: 1 });
    expect([clusterA.label, clusterC.label]).toEqual(['high sales, format A', 'low sales, format C']);
  });

  it('makes one cluster, with a note, of two stores or of stores that all look alike', async () => {
    const two = await clusterStores([
      { storeId: 'a', attributes: { size: 1 } },
      { storeId: 'b', attributes: { size: 9 } },
    ]);
    expect(two).toMatchObject({ k: 1, silhouette: null, assignments: { a: 0, b: 0 } });
    expect(two.notes[0]).toContain('too few to cluster');
    const alike = await clusterStores(Array.from({ length: 5 }, (_, i) => ({ storeId: `x${i}`, attributes: { size: 5, format: 'B' }, sales: { share: 0.2 } })));
    expect(alike).toMatchObject({ k: 1, silhouetteByK: [] });
    expect(alike.clusters).toHaveLength(1);
    expect(alike.clusters[0]).toMatchObject({ size: 5, label: 'typical', centroid: { size: 5, share: 0.2 }, categories: { format: { B: 1 } } });
    expect(alike.notes[0]).toContain('same features');
  });

  it('never tries more clusters than distinct stores', async () => {
    const stores = Array.from({ length: 9 }, (_, i) => ({ storeId: `s${i}`, sales: { share: i < 5 ? 0.1 : 0.3 } }));
    const result = await clusterStores(stores);
    expect(result.silhouetteByK.map((s) => s.k)).toEqual([2]);
    expect(result.k).toBe(2);
  });

  it('takes a fixed k instead of the search', async () => {
    const stores = blobs(
      [
        [200_000, 9000],
        [40_000, 2000],
      ],
      5,
      6,
    );
    const result = await clusterStores(stores, { k: 4 });
    expect(result.k).toBe(4);
    expect(result.silhouetteByK.map((s) => s.k)).toEqual([4]);
    expect(result.clusters.reduce((n, c) => n + c.size, 0)).toBe(10);
  });

  it('refuses duplicate stores, a feature mixing numbers and text, and more clusters than stores', async () => {
    const invalid = expect.objectContaining({ code: 'INVALID_PARAMETERS' }) as Error;
    await expect(clusterStores([{ storeId: 'a' }, { storeId: 'a' }, { storeId: 'b' }])).rejects.toThrow(invalid);
    await expect(
      clusterStores([
        { storeId: 'a', attributes: { tier: 1 } },
        { storeId: 'b', attributes: { tier: 'urban' } },
        { storeId: 'c', attributes: { tier: 2 } },
      ]),
    ).rejects.toThrow(invalid);
    await expect(clusterStores([{ storeId: 'a' }, { storeId: 'b' }], { k: 3 })).rejects.toThrow(invalid);
    await expect(clusterStores([])).rejects.toThrow(invalid);
  });
});
