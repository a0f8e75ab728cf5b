// The dev cases (../shared/extraction/dev.jsonl, skipped when absent) and our own phrasings, run through
// extractParameters offline: every field must match (numbers to 1e-9), or the error kind and fields.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BatonError } from '../../src/errors/index.js';
import { extractParameters, PARAMETER_FIELDS } from '../../src/llm/index.js';

interface Case {
  text: string;
  reference_date: string;
  expect?: Record<string, string | number | null>;
  expect_error?: { kind: string; fields: string[] };
}

const load = (path: string): Case[] =>
  readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Case);

async function outcome(c: Case): Promise<unknown> {
  try {
    const result = await extractParameters(c.text, { referenceDate: c.reference_date, mode: 'rules', llm: null });
    return Object.fromEntries(PARAMETER_FIELDS.map((f) => [f, result[f]]));
  } catch (error) {
    if (!(error instanceof BatonError)) throw error;
    return { kind: error.details.kind, fields: error.details.fields };
  }
}

function expected(c: Case): unknown {
  if (c.expect_error) return { kind: c.expect_error.kind, fields: [...c.expect_error.fields].sort() };
  // Numbers match to 1e-9, as the eval judges them.
  return Object.fromEntries(Object.entries(c.expect ?? {}).map(([k, v]) => [k, typeof v === 'number' ? expect.closeTo(v, 9) : v]));
}

const devPath = fileURLToPath(new URL('../../../shared/extraction/dev.jsonl', import.meta.url));
const ownPath = fileURLToPath(new URL('./fixtures/phrasings.jsonl', import.meta.url));
// A planner's wordings gathered by exploring: year-less dates before ", 12 weeks", counts and money beside the DC,
// figures about last year or the lead time, negations, corrections ("actually", "make it") and contradictions.
const plannerPath = fileURLToPath(new URL('./fixtures/planner-wordings.jsonl', import.meta.url));
if (!existsSync(devPath)) console.log(`dev extraction cases skipped: ${devPath} is absent (it lives in the shared workspace, not in the repo)`);

describe.skipIf(!existsSync(devPath))('the dev cases', () => {
  const cases = existsSync(devPath) ? load(devPath) : [];
  it.each(cases.map((c, i) => [i + 1, c.text, c] as const))('case %d: %s', async (_n, _text, c) => {
    expect(await outcome(c)).toEqual(expected(c));
  });
});

describe('our own phrasings', () => {
  const cases = load(ownPath);
  it('hold a few dozen varied cases', () => expect(cases.length).toBeGreaterThanOrEqual(36));
  it.each(cases.map((c, i) => [i + 1, c.text, c] as const))('case %d: %s', async (_n, _text, c) => {
    expect(await outcome(c)).toEqual(expected(c));
  });
});

describe("a planner's wordings", () => {
  const cases = load(plannerPath);
  it.each(cases.map((c, i) => [i + 1, c.text, c] as const))('case %d: %s', async (_n, _text, c) => {
    expect(await outcome(c)).toEqual(expected(c));
  });
});
