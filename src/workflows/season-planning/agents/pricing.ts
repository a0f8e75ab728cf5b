/**
 * The Pricing agent: at the markdown checkpoint, sell-through against the threshold; below it, the
 * markdown that earns the most under a constant-elasticity demand model, with expected revenue with
 * and without it. A planner's modified markdown is priced the same way.
 */
import { z } from 'zod';
import { MarkdownInForce, PricingOutput } from '../contracts.js';
import { defineAgent } from '../../../engine/index.js';
import { recommendMarkdown } from '../../../pricing/index.js';
import type { SeasonData } from '../data/index.js';
import type { ContextAssembler } from '../context.js';
import { explain } from '../explain.js';
import { stockPosition } from '../ledger.js';
import { PlanParameters } from '../parameters.js';
import { round2, roundTo, sum } from '../season.js';
import { planBodyOrNone } from '../checked.js';

export const pricingInput = z.object({
  runId: z.string(),
  parameters: PlanParameters,
  week: z.number().int().min(1),
  /** The markdown a planner asked for when modifying the approval. */
  plannerMarkdown: z.number().min(0).lt(1).optional(),
  revision: z.number().int().min(1),
  /** The markdown already in force (accepted at the checkpoint), carried through later weeks. */
  inForce: MarkdownInForce.nullable(),
});

/** The agent's output, declared once in the contracts. */
export const pricingOutput = PricingOutput;
export type { PricingOutput };

export function pricingAgent(data: SeasonData, assembler: ContextAssembler) {
  return defineAgent({
    name: 'pricing',
    description: 'Recommends a markdown at the checkpoint from sell-through and a price-elasticity model.',
    input: pricingInput,
    output: pricingOutput,
    run: async ({ input, now }) => {
      const { parameters, week, runId } = input;
      const context = await assembler.pricing(parameters);
      const checkpoint = context.checkpointWeek;
      const threshold = context.threshold;
      if (checkpoint === null || threshold === null || week !== checkpoint) {
        return {
          due: false,
          week,
          checkpoint_week: checkpoint,
          sell_through: null,
          threshold,
          markdown: 0,
          source: null,
          revenue_without: null,
          revenue_with: null,
          revenue_change: null,
          elasticity: null,
          elasticity_assumed: null,
          units_on_hand: null,
          in_force: input.inForce,
          quantity: context.quantity,
          explanation: checkpoint === null ? 'No markdown checkpoint in this season.' : `Markdown checkpoint is week ${checkpoint}; this is week ${week}.`,
        };
      }
      const [position, latest] = await Promise.all([stockPosition(data, runId, { throughWeek: week }), data.latestPlan(runId, 'forecast')]);
      const plan = planBodyOrNone('forecast', latest);
      const remaining = sum((plan?.series ?? []).map((s) => sum(s.forecast.filter((_, i) => (plan?.from_week ?? 1) + i > week))));
      const onHand = sum([...position.stores.values()].map((p) => p.onHand)) + Math.max(0, position.dcUnits);
      const sellThrough = position.approvedQuantity > 0 ? Math.min(1, position.soldToDate / position.approvedQuantity) : 0;
      const base = {
        sellThrough,
        threshold,
        weeksRemaining: context.horizonWeeks - week,
        unitsOnHand: onHand,
        expectedUnitsAtFullPrice: remaining,
        fullPrice: context.fullPrice,
        measure: context.quantity === 'sales_value' ? ('value' as const) : ('units' as const),
        // Left out when it is the default, so the model says the elasticity was assumed.
        ...(context.elasticityAssumed ? {} : { elasticity: context.elasticity }),
      };
      const model = recommendMarkdown(base);
      const planner = input.plannerMarkdown;
      const chosen =
        planner === undefined
          ? model.withMarkdown
          : (recommendMarkdown({ ...base, threshold: 1, candidates: [planner] }).candidates.find((c) => c.markdown === planner) ?? model.withMarkdown);
      const without = model.withoutMarkdown;
      await data.savePlan({
        runId,
        kind: 'markdown',
        revision: input.revision,
        body: { week, recommendation: model, chosen, source: planner === undefined ? 'model' : 'planner' },
        createdAt: now(),
      });
      const valueNote =
        context.quantity === 'sales_value'
          ? ' The history is sales value, not units: stock, forecast and revenue are money at full price (goods worth 1 at full price sell for 1 − markdown), and the elasticity, which applies to quantity, is applied to that value, assuming each item keeps one full price through the season; full_price is not used.'
          : '';
      const modelNote = ` (Model: constant-elasticity demand, Q = Q0 × (p / p0)^ε with ε = ${context.elasticity}${context.elasticityAssumed ? ', the default' : ''}.${valueNote})`;
      const explanation =
        (planner === undefined
          ? model.explanation
          : `The planner set a ${explain.percent(planner)} markdown: expected revenue ${explain.units(chosen.totalRevenue)} against ${explain.units(without.totalRevenue)} without (the model suggested ${explain.percent(model.markdown)}).`) +
        modelNote;
      return {
        due: true,
        week,
        checkpoint_week: checkpoint,
        sell_through: roundTo(sellThrough, 5),
        threshold,
        markdown: chosen.markdown,
        source: planner === undefined ? ('model' as const) : ('planner' as const),
        revenue_without: round2(without.totalRevenue),
        revenue_with: round2(chosen.totalRevenue),
        revenue_change: round2(chosen.totalRevenue - without.totalRevenue),
        elasticity: model.elasticity,
        elasticity_assumed: context.elasticityAssumed,
        units_on_hand: Math.round(onHand),
        in_force: input.inForce,
        quantity: context.quantity,
        explanation,
      };
    },
  });
}
