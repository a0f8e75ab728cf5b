// Seasons bought ahead, on generated data where the truth is known: the gap is forecast, not filled; bands come from back-tests and cover about what they say.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Engine } from '../../../src/engine/index.js';
import { openStore, type BatonStore } from '../../../src/store/index.js';
import type { DemandOutput } from '../../../src/workflows/season-planning/agents/demand.js';
import { loadSyntheticData } from '../../../src/workflows/season-planning/data/load-synthetic.js';
import { addDays } from '../../../src/workflows/season-planning/data/weeks.js';
import { completeOf, LAST_WEEK, season, SEASON_PLANNING, seasonEngine } from './support.js';
import { seasonData, seasonTables } from '../../../src/workflows/season-planning/data/index.js';
import type { SyntheticDataSet } from '../../../src/workflows/season-planning/data/synthetic.js';

const GAPS = [0, 13, 26, 39];
const SEASON_WEEKS = 12;
const SEEDS = 12;

/** One data set (3 stores × 3 categories, two years), and a pre-season plan per gap. */
async function plansFor(seed: number) {
  const dir = mkdtempSync(join(tmpdir(), 'baton-lead-'));
  const store = await openStore({ sqlitePath: join(dir, 'baton.db'), origin: 'lead-test', modules: [seasonTables] });
  const errors: unknown[] = [];
  const engine: Engine = seasonEngine(store, errors);
  try {
    const { data } = await loadSyntheticData(store, { stores: 3, categories: 3, weeks: 104, seed, lastWeek: LAST_WEEK });
    await engine.start();
    const plans: { gap: number; start: string; demand: DemandOutput }[] = [];
    for (const gap of GAPS) {
      const start = addDays(LAST_WEEK, 7 * (gap + 1));
      const run = await engine.startRun(SEASON_PLANNING, season(SEASON_WEEKS, { season_start_date: start, season_end_date: addDays(start, 7 * SEASON_WEEKS) }));
      const waiting = await engine.settled(run.id);
      expect(waiting.state).toBe('waiting');
      plans.push({ gap, start, demand: completeOf(await engine.readEvents(run.id), 'demand')[0] as unknown as DemandOutput });
      await engine.cancelRun(run.id, 'measured');
    }
    expect(errors).toEqual([]);
    const truth = (categoryId: string | null, start: string, week: number) =>
      data.stores.reduce(
        (total, s) =>
          total +
          data.categories
            .filter((c) => categoryId === null || c.categoryId === categoryId)
            .reduce((t, c) => t + data.trueDemand(s.storeId, c.categoryId, addDays(start, 7 * week)), 0),
        0,
      );
    return { data, plans, truth };
  } finally {
    await engine.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('seasons that start 0, 13, 26 and 39 weeks after the history', () => {
  it(`forecast each category's season within 25% of the generator's demand, and the chain's 80% band covers 70–90% of weeks over ${SEEDS} seeds`, async () => {
    let inside = 0;
    let weeks = 0;
    let worst = 0;
    for (let seed = 1; seed <= SEEDS; seed++) {
      const { data, plans, truth } = await plansFor(seed);
      for (const { gap, start, demand } of plans) {
        expect(demand.lead_weeks).toBe(gap);
        expect(demand.weeks_planned).toBe(SEASON_WEEKS);
        expect(demand.weekly_curve[0]!.week_start).toBe(start);
        for (const c of data.categories) {
          let actual = 0;
          for (let w = 0; w < SEASON_WEEKS; w++) actual += truth(c.categoryId, start, w);
          const planned = demand.by_category.find((b) => b.category_id === c.categoryId)!.total;
          const off = Math.abs(planned / actual - 1);
          worst = Math.max(worst, off);
          expect(off, `seed ${seed}, gap ${gap}, ${c.name}: ${planned} against ${actual}`).toBeLessThan(0.25);
        }
        demand.weekly_curve.forEach((point, w) => {
          const actual = truth(null, start, w);
          weeks++;
          if (actual >= point.lo80 && actual <= point.hi80) inside++;
        });
      }
    }
    const coverage = inside / weeks;
    // Measured: 0.73 over 12 seeds (the misses cluster on a December week the generator's calendar shifts, which no history shows); worst category 13% off.
    expect(coverage).toBeGreaterThanOrEqual(0.7);
    expect(coverage).toBeLessThanOrEqual(0.9);
    expect(worst).toBeLessThan(0.25);
  }, 240_000);

  it('plans a summer season 26 weeks after a history ending in winter from the seasonal pattern, not from the last history week carried forward', async () => {
    // The case: Outerwear peaks in winter, Swimwear in summer; a summer season after a winter-ending history.
    const { data, plans, truth } = await plansFor(3);
    const { start, demand } = plans.find((p) => p.gap === 26)!;
    for (const c of data.categories) {
      let actual = 0;
      for (let w = 0; w < SEASON_WEEKS; w++) actual += truth(c.categoryId, start, w);
      expect(demand.by_category.find((b) => b.category_id === c.categoryId)!.total / actual).toBeGreaterThan(0.85);
      expect(demand.by_category.find((b) => b.category_id === c.categoryId)!.total / actual).toBeLessThan(1.15);
    }
    expect(demand.explanation).toMatch(/starts 26 week\(s\) after the history: those weeks were forecast with it and left out/);
    expect(demand.explanation).toMatch(/the chain total's error measured on 3 back-test\(s\) over the history's last 39 weeks: \d+(\.\d)?% per week/);
    expect(demand.service_level).toBe(0.95);
  }, 60_000);
});

describe('a season the history cannot support', () => {
  /** A store with 80 weeks of history ending LAST_WEEK, an engine on it (or one with `drive: false`, an API node's), closed after. */
  async function withHistory(work: (store: BatonStore, engine: Engine, data: SyntheticDataSet) => Promise<void>, drive = true) {
    const dir = mkdtempSync(join(tmpdir(), 'baton-lead-'));
    const store = await openStore({ sqlitePath: join(dir, 'baton.db'), origin: 'lead-test', modules: [seasonTables] });
    const engine = seasonEngine(store, [], {}, { drive });
    try {
      const { data } = await loadSyntheticData(store, { stores: 2, categories: 1, weeks: 80, seed: 5, lastWeek: LAST_WEEK });
      await engine.start();
      await work(store, engine, data);
    } finally {
      await engine.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const starting = (start: string) => season(6, { season_start_date: start, season_end_date: addDays(start, 42) });

  it('refuses to start one bought further ahead than the history supports with INVALID_PARAMETERS naming its last week and the latest start, and no run exists', async () => {
    await withHistory(async (_store, engine) => {
      // 80 weeks of history support a season at most 80 − 52 = 28 weeks after the last one.
      const error = await engine.startRun(SEASON_PLANNING, starting(addDays(LAST_WEEK, 7 * 30))).catch((e: unknown) => e);
      expect(error).toMatchObject({
        code: 'INVALID_PARAMETERS',
        details: { last_history_week: LAST_WEEK, latest_start: addDays(LAST_WEEK, 7 * 29), gap_weeks: 29 },
      });
      expect(String((error as Error).message)).toContain(
        `the sales history's last week (${LAST_WEEK}); 80 weeks of history support a season starting at most 28 weeks after it, by ${addDays(LAST_WEEK, 7 * 29)}`,
      );
      expect((await engine.listRuns()).total).toBe(0);
      // The latest start it names is admitted.
      const run = await engine.startRun(SEASON_PLANNING, starting(addDays(LAST_WEEK, 7 * 29)));
      expect((await engine.settled(run.id)).state).toBe('waiting');
    });
  }, 30_000);

  it('refuses to start one that begins before the history ends, naming the earliest start', async () => {
    await withHistory(async (_store, engine) => {
      const error = await engine.startRun(SEASON_PLANNING, starting(LAST_WEEK)).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'INVALID_PARAMETERS', details: { earliest_start: addDays(LAST_WEEK, 7) } });
      expect((error as Error).message).toMatch(/before the sales history ends/);
      expect((await engine.listRuns()).total).toBe(0);
    });
  }, 30_000);

  it('fails the run with INVALID_PARAMETERS from the Demand agent when history imported after the start now overlaps the season', async () => {
    await withHistory(async (store, api, data) => {
      // An API node admits the season starting the week after the history; no worker runs it yet.
      const start = addDays(LAST_WEEK, 7);
      const run = await api.startRun(SEASON_PLANNING, starting(start));
      // Then two more weeks of sales arrive: the history now ends after the season starts.
      const rows = [7, 14].flatMap((days) =>
        data.stores.flatMap((s) =>
          data.categories.map((c) => ({ storeId: s.storeId, categoryId: c.categoryId, weekStartDate: addDays(LAST_WEEK, days), unitsSold: 5 })),
        ),
      );
      await seasonData(store).importSales({ source: 'late weeks', rows, warnings: [], at: Date.now() });
      const worker = seasonEngine(store);
      await worker.start();
      try {
        const failed = await worker.settled(run.id);
        expect(failed.state).toBe('failed');
        expect(failed.error).toMatchObject({
          error_type: 'INVALID_PARAMETERS',
          details: { last_history_week: addDays(LAST_WEEK, 14), earliest_start: addDays(LAST_WEEK, 21) },
        });
      } finally {
        await worker.close();
      }
    }, false);
  }, 30_000);
});
