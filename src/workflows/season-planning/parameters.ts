/**
 * What a season-planning run takes: the seven extracted season parameters plus the knobs a planner
 * rarely changes (variance threshold, price, where in-season actuals come from).
 */
import { z } from 'zod';
import { SeasonParameters } from '../../llm/index.js';

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
});

export const PlanParameters = z.intersection(SeasonParameters, PlanOptions);

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
