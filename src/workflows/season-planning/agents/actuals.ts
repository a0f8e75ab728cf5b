/**
 * Simulated in-season actuals (the demo, tests, or any run with `actuals: simulated`): shoppers'
 * demand for the week — the synthetic data's hidden demand when there is one, else the forecast
 * with noise — recorded as the week's actuals; the ledger sells it from what each store has on hand,
 * so a store that runs out loses sales.
 */
import { z } from 'zod';
import { defineAgent } from '../../../engine/index.js';
import { DEFAULT_ELASTICITY, demandAt } from '../../../pricing/index.js';
import type { SeasonActual, SeasonData } from '../data/index.js';
import { hashSeed, seededRandom } from '../data/random.js';
import { explain } from '../explain.js';
import { stockPosition } from '../ledger.js';
import { PlanParameters } from '../parameters.js';
import { seasonWeekStart, sum } from '../season.js';
import { planBodyOrNone } from '../checked.js';
import { ActualsOutput } from '../contracts.js';

const NOISE_SD = 0.15;

export const actualsInput = z.object({
  runId: z.string(),
  parameters: PlanParameters,
  week: z.number().int().min(1),
  /** A markdown in force (fraction off), which lifts demand by the price elasticity. */
  markdown: z.number().min(0).lt(1),
});

/** Declared once in the contracts (its stored result and `complete` event carry it). */
export const actualsOutput = ActualsOutput;

async function weekDemand(
  data: SeasonData,
  runId: string,
  parameters: PlanParameters,
  week: number,
): Promise<{ rows: Map<string, number>; source: 'hidden demand' | 'forecast with noise' }> {
  const hidden = await data.simulatedDemand(seasonWeekStart(parameters, week));
  if (hidden.length > 0) return { rows: new Map(hidden.map((h) => [`${h.storeId}|${h.categoryId}`, h.unitsSold])), source: 'hidden demand' };
  const forecast = planBodyOrNone('forecast', await data.firstPlan(runId, 'forecast'));
  const rows = new Map<string, number>();
  for (const s of forecast?.series ?? []) {
    const mean = s.forecast[week - forecast!.from_week] ?? 0;
    const z = seededRandom(hashSeed(`${s.store_id}|${s.category_id}|${week}`, parameters.simulation_seed)).normal();
    rows.set(`${s.store_id}|${s.category_id}`, Math.max(0, Math.round(mean * Math.exp(NOISE_SD * z - (NOISE_SD * NOISE_SD) / 2))));
  }
  return { rows, source: 'forecast with noise' };
}

export function actualsSimulator(data: SeasonData) {
  return defineAgent({
    name: 'actuals_simulator',
    description: 'Simulates a week of in-season sales from hidden demand (or the forecast with noise), capped by stock.',
    input: actualsInput,
    output: actualsOutput,
    run: async ({ input, now }) => {
      const { parameters, week, runId } = input;
      const [{ rows, source }, position] = await Promise.all([
        weekDemand(data, runId, parameters, week),
        stockPosition(data, runId, { throughWeek: week - 1 }),
      ]);
      const lift = input.markdown > 0 ? demandAt(1, 1, 1 - input.markdown, parameters.price_elasticity ?? DEFAULT_ELASTICITY) : 1;
      const byStore = new Map<string, Map<string, number>>();
      for (const [key, units] of rows) {
        const [storeId = '', categoryId = ''] = key.split('|');
        if (!position.stores.has(storeId)) continue;
        let categories = byStore.get(storeId);
        if (!categories) byStore.set(storeId, (categories = new Map<string, number>()));
        categories.set(categoryId, Math.round(units * lift));
      }
      // What shoppers wanted is recorded, as a planner posts a week: the ledger sells it from each store's stock and
      // counts the rest as unmet demand (the season close's lost sales), and re-forecasts learn demand, not empty shelves.
      const actuals: SeasonActual[] = [];
      let demand = 0;
      let unitsSold = 0;
      for (const [storeId, categories] of byStore) {
        const wanted = sum([...categories.values()]);
        demand += wanted;
        unitsSold += Math.max(0, Math.min(wanted, position.stores.get(storeId)?.onHand ?? 0));
        for (const [categoryId, units] of categories) actuals.push({ storeId, categoryId, seasonWeek: week, unitsSold: units });
      }
      await data.recordActuals(runId, actuals, now());
      return {
        week,
        week_start: seasonWeekStart(parameters, week),
        demand,
        units_sold: unitsSold,
        lost_sales: demand - unitsSold,
        source,
        explanation:
          `Week ${week}: shoppers wanted ${explain.amount(demand, (await data.salesQuantity()) ?? 'units')} (${source}${input.markdown > 0 ? `, ${explain.percent(input.markdown)} markdown in force` : ''}); ` +
          `${explain.units(unitsSold)} sold${demand > unitsSold ? `, ${explain.units(demand - unitsSold)} lost to empty shelves` : ''}.`,
      };
    },
  });
}
