// The SQLite statement cache holds a few statements per shape of query: imports of every size from 1 to 1,000 rows add a bounded few.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it, describe } from 'vitest';
import { openStore, type BatonStore } from '../../src/store/index.js';
import { statementCacheStats } from '../../src/store/sqlite/statement-cache.js';
import { chunkSizes, CHUNK } from '../../src/workflows/season-planning/data/bulk-insert.js';
import { seasonData, seasonTables, type WeeklySales } from '../../src/workflows/season-planning/data/index.js';

describe('statement shapes', () => {
  let dir: string | undefined;
  let store: BatonStore | undefined;
  afterEach(async () => {
    await store?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('cuts any batch into full chunks and powers of two', () => {
    expect(chunkSizes(0)).toEqual([]);
    expect(chunkSizes(1)).toEqual([1]);
    expect(chunkSizes(1000)).toEqual([512, 256, 128, 64, 32, 8]);
    expect(chunkSizes(2 * CHUNK + 3)).toEqual([CHUNK, CHUNK, 2, 1]);
    const sizes = new Set<number>();
    for (let n = 1; n <= 5_000; n++) {
      const cut = chunkSizes(n);
      expect(cut.reduce((a, b) => a + b, 0)).toBe(n);
      cut.forEach((size) => sizes.add(size));
    }
    expect(sizes.size).toBe(11);
  });

  it('prepares a bounded set of statements over imports of 1 to 1,000 rows and never evicts one', async () => {
    dir = mkdtempSync(join(tmpdir(), 'baton-statements-'));
    store = await openStore({ sqlitePath: join(dir, 'baton.db'), origin: 'statement-cache-test', modules: [seasonTables] });
    const before = statementCacheStats();
    for (let n = 1; n <= 1_000; n++) {
      const rows: WeeklySales[] = Array.from({ length: n }, (_, i) => ({
        storeId: String(i % 45),
        categoryId: String(Math.floor(i / 45)),
        weekStartDate: '2012-01-06',
        unitsSold: n,
      }));
      await seasonData(store).importSales({ source: `n${n}`, rows, warnings: [], at: n });
    }
    const after = statementCacheStats();
    // Per kind of statement (new rows, updated rows, store and category stubs): at most 11 sizes.
    expect(after.prepared - before.prepared).toBeLessThanOrEqual(4 * 11 + 10);
    expect(after.evicted).toBe(before.evicted);
    expect((await seasonData(store).salesSummary()).rows).toBe(1_000);
  }, 60_000);
});
