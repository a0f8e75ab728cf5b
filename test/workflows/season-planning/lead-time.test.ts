// Seasons bought ahead, on generated data where the truth is known: the gap is forecast, not filled; bands come from back-tests and cover about what they say.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Engine } from '../../../src/engine/index.js';
import { openStore } from '../../../src/store/index.js';
import type { DemandOutput } from '../../../src/workflows/season-planning/agents/demand.js';
import { loadSyntheticData } from '../../../src/workflows/season-planning/data/load-synthetic.js';
import { addDays } from '../../../src/workflows/season-planning/data/weeks.js';
import { completeOf, LAST_WEEK, season, SEASON_PLANNING, seasonEngine } from './support.js';
import { seasonTables } from '../../../src/workflows/season-planning/data/index.js';

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
  it('fails the run with INVALID_PARAMETERS from the Demand agent, naming the history’s last week and the latest start', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'baton-lead-'));
    const store = await openStore({ sqlitePath: join(dir, 'baton.db'), origin: 'lead-test', modules: [seasonTables] });
    const engine = seasonEngine(store, []);
    try {
      await loadSyntheticData(store, { stores: 2, categories: 1, weeks: 80, seed: 5, lastWeek: LAST_WEEK });
      await engine.start();
      // 80 weeks of history support a season at most 80 − 52 = 28 weeks after the last one.
      const start = addDays(LAST_WEEK, 7 * 30);
      const run = await engine.startRun(SEASON_PLANNING, season(6, { season_start_date: start, season_end_date: addDays(start, 42) }));
      const failed = await engine.settled(run.id);
      expect(failed.state).toBe('failed');
      expect(failed.error).toMatchObject({ error_type: 'INVALID_PARAMETERS' });
      expect(JSON.stringify(failed.error)).toContain(
        `the sales history's last week (${LAST_WEEK}); 80 weeks of history support a season starting at most 28 weeks after it, by ${addDays(LAST_WEEK, 7 * 29)}`,
      );
    } finally {
      await engine.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);
});
