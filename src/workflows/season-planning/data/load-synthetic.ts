/** Writes a synthetic data set into the store (the demo's and `baton data generate`'s data). */
import { BatonError } from '../../../errors/index.js';
import type { DatabaseHost } from '../../../store/index.js';
import { seasonData } from './index.js';
import type { ImportOutcome, SeasonData, WeeklySales } from './types.js';
import { addDays, sameWeekdayOnOrBefore, weekday, weekdayName } from './weeks.js';
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
  await sameWeekdayAsHistory(season, options.lastWeek);
  const data = generateRetailData(options);
  const source = `synthetic(seed=${options.seed}, stores=${options.stores}, categories=${options.categories}, weeks=${options.weeks}, last week ${options.lastWeek})`;
  const stores = await season.importStores({ source, rows: data.stores, warnings: [], at: now });
  const categories = await season.importCategories({ source, rows: data.categories, warnings: [], at: now });
  const sales = await season.importSales({ source, rows: data.sales, warnings: [], at: now });
  await season.saveSimulatedDemand(hiddenDemand(data, options.lastWeek));
  return { data, stores, categories, sales };
}

/**
 * Generated weeks start on the weekday of `lastWeek`: into a history whose weeks start on another (imported
 * Walmart weeks start on Saturdays), every week would be counted twice, so that is refused before anything is written.
 */
async function sameWeekdayAsHistory(season: SeasonData, lastWeek: string): Promise<void> {
  const stored = await season.firstHistoryWeek();
  if (stored === null || weekday(stored) === weekday(lastWeek)) return;
  const aligned = sameWeekdayOnOrBefore(lastWeek, stored);
  throw new BatonError(
    'CONFLICT',
    `the database's sales history starts its weeks on ${weekdayName(stored)}s (${stored}) and generated weeks would start on ${weekdayName(lastWeek)}s (the last one ${lastWeek}): together every week would be counted twice`,
    {
      details: { history_week: stored, last_week: lastWeek },
      suggestions: [`generate into another database (--db FILE, or another DATABASE_URL)`, `or end the generated history on a ${weekdayName(stored)}: --last-week ${aligned}`],
    },
  );
}
