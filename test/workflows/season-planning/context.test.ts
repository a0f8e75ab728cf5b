// Context assembly on real databases: per-agent contexts, the cache and its invalidation, and too little history.
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { BatonStore } from '../../../src/store/index.js';
import { ContextAssembler } from '../../../src/workflows/season-planning/context.js';
import { loadSyntheticData } from '../../../src/workflows/season-planning/data/load-synthetic.js';
import { PlanParameters } from '../../../src/workflows/season-planning/parameters.js';
import { describeEachStore, type TestStore } from '../../support/stores.js';
import { LAST_WEEK, loadSmallChain, season } from './support.js';
import { seasonData } from '../../../src/workflows/season-planning/data/index.js';
import { addDays } from '../../../src/workflows/season-planning/data/weeks.js';
import type { BatonError } from '../../../src/errors/index.js';

describeEachStore('season-planning context', (kind) => {
  let t: TestStore;
  let store: BatonStore;
  beforeEach(async () => {
    t = await kind.create();
    store = t.store;
  });
  afterEach(() => t.dispose());

  const parameters = PlanParameters.parse(season(6));

  it('gives each agent what it needs: series and the season’s place, stores and the DC share, the price model', async () => {
    await loadSmallChain(store);
    const assembler = new ContextAssembler(seasonData(store));
    const demand = await assembler.demand(parameters);
    expect(demand).toMatchObject({ horizonWeeks: 6, lastHistoryWeek: LAST_WEEK, weeksBeforeSeason: 0, notes: [] });
    expect(demand.series).toHaveLength(16);
    expect(demand.series.every((s) => s.values.length === 104)).toBe(true);
    const inventory = await assembler.inventory(parameters);
    expect(inventory.dcHoldback).toBe(0.15);
    expect(inventory.stores).toHaveLength(8);
    expect([...inventory.salesProfiles.values()].reduce((a, p) => a + p.share, 0)).toBeCloseTo(1, 9);
    expect(await assembler.pricing(parameters)).toEqual({
      checkpointWeek: null,
      threshold: null,
      horizonWeeks: 6,
      fullPrice: 50,
      elasticity: -2,
      elasticityAssumed: true,
      quantity: 'units',
    });
  });

  it('serves the cached data until an import changes it', async () => {
    await loadSmallChain(store);
    const assembler = new ContextAssembler(seasonData(store));
    const first = await assembler.snapshot();
    expect(await assembler.snapshot()).toBe(first);
    await seasonData(store).importStores({
      source: 'extra',
      rows: [{ storeId: 'S999', storeName: null, region: null, storeSizeSqft: null, locationTier: null, medianIncome: null, storeFormat: null }],
      warnings: [],
      at: 1,
    });
    const after = await assembler.snapshot();
    expect(after).not.toBe(first);
    expect(after.stores.map((s) => s.storeId)).toContain('S999');
  });

  it('refuses a history whose weeks start on two weekdays (written before imports refused it) rather than count weeks twice', async () => {
    await loadSmallChain(store);
    // A row one day off the grid, as a second import with the other --week-dates left behind.
    await seasonData(store).importSales({
      source: 'shifted',
      rows: [{ storeId: 'S001', categoryId: 'C01', weekStartDate: '2025-06-03', unitsSold: 9 }],
      warnings: [],
      at: 2,
    });
    const error = await new ContextAssembler(seasonData(store)).demand(parameters).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: 'CONFLICT' });
    expect((error as Error).message).toMatch(/^the sales history's weeks start on different weekdays \(\d{4}-\d\d-\d\d and 2025-06-03\)/);
  });

  it('refuses to plan from less than a year of history, or none, with suggestions', async () => {
    const assembler = new ContextAssembler(seasonData(store));
    await expect(assembler.demand(parameters)).rejects.toMatchObject({ code: 'DATA_NOT_FOUND', message: 'there is no sales history to plan from' });
    await loadSyntheticData(store, { stores: 2, categories: 1, weeks: 40, seed: 1, lastWeek: LAST_WEEK });
    const error: unknown = await assembler.demand(parameters).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'DATA_NOT_FOUND', details: { weeks_of_history: 40, minimum: 52 } });
    expect((error as { suggestions: string[] }).suggestions[0]).toBe('generate demo data: baton data generate');
  });

  it('places a season that starts later than the week after the history, and refuses one too far ahead or inside the history, naming the starts it supports', async () => {
    await loadSmallChain(store);
    const assembler = new ContextAssembler(seasonData(store));
    const later = await assembler.demand(PlanParameters.parse({ ...season(6), season_start_date: '2026-02-02', season_end_date: '2026-03-16' }));
    expect(later).toMatchObject({ weeksBeforeSeason: 4, latestStart: '2027-01-04' });
    expect(later.notes[0]).toMatch(/starts 4 week\(s\) after the history ends \(2026-01-04\): those weeks are forecast with the season/);
    // A Thursday start on Monday weeks: planned on the Monday week it shares most days with (4 of 7), and said.
    const thursday = await assembler.demand(PlanParameters.parse({ ...season(6), season_start_date: '2026-02-05', season_end_date: '2026-03-19' }));
    expect(thursday.weeksBeforeSeason).toBe(4);
    expect(thursday.notes).toContain(
      "the season starts on 2026-02-05, a Thursday, and the history's weeks start on a Monday: each season week is forecast as the history's week it shares most days with, week 1 as the week of 2026-02-02",
    );
    expect(later.notes.join(' ')).not.toMatch(/shares most days/);
    // 104 weeks of history support a gap of min(52, 104 − 52) = 52 weeks between the last history week and the season.
    const latest = await assembler.demand(PlanParameters.parse({ ...season(6), season_start_date: '2027-01-04', season_end_date: '2027-02-15' }));
    expect(latest.weeksBeforeSeason).toBe(52);
    const far: unknown = await assembler
      .demand(PlanParameters.parse({ ...season(6), season_start_date: '2027-01-11', season_end_date: '2027-02-22' }))
      .catch((e: unknown) => e);
    expect(far).toMatchObject({
      code: 'INVALID_PARAMETERS',
      details: { last_history_week: LAST_WEEK, latest_start: '2027-01-04', earliest_start: '2026-01-05', gap_weeks: 53 },
    });
    expect((far as Error).message).toBe(
      "the season starts on 2027-01-11, 53 weeks after the sales history's last week (2025-12-29); 104 weeks of history support a season starting at most 52 weeks after it, by 2027-01-04",
    );
    const inside: unknown = await assembler
      .demand(PlanParameters.parse({ ...season(6), season_start_date: '2025-12-01', season_end_date: '2026-01-12' }))
      .catch((e: unknown) => e);
    expect(inside).toMatchObject({ code: 'INVALID_PARAMETERS', details: { last_history_week: LAST_WEEK, earliest_start: '2026-01-05' } });
    expect((inside as Error).message).toMatch(
      /before the sales history ends \(its last week starts 2025-12-29 and ends 2026-01-04\).*the earliest start is 2026-01-05/,
    );
  });

  it('admits a season as the Demand agent would, from the distinct weeks alone, without reading every sales row', async () => {
    await loadSmallChain(store);
    const data = seasonData(store);
    let rowsRead = 0;
    const counting = new Proxy(data, {
      get: (target, key, receiver) => (key === 'listSales' ? () => (rowsRead++, target.listSales()) : (Reflect.get(target, key, receiver) as unknown)),
    });
    const admission = new ContextAssembler(counting);
    const agent = new ContextAssembler(data);
    const answers = async (assembler: ContextAssembler, start: string) => {
      const p = PlanParameters.parse({ ...season(6), season_start_date: start, season_end_date: addDays(start, 42) });
      const error: unknown = await (assembler === admission ? assembler.admit(p) : assembler.demand(p)).then(
        () => undefined,
        (e: unknown) => e,
      );
      return error === undefined ? 'admitted' : { code: (error as BatonError).code, message: (error as Error).message, details: (error as BatonError).details };
    };
    for (const start of ['2026-01-05', '2027-01-04', '2027-01-11', '2025-12-01']) expect(await answers(admission, start)).toEqual(await answers(agent, start));
    expect(await answers(admission, '2027-01-11')).toMatchObject({ code: 'INVALID_PARAMETERS' });
    // A history on two weekdays is refused at admission too.
    await data.importSales({
      source: 'shifted',
      rows: [{ storeId: 'S001', categoryId: 'C01', weekStartDate: '2025-06-03', unitsSold: 9 }],
      warnings: [],
      at: 2,
    });
    expect(await answers(admission, '2026-01-05')).toMatchObject({
      code: 'CONFLICT',
      message: expect.stringMatching(/weeks start on different weekdays/) as unknown,
    });
    expect(await answers(agent, '2026-01-05')).toMatchObject({ code: 'CONFLICT' });
    expect(rowsRead).toBe(0);
  });

  it('admits a season on too little history, mixed weekdays or not, leaving DATA_NOT_FOUND to the agent as before', async () => {
    const data = seasonData(store);
    const rows = Array.from({ length: 10 }, (_, i) => ({ storeId: 'S001', categoryId: 'C01', weekStartDate: addDays('2025-10-27', 7 * i), unitsSold: 5 }));
    await data.importSales({
      source: 'short',
      rows: [...rows, { storeId: 'S001', categoryId: 'C02', weekStartDate: '2025-11-04', unitsSold: 3 }],
      warnings: [],
      at: 1,
    });
    const p = PlanParameters.parse({ ...season(6), season_start_date: '2026-01-05', season_end_date: '2026-02-16' });
    await expect(new ContextAssembler(data).admit(p)).resolves.toBeUndefined();
    await expect(new ContextAssembler(data).demand(p)).rejects.toMatchObject({ code: 'DATA_NOT_FOUND' });
  });
});
