/**
 * What an accepted markdown does to demand, week by week: forecasts are full-price demand, so whoever compares,
 * plans or learns from a marked-down week lifts the forecast (or takes the lift out of the actuals) by this.
 */
import { DEFAULT_ELASTICITY, demandAt } from '../../pricing/index.js';
import type { MarkdownInForce } from './contracts.js';

/** The demand multiplier of each season week: 1 up to the checkpoint week, (1 − rate)^ε after it. */
export function markdownLift(markdown: MarkdownInForce | null | undefined, elasticity: number | undefined): (week: number) => number {
  if (!markdown || !(markdown.rate > 0)) return () => 1;
  const lift = demandAt(1, 1, 1 - markdown.rate, elasticity ?? DEFAULT_ELASTICITY);
  return (week) => (week > markdown.fromWeek ? lift : 1);
}
