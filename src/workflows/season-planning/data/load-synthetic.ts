/** Writes a synthetic data set into the store (the demo's and `baton data generate`'s data). */
import type { DatabaseHost } from '../../../store/index.js';
import { seasonData } from './index.js';
import type { ImportOutcome, WeeklySales } from './types.js';
import { generatedOnHistoryWeekday } from './week-grid.js';
import { addDays } from './weeks.js';
import { generateRetailData, type SyntheticDataSet, type SyntheticOptions } from './synthetic.js';

export const DEFAULT_SYNTHETIC = { stores: 50, categories: 3, weeks: 156, seed: 42 } as const;
/** In the demo's season the first category sells 35% above its usual pattern from week 3: monitoring should catch it. */
export const DEMO_SHIFT = { factor: 1.35, fromWeek: 3 } as const;
/** Weeks of hidden demand kept after the history: a season of up to 52 weeks starting the week after. */
const FUTURE_WEEKS = 52;

export interface SyntheticLoad {
  data: SyntheticDataSet;
  stores: ImportOutcome;
  categories: ImportOutcome;
  sales: ImportOutcome;
}

function hiddenDemand(data: SyntheticDataSet, lastWeek: string): WeeklySales[] {
  const rows: WeeklySales[] = [];
  for (let week = 1; week <= FUTURE_WEEKS; week++) {
    const weekStartDate = addDays(lastWeek, 7 * week);
    for (const s of data.stores) {
      for (const c of data.categories) rows.push({ storeId: s.storeId, categoryId: c.categoryId, weekStartDate, unitsSold: data.trueDemand(s.storeId, c.categoryId, weekStartDate) });
    }
  }
  return rows;
}

export async function loadSyntheticData(host: DatabaseHost, options: SyntheticOptions, now = Date.now()): Promise<SyntheticLoad> {
  const season = seasonData(host);
  await generatedOnHistoryWeekday(season, options.lastWeek);
  const data = generateRetailData(options);
  const source = `synthetic(seed=${options.seed}, stores=${options.stores}, categories=${options.categories}, weeks=${options.weeks}, last week ${options.lastWeek})`;
  const stores = await season.importStores({ source, rows: data.stores, warnings: [], at: now });
  const categories = await season.importCategories({ source, rows: data.categories, warnings: [], at: now });
  const sales = await season.importSales({ source, rows: data.sales, warnings: [], at: now });
  await season.saveSimulatedDemand(hiddenDemand(data, options.lastWeek));
  return { data, stores, categories, sales };
}
