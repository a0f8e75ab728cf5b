// Whole seasons on real SQLite and PostgreSQL: the agents, approvals, skips, re-forecasts and a restart.
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { Engine } from '../../../src/engine/index.js';
import type { BatonStore } from '../../../src/store/index.js';
import { stockPosition, type AllocationPlanBody } from '../../../src/workflows/season-planning/ledger.js';
import { describeEachStore, type TestStore } from '../../support/stores.js';
import { completeOf, driveToEnd, LAST_WEEK, loadSmallChain, ofType, season, SEASON_PLANNING, seasonEngine } from './support.js';
import type { ForecastPlan } from '../../../src/workflows/season-planning/agents/demand.js';
import { postActuals } from '../../../src/workflows/season-planning/actuals-intake.js';
import { loadSyntheticData } from '../../../src/workflows/season-planning/data/load-synthetic.js';
import { seasonData } from '../../../src/workflows/season-planning/data/index.js';

describeEachStore('season planning', (kind) => {
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

  async function start(parameters: ReturnType<typeof season>, shift?: { factor: number; fromWeek: number }) {
    await loadSmallChain(store, shift);
    engine = seasonEngine(store, errors);
    await engine.start();
    return engine.startRun(SEASON_PLANNING, parameters);
  }

  async function expectAllocationInvariants(runId: string) {
    const plan = (await seasonData(store).latestPlan(runId, 'allocation'))?.body as AllocationPlanBody;
    const storeTotal = Object.values(plan.store_units).reduce((a, b) => a + b, 0);
    expect(storeTotal + plan.dc_units).toBe(plan.approved_quantity);
    expect(Object.values(plan.store_units).every((u) => Number.isInteger(u) && u >= 0)).toBe(true);
    const position = await stockPosition(seasonData(store), runId);
    expect(position.dcUnits).toBeGreaterThanOrEqual(0);
    for (const p of position.stores.values()) expect(p.received - p.sold).toBeGreaterThanOrEqual(0);
  }

  it('plans a standard season: weekly replenishment from a 15% DC holdback, no markdown phase', async () => {
    const run = await start(season(6));
    const done = await driveToEnd(engine, run.id);
    expect(done.state).toBe('completed');
    const events = await engine.readEvents(run.id);
    const [demand] = completeOf(events, 'demand');
    expect(demand).toMatchObject({ series: 16, weeks_planned: 6, quantity_source: 'forecast' });
    expect(demand!.manufacturing_quantity).toBe(Math.ceil((demand!.season_total as number) + (demand!.safety_stock as number)));
    // The agent tells the library the history's dates, so last year's Christmas and Easter weeks are lined up.
    expect((demand!.notes as string[]).some((note) => note.includes('Christmas and Easter weeks lined up'))).toBe(true);
    const [allocation] = completeOf(events, 'allocation');
    expect(allocation!.dc_units).toBe(Math.ceil(0.15 * (allocation!.approved_quantity as number)));
    expect(completeOf(events, 'replenishment')).toHaveLength(6);
    expect(ofType(events, 'phase_skipped').map((e) => e.payload.phase)).toEqual(expect.arrayContaining(['markdown_check', 'markdown_approval']));
    expect(ofType(events, 'phase_skipped').some((e) => e.payload.phase === 'replenishment')).toBe(false);
    await expectAllocationInvariants(run.id);
    const [summary] = completeOf(events, 'season_close');
    expect(summary!.units_sold).toBeGreaterThan(0);
    expect(summary!.sell_through).toBeLessThanOrEqual(1);
  });

  it('plans a Zara-style season: everything shipped up front, replenishment skipped, markdown at week 4 approved as modified', async () => {
    const run = await start(season(8, { replenishment_strategy: 'none', dc_holdback_percentage: 0, markdown_checkpoint_week: 4, markdown_threshold: 0.95 }));
    const done = await driveToEnd(engine, run.id, (phase, data, nth) => {
      // Buy twice the forecast so stock is left at the checkpoint and a markdown pays.
      if (phase === 'manufacturing_approval' && nth === 1)
        return { action: 'modify', data: { manufacturing_quantity: 2 * (data as { manufacturing_quantity: number }).manufacturing_quantity } };
      if (phase === 'markdown_approval' && nth === 1) return { action: 'modify', data: { markdown: 0.3 } };
      return { action: 'accept' };
    });
    expect(done.state).toBe('completed');
    const events = await engine.readEvents(run.id);
    const skipped = ofType(events, 'phase_skipped').filter((e) => e.payload.phase === 'replenishment');
    expect(skipped).toHaveLength(8);
    expect(String(skipped[0]!.payload.reason)).toMatch(/strategy is none/);
    const demands = completeOf(events, 'demand');
    expect(demands).toHaveLength(2);
    expect(demands[1]).toMatchObject({ quantity_source: 'planner', manufacturing_quantity: 2 * (demands[0]!.manufacturing_quantity as number) });
    expect(demands[0]!.safety_reason).toMatch(/no replenishment/);
    const [allocation] = completeOf(events, 'allocation');
    expect(allocation).toMatchObject({ dc_units: 0, approved_quantity: demands[1]!.manufacturing_quantity });
    const checks = completeOf(events, 'markdown_check').filter((c) => c.due);
    expect(checks).toHaveLength(2);
    expect(checks[0]).toMatchObject({ source: 'model', week: 4 });
    expect(checks[0]!.markdown).toBeGreaterThan(0);
    expect(checks[1]).toMatchObject({ source: 'planner', markdown: 0.3 });
    expect(checks[1]!.revenue_with).toBeTypeOf('number');
    // After the checkpoint the monitor compares sales with the forecast lifted by the markdown (0.7^-2 = ×2.04).
    const after = completeOf(events, 'monitor').filter((m) => (m.week as number) > 4 && (m.sold_out_stores as number) < 8);
    expect(after.length).toBeGreaterThan(0);
    for (const m of after) expect(m.explanation).toMatch(/forecast lifted ×2\.04 for the 30% markdown in force/);
    const [summary] = completeOf(events, 'season_close');
    expect(summary).toMatchObject({ markdown: 0.3, replenished_units: 0, left_at_dc: 0 });
    await expectAllocationInvariants(run.id);
  });

  it('refuses a modified buy or markdown with a misspelled field, naming it, and keeps waiting', async () => {
    const run = await start(season(8, { replenishment_strategy: 'none', dc_holdback_percentage: 0, markdown_checkpoint_week: 4, markdown_threshold: 0.99 }));
    const buy = (await engine.settled(run.id)).waitingFor!;
    // "manufacturing_qty" was dropped and the buy accepted as proposed; "dc_holdback" likewise kept the old holdback.
    for (const data of [{ manufacturing_qty: 1000 }, { manufacturing_quantity: 1000, parameters: { dc_holdback: 0.1 } }]) {
      const error = await engine.resolveWait(run.id, buy.id, { action: 'modify', data }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toMatchObject({ code: 'INVALID_PARAMETERS' });
      expect((error as Error).message).toMatch(/manufacturing_qty|parameters\.dc_holdback/);
      expect((await engine.status(run.id)).waitingFor?.id).toBe(buy.id);
    }
    await engine.resolveWait(run.id, buy.id, { action: 'accept' });
    let status = await engine.settled(run.id);
    while (status.waitingFor?.phase !== 'markdown_approval') status = await engine.settled(run.id);
    const markdown = status.waitingFor;
    await expect(engine.resolveWait(run.id, markdown.id, { action: 'modify', data: { markdwn: 0.3 } })).rejects.toMatchObject({ code: 'INVALID_PARAMETERS' });
    expect((await engine.status(run.id)).waitingFor?.id).toBe(markdown.id);
  });

  it('refuses a modified buy 20× the proposal or a twentieth of it as a slip unless confirmed, and plans a confirmed one', async () => {
    const run = await start(season(4, { replenishment_strategy: 'none', dc_holdback_percentage: 0 }));
    const buy = (await engine.settled(run.id)).waitingFor!;
    const proposed = (buy.data as { manufacturing_quantity: number }).manufacturing_quantity;
    for (const quantity of [proposed * 20, Math.max(1, Math.floor(proposed / 20))]) {
      const error = await engine.resolveWait(run.id, buy.id, { action: 'modify', data: { manufacturing_quantity: quantity } }).then(
        () => undefined,
        (e: unknown) => e as Error,
      );
      expect(error).toMatchObject({ code: 'INVALID_PARAMETERS', details: { issues: [{ path: 'manufacturing_quantity' }] } });
      expect(error?.message).toContain(`is ${quantity}, `);
      expect(error?.message).toContain('send confirm_unusual true if that is meant');
      expect((await engine.status(run.id)).waitingFor?.id).toBe(buy.id);
    }
    // Twice the proposal is a planner's call (the Zara-style season above); twenty times, confirmed, is planned as asked.
    const bigger = proposed * 20;
    await engine.resolveWait(run.id, buy.id, { action: 'modify', data: { manufacturing_quantity: bigger, confirm_unusual: true } });
    const again = await engine.settled(run.id);
    expect(again.waitingFor?.phase).toBe('manufacturing_approval');
    expect((again.waitingFor?.data as { manufacturing_quantity: number }).manufacturing_quantity).toBe(bigger);
  });

  it('plans a luxury season without markdowns: both markdown phases skipped with their reason', async () => {
    const run = await start(season(5, { replenishment_strategy: 'bi-weekly', dc_holdback_percentage: 0.3 }));
    expect((await driveToEnd(engine, run.id)).state).toBe('completed');
    const events = await engine.readEvents(run.id);
    expect(ofType(events, 'approval_required')).toHaveLength(1);
    const reasons = ofType(events, 'phase_skipped')
      .filter((e) => e.payload.phase === 'markdown_check')
      .map((e) => e.payload.reason);
    expect(reasons).toHaveLength(5);
    expect(reasons[0]).toBe('no markdown checkpoint in this season');
    const replenishments = completeOf(events, 'replenishment');
    expect(replenishments.filter((r) => r.acted).map((r) => r.week)).toEqual([2, 4]);
    await expectAllocationInvariants(run.id);
  });

  it('re-forecasts the remaining weeks when actuals run more than 20% above the forecast', async () => {
    const run = await start(season(6), { factor: 1.7, fromWeek: 2 });
    expect((await driveToEnd(engine, run.id)).state).toBe('completed');
    const events = await engine.readEvents(run.id);
    const alerts = ofType(events, 'variance_alert');
    expect(alerts.length).toBeGreaterThan(0);
    expect(alerts[0]!.payload).toMatchObject({ week: 2, threshold: 0.2, action: 're-forecast the remaining weeks' });
    // The seed specification's names for the same facts.
    const alert = alerts[0]!.payload as { variance: number };
    expect(alerts[0]!.payload).toMatchObject({
      week_number: 2,
      variance_percentage: Math.round(alert.variance * 10_000) / 100,
      variance_direction: alert.variance > 0 ? 'over' : 'under',
      reforecast_triggered: true,
      message: expect.stringContaining('Week 2') as unknown,
    });
    const reforecasts = completeOf(events, 'reforecast');
    expect(reforecasts[0]).toMatchObject({ from_week: 3, weeks_planned: 4, revision: 2 });
    // The alerting week's monitor hands over to the re-forecast, not straight to replenishment.
    const monitorOfWeek2 = events.findIndex((e) => e.type === 'complete' && e.payload.phase === 'monitor' && (e.payload.result as { week: number }).week === 2);
    expect(events.slice(monitorOfWeek2 + 1).find((e) => e.type === 'complete')?.payload.phase).toBe('reforecast');
    expect((await seasonData(store).listPlans(run.id, 'forecast')).map((p) => p.revision)).toEqual([1, ...reforecasts.map((r) => r.revision as number)]);
  });

  it('re-forecasts in season only the stores and categories the season was planned on, whatever history was imported since', async () => {
    const run = await start(season(4, { actuals: 'manual', replenishment_strategy: 'none', dc_holdback_percentage: 0 }));
    await engine.resolveWait(run.id, (await engine.settled(run.id)).waitingFor!.id, { action: 'accept' });
    await engine.settled(run.id);
    const first = (await seasonData(store).latestPlan(run.id, 'forecast'))!.body as ForecastPlan;
    expect(first.series).toHaveLength(16);
    // Mid-season, history of a bigger chain is imported: 12 stores, 3 categories.
    await loadSyntheticData(store, { stores: 12, categories: 3, weeks: 104, seed: 11, lastWeek: LAST_WEEK });
    const sales = first.series.map((s) => ({ store_id: s.store_id, category_id: s.category_id, units_sold: Math.round(2 * s.forecast[0]!) }));
    await postActuals(engine, seasonData(store), run.id, { week: 1, sales });
    await engine.settled(run.id);
    const latest = (await seasonData(store).latestPlan(run.id, 'forecast'))!.body as ForecastPlan;
    expect(latest.revision).toBe(2);
    const key = (s: { store_id: string; category_id: string }) => `${s.store_id}|${s.category_id}`;
    expect(latest.series.map(key).sort()).toEqual(first.series.map(key).sort());
  });

  it('ends the run when the buy is rejected, before anything is allocated', async () => {
    const run = await start(season(4));
    const done = await driveToEnd(engine, run.id, () => ({ action: 'reject', comment: 'too much' }));
    expect(done.state).toBe('rejected');
    expect(await seasonData(store).latestPlan(run.id, 'allocation')).toBeUndefined();
  });

  it('finishes a season correctly after a restart in the middle of it', async () => {
    const run = await start(season(6));
    const first = await engine.settled(run.id);
    await engine.resolveWait(run.id, first.waitingFor!.id, { action: 'accept' });
    // Stop the engine once week 2 has closed: the run is mid-season with a lease released.
    await new Promise<void>((resolve) => {
      void engine.follow(run.id, 0, (event) => {
        if (event.type === 'complete' && event.payload.phase === 'week_end' && (event.payload.result as { week: number }).week === 2) resolve();
      });
    });
    await engine.close();
    const midway = await store.getRun(run.id);
    expect(midway?.state).toBe('running');
    expect(midway?.visits.week_end).toBeGreaterThanOrEqual(2);

    const reopened = await t.reopen('after-restart');
    engine = seasonEngine(reopened, errors);
    await engine.start();
    const done = await driveToEnd(engine, run.id);
    expect(done.state).toBe('completed');
    const events = await engine.readEvents(run.id);
    expect(completeOf(events, 'week_end').map((w) => w.week)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(completeOf(events, 'monitor').map((w) => w.week)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(ofType(events, 'workflow_complete')).toHaveLength(1);
    await expectAllocationInvariants(run.id);
  });
  it('redoes the plan with parameters a planner changed at the buy approval, and refuses ones that would change the phases', async () => {
    const run = await start(season(4, { dc_holdback_percentage: 0.15 }));
    const waiting = await engine.settled(run.id);
    await expect(
      engine.resolveWait(run.id, waiting.waitingFor!.id, { action: 'modify', data: { parameters: { replenishment_strategy: 'none' } } }),
    ).rejects.toMatchObject({ code: 'INVALID_PARAMETERS' });
    const done = await driveToEnd(engine, run.id, (phase, _data, nth) =>
      phase === 'manufacturing_approval' && nth === 1 ? { action: 'modify', data: { parameters: { dc_holdback_percentage: 0.4 } } } : { action: 'accept' },
    );
    expect(done.state).toBe('completed');
    const events = await engine.readEvents(run.id);
    const demands = completeOf(events, 'demand');
    expect(demands).toHaveLength(2);
    expect((demands[1]!.parameters as { dc_holdback_percentage: number }).dc_holdback_percentage).toBe(0.4);
    const [allocation] = completeOf(events, 'allocation');
    expect(allocation!.dc_units).toBe(Math.ceil(0.4 * (allocation!.approved_quantity as number)));
    await expectAllocationInvariants(run.id);
  });

  it('holds more safety stock when stores cannot be replenished than when the DC pools the risk', async () => {
    await loadSmallChain(store);
    engine = seasonEngine(store, errors);
    await engine.start();
    const safetyOf = async (strategy: 'none' | 'weekly') => {
      const run = await engine.startRun(
        SEASON_PLANNING,
        season(6, { replenishment_strategy: strategy, ...(strategy === 'none' ? { dc_holdback_percentage: 0 } : {}) }),
      );
      const waiting = await engine.settled(run.id);
      const data = waiting.waitingFor!.data as { safety_stock: number; safety_reason: string };
      await engine.cancelRun(run.id, 'measured');
      return data;
    };
    const none = await safetyOf('none');
    const weekly = await safetyOf('weekly');
    expect(none.safety_stock).toBeGreaterThan(weekly.safety_stock);
    expect(none.safety_reason).toMatch(/no replenishment: shipped stock cannot be moved between stores/);
    expect(weekly.safety_reason).toMatch(/weekly replenishment: the DC pools the risk/);
  });
});
