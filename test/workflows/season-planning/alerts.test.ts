// Variance alerts with judgement on real SQLite and PostgreSQL: a one-week spike is watched, a shift a category holds re-plans that category alone, the chain alerts at once, and the monitor says whether the re-forecast paid.
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { Engine } from '../../../src/engine/index.js';
import type { BatonStore } from '../../../src/store/index.js';
import { postActuals } from '../../../src/workflows/season-planning/actuals-intake.js';
import type { DemandOutput, ForecastPlan } from '../../../src/workflows/season-planning/agents/demand.js';
import type { MonitorOutput } from '../../../src/workflows/season-planning/agents/monitor.js';
import { loadSyntheticData } from '../../../src/workflows/season-planning/data/load-synthetic.js';
import { describeEachStore, type TestStore } from '../../support/stores.js';
import { completeOf, driveToEnd, LAST_WEEK, loadSmallChain, ofType, season, SEASON_PLANNING, seasonEngine } from './support.js';
import { seasonData } from '../../../src/workflows/season-planning/data/index.js';

/** Five categories over 8 stores: C01 is about 31% of a week and C02 about 9% (measured on the generator, seed 11). */
const FIVE_CATEGORIES = { stores: 8, categories: 5, weeks: 104, seed: 11, lastWeek: LAST_WEEK } as const;

describeEachStore('season planning: variance alerts', (kind) => {
  let t: TestStore;
  let store: BatonStore;
  let engine: Engine;
  const errors: unknown[] = [];
  beforeEach(async () => {
    t = await kind.create();
    store = t.store;
    errors.length = 0;
  });
  afterEach(async () => {
    await engine?.close();
    await t.dispose();
    expect(errors).toEqual([]);
  });

  const monitors = async (runId: string) => completeOf(await engine.readEvents(runId), 'monitor') as unknown as MonitorOutput[];
  const plans = async (runId: string) =>
    (await seasonData(store).listPlans(runId, 'forecast')).map((p) => p.body as ForecastPlan).sort((a, b) => a.revision - b.revision);

  /** A manual season over five categories, past its buy; `post(week, factor)` posts each series at its forecast × factor(category). */
  async function manualSeason(weeks: number) {
    await loadSyntheticData(store, FIVE_CATEGORIES);
    engine = seasonEngine(store, errors);
    await engine.start();
    const run = await engine.startRun(SEASON_PLANNING, season(weeks, { actuals: 'manual' }));
    const buy = await engine.settled(run.id);
    await engine.resolveWait(run.id, buy.waitingFor!.id, { action: 'accept' });
    await engine.settled(run.id);
    const post = async (week: number, factor: (categoryId: string) => number) => {
      const latest = (await plans(run.id)).at(-1)!;
      const sales = latest.series.map((s) => ({
        store_id: s.store_id,
        category_id: s.category_id,
        units_sold: Math.round(factor(s.category_id) * s.forecast[week - latest.from_week]!),
      }));
      await postActuals(engine, seasonData(store), run.id, { week, sales });
      return engine.settled(run.id);
    };
    return { runId: run.id, post };
  }

  it('watches a small category that spikes for one week (beyond the threshold and outside its 95% band) and re-forecasts nothing when it comes back', async () => {
    const { runId, post } = await manualSeason(4);
    await post(1, (c) => (c === 'C02' ? 1.8 : 1));
    await post(2, () => 1);
    await post(3, () => 1);
    expect((await post(4, () => 1)).state).toBe('completed');

    const [week1, week2] = await monitors(runId);
    const c02 = week1!.by_category.find((c) => c.category_id === 'C02')!;
    // The spike is off plan by every single-week test: only a second week would have made it an alert.
    expect(c02.variance).toBeCloseTo(0.8, 1);
    expect(c02.outside_band).toBe(true);
    expect(week1).toMatchObject({ alert: false, reforecast: false, watch: [{ category_id: 'C02', direction: 'over' }] });
    expect(week1!.explanation).toMatch(/C02 off plan for a first week/);
    expect(week2).toMatchObject({ alert: false, watch: [] });
    const events = await engine.readEvents(runId);
    expect(ofType(events, 'variance_alert')).toEqual([]);
    expect(completeOf(events, 'reforecast')).toEqual([]);
    expect((await plans(runId)).map((p) => p.revision)).toEqual([1]);
  });

  it('re-forecasts a small category that stays off plan a second week, and re-plans that category alone', async () => {
    const { runId, post } = await manualSeason(4);
    await post(1, (c) => (c === 'C02' ? 1.8 : 1));
    await post(2, (c) => (c === 'C02' ? 1.8 : 1));
    const [week1, week2] = await monitors(runId);
    expect(week1).toMatchObject({ alert: false, watch: [{ category_id: 'C02', direction: 'over' }] });
    // The chain moved by C02's share of 80% only: within the threshold, so the category's alert re-plans it alone.
    expect(Math.abs(week2!.variance!)).toBeLessThan(0.2);
    expect(week2).toMatchObject({ alert: true, reforecast: true, replan_categories: ['C02'], watch: [] });

    const events = await engine.readEvents(runId);
    const [alert] = ofType(events, 'variance_alert');
    expect(alert!.payload).toMatchObject({
      week: 2,
      week_number: 2,
      variance_direction: 'over',
      reforecast_triggered: true,
      chain_alert: false,
      band_level: 0.95,
      replan_categories: ['C02'],
      action: 're-forecast the remaining weeks of C02',
    });
    expect((alert!.payload.categories as { category_id: string }[]).map((c) => c.category_id)).toEqual(['C02']);
    expect(alert!.payload.message).toMatch(/C02 \+8\d(\.\d)?% beyond it and outside its 95% band a second week/);

    const [reforecast] = completeOf(events, 'reforecast') as unknown as DemandOutput[];
    expect(reforecast).toMatchObject({ from_week: 3, revision: 2, replanned_categories: ['C02'], series_replanned: 8, series: 40 });
    const [first, second] = await plans(runId);
    for (const s of second!.series) {
      const before = first!.series.find((p) => p.store_id === s.store_id && p.category_id === s.category_id)!;
      // The other categories keep revision 1's forecast of weeks 3–4; C02 is forecast again from its actuals (and lifted by them).
      if (s.category_id === 'C02') expect(s.forecast).not.toEqual(before.forecast.slice(2));
      else expect(s.forecast).toEqual(before.forecast.slice(2));
    }
    // Their bands are revision 1's too, from week 3 on (no back-test re-run); each category's measured uncertainty is carried.
    const slice = (values: number[]) => values.slice(2);
    for (const id of ['C01', 'C03', 'C04', 'C05']) {
      const band = first!.totals!.categories[id]!;
      expect(second!.totals!.categories[id]).toEqual({
        forecast: slice(band.forecast),
        lo80: slice(band.lo80),
        hi80: slice(band.hi80),
        lo95: slice(band.lo95),
        hi95: slice(band.hi95),
      });
    }
    expect(reforecast!.by_category.map((c) => c.category_id).sort()).toEqual(['C01', 'C02', 'C03', 'C04', 'C05']);
    expect(reforecast!.explanation).toMatch(
      /Re-planned C02 \(8 series, the categories whose variance alerted\); the other 4 categories keep revision 1's forecast/,
    );
    const c02 = (plan: ForecastPlan, i: number) => plan.series.filter((s) => s.category_id === 'C02').reduce((sum, s) => sum + s.forecast[i]!, 0);
    expect(c02(second!, 0)).toBeGreaterThan(c02(first!, 2));

    // Week 3 sells C02 at its new level: the monitor scores revision 2 against revision 1 on it and finds it paid.
    await post(3, (c) => (c === 'C02' ? (1.8 * c02(first!, 2)) / c02(second!, 0) : 1));
    const week3 = (await monitors(runId))[2]!;
    expect(week3.reforecast_paid).toMatchObject({ revision: 2, previous_revision: 1, categories: ['C02'], weeks: [3], paid: true });
    expect(week3.reforecast_paid!.error!).toBeLessThan(week3.reforecast_paid!.previous_error!);
    expect(week3.explanation).toMatch(/Revision 2 \(C02\) on week 3: error .* against .* for revision 1 \(the re-forecast paid\)/);
  });

  it('re-forecasts the category the generator shifts once it holds for two weeks, leaving the others as forecast', async () => {
    await loadSyntheticData(store, { ...FIVE_CATEGORIES, inSeasonShift: { factor: 1.45, fromWeek: 4 } });
    engine = seasonEngine(store, errors);
    await engine.start();
    const run = await engine.startRun(SEASON_PLANNING, season(8));
    expect((await driveToEnd(engine, run.id)).state).toBe('completed');
    const events = await engine.readEvents(run.id);
    const alerts = ofType(events, 'variance_alert');
    expect(alerts.length).toBeGreaterThan(0);
    expect(alerts[0]!.payload).toMatchObject({ week: 5, chain_alert: false, replan_categories: ['C01'], reforecast_triggered: true });
    const [reforecast] = completeOf(events, 'reforecast') as unknown as DemandOutput[];
    expect(reforecast).toMatchObject({ from_week: 6, replanned_categories: ['C01'], series_replanned: 8, series: 40 });
    const [first, second] = await plans(run.id);
    for (const s of second!.series.filter((x) => x.category_id !== 'C01')) {
      expect(s.forecast).toEqual(first!.series.find((p) => p.store_id === s.store_id && p.category_id === s.category_id)!.forecast.slice(5));
    }
    // The week after, the monitor scores the re-forecast on the weeks it re-planned.
    const week6 = (await monitors(run.id)).find((m) => m.week === 6)!;
    expect(week6.reforecast_paid).toMatchObject({ revision: 2, previous_revision: 1, categories: ['C01'], weeks: [6], paid: true });
  });

  it('alerts on the chain beyond the threshold at once and re-plans every category', async () => {
    await loadSmallChain(store, { factor: 1.7, fromWeek: 2 });
    engine = seasonEngine(store, errors);
    await engine.start();
    const run = await engine.startRun(SEASON_PLANNING, season(4));
    expect((await driveToEnd(engine, run.id)).state).toBe('completed');
    const events = await engine.readEvents(run.id);
    const [alert] = ofType(events, 'variance_alert');
    expect(alert!.payload).toMatchObject({ week: 2, chain_alert: true, replan_categories: null, action: 're-forecast the remaining weeks' });
    expect(Math.abs(alert!.payload.variance as number)).toBeGreaterThan(0.2);
    const [reforecast] = completeOf(events, 'reforecast') as unknown as DemandOutput[];
    expect(reforecast).toMatchObject({ from_week: 3, replanned_categories: null, series_replanned: 16 });
  });
});
