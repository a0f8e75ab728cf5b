import { describe, expect, it } from 'vitest';
import { DEFAULT_ELASTICITY, demandAt, recommendMarkdown } from '../../src/pricing/index.js';

const below = { sellThrough: 0.3, threshold: 0.6, weeksRemaining: 8 };

describe('constant-elasticity demand', () => {
  it('multiplies demand by (p / p0)^ε: 20% off at ε = −2 sells 1 / 0.8² = 1.5625 times as much', () => {
    expect(DEFAULT_ELASTICITY).toBe(-2);
    expect(demandAt(100, 1, 0.8, -2)).toBeCloseTo(156.25, 10);
    expect(demandAt(100, 10, 5, -1)).toBeCloseTo(200, 10);
    expect(demandAt(100, 1, 0.5, 0)).toBe(100);
  });
});

describe('recommendMarkdown', () => {
  it('recommends no markdown at or above the sell-through threshold, and says why', () => {
    const r = recommendMarkdown({ sellThrough: 0.6, threshold: 0.6, weeksRemaining: 6, unitsOnHand: 500, expectedUnitsAtFullPrice: 100 });
    expect(r).toMatchObject({ markdown: 0, considered: false, revenueChange: 0 });
    expect(r.reason).toBe('sell-through 60% is at or above the 60% threshold: no markdown');
    expect(r.withMarkdown).toEqual(r.withoutMarkdown);
    expect(r.candidates).toHaveLength(1);
  });

  it('computes revenue with and without the markdown as by hand', () => {
    // Without: demand 100 < 150 on hand → 100 sold at 1.00 = 100, 50 left.
    // 20% off: demand 100 / 0.8² = 156.25, capped at 150 on hand → 150 × 0.80 = 120, 0 left.
    const r = recommendMarkdown({ ...below, unitsOnHand: 150, expectedUnitsAtFullPrice: 100, candidates: [0.2] });
    expect(r.markdown).toBe(0.2);
    expect(r.withoutMarkdown).toMatchObject({ price: 1, expectedDemand: 100, unitsSold: 100, unitsLeft: 50, totalRevenue: 100 });
    expect(r.withMarkdown.expectedDemand).toBeCloseTo(156.25, 10);
    expect(r.withMarkdown).toMatchObject({ price: 0.8, unitsSold: 150, unitsLeft: 0 });
    expect(r.withMarkdown.totalRevenue).toBeCloseTo(120, 10);
    expect(r.revenueChange).toBeCloseTo(20, 10);
    expect(r).toMatchObject({ considered: true, elasticity: -2, elasticityAssumed: true });
  });

  it('counts leftover units at the salvage value, which can make a markdown not worth it', () => {
    // Same case, salvage at half price: without = 100 + 50 × 0.5 = 125 beats 20% off = 120.
    const r = recommendMarkdown({ ...below, unitsOnHand: 150, expectedUnitsAtFullPrice: 100, candidates: [0.2], salvageValue: 0.5 });
    expect(r.withoutMarkdown).toMatchObject({ salesRevenue: 100, salvageRevenue: 25, totalRevenue: 125 });
    expect(r.markdown).toBe(0);
    expect(r.reason).toContain('no markdown earns more than full price');
  });

  it('picks from the default ladder the markdown that clears the stock at the best price', () => {
    // 400 forecast, 1,000 on hand, ε = −2: 30% off sells 816.3 × 0.7 = 571.4; 40% off sells all 1,000 × 0.6 = 600;
    // 50% off also sells 1,000 but at 0.5 = 500.
    const r = recommendMarkdown({ ...below, unitsOnHand: 1000, expectedUnitsAtFullPrice: 400 });
    expect(r.candidates.map((c) => c.markdown)).toEqual([0, 0.1, 0.2, 0.3, 0.4, 0.5]);
    expect(r.candidates[3]!.totalRevenue).toBeCloseTo(0.7 * (400 / 0.49), 9);
    expect(r.markdown).toBe(0.4);
    expect(r.withMarkdown.totalRevenue).toBeCloseTo(600, 10);
    expect(r.revenueChange).toBeCloseTo(200, 10);
    expect(r.explanation).toContain('40% off');
    expect(r.explanation).toContain('600.00');
    expect(r.explanation).toContain('the default, an assumption');
  });

  it('takes another elasticity: at −0.5 a markdown loses revenue, at −3 a deeper one wins', () => {
    const inelastic = recommendMarkdown({ ...below, unitsOnHand: 1000, expectedUnitsAtFullPrice: 400, elasticity: -0.5 });
    expect(inelastic).toMatchObject({ markdown: 0, elasticity: -0.5, elasticityAssumed: false });
    // 10% off at −0.5: 400 × 0.9^−0.5 × 0.9 = 400 × √0.9 ≈ 379.5 < 400.
    expect(inelastic.candidates[1]!.totalRevenue).toBeCloseTo(400 * Math.sqrt(0.9), 9);
    // At −3, 40% off: demand 400 / 0.216 = 1,852 → all 1,000 sold at 0.6 = 600; 30% off: 400 / 0.343 = 1,166 → 1,000 × 0.7 = 700.
    const elastic = recommendMarkdown({ ...below, unitsOnHand: 1000, expectedUnitsAtFullPrice: 400, elasticity: -3 });
    expect(elastic.markdown).toBe(0.3);
    expect(elastic.withMarkdown.totalRevenue).toBeCloseTo(700, 10);
  });

  it('keeps the smaller markdown on a tie', () => {
    // ε = −1 with ample stock: revenue p × Q0 / p = 100 at every price.
    const r = recommendMarkdown({ ...below, unitsOnHand: 10_000, expectedUnitsAtFullPrice: 100, elasticity: -1 });
    expect(r.candidates.every((c) => Math.abs(c.totalRevenue - 100) < 1e-9)).toBe(true);
    expect(r.markdown).toBe(0);
  });

  it('reports revenue in money when given the full price', () => {
    const r = recommendMarkdown({ ...below, unitsOnHand: 150, expectedUnitsAtFullPrice: 100, candidates: [0.2], fullPrice: 25 });
    expect(r.withoutMarkdown.totalRevenue).toBeCloseTo(2500, 9);
    expect(r.withMarkdown).toMatchObject({ price: 20 });
    expect(r.withMarkdown.totalRevenue).toBeCloseTo(3000, 9);
  });

  it('speaks of goods at full-price value, not units, when the stock is measured in value', () => {
    const inUnits = recommendMarkdown({ ...below, unitsOnHand: 150, expectedUnitsAtFullPrice: 100 });
    expect(inUnits.explanation).toContain('sells 100 of 150 units on hand');
    const inValue = recommendMarkdown({ ...below, unitsOnHand: 150, expectedUnitsAtFullPrice: 100, measure: 'value' });
    expect(inValue.explanation).toContain('sells 100 of 150 on hand (goods at full-price value)');
    expect(inValue.explanation).not.toMatch(/\bunits\b/);
    const losing = recommendMarkdown({ ...below, unitsOnHand: 1000, expectedUnitsAtFullPrice: 400, elasticity: -0.5, measure: 'value' });
    expect(losing.explanation).toContain('the extra goods a markdown sells');
  });

  it('recommends nothing when no weeks are left', () => {
    const r = recommendMarkdown({ ...below, weeksRemaining: 0, unitsOnHand: 100, expectedUnitsAtFullPrice: 0 });
    expect(r).toMatchObject({ markdown: 0, considered: false, reason: 'no weeks left to sell: no markdown' });
  });

  it('refuses a positive elasticity, a 100% markdown and a sell-through above 1 with INVALID_PARAMETERS', () => {
    const invalid = expect.objectContaining({ code: 'INVALID_PARAMETERS' }) as Error;
    const base = { ...below, unitsOnHand: 100, expectedUnitsAtFullPrice: 50 };
    expect(() => recommendMarkdown({ ...base, elasticity: 1.5 })).toThrow(invalid);
    expect(() => recommendMarkdown({ ...base, candidates: [1] })).toThrow(invalid);
    expect(() => recommendMarkdown({ ...base, sellThrough: 1.5 })).toThrow(invalid);
    expect(() => recommendMarkdown({ ...base, unitsOnHand: -1 })).toThrow(invalid);
  });
});
