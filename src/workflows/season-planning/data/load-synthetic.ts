/** Writes a synthetic data set into the store (the demo's and `baton data generate`'s data). */
import type { ImportOutcome, Store } from '../../../store/index.js';
import { generateRetailData, type SyntheticDataSet, type SyntheticOptions } from './synthetic.js';

export const DEFAULT_SYNTHETIC = { stores: 50, categories: 3, weeks: 156, seed: 42 } as const;

export interface SyntheticLoad {
  data: SyntheticDataSet;
  stores: ImportOutcome;
  categories: ImportOutcome;
  sales: ImportOutcome;
}

export async function loadSyntheticData(store: Store, options: SyntheticOptions, now = Date.now()): Promise<SyntheticLoad> {
  const data = generateRetailData(options);
  const source = `synthetic(seed=${options.seed}, stores=${options.stores}, categories=${options.categories}, weeks=${options.weeks}, last week ${options.lastWeek})`;
  const stores = await store.retail.importStores({ source, rows: data.stores, warnings: [], at: now });
  const categories = await store.retail.importCategories({ source, rows: data.categories, warnings: [], at: now });
  const sales = await store.retail.importSales({ source, rows: data.sales, warnings: [], at: now });
  return { data, stores, categories, sales };
}
