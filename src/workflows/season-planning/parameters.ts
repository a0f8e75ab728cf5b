/**
 * What a season-planning run takes: the seven extracted season parameters plus the knobs a planner
 * rarely changes (variance threshold, price, where in-season actuals come from, approval deadlines),
 * and the rules that tie them together beyond the extractor's (no stock stranded at the DC).
 */
import { z } from 'zod';
import { SeasonParameters } from '../../llm/index.js';

const HOUR_MS = 3_600_000;
/** A year: a deadline beyond the season itself is a typo, not a plan. */
const MAX_DEADLINE_HOURS = 24 * 366;

export const PlanOptions = z.object({
  /** Weekly variance (|actual − forecast| ÷ forecast) above which the season is re-forecast. */
  variance_threshold: z.number().gt(0).max(5).default(0.2),
  /** Full price per unit, for revenue figures (currency units). */
  full_price: z.number().positive().default(50),
  /** Price elasticity of demand for markdowns (negative); default: the pricing library's. */
  price_elasticity: z.number().lt(0).optional(),
  /** `manual`: weekly actuals are posted to the run; `simulated`: the run simulates them (demo, tests). */
  actuals: z.enum(['manual', 'simulated']).default('manual'),
  /** Seed for simulated actuals' noise where the data has no hidden demand. */
  simulation_seed: z.number().int().default(1),
  /**
   * Hours the buy approval stays open; when they pass unanswered the run ends `expired` (nothing is
   * bought on nobody's word). Unset (the default): it waits until a person answers.
   */
  buy_approval_deadline_hours: z.number().positive().max(MAX_DEADLINE_HOURS).optional(),
  /**
   * Hours the markdown approval stays open; when they pass unanswered the season goes on at full
   * price (no markdown), so the weekly loop never stalls on it. Unset (the default): it waits.
   */
  markdown_approval_deadline_hours: z.number().positive().max(MAX_DEADLINE_HOURS).optional(),
});

/** Hours to the engine's milliseconds (a wait's `deadlineMs`); undefined stays "no deadline". */
export const deadlineMsOf = (hours: number | undefined): number | undefined => (hours === undefined ? undefined : Math.round(hours * HOUR_MS));

/**
 * What keeps the DC's share from being stranded: only replenishment moves stock from the DC to the
 * stores, so with `none` a holdback would sit at the DC while stores sell out. Refused (not silently
 * released), so the planner decides where those units go. Returns the issue's message, or nothing.
 */
export function strandedStock(p: { replenishment_strategy?: unknown; dc_holdback_percentage?: unknown }): string | undefined {
  if (p.replenishment_strategy !== 'none' || typeof p.dc_holdback_percentage !== 'number' || p.dc_holdback_percentage <= 0) return undefined;
  return (
    `must be 0 with replenishment_strategy "none", not ${p.dc_holdback_percentage}: nothing moves the DC's share to a store, so it would be stranded ` +
    'while stores sell out; set dc_holdback_percentage to 0 (ship everything), or choose weekly or bi-weekly replenishment'
  );
}

export const PlanParameters = z.intersection(SeasonParameters, PlanOptions).superRefine((p, ctx) => {
  const stranded = strandedStock(p);
  if (stranded) ctx.addIssue({ code: 'custom', path: ['dc_holdback_percentage'], message: stranded });
});

/**
 * What a planner may change when modifying the buy, besides the quantity: the knobs no other
 * phase's skip rule reads (changing the cadence or the markdown checkpoint mid-plan would change
 * which phases exist; start a new run for that).
 */
export const PlanOverrides = z
  .object({
    dc_holdback_percentage: z.number().min(0).max(1),
    variance_threshold: PlanOptions.shape.variance_threshold.unwrap(),
    full_price: PlanOptions.shape.full_price.unwrap(),
    price_elasticity: z.number().lt(0),
  })
  .partial()
  .strict();
export type PlanOverrides = z.infer<typeof PlanOverrides>;
export type PlanParameters = z.output<typeof PlanParameters>;
export type PlanParametersInput = z.input<typeof PlanParameters>;
