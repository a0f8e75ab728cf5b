/** The markdown model's shapes: what recommendMarkdown takes (a zod schema) and what it returns. */
import { z } from 'zod';

/** Markdowns tried when the caller gives none: 0 to 50% in steps of 10 points, the usual retail ladder. */
export const DEFAULT_CANDIDATES = [0, 0.1, 0.2, 0.3, 0.4, 0.5] as const;

const fraction = z.number().min(0).max(1);
export const markdownInputSchema = z.object({
  /** Units sold ÷ units received so far, 0–1. */
  sellThrough: fraction,
  /** Sell-through below which a markdown is considered, 0–1. */
  threshold: fraction,
  weeksRemaining: z.number().int().min(0),
  unitsOnHand: z.number().min(0),
  /** The remaining forecast: units expected to sell at full price over the weeks remaining. */
  expectedUnitsAtFullPrice: z.number().min(0),
  /** Default 1: revenue is then in units of the full price. */
  fullPrice: z.number().positive().default(1),
  /** Price elasticity of demand, ≤ 0; DEFAULT_ELASTICITY (−2) when absent. */
  elasticity: z.number().max(0, { message: 'elasticity must be 0 or negative: demand falls as price rises' }).optional(),
  /** Markdowns to try, as fractions of the full price in [0, 1); 0 (no markdown) is always tried. */
  candidates: z
    .array(z.number().min(0).lt(1))
    .min(1)
    .default([...DEFAULT_CANDIDATES]),
  /** What a unit left at the end of the season fetches, as a fraction of the full price; default 0. */
  salvageValue: fraction.default(0),
  /**
   * What the stock and forecast count, for the explanation's words: `units` (the default), or `value` when they are
   * goods at full-price value (then fullPrice is 1 and a "unit" is one currency unit of goods).
   */
  measure: z.enum(['units', 'value']).default('units'),
});
export type MarkdownInput = z.input<typeof markdownInputSchema>;
export type ResolvedMarkdownInput = z.output<typeof markdownInputSchema>;

export interface MarkdownOutcome {
  /** Fraction off the full price. */
  markdown: number;
  price: number;
  /** Units shoppers would buy at this price over the weeks remaining. */
  expectedDemand: number;
  /** min(demand, units on hand). */
  unitsSold: number;
  unitsLeft: number;
  salesRevenue: number;
  /** unitsLeft × salvageValue × fullPrice. */
  salvageRevenue: number;
  totalRevenue: number;
}

export interface MarkdownRecommendation {
  /** The recommended markdown, a fraction of the full price (0 = none). */
  markdown: number;
  /** True when sell-through was below the threshold, so markdowns were weighed. */
  considered: boolean;
  reason: string;
  elasticity: number;
  /** True when the default elasticity was used rather than one given. */
  elasticityAssumed: boolean;
  withoutMarkdown: MarkdownOutcome;
  withMarkdown: MarkdownOutcome;
  /** withMarkdown.totalRevenue − withoutMarkdown.totalRevenue. */
  revenueChange: number;
  /** Every candidate weighed, smallest markdown first (only 0 when none were weighed). */
  candidates: MarkdownOutcome[];
  explanation: string;
}
