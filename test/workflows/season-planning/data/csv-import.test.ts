// CSV imports into real databases: line endings, quotes, NA, returns, gaps, all-or-nothing, re-import.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { BatonError } from '../../../../src/errors/index.js';
import type { BatonStore } from '../../../../src/store/index.js';
import { importCsv } from '../../../../src/workflows/season-planning/data/csv-import.js';
import { describeEachStore, type TestStore } from '../../../support/stores.js';
import { seasonData } from '../../../../src/workflows/season-planning/data/index.js';

const SALES = ['Store,Dept,Date,Weekly_Sales,IsHoliday', '1,1,2012-01-06,100.5,FALSE', '1,1,2012-01-13,-20,FALSE', '1,1,2012-01-27,80,FALSE', '2,1,2012-01-06,NA,FALSE', '2,1,2012-01-13,55,FALSE'];
const WALMART_STORES = '../shared/data/walmart/stores.csv';

async function importError(promise: Promise<unknown>): Promise<BatonError> {
  const error: unknown = await promise.then(() => undefined, (e: unknown) => e);
  if (!(error instanceof BatonError)) throw new Error(`expected a BatonError, got ${String(error)}`);
  return error;
}

describeEachStore('CSV import', (kind) => {
  let t: TestStore;
  let store: BatonStore;
  beforeEach(async () => {
    t = await kind.create();
    store = t.store;
  });
  afterEach(() => t.dispose());

  it.each([
    ['LF', '\n'],
    ['CRLF', '\r\n'],
    ['bare CR', '\r'],
  ])('reads %s line endings alike', async (_, eol) => {
    const report = await importCsv(seasonData(store), 'sales', { name: 'sales.csv', content: SALES.join(eol) + eol });
    expect(report).toMatchObject({ rows: 4, inserted: 4, updated: 0 });
    expect((await seasonData(store).listSales()).map((s) => [s.storeId, s.weekStartDate, s.unitsSold])).toEqual([
      ['1', '2012-01-06', 100.5],
      ['1', '2012-01-13', -20],
      ['1', '2012-01-27', 80],
      ['2', '2012-01-13', 55],
    ]);
  });

  it('keeps negative sales, skips NA units, reports missing weeks and unknown stores', async () => {
    const report = await importCsv(seasonData(store), 'sales', { name: 'sales.csv', content: SALES.join('\n') });
    // Walmart's Weekly_Sales is dollars: read as sales value, said so, with a word on its week-end dates.
    expect(report.warnings).toEqual([
      '"Weekly_Sales" read as sales value (money), not units: the plan and its reports will be in sales value; import with --quantity units (?quantity=units) if it counts units',
      "dates read as the first day of each week; if they are the day a week ends (Walmart's Date is a Friday), import with --week-dates end (?week_dates=end)",
      '1 row with negative sales value (returns exceeding sales): kept as they are',
      '1 row without sales value (NA) skipped, first at line 5',
      '1 series (store × category) miss weeks: 1 week in all; forecasting fills them',
      '2 stores not in the stores table (added without attributes; import stores to describe them)',
    ]);
    expect((await seasonData(store).listStores()).map((s) => s.storeId)).toEqual(['1', '2']);
    expect((await seasonData(store).listImports())[0]?.warnings).toEqual(report.warnings);
  });

  it('imports nothing from a file with bad rows and names each line and problem', async () => {
    const content = [...SALES, '3,1,2012-13-01,5,FALSE', '3,1,2012-01-06,many,FALSE', '3,1'].join('\n');
    const error = await importError(importCsv(seasonData(store), 'sales', { name: 'bad.csv', content }));
    expect(error.code).toBe('INVALID_PARAMETERS');
    expect(error.message).toBe('bad.csv: 3 rows are invalid; nothing was imported');
    expect(error.details.problems).toEqual([
      { line: 7, field: 'week_start_date', message: '"2012-13-01" is not a date (YYYY-MM-DD or M/D/YYYY)' },
      { line: 8, field: 'units_sold', message: '"many" is not a number' },
      { line: 9, message: 'has 2 fields, the header has 5' },
    ]);
    expect(error.suggestions).toEqual(['fix bad.csv lines 7 (week_start_date), 8 (units_sold), 9, then import the file again']);
    expect(await seasonData(store).listSales()).toEqual([]);
    expect(await seasonData(store).listImports()).toEqual([]);
  });

  it('refuses a file whose weeks start on another weekday than the history, which stays as it was', async () => {
    await importCsv(seasonData(store), 'sales', { name: 'sales.csv', content: SALES.join('\n') });
    const before = await seasonData(store).listSales();
    // The same Friday dates read as week ends start on Saturdays: added, each week would be counted twice.
    const error = await importError(importCsv(seasonData(store), 'sales', { name: 'again.csv', content: SALES.join('\n') }, { weekDates: 'end' }));
    expect(error).toMatchObject({
      code: 'CONFLICT',
      message: "again.csv: its weeks start on Saturdays but the sales history's start on Fridays (2012-01-06): added to it, every week would be counted twice",
      details: { file_weekday: 'Saturday', history_weekday: 'Friday', week_dates: 'end' },
    });
    expect(error.suggestions).toEqual([
      'to replace the history with this file, import it with --replace (?replace=true)',
      "if the file's dates are the first day of each week, import it with --week-dates start (?week_dates=start)",
    ]);
    expect(await seasonData(store).listSales()).toEqual(before);
    expect(await seasonData(store).listImports()).toHaveLength(1);
  });

  it('replaces the whole history with --replace, dropping weeks and series the file does not have', async () => {
    await importCsv(seasonData(store), 'sales', { name: 'sales.csv', content: SALES.join('\n') });
    const file = ['Store,Dept,Date,Weekly_Sales', '1,1,2012-01-13,10', '1,1,2012-01-20,12'].join('\n');
    const report = await importCsv(seasonData(store), 'sales', { name: 'fixed.csv', content: file }, { weekDates: 'end', replace: true });
    expect(report).toMatchObject({ rows: 2, inserted: 2, updated: 0 });
    expect(report.warnings).toContain('the sales history was replaced by this file');
    expect((await seasonData(store).listSales()).map((s) => [s.storeId, s.weekStartDate, s.unitsSold])).toEqual([
      ['1', '2012-01-07', 10],
      ['1', '2012-01-14', 12],
    ]);
  });

  it('refuses weeks on different weekdays in one file, naming two, and imports nothing', async () => {
    const file = ['Store,Dept,Date,Units', '1,1,2024-01-01,5', '1,1,2024-01-08,6', '2,1,2024-01-09,7'].join('\n');
    const error = await importError(importCsv(seasonData(store), 'sales', { name: 'mixed.csv', content: file }));
    expect(error).toMatchObject({
      code: 'INVALID_PARAMETERS',
      message: 'mixed.csv: weeks start on different weekdays, 2024-01-01 (a Monday) and 2024-01-09 (a Tuesday): weekly sales need one date per week, on the same weekday throughout',
    });
    expect(await seasonData(store).listSales()).toEqual([]);
  });

  it('replaces only sales: a stores import with replace is refused', async () => {
    const error = await importError(importCsv(seasonData(store), 'stores', { name: 'stores.csv', content: 'Store,Type,Size\n1,A,100\n' }, { replace: true }));
    expect(error).toMatchObject({ code: 'BAD_REQUEST' });
    expect(await seasonData(store).listStores()).toEqual([]);
  });

  it('reads a file separated by semicolons with decimal commas, and one separated by tabs', async () => {
    const semicolons = ['Store;Dept;Date;Weekly_Sales', '1;1;2012-02-10;24.924,50', '1;1;2012-02-17;-1.234', '2;1;2012-02-10;46039,49', '2;1;2012-02-17;7', '2;1;2012-02-24;24924.50'].join('\n');
    await importCsv(seasonData(store), 'sales', { name: 'semi.csv', content: semicolons }, { delimiter: ';' });
    expect((await seasonData(store).listSales()).map((s) => [s.storeId, s.weekStartDate, s.unitsSold])).toEqual([
      ['1', '2012-02-10', 24924.5],
      ['1', '2012-02-17', -1234],
      ['2', '2012-02-10', 46039.49],
      ['2', '2012-02-17', 7],
      // Not grouped in threes: a decimal dot, as written.
      ['2', '2012-02-24', 24924.5],
    ]);
    const tabs = ['Store\tType\tSize', '1\tA\t151315', '2\tB\t202307'].join('\n');
    await importCsv(seasonData(store), 'stores', { name: 'stores.tsv', content: tabs }, { delimiter: 'tab' });
    expect((await seasonData(store).listStores()).map((s) => [s.storeId, s.storeFormat, s.storeSizeSqft])).toEqual([
      ['1', 'A', 151315],
      ['2', 'B', 202307],
    ]);
  });

  it('reads quoted figures with thousands commas in a comma-separated file, and refuses a decimal comma there', async () => {
    await importCsv(seasonData(store), 'sales', { name: 'us.csv', content: 'Store,Dept,Date,Weekly_Sales\n1,1,2012-02-10,"24,924.50"\n1,1,2012-02-17,"1,234,567"\n' });
    expect((await seasonData(store).listSales()).map((s) => s.unitsSold)).toEqual([24924.5, 1234567]);
    const error = await importError(importCsv(seasonData(store), 'sales', { name: 'eu.csv', content: 'Store,Dept,Date,Weekly_Sales\n1,1,2012-02-24,"24,5"\n' }));
    expect(error.details.problems).toEqual([{ line: 2, field: 'units_sold', message: '"24,5" is not a number' }]);
  });

  it('reads dotted dates day first, slash dates day first with dateOrder dmy, and says when a file seems to write the day first', async () => {
    const german = ['Filiale;Abteilung;Datum;Umsatz', '1;1;10.02.2012;24.924,50', '1;1;17.02.2012;46.039,49'].join('\n');
    const mapping = { Filiale: 'store_id', Abteilung: 'category_id', Datum: 'week_start_date', Umsatz: 'units_sold' };
    await importCsv(seasonData(store), 'sales', { name: 'umsatz.csv', content: german }, { delimiter: ';', mapping });
    expect((await seasonData(store).listSales()).map((s) => [s.weekStartDate, s.unitsSold])).toEqual([
      ['2012-02-10', 24924.5],
      ['2012-02-17', 46039.49],
    ]);
    const dayFirst = ['Store,Dept,Date,Units', '2,1,10/02/2012,5', '2,1,17/02/2012,6'].join('\n');
    const error = await importError(importCsv(seasonData(store), 'sales', { name: 'uk.csv', content: dayFirst }));
    expect(error.details.problems).toEqual([
      {
        line: 3,
        field: 'week_start_date',
        message: '"17/02/2012" is not a date month first (M/D/YYYY); the file seems to write the day first: import it with --date-order dmy (?date_order=dmy)',
      },
    ]);
    await importCsv(seasonData(store), 'sales', { name: 'uk.csv', content: dayFirst }, { dateOrder: 'dmy' });
    expect((await seasonData(store).listSales()).filter((s) => s.storeId === '2').map((s) => s.weekStartDate)).toEqual(['2012-02-10', '2012-02-17']);
  });

  it('suggests reading the day first when month-first slash dates land on the wrong weekdays', async () => {
    // Fridays 3 and 10 February 2012 written day first: read month first they are March 2 and October 2.
    const dayFirst = ['Store,Dept,Date,Units', '1,1,03/02/2012,5', '1,1,10/02/2012,6'].join('\n');
    const mixed = await importError(importCsv(seasonData(store), 'sales', { name: 'uk.csv', content: dayFirst }));
    expect(mixed.code).toBe('INVALID_PARAMETERS');
    expect(mixed.suggestions[0]).toContain('--date-order dmy');
    // One week of them (5 February, a Sunday, read as May 2, a Wednesday) against a history of Sundays.
    await importCsv(seasonData(store), 'sales', { name: 'history.csv', content: 'Store,Dept,Date,Units\n1,1,2012-01-29,4\n' });
    const oneWeek = await importError(importCsv(seasonData(store), 'sales', { name: 'week.csv', content: 'Store,Dept,Date,Units\n1,1,05/02/2012,5\n' }));
    expect(oneWeek.code).toBe('CONFLICT');
    expect(oneWeek.suggestions[0]).toContain('--date-order dmy');
    await importCsv(seasonData(store), 'sales', { name: 'week.csv', content: 'Store,Dept,Date,Units\n1,1,05/02/2012,5\n' }, { dateOrder: 'dmy' });
    expect((await seasonData(store).listSales()).map((s) => s.weekStartDate)).toEqual(['2012-01-29', '2012-02-05']);
    // ISO dates on the wrong weekday get no such advice: they cannot be misread.
    const iso = await importError(importCsv(seasonData(store), 'sales', { name: 'iso.csv', content: 'Store,Dept,Date,Units\n1,1,2012-02-08,5\n' }));
    expect(iso.suggestions.join(' ')).not.toContain('--date-order');
    // Nor do slash dates that read only month first (25 is no month).
    const monthFirst = await importError(importCsv(seasonData(store), 'sales', { name: 'us.csv', content: 'Store,Dept,Date,Units\n1,1,12/25/2012,5\n' }));
    expect(monthFirst.code).toBe('CONFLICT');
    expect(monthFirst.suggestions.join(' ')).not.toContain('--date-order');
  });

  it('says a file read as one column is separated by semicolons (or tabs), and how to import it', async () => {
    const error = await importError(importCsv(seasonData(store), 'sales', { name: 'semi.csv', content: 'Store;Dept;Date;Weekly_Sales\n1;1;2012-02-10;24924,50\n' }));
    expect(error).toMatchObject({
      code: 'BAD_REQUEST',
      message: 'semi.csv: its header "Store;Dept;Date;Weekly_Sales" is one column: the file seems separated by semicolons, not commas',
      suggestions: ["import it with --delimiter ';' (?delimiter=%3B on upload): decimal commas are then read too (24.924,50)"],
    });
    const tabs = await importError(importCsv(seasonData(store), 'stores', { name: 'stores.tsv', content: 'Store\tType\tSize\n1\tA\t100\n' }));
    expect(tabs.message).toBe('stores.tsv: its header "Store\tType\tSize" is one column: the file seems separated by tabs, not commas');
    expect(await seasonData(store).listSales()).toEqual([]);
  });

  it('updates rows on re-import rather than duplicating them', async () => {
    await importCsv(seasonData(store), 'sales', { name: 'sales.csv', content: SALES.join('\n') });
    const again = await importCsv(seasonData(store), 'sales', { name: 'sales.csv', content: [...SALES.slice(0, 2), '1,1,2012-01-13,7,FALSE', '9,1,2012-01-06,1,FALSE'].join('\n') });
    expect(again).toMatchObject({ rows: 3, inserted: 1, updated: 2 });
    const sales = await seasonData(store).listSales();
    expect(sales).toHaveLength(5);
    expect(sales.find((s) => s.storeId === '1' && s.weekStartDate === '2012-01-13')?.unitsSold).toBe(7);
  });

  it('understands quotes, US dates and an explicit column mapping', async () => {
    const content = ['"Shop","Line","Week of","Qty"', '"A, Main St","Knit","1/6/2025","12"', '"A, Main St","Knit","1/13/2025","9"'].join('\n');
    const report = await importCsv(seasonData(store), 'sales', { name: 'pos.csv', content }, { mapping: { Shop: 'store_id', Line: 'category_id', 'Week of': 'week_start_date', Qty: 'units_sold' } });
    expect(report.inserted).toBe(2);
    expect((await seasonData(store).listSales())[1]).toEqual({ storeId: 'A, Main St', categoryId: 'Knit', weekStartDate: '2025-01-13', unitsSold: 9 });
  });

  it('asks for a mapping when a required column cannot be found', async () => {
    const error = await importError(importCsv(seasonData(store), 'sales', { name: 'pos.csv', content: 'Shop,Dept,Date,Qty\n1,1,2025-01-06,3\n' }));
    expect(error.code).toBe('INCOMPLETE_INPUT');
    expect(error.details.missing).toEqual(['store_id']);
    expect(error.suggestions[0]).toContain('--map <Column>=store_id');
  });

  it('imports stores with missing attributes as empty and keeps the last of a repeated store', async () => {
    const content = 'Store,Type,Size\n1,A,151315\n2,NA,\n1,B,150000\n';
    const report = await importCsv(seasonData(store), 'stores', { name: 'stores.csv', content });
    expect(report).toMatchObject({ rows: 2, inserted: 2, warnings: ['1 store listed twice: the last row was kept'] });
    expect(await seasonData(store).listStores()).toEqual([
      { storeId: '1', storeName: null, region: null, storeSizeSqft: 150000, locationTier: null, medianIncome: null, storeFormat: 'B' },
      { storeId: '2', storeName: null, region: null, storeSizeSqft: null, locationTier: null, medianIncome: null, storeFormat: null },
    ]);
  });

  it('refuses a path that is missing or a folder with BAD_REQUEST naming it, and imports nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'baton-csv-path-'));
    try {
      const missing = await importError(importCsv(seasonData(store), 'stores', { name: 'stores.csv', path: join(dir, 'stores.csv') }));
      expect(missing).toMatchObject({ code: 'BAD_REQUEST', message: `${join(dir, 'stores.csv')}: no such file` });
      const folder = await importError(importCsv(seasonData(store), 'stores', { name: 'stores.csv', path: dir }));
      expect(folder).toMatchObject({ code: 'BAD_REQUEST', message: `${dir}: is a folder, not a file` });
      expect(await seasonData(store).listStores()).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.skipIf(!existsSync(WALMART_STORES))('imports the real Walmart stores file with its bare CR line endings', async () => {
    const report = await importCsv(seasonData(store), 'stores', { name: 'stores.csv', path: WALMART_STORES });
    expect(report).toMatchObject({ rows: 45, inserted: 45 });
    const stores = await seasonData(store).listStores();
    expect(new Set(stores.map((s) => s.storeFormat))).toEqual(new Set(['A', 'B', 'C']));
    expect(stores.every((s) => (s.storeSizeSqft ?? 0) > 0)).toBe(true);
  });
});

if (!existsSync(WALMART_STORES)) console.log(`CSV import: Walmart file test skipped (${WALMART_STORES} not found)`);
