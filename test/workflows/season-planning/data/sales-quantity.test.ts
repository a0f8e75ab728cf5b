// Units or money: a sales import says what its figures count and how its dates sit in the week, and a season planned on sales value reports money.
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { Engine } from '../../../../src/engine/index.js';
import { BatonError } from '../../../../src/errors/index.js';
import type { BatonStore } from '../../../../src/store/index.js';
import { importCsv } from '../../../../src/workflows/season-planning/data/csv-import.js';
import { addDays, weekday } from '../../../../src/workflows/season-planning/data/weeks.js';
import { stockPosition } from '../../../../src/workflows/season-planning/ledger.js';
import { describeEachStore, type TestStore } from '../../../support/stores.js';
import { completeOf, driveToEnd, SEASON_PLANNING, seasonEngine } from '../support.js';
import { seasonData } from '../../../../src/workflows/season-planning/data/index.js';

/** Walmart's layout: Date is the Friday each week ends, Weekly_Sales is dollars. */
const HEADER = 'Store,Dept,Date,Weekly_Sales,IsHoliday';
const FIRST_FRIDAY = '2010-02-05';

/** `weeks` weeks of Walmart-like rows for 3 stores × 2 departments: dollars with a yearly swing, no randomness. */
function walmartLike(weeks: number): string {
  const lines = [HEADER];
  for (let w = 0; w < weeks; w++) {
    const date = addDays(FIRST_FRIDAY, 7 * w);
    for (const store of [1, 2, 3]) {
      for (const dept of [1, 2]) {
        const dollars = 8_000 * store + 3_000 * dept + 2_500 * Math.sin((2 * Math.PI * w) / 52) + 300 * ((w * 7 + store * 3 + dept) % 5);
        lines.push(`${store},${dept},${date},${dollars.toFixed(2)},${w % 52 === 1 ? 'TRUE' : 'FALSE'}`);
      }
    }
  }
  return lines.join('\n') + '\n';
}

async function importError(promise: Promise<unknown>): Promise<BatonError> {
  const error: unknown = await promise.then(() => undefined, (e: unknown) => e);
  if (!(error instanceof BatonError)) throw new Error(`expected a BatonError, got ${String(error)}`);
  return error;
}

describeEachStore('sales quantity and week dates on import', (kind) => {
  let t: TestStore;
  let store: BatonStore;
  let engine: Engine | undefined;
  const errors: unknown[] = [];
  beforeEach(async () => {
    t = await kind.create();
    store = t.store;
    engine = undefined;
    errors.length = 0;
  });
  afterEach(async () => {
    await engine?.close();
    await t.dispose();
    expect(errors).toEqual([]);
  });

  it('stores a week ending Friday from the Saturday before it with --week-dates end, and records the figures as sales value', async () => {
    const content = [HEADER, '1,1,2012-02-10,24924.50,FALSE', '1,1,2012-02-17,46039.49,TRUE', '2,1,2012-02-10,41595.55,FALSE'].join('\n');
    const report = await importCsv(seasonData(store), 'sales', { name: 'walmart.csv', content }, { quantity: 'sales_value', weekDates: 'end' });
    expect(report).toMatchObject({ rows: 3, quantity: 'sales_value', weekDates: 'end' });
    // Told both, the import has nothing to say about them (the stores it names are new: that warning stays).
    expect(report.warnings.filter((w) => /sales value|week-dates/.test(w))).toEqual([]);
    const rows = await seasonData(store).listSales();
    expect(rows.map((r) => [r.storeId, r.weekStartDate, r.unitsSold])).toEqual([
      ['1', '2012-02-04', 24924.5],
      ['1', '2012-02-11', 46039.49],
      ['2', '2012-02-04', 41595.55],
    ]);
    // Saturday 2012-02-04 to Friday 2012-02-10: the week the Friday ends.
    expect(rows.every((r) => weekday(r.weekStartDate) === 5)).toBe(true);
    expect(await seasonData(store).salesQuantity()).toBe('sales_value');
    const [record] = await seasonData(store).listImports(1);
    expect(record).toMatchObject({ kind: 'sales', quantity: 'sales_value' });
  });

  it('reads a Weekly_Sales column as sales value by default and says so, and that its dates may be week ends', async () => {
    const report = await importCsv(seasonData(store), 'sales', { name: 'walmart.csv', content: [HEADER, '1,1,2012-02-10,100,FALSE'].join('\n') });
    expect(report.quantity).toBe('sales_value');
    expect(report.weekDates).toBe('start');
    expect(report.warnings[0]).toContain('"Weekly_Sales" read as sales value (money), not units');
    expect(report.warnings[0]).toContain('--quantity units');
    expect(report.warnings[1]).toContain('--week-dates end');
    expect((await seasonData(store).listSales())[0]!.weekStartDate).toBe('2012-02-10');
  });

  it('reads Weekly_Sales as units when the import says so, and any other quantity column as units', async () => {
    const told = await importCsv(seasonData(store), 'sales', { name: 'a.csv', content: [HEADER, '1,1,2012-02-10,100,FALSE'].join('\n') }, { quantity: 'units', weekDates: 'end' });
    expect(told.quantity).toBe('units');
    expect(told.warnings.filter((w) => /sales value|week-dates/.test(w))).toEqual([]);
    expect(await seasonData(store).salesQuantity()).toBe('units');
    const plain = await importCsv(seasonData(store), 'sales', { name: 'b.csv', content: 'store_id,category_id,week_start_date,units_sold\n1,1,2012-02-04,7\n' });
    expect(plain.quantity).toBe('units');
  });

  it('reads a column mapped to sales_value as money, and refuses a mapping that contradicts --quantity', async () => {
    const content = 'Shop,Line,Week,Revenue\n1,1,2012-02-06,120.5\n';
    const mapping = { Shop: 'store_id', Line: 'category_id', Week: 'week_start_date', Revenue: 'sales_value' };
    const report = await importCsv(seasonData(store), 'sales', { name: 'pos.csv', content }, { mapping });
    expect(report.quantity).toBe('sales_value');
    expect((await seasonData(store).listSales())[0]!.unitsSold).toBe(120.5);
    const error = await importError(importCsv(seasonData(store), 'sales', { name: 'pos.csv', content }, { mapping, quantity: 'units' }));
    expect(error.code).toBe('INVALID_PARAMETERS');
    expect(error.message).toContain('"Revenue" as sales_value');
  });

  it('warns when a sales import changes what the history counts', async () => {
    await importCsv(seasonData(store), 'sales', { name: 'units.csv', content: 'store_id,category_id,week_start_date,units_sold\n1,1,2012-02-04,7\n' });
    const report = await importCsv(seasonData(store), 'sales', { name: 'money.csv', content: 'store_id,category_id,week_start_date,units_sold\n1,1,2012-02-11,700\n' }, { quantity: 'sales_value' });
    expect(report.warnings.some((w) => w.includes('the history held units and this file is sales value'))).toBe(true);
    expect(await seasonData(store).salesQuantity()).toBe('sales_value');
  });

  it('plans a season on sales value in money: the close reports the sales value as revenue (less the markdown), not × the full price', async () => {
    const weeks = 104;
    await importCsv(seasonData(store), 'sales', { name: 'walmart.csv', content: walmartLike(weeks) }, { quantity: 'sales_value', weekDates: 'end' });
    const lastFriday = addDays(FIRST_FRIDAY, 7 * (weeks - 1));
    // The season starts the Saturday after the last week ends, as the history's weeks do.
    const seasonStart = addDays(lastFriday, 1);
    engine = seasonEngine(store, errors);
    await engine.start();
    const run = await engine.startRun(SEASON_PLANNING, {
      forecast_horizon_weeks: 4,
      season_start_date: seasonStart,
      season_end_date: addDays(seasonStart, 28),
      replenishment_strategy: 'weekly',
      dc_holdback_percentage: 0.15,
      markdown_checkpoint_week: 2,
      markdown_threshold: 0.95,
      actuals: 'simulated',
    });
    const done = await driveToEnd(engine, run.id);
    expect(done.state).toBe('completed');
    const events = await engine.readEvents(run.id);

    const [demand] = completeOf(events, 'demand');
    // The buy says what it counts, to the agent's readers and to the person approving it.
    expect(demand!.quantity).toBe('sales_value');
    const buy = events.find((e) => e.type === 'approval_required' && e.payload.phase === 'manufacturing_approval');
    expect(buy?.payload.data).toMatchObject({ quantity: 'sales_value', manufacturing_quantity: demand!.manufacturing_quantity });
    expect(demand!.notes).toContain('the history is sales value (money), not units: the forecast, safety stock and manufacturing quantity are sales value at full price');
    const [pricing] = completeOf(events, 'markdown_check').filter((p) => p.due === true);
    expect(pricing).toMatchObject({ quantity: 'sales_value' });
    expect(pricing!.explanation).toContain('The history is sales value, not units');
    const [summary] = completeOf(events, 'season_close');
    expect(summary).toMatchObject({ quantity: 'sales_value' });
    const sold = summary!.units_sold as number;
    expect(sold).toBeGreaterThan(0);
    // Revenue is the value sold at full price, less the markdown on the weeks after it: never × 50.
    const position = await stockPosition(seasonData(store), run.id);
    const rate = (summary!.markdown as number) ?? 0;
    let expected = 0;
    for (const [week, value] of position.soldByWeek) expected += value * (rate > 0 && week > 2 ? 1 - rate : 1);
    expect(summary!.revenue).toBeCloseTo(expected, 1);
    expect(summary!.revenue as number).toBeLessThanOrEqual(sold + 0.01);
    expect(summary!.revenue as number).toBeLessThan(sold * 2);
    const explanation = summary!.explanation as string;
    expect(explanation).toContain('Figures are sales value');
    expect(explanation).toContain('bought, in sales value');
    expect(explanation).toContain('in sales value replenished');
    expect(explanation).not.toMatch(/ units \(/);
    // Every agent's words name the history's quantity: money is never called units.
    expect(demand!.safety_reason).toMatch(/uncertain by ±[\d,]+ in sales value/);
    expect(completeOf(events, 'allocation')[0]!.explanation).toMatch(/^[\d,]+ in sales value: /);
    const replenished = completeOf(events, 'replenishment').filter((r) => r.acted === true);
    expect(replenished.length).toBeGreaterThan(0);
    for (const r of replenished) expect(r.explanation).toMatch(/^After week \d+: [\d,]+ in sales value from the DC/);
    for (const week of completeOf(events, 'simulate_actuals')) expect(week.explanation).toMatch(/shoppers wanted [\d,]+ in sales value/);
    expect(pricing!.explanation).toMatch(/ of [\d,]+ on hand \(goods at full-price value\)/);
    const agentWords = ['demand', 'allocation', 'simulate_actuals', 'replenishment', 'markdown_check', 'season_close'].flatMap((phase) => completeOf(events, phase).map((r) => JSON.stringify(r)));
    expect(agentWords.filter((words) => /\d units\b/.test(words))).toEqual([]);
  });
});
