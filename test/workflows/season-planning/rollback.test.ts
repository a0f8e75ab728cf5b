// What a rollback means for season planning, on real SQLite and PostgreSQL: the plans the abandoned steps made are gone (the re-run writes them afresh and they are the latest), the actuals stand, and the run completes.
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { Engine } from '../../../src/engine/index.js';
import type { BatonStore } from '../../../src/store/index.js';
import { postActuals } from '../../../src/workflows/season-planning/actuals-intake.js';
import type { ForecastPlan } from '../../../src/workflows/season-planning/agents/demand.js';
import { seasonData } from '../../../src/workflows/season-planning/data/index.js';
import { describeEachStore, type TestStore } from '../../support/stores.js';
import { driveToEnd, loadSmallChain, season, SEASON_PLANNING, seasonEngine } from './support.js';

describeEachStore('season planning: rollback', (kind) => {
  let t: TestStore;
  let store: BatonStore;
  let engine: Engine;
  const errors: unknown[] = [];
  beforeEach(async () => {
    t = await kind.create();
    store = t.store;
    errors.length = 0;
    await loadSmallChain(store);
    engine = seasonEngine(store, errors);
    await engine.start();
  });
  afterEach(async () => {
    await engine?.close();
    await t.dispose();
    expect(errors).toEqual([]);
  });

  const data = () => seasonData(store);
  const revisions = async (runId: string, kind: string) => (await data().listPlans(runId, kind)).map((p) => p.revision);
  const weeksPosted = async (runId: string) => [...new Set((await data().listActuals(runId)).map((a) => a.seasonWeek))].sort((a, b) => a - b);

  /** Posts week `week` of a manual season at the latest forecast × `factor`. */
  async function post(runId: string, week: number, factor: number) {
    const latest = (await data().latestPlan(runId, 'forecast'))!.body as ForecastPlan;
    const sales = latest.series.map((s) => ({
      store_id: s.store_id,
      category_id: s.category_id,
      units_sold: Math.round(factor * s.forecast[week - latest.from_week]!),
    }));
    await postActuals(engine, data(), runId, { week, sales });
    return engine.settled(runId);
  }

  it('deletes the re-forecast, allocation and replenishments of the abandoned weeks on a rollback to allocation, keeps the actuals, and completes on the re-run', async () => {
    const run = await engine.startRun(SEASON_PLANNING, season(4, { actuals: 'manual' }));
    const buy = await engine.settled(run.id);
    await engine.resolveWait(run.id, buy.waitingFor!.id, { action: 'accept' });
    await engine.settled(run.id);
    await post(run.id, 1, 2.5);
    const atWeek3 = await post(run.id, 2, 2.5);
    expect(atWeek3).toMatchObject({ state: 'waiting', phase: 'week_actuals' });
    // Both weeks re-forecast: week 2's posts beyond the stores' stock are demand, judged (the excess is unmet).
    expect((await engine.getRun(run.id)).visits).toMatchObject({ reforecast: 2 });
    expect(await revisions(run.id, 'forecast')).toEqual(expect.arrayContaining([1, 2]));
    expect(await revisions(run.id, 'allocation')).toEqual([1]);
    expect(await revisions(run.id, 'replenishment')).toEqual([1, 2]);
    const before = (await data().latestPlan(run.id, 'allocation'))!;

    await engine.rollbackRun(run.id, 'allocation', 'the DC holdback was wrong');
    const reWeek1 = await engine.settled(run.id);
    // Back at week 1's actuals: the forecast the buy was made on is the latest again, the allocation was made afresh.
    expect(reWeek1).toMatchObject({ state: 'waiting', phase: 'week_actuals', waitingFor: { data: { week: 1 } } });
    expect(await revisions(run.id, 'forecast')).toEqual([1]);
    expect(await revisions(run.id, 'replenishment')).toEqual([]);
    const after = (await data().latestPlan(run.id, 'allocation'))!;
    expect(after.revision).toBe(1);
    expect(after.createdAt).toBeGreaterThanOrEqual(before.createdAt);
    expect((await engine.steps(run.id, { all: true })).filter((s) => s.abandoned && s.phase === 'allocation')).toHaveLength(1);
    // The actuals are facts: both posted weeks stand until they are posted again.
    expect(await weeksPosted(run.id)).toEqual([1, 2]);

    for (const week of [1, 2, 3]) await post(run.id, week, 1);
    const done = await post(run.id, 4, 1);
    expect(done).toMatchObject({ state: 'completed' });
    expect(await revisions(run.id, 'forecast')).toEqual([1]);
    expect(await revisions(run.id, 'replenishment')).toEqual([1, 2, 3]);
    expect(await revisions(run.id, 'summary')).toEqual([1]);
    expect(await weeksPosted(run.id)).toEqual([1, 2, 3, 4]);
  });

  it('re-plans a finished season from demand: every plan is made afresh, the buy is asked for again, the actuals stand, and it completes', async () => {
    const run = await engine.startRun(SEASON_PLANNING, season(4));
    expect(await driveToEnd(engine, run.id)).toMatchObject({ state: 'completed' });
    const firstForecast = (await data().latestPlan(run.id, 'forecast'))!;
    expect(await revisions(run.id, 'summary')).toEqual([1]);
    expect(await weeksPosted(run.id)).toEqual([1, 2, 3, 4]);

    await engine.rollbackRun(run.id, 'demand', 'new history was imported');
    const buy = await engine.settled(run.id);
    expect(buy).toMatchObject({ state: 'waiting', phase: 'manufacturing_approval' });
    const forecast = (await data().latestPlan(run.id, 'forecast'))!;
    expect(forecast.revision).toBe(1);
    expect(forecast.createdAt).toBeGreaterThanOrEqual(firstForecast.createdAt);
    for (const kind of ['allocation', 'replenishment', 'summary']) expect(await revisions(run.id, kind)).toEqual([]);
    expect(await weeksPosted(run.id)).toEqual([1, 2, 3, 4]);

    expect(await driveToEnd(engine, run.id)).toMatchObject({ state: 'completed' });
    expect(await revisions(run.id, 'allocation')).toEqual([1]);
    expect(await revisions(run.id, 'replenishment')).toEqual([1, 2, 3]);
    expect(await revisions(run.id, 'summary')).toEqual([1]);
  });
});
