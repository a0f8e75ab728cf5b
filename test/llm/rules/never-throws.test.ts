// Property: offline extraction answers any text with parameters or an ExtractionError (a BatonError), never a thrown TypeError or RangeError, whatever numbers and dates the words hold.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BatonError } from '../../../src/errors/index.js';
import { extractParameters } from '../../../src/llm/index.js';
import { extractWithRules } from '../../../src/llm/rules/index.js';

const hugeNumber = fc.oneof(
  fc.constantFrom('99999999999', '9007199254740993', '1' + '0'.repeat(300), '8'.repeat(400), '0', '-1', '1e308', '1.5', '.5', '1,000,000,000,000'),
  fc.bigInt({ min: 0n, max: 10n ** 30n }).map(String),
);
const phrase = fc.oneof(
  hugeNumber.map((n) => `a ${n} week season`),
  hugeNumber.map((n) => `${n} months`),
  hugeNumber.map((n) => `${n} years`),
  hugeNumber.map((n) => `starting in ${n} weeks`),
  hugeNumber.map((n) => `starting in ${n} days`),
  hugeNumber.map((n) => `markdown in week ${n} at ${n}% sell-through`),
  hugeNumber.map((n) => `${n}% DC holdback`),
  fc.constantFrom(
    'starting Jan 6 2025',
    'from 31/31/99999 to Jan 6 275761',
    'the first Monday of March 9999',
    'ending December 31, 9999',
    'starting 0000-01-01',
    'next Monday',
    'weekly',
    'every two weeks',
  ),
  fc.string({ maxLength: 40 }),
);
const text = fc.array(phrase, { minLength: 1, maxLength: 6 }).map((parts) => parts.join(', '));
const referenceDate = fc.constantFrom('2025-01-15', '0001-01-01', '9999-12-31', '2024-02-29');

describe('offline extraction on hostile words', () => {
  it('reads any text without throwing', () => {
    fc.assert(
      fc.property(text, referenceDate, (words, reference) => {
        extractWithRules(words, reference);
      }),
      { numRuns: 400 },
    );
  });

  it('answers any text with parameters or a BatonError, never another error', async () => {
    await fc.assert(
      fc.asyncProperty(text, referenceDate, async (words, reference) => {
        const outcome = await extractParameters(words.slice(0, 4_000), { mode: 'rules', llm: null, referenceDate: reference }).catch((error: unknown) => error);
        if (outcome instanceof Error) expect(outcome).toBeInstanceOf(BatonError);
      }),
      { numRuns: 400 },
    );
  });
});
