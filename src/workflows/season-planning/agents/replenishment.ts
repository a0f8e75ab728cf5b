/**
 * The replenishment agent: after each week's actuals (weekly) or every second week (bi-weekly),
 * moves units from the DC to stores by their sell-through against plan and the coming period's
 * forecast. Runs with strategy `none` never reach it: the phase is skipped with its reason.
 */
import { z } from 'zod';
import { planReplenishment } from '../../../allocation/index.js';
import { defineAgent } from '../../../engine/index.js';
import type { SeasonData } from '../data/index.js';
import { explain } from '../explain.js';
import { stockPosition, type ReplenishmentPlanBody } from '../ledger.js';
import { PlanParameters } from '../parameters.js';
import { sum } from '../season.js';
import type { ForecastPlan } from './demand.js';
import { planBodyOrNone } from '../checked.js';
import { ReplenishmentOutput } from '../contracts.js';

export const replenishmentInput = z.object({ runId: z.string(), parameters: PlanParameters, week: z.number().int().min(1) });

/** Declared once in the contracts (its stored result and `complete` event carry it). */
export const replenishmentOutput = ReplenishmentOutput;

/** Forecast per store over season weeks [from, to] (inclusive), from the plan covering them. */
function storeForecast(plan: ForecastPlan, from: number, to: number): Map<string, number> {
  const totals = new Map<string, number>();
  for (const s of plan.series) {
    const units = sum(s.forecast.filter((_, i) => plan.from_week + i >= from && plan.from_week + i <= to));
    totals.set(s.store_id, (totals.get(s.store_id) ?? 0) + units);
  }
  return totals;
}

export function replenishmentAgent(data: SeasonData) {
  return defineAgent({
    name: 'replenishment',
    description: 'Moves units from the DC to stores by sell-through against plan.',
    input: replenishmentInput,
    output: replenishmentOutput,
    run: async ({ input, now }) => {
      const { parameters, week, runId } = input;
      const period = parameters.replenishment_strategy === 'bi-weekly' ? 2 : 1;
      const horizon = parameters.forecast_horizon_weeks;
      const position = await stockPosition(data, runId);
      const idle = (why: string) => ({
        week,
        acted: false,
        moved: 0,
        stores_supplied: 0,
        dc_before: position.dcUnits,
        dc_remaining: position.dcUnits,
        moves: [],
        explanation: why,
      });
      if (week >= horizon) return idle(`Week ${week} is the last: nothing left to replenish for.`);
      if (week % period !== 0) return idle(`Bi-weekly replenishment: the next move is after week ${week + 1}.`);
      const [first, latest] = await Promise.all([data.firstPlan(runId, 'forecast'), data.latestPlan(runId, 'forecast')]);
      const original = planBodyOrNone('forecast', first);
      const current = planBodyOrNone('forecast', latest);
      if (!original || !current) return idle('No forecast yet: nothing to replenish against.');
      const coming = storeForecast(current, week + 1, Math.min(horizon, week + period));
      const plannedToDate = storeForecast(original, 1, week);
      const plan = planReplenishment({
        dcAvailable: Math.max(0, Math.floor(position.dcUnits)),
        stores: [...position.stores].map(([storeId, p]) => ({
          storeId,
          onHand: p.onHand,
          planRemaining: Math.max(0, coming.get(storeId) ?? 0),
          soldToDate: p.sold,
          plannedToDate: Math.max(0, plannedToDate.get(storeId) ?? 0),
        })),
      });
      const body: ReplenishmentPlanBody = { week, moves: plan.moves.map((m) => ({ store_id: m.storeId, units: m.units })) };
      await data.savePlan({ runId, kind: 'replenishment', revision: week, body, createdAt: now() });
      const reasons = new Map(plan.stores.map((s) => [s.storeId, s.reason]));
      const short = plan.totalNeed > plan.totalMoved;
      return {
        week,
        acted: true,
        moved: plan.totalMoved,
        stores_supplied: plan.moves.length,
        dc_before: Math.floor(position.dcUnits),
        dc_remaining: plan.dcRemaining,
        moves: plan.moves.map((m) => ({ store_id: m.storeId, units: m.units, reason: reasons.get(m.storeId) ?? '' })),
        explanation:
          `After week ${week}: ${explain.amount(plan.totalMoved, (await data.salesQuantity()) ?? 'units')} from the DC to ${plan.moves.length} stores for week${period === 2 ? `s ${week + 1}–${Math.min(horizon, week + 2)}` : ` ${week + 1}`} ` +
          `(stores needed ${explain.units(plan.totalNeed)}${short ? ', more than the DC had: shared by need' : ''}); ${explain.units(plan.dcRemaining)} left at the DC.`,
      };
    },
  });
}
