// Generated history written into real databases that may already hold imported weeks.
import { afterEach, beforeEach, expect, it } from 'vitest';
import { BatonError } from '../../../../src/errors/index.js';
import { importCsv } from '../../../../src/workflows/season-planning/data/csv-import.js';
import { seasonData } from '../../../../src/workflows/season-planning/data/index.js';
import { loadSyntheticData } from '../../../../src/workflows/season-planning/data/load-synthetic.js';
import { describeEachStore, type TestStore } from '../../../support/stores.js';

const small = { stores: 2, categories: 1, weeks: 60, seed: 3 };
// Walmart's weeks, ending on Fridays: stored from the Saturday before.
const WALMART_WEEKS = ['Store,Dept,Date,Weekly_Sales', '1,1,2025-12-12,100', '1,1,2025-12-19,120', '1,1,2025-12-26,90'].join('\n');

describeEachStore('generated history beside imported history', (kind) => {
  let t: TestStore;
  beforeEach(async () => {
    t = await kind.create();
  });
  afterEach(() => t.dispose());

  it('refuses to generate Monday weeks into a history of Saturday weeks, writing nothing, and names a last week that fits', async () => {
    await importCsv(seasonData(t.store), 'sales', { name: 'walmart.csv', content: WALMART_WEEKS }, { weekDates: 'end' });
    const before = await seasonData(t.store).salesSummary();
    const error: unknown = await loadSyntheticData(t.store, { ...small, lastWeek: '2025-12-29' }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(BatonError);
    expect(error).toMatchObject({
      code: 'CONFLICT',
      message:
        "the database's sales history starts its weeks on Saturdays (2025-12-06) and generated weeks would start on Mondays (the last one 2025-12-29): together every week would be counted twice",
      suggestions: ['generate into another database (--db FILE, or another DATABASE_URL)', 'or end the generated history on a Saturday: --last-week 2025-12-27'],
    });
    expect(await seasonData(t.store).salesSummary()).toEqual(before);
    expect((await seasonData(t.store).listStores()).map((s) => s.storeId)).toEqual(['1']);

    // Ending on the suggested Saturday, the generated weeks sit on the same grid.
    const load = await loadSyntheticData(t.store, { ...small, lastWeek: '2025-12-27' });
    expect(load.sales.rows).toBe(120);
  });
});
