/** The season's summary: what was bought, sold and left, revenue, alerts, replenishment and markdown. */
import { z } from 'zod';
import { explainedBy } from '../narrator.js';
import { defineAgent } from '../../../engine/index.js';
import type { Store } from '../../../store/index.js';
import { explain } from '../explain.js';
import { stockPosition, type ReplenishmentPlanBody } from '../ledger.js';
import { PlanParameters } from '../parameters.js';
import { round2, sum } from '../season.js';

export const closeInput = z.object({
  runId: z.string(),
  parameters: PlanParameters,
  markdown: z.object({ rate: z.number(), fromWeek: z.number().int() }).nullable(),
  reforecasts: z.number().int(),
  varianceAlerts: z.number().int(),
});

export const closeOutput = z.object({
  approved_quantity: z.number().int(),
  units_sold: z.number(),
  /** Posted sales above what the stores held (manual actuals; simulated ones are capped as they are made). */
  unmet_demand: z.number(),
  sell_through: z.number(),
  left_in_stores: z.number(),
  left_at_dc: z.number(),
  revenue: z.number(),
  markdown: z.number(),
  replenished_units: z.number().int(),
  replenishments: z.number().int(),
  variance_alerts: z.number().int(),
  reforecasts: z.number().int(),
  explanation: z.string(),
  explained_by: explainedBy,
});

export function seasonClose(store: Store) {
  return defineAgent({
    name: 'season_close',
    description: "Summarises the season: units, sell-through, revenue, what is left, and the plan's changes.",
    input: closeInput,
    output: closeOutput,
    run: async ({ input }) => {
      const { parameters, runId, markdown } = input;
      const [position, replenishments] = await Promise.all([stockPosition(store, runId), store.retail.listPlans(runId, 'replenishment')]);
      const price = parameters.full_price;
      let revenue = 0;
      for (const [week, units] of position.soldByWeek) revenue += units * price * (markdown && week > markdown.fromWeek ? 1 - markdown.rate : 1);
      const moved = sum(replenishments.map((r) => sum((r.body as ReplenishmentPlanBody).moves.map((m) => m.units))));
      const leftInStores = sum([...position.stores.values()].map((p) => p.onHand));
      const sellThrough = position.approvedQuantity > 0 ? position.soldToDate / position.approvedQuantity : 0;
      const summary = {
        approved_quantity: position.approvedQuantity,
        units_sold: position.soldToDate,
        unmet_demand: position.unmetToDate,
        sell_through: round2(sellThrough * 1000) / 1000,
        left_in_stores: leftInStores,
        left_at_dc: position.dcUnits,
        revenue: round2(revenue),
        markdown: markdown?.rate ?? 0,
        replenished_units: moved,
        replenishments: replenishments.filter((r) => (r.body as ReplenishmentPlanBody).moves.length > 0).length,
        variance_alerts: input.varianceAlerts,
        reforecasts: input.reforecasts,
      };
      await store.retail.savePlan({ runId, kind: 'summary', revision: 1, body: summary, createdAt: Date.now() });
      return {
        ...summary,
        explanation:
          `Sold ${explain.units(position.soldToDate)} of ${explain.units(position.approvedQuantity)} units (${explain.percent(sellThrough)} sell-through) for ${explain.units(revenue)} in revenue; ` +
          (position.unmetToDate > 0 ? `${explain.units(position.unmetToDate)} units of posted sales went beyond the stock the stores held (unmet demand); ` : '') +
          `${explain.units(leftInStores)} left in stores and ${explain.units(position.dcUnits)} at the DC. ` +
          `${input.varianceAlerts} variance alert${input.varianceAlerts === 1 ? '' : 's'}, ${input.reforecasts} re-forecast${input.reforecasts === 1 ? '' : 's'}, ` +
          `${explain.units(moved)} units replenished${markdown ? `, ${explain.percent(markdown.rate)} markdown from week ${markdown.fromWeek + 1}` : ', no markdown'}.`,
      };
    },
  });
}
