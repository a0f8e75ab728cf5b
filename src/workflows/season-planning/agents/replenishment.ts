/**
 * The replenishment agent: after each week's actuals (weekly) or every second week (bi-weekly),
 * moves units from the DC to stores by their pace against plan (posted demand over forecast) and the coming
 * period's forecast, lifted while a markdown is in force. Runs with strategy `none` never reach it: the phase is skipped with its reason.
 */
import { z } from 'zod';
import { planReplenishment } from '../../../allocation/index.js';
import { defineAgent } from '../../../engine/index.js';
import type { SeasonActual, SeasonData } from '../data/index.js';
import { explain } from '../explain.js';
import { stockPosition, type ReplenishmentPlanBody } from '../ledger.js';
import { PlanParameters } from '../parameters.js';
import type { ForecastPlan } from './demand.js';
import { planBodyOrNone } from '../checked.js';
import { MarkdownInForce, ReplenishmentOutput } from '../contracts.js';
import { markdownLift } from '../markdown-lift.js';

export const replenishmentInput = z.object({
  runId: z.string(),
  parameters: PlanParameters,
  week: z.number().int().min(1),
  /** The markdown in force: the coming weeks sell more at the lower price (absent in steps recorded before it was passed). */
  markdown: MarkdownInForce.nullable().default(null),
});

/** Declared once in the contracts (its stored result and `complete` event carry it). */
export const replenishmentOutput = ReplenishmentOutput;

/** Forecast per store over season weeks [from, to] (inclusive), from the plan covering them, each week lifted by its markdown. */
function storeForecast(plan: ForecastPlan, from: number, to: number, liftOf: (week: number) => number): Map<string, number> {
  const totals = new Map<string, number>();
  for (const s of plan.series) {
    let units = 0;
    s.forecast.forEach((forecast, i) => {
      const week = plan.from_week + i;
      if (week >= from && week <= to) units += liftOf(week) * forecast;
    });
    totals.set(s.store_id, (totals.get(s.store_id) ?? 0) + units);
  }
  return totals;
}

/**
 * Per store, the demand posted and the demand `plan` expected over the weeks it has seen (its first week to `week`):
 * the pace is measured against the forecast it scales. Against the first plan, a re-forecast that had already learnt a
 * week's spike was scaled by that spike again (one store's week-1 spike took the whole DC). Posted figures are
 * shoppers' demand (sales above stock included): a store that sold out was read as slow before, and sent less. A
 * store's week bound by its stock (it sold all it held, or had nothing) shows the stock, not demand, and is left out,
 * as are series a partial week did not post.
 */
function paceBasis(
  plan: ForecastPlan,
  actuals: readonly SeasonActual[],
  stockBoundByWeek: ReadonlyMap<number, ReadonlySet<string>>,
  week: number,
  liftOf: (week: number) => number,
): Map<string, { demand: number; planned: number }> {
  const forecasts = new Map(plan.series.map((s) => [`${s.store_id}|${s.category_id}`, s.forecast]));
  const basis = new Map<string, { demand: number; planned: number }>();
  // Late rows add to a series' week: its forecast counts once.
  const counted = new Set<string>();
  for (const a of actuals) {
    if (a.seasonWeek < plan.from_week || a.seasonWeek > week || (stockBoundByWeek.get(a.seasonWeek)?.has(a.storeId) ?? false)) continue;
    const key = `${a.storeId}|${a.categoryId}`;
    const entry = basis.get(a.storeId) ?? { demand: 0, planned: 0 };
    entry.demand += a.unitsSold;
    if (!counted.has(`${key}|${a.seasonWeek}`)) {
      counted.add(`${key}|${a.seasonWeek}`);
      entry.planned += liftOf(a.seasonWeek) * Math.max(0, forecasts.get(key)?.[a.seasonWeek - plan.from_week] ?? 0);
    }
    basis.set(a.storeId, entry);
  }
  return basis;
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
      const actuals = await data.listActuals(runId);
      const position = await stockPosition(data, runId, { posted: actuals, throughWeek: week });
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
      const current = planBodyOrNone('forecast', await data.latestPlan(runId, 'forecast'));
      if (!current) return idle('No forecast yet: nothing to replenish against.');
      // Forecasts are full-price demand: the weeks after an accepted markdown sell more, in the plan and the pace alike.
      const liftOf = markdownLift(input.markdown, parameters.price_elasticity);
      const coming = storeForecast(current, week + 1, Math.min(horizon, week + period), liftOf);
      const basis = paceBasis(current, actuals, position.stockBoundByWeek, week, liftOf);
      const plan = planReplenishment({
        dcAvailable: Math.max(0, Math.floor(position.dcUnits)),
        stores: [...position.stores].map(([storeId, p]) => ({
          storeId,
          onHand: p.onHand,
          planRemaining: Math.max(0, coming.get(storeId) ?? 0),
          demandToDate: basis.get(storeId)?.demand ?? 0,
          plannedToDate: basis.get(storeId)?.planned ?? 0,
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
