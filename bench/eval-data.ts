/** Loading the shared evaluation data sets (M4 weekly, Walmart) for the eval:* scripts; they stay in ../shared, read in place. */
import { existsSync, readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';

export const M4_WEEKLY_PATH = new URL('../../shared/data/m4-weekly/Weekly-train.csv', import.meta.url);
export const WALMART_SALES_PATH = new URL('../../shared/data/walmart/sales.csv', import.meta.url);

/** Exits with a one-line notice when a data set is absent (a user's clone has no ../shared). */
export function requireData(path: URL): void {
  if (!existsSync(path)) {
    console.log(`skipped: ${path.pathname} is absent (the shared data sets live outside the repository)`);
    process.exit(0);
  }
}

export function loadM4Weekly(): { id: string; values: number[] }[] {
  const rows: string[][] = parse(readFileSync(M4_WEEKLY_PATH), { relax_column_count: true });
  return rows.slice(1).map((row) => ({
    id: row[0]!,
    values: row
      .slice(1)
      .filter((v) => v !== '')
      .map(Number),
  }));
}

function walmartRows(): Record<string, string>[] {
  return parse<Record<string, string>>(readFileSync(WALMART_SALES_PATH), { columns: true });
}

/** The Walmart week dates in order: each is the Friday that ends its week (the last day it covers). */
export function walmartWeeks(rows = walmartRows()): string[] {
  return [...new Set(rows.map((r) => r.Date!))].sort();
}

/** Walmart weekly sales as one series per `<Store>_<Dept>` on the common week grid (walmartWeeks); absent weeks are null. */
export function loadWalmart(): { id: string; values: (number | null)[] }[] {
  const rows = walmartRows();
  const dates = walmartWeeks(rows);
  const week = new Map(dates.map((d, i) => [d, i]));
  const series = new Map<string, (number | null)[]>();
  for (const row of rows) {
    const id = `${row.Store}_${row.Dept}`;
    let values = series.get(id);
    if (values === undefined) {
      values = new Array<number | null>(dates.length).fill(null);
      series.set(id, values);
    }
    values[week.get(row.Date!)!] = Number(row.Weekly_Sales);
  }
  return [...series].map(([id, values]) => ({ id, values }));
}
