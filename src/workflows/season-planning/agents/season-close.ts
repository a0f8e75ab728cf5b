/** The season's summary: what was bought, sold and left, revenue, alerts, replenishment and markdown. */
import { z } from 'zod';
import { defineAgent } from '../../../engine/index.js';
import type { SeasonData } from '../data/index.js';
import { explain } from '../explain.js';
import { stockPosition } from '../ledger.js';
import { PlanParameters } from '../parameters.js';
import { round2, roundTo, sum } from '../season.js';
import { planBody } from '../checked.js';
import { CloseOutput } from '../contracts.js';

export const closeInput = z.object({
  runId: z.string(),
  parameters: PlanParameters,
  markdown: z.object({ rate: z.number(), fromWeek: z.number().int() }).nullable(),
  reforecasts: z.number().int(),
  varianceAlerts: z.number().int(),
});

/** Declared once in the contracts (its stored result and `complete` event carry it). */
export const closeOutput = CloseOutput;

export function seasonClose(data: SeasonData) {
  return defineAgent({
    name: 'season_close',
    description: "Summarises the season: units, sell-through, revenue, what is left, and the plan's changes.",
    input: closeInput,
    output: closeOutput,
    run: async ({ input, now }) => {
      const { parameters, runId, markdown } = input;
      const [position, replenishments, recorded] = await Promise.all([
        stockPosition(data, runId),
        data.listPlans(runId, 'replenishment'),
        data.salesQuantity(),
      ]);
      const quantity = recorded ?? 'units';
      // With sales value the stock and sales are money at full price already: revenue is that value
      // (less any markdown), not × full_price.
      const price = quantity === 'sales_value' ? 1 : parameters.full_price;
      const amount = (n: number): string => explain.amount(n, quantity);
      let revenue = 0;
      for (const [week, units] of position.soldByWeek) revenue += units * price * (markdown && week > markdown.fromWeek ? 1 - markdown.rate : 1);
      const moves = replenishments.map((r) => planBody('replenishment', r).moves);
      const moved = sum(moves.map((m) => sum(m.map((move) => move.units))));
      const leftInStores = sum([...position.stores.values()].map((p) => p.onHand));
      const sellThrough = position.approvedQuantity > 0 ? position.soldToDate / position.approvedQuantity : 0;
      const summary = {
        quantity,
        approved_quantity: position.approvedQuantity,
        // In money these are sums of posted cents: to the cent (units stay whole).
        units_sold: round2(position.soldToDate),
        unmet_demand: round2(position.unmetToDate),
        sell_through: roundTo(sellThrough, 5),
        left_in_stores: round2(leftInStores),
        left_at_dc: round2(position.dcUnits),
        revenue: round2(revenue),
        markdown: markdown?.rate ?? 0,
        replenished_units: moved,
        replenishments: moves.filter((m) => m.length > 0).length,
        variance_alerts: input.varianceAlerts,
        reforecasts: input.reforecasts,
      };
      await data.savePlan({ runId, kind: 'summary', revision: 1, body: summary, createdAt: now() });
      return {
        ...summary,
        explanation:
          (quantity === 'sales_value'
            ? `Figures are sales value (money at full price; the history was imported as sales value, not units). Sold ${explain.units(position.soldToDate)} of ${explain.units(position.approvedQuantity)} bought, in sales value ` +
              `(${explain.percent(sellThrough)} sell-through) for ${explain.units(revenue)} in revenue (the sales value${markdown ? ' less the markdown' : ''}, not × a unit price); `
            : `Sold ${explain.units(position.soldToDate)} of ${explain.units(position.approvedQuantity)} units (${explain.percent(sellThrough)} sell-through) for ${explain.units(revenue)} in revenue; `) +
          (position.unmetToDate > 0 ? `${amount(position.unmetToDate)} of posted sales went beyond the stock the stores held (unmet demand); ` : '') +
          `${explain.units(leftInStores)} left in stores and ${explain.units(position.dcUnits)} at the DC. ` +
          `${input.varianceAlerts} variance alert${input.varianceAlerts === 1 ? '' : 's'}, ${input.reforecasts} re-forecast${input.reforecasts === 1 ? '' : 's'}, ` +
          `${amount(moved)} replenished${markdown ? `, ${explain.percent(markdown.rate)} markdown from week ${markdown.fromWeek + 1}` : ', no markdown'}.`,
      };
    },
  });
}
