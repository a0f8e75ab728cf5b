/** Constant-elasticity demand: Q(p) = Q0 · (p / p0)^ε, the markdown model's one assumption about shoppers. */

/**
 * The price elasticity used when the caller gives none: −2.0, an ASSUMPTION, not an estimate from
 * Baton's data. It sits between the mean elasticities of the two large marketing meta-analyses
 * (Tellis 1988, 367 estimates: −1.76; Bijmolt, van Heerde & Pieters 2005, 1,851 estimates: −2.62)
 * and is a common planning value for fashion apparel, which is more price-sensitive than staples.
 * Override it per category when a measured value exists (e.g. from past markdown events).
 */
export const DEFAULT_ELASTICITY = -2;

/**
 * Expected demand at `price` given demand `baseDemand` at `basePrice`. With ε < 0 a lower price sells
 * more: 20% off at ε = −2 multiplies demand by 0.8^−2 = 1.5625. ε = 0 means price changes nothing.
 */
export function demandAt(baseDemand: number, basePrice: number, price: number, elasticity: number): number {
  return baseDemand * (price / basePrice) ** elasticity;
}
