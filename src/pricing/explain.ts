/** The markdown decision in a few plain sentences, written from its numbers (used when no LLM is configured). */
import type { MarkdownRecommendation, ResolvedMarkdownInput } from './types.js';

const units = (x: number): string => Math.round(x).toLocaleString('en-US');
const money = (x: number): string => x.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const percent = (x: number): string => `${(100 * x).toFixed(0)}%`;

export function explainMarkdown(r: Omit<MarkdownRecommendation, 'explanation'>, input: ResolvedMarkdownInput): string {
  const sentences = [`${capitalise(r.reason)}.`];
  const base = r.withoutMarkdown;
  const onHand = input.measure === 'value' ? 'on hand (goods at full-price value)' : 'units on hand';
  const weeks = `${input.weeksRemaining} week${input.weeksRemaining === 1 ? '' : 's'}`;
  sentences.push(
    `At full price the remaining forecast sells ${units(base.unitsSold)} of ${units(input.unitsOnHand)} ${onHand} over ${weeks}: ` +
      `revenue ${money(base.totalRevenue)}` +
      (base.unitsLeft > 0 ? `, ${units(base.unitsLeft)} left${input.salvageValue > 0 ? ` (salvage ${money(base.salvageRevenue)} included)` : ''}.` : '.'),
  );
  if (r.considered) {
    const e = `elasticity ${r.elasticity.toFixed(1)}${r.elasticityAssumed ? ' (the default, an assumption)' : ''}`;
    if (r.markdown > 0) {
      const m = r.withMarkdown;
      const change = base.totalRevenue > 0 ? ` (${r.revenueChange >= 0 ? '+' : ''}${percent(r.revenueChange / base.totalRevenue)})` : '';
      sentences.push(
        // (1 − m)^ε is the demand multiplier of the constant-elasticity model.
        `With ${percent(r.markdown)} off and ${e}, demand rises ×${((1 - r.markdown) ** r.elasticity).toFixed(2)} to ${units(m.expectedDemand)}; ` +
          `${units(m.unitsSold)} sell for ${money(m.totalRevenue)}, ${r.revenueChange >= 0 ? '+' : ''}${money(r.revenueChange)}${change} against no markdown.`,
      );
    } else {
      sentences.push(`With ${e}, the extra ${input.measure === 'value' ? 'goods' : 'units'} a markdown sells do not make up for the lower price.`);
    }
  }
  return sentences.join(' ');
}

const capitalise = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);
