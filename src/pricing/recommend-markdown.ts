/** The markdown decision at the checkpoint: below the sell-through threshold, the candidate markdown that earns the most. */
import { InvalidParametersError } from '../errors/index.js';
import { issuesOf } from '../errors/zod-issues.js';
import { DEFAULT_ELASTICITY, demandAt } from './elasticity.js';
import { explainMarkdown } from './explain.js';
import { markdownInputSchema, type MarkdownInput, type MarkdownOutcome, type MarkdownRecommendation, type ResolvedMarkdownInput } from './types.js';

/**
 * Below the threshold, every candidate is priced with constant-elasticity demand; units sold are
 * capped by units on hand and the rest fetch the salvage value. The candidate with the highest sales
 * plus salvage revenue wins; a tie goes to the smaller markdown. At or above the threshold, or with
 * no weeks left, the answer is no markdown, with the reason.
 */
export function recommendMarkdown(input: MarkdownInput): MarkdownRecommendation {
  const parsed = markdownInputSchema.safeParse(input);
  if (!parsed.success) throw new InvalidParametersError('recommendMarkdown: the input is invalid', issuesOf(parsed.error));
  const resolved = parsed.data;
  const elasticity = resolved.elasticity ?? DEFAULT_ELASTICITY;
  const baseline = outcomeAt(0, resolved, elasticity);
  const decide = (markdown: MarkdownOutcome, candidates: MarkdownOutcome[], considered: boolean, reason: string): MarkdownRecommendation => {
    const recommendation = {
      markdown: markdown.markdown,
      considered,
      reason,
      elasticity,
      elasticityAssumed: resolved.elasticity === undefined,
      withoutMarkdown: baseline,
      withMarkdown: markdown,
      revenueChange: markdown.totalRevenue - baseline.totalRevenue,
      candidates,
    };
    return { ...recommendation, explanation: explainMarkdown(recommendation, resolved) };
  };
  const percent = (x: number): string => `${(100 * x).toFixed(0)}%`;
  const sellThrough = `sell-through ${percent(resolved.sellThrough)}`;
  const threshold = `the ${percent(resolved.threshold)} threshold`;
  if (resolved.sellThrough >= resolved.threshold) return decide(baseline, [baseline], false, `${sellThrough} is at or above ${threshold}: no markdown`);
  if (resolved.weeksRemaining === 0) return decide(baseline, [baseline], false, 'no weeks left to sell: no markdown');
  const candidates = [...new Set([0, ...resolved.candidates])].sort((a, b) => a - b).map((m) => outcomeAt(m, resolved, elasticity));
  // Strictly better by more than rounding noise, so a tie keeps the smaller markdown found first.
  const best = candidates.reduce((a, b) => (b.totalRevenue > a.totalRevenue + 1e-9 * Math.max(1, Math.abs(a.totalRevenue)) ? b : a));
  const reason =
    best.markdown === 0
      ? `${sellThrough} is below ${threshold}, but no markdown earns more than full price`
      : `${sellThrough} is below ${threshold}; ${percent(best.markdown)} off earns the most`;
  return decide(best, candidates, true, reason);
}

export function outcomeAt(markdown: number, input: ResolvedMarkdownInput, elasticity: number): MarkdownOutcome {
  const price = input.fullPrice * (1 - markdown);
  const expectedDemand = demandAt(input.expectedUnitsAtFullPrice, input.fullPrice, price, elasticity);
  const unitsSold = Math.min(expectedDemand, input.unitsOnHand);
  const unitsLeft = input.unitsOnHand - unitsSold;
  const salesRevenue = unitsSold * price;
  const salvageRevenue = unitsLeft * input.salvageValue * input.fullPrice;
  return { markdown, price, expectedDemand, unitsSold, unitsLeft, salesRevenue, salvageRevenue, totalRevenue: salesRevenue + salvageRevenue };
}
