// The DC holdback share: percentages, decimals, fractions, the DC's synonyms, and the ways of saying zero.
import { describe, expect, it } from 'vitest';
import { findDcShare } from '../../../src/llm/rules/dc-share.js';
import { Scan } from '../../../src/llm/rules/scan.js';

const shareOf = (text: string) => findDcShare(new Scan(text))?.value;

describe('DC share', () => {
  it.each([
    ['15% DC holdback', 0.15],
    ['hold back 30% in the DC', 0.3],
    ['keep 10 percent at the distribution center', 0.1],
    ['DC holdback of 120%', 1.2],
    ['18% stays at the DC', 0.18],
    ['40% kept at DC', 0.4],
    ['a 20% holdback at the DC', 0.2],
    ['hold 5% back at the DC', 0.05],
    ['12.5 per cent warehouse reserve', 0.125],
  ])('reads the percentage in "%s"', (text, share) => expect(shareOf(text)).toBeCloseTo(share, 12));

  it.each([
    ['DC holdback 0.12', 0.12],
    ['keep .25 at the warehouse', 0.25],
    ['DC holdback 15', 0.15],
  ])('reads the decimal in "%s"', (text, share) => expect(shareOf(text)).toBeCloseTo(share, 12));

  it.each([
    ['hold back a fifth of inventory at the DC', 0.2],
    ['keep one quarter in the warehouse', 0.25],
    ['a third in reserve', 1 / 3],
    ['half the stock stays at the DC', 0.5],
    ['distribution centre holdback one tenth', 0.1],
    ['hold back 1/5 of stock at the DC', 0.2],
  ])('reads the fraction in "%s"', (text, share) => expect(shareOf(text)).toBeCloseTo(share, 12));

  it.each([
    '10% at the DC',
    '10% at the distribution center',
    '10% at the distribution centre',
    '10% in the warehouse',
    '10% in reserve',
    '10% kept back',
    '10% held back',
    '10% holdback',
  ])('knows the synonym in "%s"', (text) => expect(shareOf(text)).toBeCloseTo(0.1, 12));

  it.each([
    'ship everything to stores up front',
    'nothing held back',
    'All stock to stores at launch',
    'no DC reserve',
    'the DC keeps nothing back',
    'no holdback',
    'DC holdback: none',
    "don't hold anything back at the DC",
    'ship all inventory up front',
    '0% DC',
  ])('reads "%s" as 0', (text) => expect(shareOf(text)).toBe(0));

  it('reads the share sent to stores as its complement', () => {
    expect(shareOf('ship 80% to stores and keep the rest at the DC')).toBeCloseTo(0.2, 12);
  });

  it('prefers a stated share over a zero phrase', () => {
    expect(shareOf('ship everything else to stores; hold back 15% at the DC')).toBeCloseTo(0.15, 12);
  });

  it('does not take units, weeks or percentages far from any DC word', () => {
    expect(shareOf('keep 500 units at the DC')).toBeUndefined();
    expect(shareOf('Weekly replenishment, 60% sell-through')).toBeUndefined();
  });
});
