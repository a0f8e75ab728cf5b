import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { clusterStores, planAllocation } from '../../src/allocation/index.js';

const storesCsv = fileURLToPath(new URL('../../../shared/data/walmart/stores.csv', import.meta.url));
const present = existsSync(storesCsv);
if (!present) console.log(`Walmart store clustering skipped: ${storesCsv} is absent (it lives beside the repo, not in it).`);

describe.skipIf(!present)('the real Walmart stores (size and format only)', () => {
  const rows = present ? parse<{ Store: string; Type: string; Size: string }>(readFileSync(storesCsv), { columns: true, skip_empty_lines: true }) : [];
  const stores = rows.map((r) => ({
    storeId: r.Store,
    attributes: { store_format: r.Type, store_size_sqft: Number(r.Size), region: null, median_income: null },
  }));

  it('clusters all 45 stores on size and format, dropping the features the data lacks', async () => {
    const result = await clusterStores(stores);
    expect(Object.keys(result.assignments)).toHaveLength(45);
    expect(result.features.used).toEqual(['store_size_sqft', 'store_format=A', 'store_format=B', 'store_format=C']);
    expect(result.features.dropped.map((d) => d.feature)).toEqual(['median_income', 'region']);
    expect(result.k).toBeGreaterThanOrEqual(2);
    expect(result.silhouetteByK.map((s) => s.k)).toEqual([2, 3, 4, 5, 6, 7, 8]);
    expect(result.clusters.reduce((n, c) => n + c.size, 0)).toBe(45);
    expect(await clusterStores([...stores].reverse())).toEqual(result);
  });

  it('splits a buy over the 45 stores by size with the DC share exact', () => {
    const plan = planAllocation({
      approvedQuantity: 123_457,
      dcHoldback: 0.15,
      forecastByStore: Object.fromEntries(stores.map((s) => [s.storeId, s.attributes.store_size_sqft])),
    });
    expect(plan.dcUnits).toBe(18_519); // ceil(0.15 × 123,457 = 18,518.55)
    expect(Object.values(plan.storeUnits).reduce((a, b) => a + b, 0)).toBe(123_457 - 18_519);
  });
});
