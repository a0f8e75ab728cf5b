// The CSV importer's limits and its hand-written sales check: a 30 MiB bad cell makes a small error, and sales rows are judged as the zod schema judges them.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BatonError } from '../../../../src/errors/index.js';
import { openStore, type BatonStore } from '../../../../src/store/index.js';
import { MAX_QUOTED } from '../../../../src/workflows/season-planning/data/columns.js';
import { checkSalesRow, importCsv, Problems, ROW_SCHEMAS } from '../../../../src/workflows/season-planning/data/csv-import.js';
import { seasonData, seasonTables } from '../../../../src/workflows/season-planning/data/index.js';

describe('CSV import bounds', () => {
  let dir: string;
  let store: BatonStore;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'baton-csv-bounds-'));
    store = await openStore({ sqlitePath: join(dir, 'baton.db'), origin: 'csv-bounds-test', modules: [seasonTables] });
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reports a 30 MiB bad cell once, cut, when the record limit lets it through', async () => {
    const cell = 'q'.repeat(30 * 1_048_576);
    const content = `Store,Dept,Date,Weekly_Sales\n1,1,${cell},4\n`;
    const error = await importCsv(seasonData(store), 'sales', { name: 'huge.csv', content }, { maxRecordSize: 64 * 1_048_576 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BatonError);
    const body = JSON.stringify({ message: (error as BatonError).message, details: (error as BatonError).details, suggestions: (error as BatonError).suggestions });
    expect((error as BatonError).code).toBe('INVALID_PARAMETERS');
    expect(body.length).toBeLessThan(1_000);
    expect(body.split(cell.slice(0, MAX_QUOTED)).length - 1).toBe(1);
    expect(body).toContain('(31,457,280 characters) is not a date');
  });

  it('refuses a cell holding the NUL character with the line named, importing nothing', async () => {
    const content = 'Store,Type,Size\n1,A,151315\n2,B\u0000,202307\n';
    const error = (await importCsv(seasonData(store), 'stores', { name: 'nul.csv', content }).catch((e: unknown) => e)) as BatonError;
    expect(error).toBeInstanceOf(BatonError);
    expect(error.code).toBe('INVALID_PARAMETERS');
    expect(error.details.problems).toEqual([{ line: 3, message: 'a cell contains the NUL character' }]);
    expect(await seasonData(store).listStores()).toEqual([]);
  });

  it('judges sales rows exactly as the zod schema does', () => {
    const values = [null, '', '  ', '1', ' 7 ', 'A, Main St', '2012-01-06', '1/6/2025', '2012-13-01', 'someday', '12.5', '-3', '1e308', '1e999', 'NaN', 'x'.repeat(200)];
    const pick = (i: number) => values[i % values.length] ?? null;
    for (let i = 0; i < 4_000; i++) {
      const raw = { store_id: pick(i), category_id: pick(i * 7 + 3), week_start_date: pick(i * 13 + 5), units_sold: pick(i * 3 + 1) };
      const problems = new Problems();
      const mine = checkSalesRow(raw, 1, problems);
      const zod = ROW_SCHEMAS.sales.safeParse(raw);
      expect(mine, JSON.stringify(raw)).toEqual(zod.success ? zod.data : undefined);
      const expected = zod.success ? [] : zod.error.issues.map((issue) => ({ line: 1, field: issue.path.join('.'), message: issue.code === 'invalid_type' ? 'is missing' : issue.message }));
      expect(problems.listed, JSON.stringify(raw)).toEqual(expected);
    }
  });
});
