// Numbers as planners write them: digits, words, ordinals and shares (percent, decimal, fraction).
import { describe, expect, it } from 'vitest';
import { parseCount, parseNumber, parseOrdinal, parseShare } from '../../../src/llm/rules/numbers.js';

describe('numbers', () => {
  it.each([
    ['12', 12],
    ['8,000', 8000],
    ['0.15', 0.15],
    ['.5', 0.5],
    ['twelve', 12],
    ['Eight', 8],
    ['twenty-six', 26],
    ['fifty two', 52],
    ['thirty', 30],
    ['nineteen', 19],
    ['zero', 0],
    ['a dozen', 12],
    ['one hundred', 100],
    ['a', 1],
  ])('reads "%s" as %d', (words, value) => {
    expect(parseNumber(words)).toBe(value);
  });

  it('refuses words that are not numbers', () => {
    expect(parseNumber('weekly')).toBeUndefined();
    expect(parseNumber('twenty-banana')).toBeUndefined();
    expect(parseNumber('')).toBeUndefined();
  });

  it.each([
    ['8th', 8],
    ['1st', 1],
    ['eighth', 8],
    ['twelfth', 12],
    ['twenty-first', 21],
    ['thirtieth', 30],
  ])('reads the ordinal "%s" as %d', (words, value) => {
    expect(parseOrdinal(words)).toBe(value);
    expect(parseCount(words)).toBe(value);
  });

  it.each([
    ['15%', 0.15],
    ['15 %', 0.15],
    ['15 percent', 0.15],
    ['15 per cent', 0.15],
    ['15 pct', 0.15],
    ['fifteen percent', 0.15],
    ['12.5%', 0.125],
    ['0.12', 0.12],
    ['a fifth', 0.2],
    ['one fifth', 0.2],
    ['one-fifth', 0.2],
    ['one quarter', 0.25],
    ['a quarter', 0.25],
    ['a third', 1 / 3],
    ['two thirds', 2 / 3],
    ['half', 0.5],
    ['a tenth', 0.1],
    ['3/10', 0.3],
    ['1/5', 0.2],
    ['120%', 1.2],
    ['0%', 0],
  ])('reads the share "%s" as %d', (words, value) => {
    expect(parseShare(words)).toBeCloseTo(value, 12);
  });

  it('reads a bare number above 1 as a percentage', () => {
    expect(parseShare('15')).toBeCloseTo(0.15, 12);
    expect(parseShare('1')).toBe(1);
  });
});
