// Replenishment on real SQLite and PostgreSQL, read as a planner reads its moves: a store's pace is its shoppers'
// demand against the forecast it scales, so a store that sold out is not read as slow, a re-forecast that already
// learnt a spike is not scaled by that spike again, and the weeks after an accepted markdown are planned lifted.
import { expect, it } from 'vitest';
import type { ForecastPlan } from '../../../src/workflows/season-planning/agents/demand.js';
import { postActuals, type WeeklyActuals } from '../../../src/workflows/season-planning/actuals-intake.js';
import { seasonData } from '../../../src/workflows/season-planning/data/index.js';
import { describeEachStore } from '../../support/stores.js';
import { completeOf, driveToEnd, season, SEASON_PLANNING, useSmallChain } from './support.js';

interface Move {
  store_id: string;
  units: number;
  reason: string;
}
interface Replenished {
  week: number;
  moves: Move[];
}

/** The figures a move's reason gives: "demand D vs plan P (pace x); demand E + safety S vs on hand H: …". */
function readReason(reason: string): { pace: number; expected: number } {
  const pace = /\(pace (\d+\.\d+)\)/.exec(reason);
  const expected = /; demand ([\d.]+) \+ safety/.exec(reason);
  if (!pace || !expected) throw new Error(`a reason without its figures: ${reason}`);
  return { pace: Number(pace[1]), expected: Number(expected[1]) };
}

/** A store's forecast over a week, every category, from a plan. */
const storeWeek = (plan: ForecastPlan, storeId: string, week: number): number =>
  plan.series.filter((s) => s.store_id === storeId).reduce((total, s) => total + (s.forecast[week - plan.from_week] ?? 0), 0);

describeEachStore('season planning: replenishment paces stores on their demand', (kind) => {
  const chain = useSmallChain(kind);

  /** A manual season with weekly replenishment waiting for week 1, its buy accepted. */
  async function manualSeason(holdback: number) {
    const run = await chain.engine.startRun(
      SEASON_PLANNING,
      season(6, { actuals: 'manual', replenishment_strategy: 'weekly', dc_holdback_percentage: holdback }),
    );
    await chain.engine.resolveWait(run.id, (await chain.engine.settled(run.id)).waitingFor!.id, { action: 'accept' });
    await chain.engine.settled(run.id);
    const first = (await seasonData(chain.store).latestPlan(run.id, 'forecast'))!.body as ForecastPlan;
    return { runId: run.id, first };
  }
  const rowsAt = (plan: ForecastPlan, week: number, factor: number): WeeklyActuals['sales'] =>
    plan.series.map((s) => ({ store_id: s.store_id, category_id: s.category_id, units_sold: factor * s.forecast[week - plan.from_week]! }));
  const replenished = async (runId: string, week: number) =>
    completeOf(await chain.engine.readEvents(runId), 'replenishment').find((r) => r.week === week) as unknown as Replenished;

  it('keeps the pace of stores that sold out at their demand: shelves emptied by a 100% holdback are not slow stores', async () => {
    const { runId, first } = await manualSeason(1);
    // Every store opened empty; shoppers asked for the forecast, and none of it could be sold.
    await postActuals(chain.engine, seasonData(chain.store), runId, { week: 1, sales: rowsAt(first, 1, 1) });
    expect((await chain.engine.settled(runId)).state).toBe('waiting');
    const week1 = await replenished(runId, 1);
    expect(week1.moves.length).toBeGreaterThan(0);
    for (const move of week1.moves) {
      const { pace, expected } = readReason(move.reason);
      // Before, the pace read the capped sales (0 of the plan): 0.50, and every store was sent half its need.
      expect(pace).toBe(1);
      // The pace is printed to two decimals.
      expect(Math.abs(expected / (pace * storeWeek(first, move.store_id, 2)) - 1)).toBeLessThan(0.01);
    }
  });

  it('counts no week after the one the run stands at: after a rollback, a stale later week does not empty the stores’ stock', async () => {
    const { runId, first } = await manualSeason(0.3);
    await postActuals(chain.engine, seasonData(chain.store), runId, { week: 1, sales: rowsAt(first, 1, 1) });
    await chain.engine.settled(runId);
    // Week 2 posted wrong (three times what sold), then the season rolled back to its allocation to post again.
    await postActuals(chain.engine, seasonData(chain.store), runId, { week: 2, sales: rowsAt(first, 2, 3) });
    await chain.engine.settled(runId);
    await chain.engine.rollbackRun(runId, 'allocation', 'week 2 was posted wrong');
    expect((await chain.engine.settled(runId)).waitingFor).toMatchObject({ kind: 'actuals', data: { week: 1 } });
    await postActuals(chain.engine, seasonData(chain.store), runId, { week: 1, sales: rowsAt(first, 1, 1) });
    await chain.engine.settled(runId);
    const allocation = (await seasonData(chain.store).latestPlan(runId, 'allocation'))!.body as { store_units: Record<string, number> };
    const replenished = (completeOf(await chain.engine.readEvents(runId), 'replenishment') as unknown as Replenished[]).at(-1)!;
    expect(replenished.week).toBe(1);
    for (const move of replenished.moves) {
      const onHand = Number(/vs on hand ([\d.]+)/.exec(move.reason)![1]);
      // What it was sent, less week 1's sales (before: less the stale week 2's as well).
      expect(onHand).toBeCloseTo(allocation.store_units[move.store_id]! - storeWeek(first, move.store_id, 1), 0);
    }
  });

  it('does not scale a re-forecast by the spike it has already learnt', async () => {
    const { runId, first } = await manualSeason(0.3);
    // Six times the forecast everywhere (stores sell out): the chain alerts and weeks 2 on are re-forecast from the spike.
    await postActuals(chain.engine, seasonData(chain.store), runId, { week: 1, sales: rowsAt(first, 1, 6) });
    expect((await chain.engine.settled(runId)).state).toBe('waiting');
    const latest = (await seasonData(chain.store).latestPlan(runId, 'forecast'))!.body as ForecastPlan;
    expect(latest.revision).toBeGreaterThan(first.revision);
    const week1 = await replenished(runId, 1);
    expect(week1.moves.length, JSON.stringify(week1)).toBeGreaterThan(0);
    for (const move of week1.moves) {
      const { pace, expected } = readReason(move.reason);
      // The re-forecast has seen no week yet: its demand stands (before: ×2, the spike counted twice).
      expect(pace).toBeCloseTo(1, 2);
      expect(expected).toBeCloseTo(storeWeek(latest, move.store_id, 2), 0);
    }
  });

  it('plans the weeks after an accepted markdown at the lifted demand', async () => {
    const run = await chain.engine.startRun(
      SEASON_PLANNING,
      season(8, { replenishment_strategy: 'weekly', dc_holdback_percentage: 0.3, markdown_checkpoint_week: 4, markdown_threshold: 0.99 }),
    );
    // Half the season sold by the checkpoint is below 99%: 30% off is recommended, and accepted at 30%.
    const done = await driveToEnd(chain.engine, run.id, (phase, _data, nth) =>
      phase === 'markdown_approval' && nth === 1 ? { action: 'modify', data: { markdown: 0.3 } } : { action: 'accept' },
    );
    expect(done.state, JSON.stringify(done.error)).toBe('completed');
    const lift = 0.7 ** -2;
    const plans = (await seasonData(chain.store).listPlans(run.id, 'forecast')).map((p) => p.body as ForecastPlan).sort((a, b) => a.revision - b.revision);
    const events = await chain.engine.readEvents(run.id);
    // Up to the checkpoint (week 4) a store's coming week is its forecast; after it, the forecast lifted by 30% off (×2.04).
    const liftedMoves: number[] = [];
    for (const { week, moves } of completeOf(events, 'replenishment') as unknown as Replenished[]) {
      const multiplier = week + 1 > 4 ? lift : 1;
      for (const move of moves.filter((m) => !/no weeks to pace/.test(m.reason))) {
        if (multiplier > 1) liftedMoves.push(move.units);
        const { pace, expected } = readReason(move.reason);
        // The plan in use then: the latest made by that week (a re-forecast after week w covers w + 1 on).
        const plan = plans.filter((p) => p.from_week <= week + 1).at(-1)!;
        expect(Math.abs(expected / (pace * storeWeek(plan, move.store_id, week + 1)) / multiplier - 1), `week ${week}: ${move.reason}`).toBeLessThan(0.01);
      }
    }
    // Before, the weeks after the markdown were planned at full price: stores "needed 0" while shoppers went without.
    expect(liftedMoves.length).toBeGreaterThan(0);
  });
});
