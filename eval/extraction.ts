/**
 * `npm run eval:extraction -- [cases.jsonl] [--mode rules|llm|hybrid] [--repeat N]`: runs every
 * case (default ../shared/extraction/dev.jsonl), prints each failure with expected vs got, the
 * offline time per extraction (mean, p99), and ends with `extraction: N/M cases correct`.
 * A case is correct when all seven fields match (numbers to 1e-9) or the error kind and fields do.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { z } from 'zod';
import { BatonError } from '../src/errors/index.js';
import { extractParameters, ExtractionMode, PARAMETER_FIELDS } from '../src/llm/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const { values: args, positionals } = parseArgs({
  allowPositionals: true,
  options: { mode: { type: 'string', default: 'rules' }, repeat: { type: 'string', default: '200' } },
});
const mode = ExtractionMode.parse(args.mode);
const casesPath = resolve(positionals[0] ?? resolve(here, '../../shared/extraction/dev.jsonl'));

const Expected = z.object({
  forecast_horizon_weeks: z.number(),
  season_start_date: z.string(),
  season_end_date: z.string(),
  replenishment_strategy: z.string(),
  dc_holdback_percentage: z.number(),
  markdown_checkpoint_week: z.number().nullable(),
  markdown_threshold: z.number().nullable(),
});
const Case = z.object({
  text: z.string(),
  reference_date: z.string(),
  expect: Expected.optional(),
  expect_error: z.object({ kind: z.string(), fields: z.array(z.string()) }).optional(),
});
type Case = z.infer<typeof Case>;

const cases = readFileSync(casesPath, 'utf8')
  .split('\n')
  .filter((line) => line.trim() !== '')
  .map((line, i) => {
    const parsed = Case.safeParse(JSON.parse(line));
    if (!parsed.success) throw new Error(`${casesPath}:${i + 1}: ${parsed.error.message}`);
    return parsed.data;
  });

type Outcome = { ok: true; values: Record<string, unknown> } | { ok: false; kind: string; fields: string[]; message: string };

async function run(c: Case): Promise<Outcome> {
  try {
    const result = await extractParameters(c.text, { referenceDate: c.reference_date, mode, ...(mode === 'rules' ? { llm: null } : {}) });
    return { ok: true, values: Object.fromEntries(PARAMETER_FIELDS.map((f) => [f, result[f]])) };
  } catch (error) {
    if (!(error instanceof BatonError)) throw error;
    const details = z.object({ kind: z.string(), fields: z.array(z.string()) }).safeParse(error.details);
    return { ok: false, kind: details.success ? details.data.kind : error.code, fields: details.success ? details.data.fields : [], message: error.message };
  }
}

const same = (a: unknown, b: unknown): boolean => (typeof a === 'number' && typeof b === 'number' ? Math.abs(a - b) <= 1e-9 : a === b);

function judge(c: Case, got: Outcome): boolean {
  if (c.expect) return got.ok && PARAMETER_FIELDS.every((f) => same(c.expect?.[f], got.values[f]));
  if (c.expect_error) return !got.ok && got.kind === c.expect_error.kind && JSON.stringify(got.fields) === JSON.stringify([...c.expect_error.fields].sort());
  return false;
}

let correct = 0;
for (const [i, c] of cases.entries()) {
  const got = await run(c);
  if (judge(c, got)) {
    correct++;
    continue;
  }
  console.log(`✗ case ${i + 1}: ${c.text} (reference ${c.reference_date})`);
  console.log(`  expected: ${JSON.stringify(c.expect ?? { error: c.expect_error })}`);
  console.log(`  got:      ${JSON.stringify(got.ok ? got.values : { error: { kind: got.kind, fields: got.fields }, message: got.message })}`);
}

// Offline timing: every case, `repeat` times, after one warm-up pass (the model's latency is not ours to measure).
// Wall time suffers when other processes share the cores; CPU time shows the extractor's own cost.
const repeat = Number(args.repeat);
const wall: number[] = [];
const cpu: number[] = [];
for (let round = -1; round < repeat; round++) {
  for (const c of cases) {
    const cpuStart = process.cpuUsage();
    const started = performance.now();
    await extractParameters(c.text, { referenceDate: c.reference_date, mode: 'rules', llm: null }).catch(() => undefined);
    if (round < 0) continue;
    wall.push(performance.now() - started);
    const used = process.cpuUsage(cpuStart);
    cpu.push((used.user + used.system) / 1000);
  }
}
const summary = (ms: number[]): string => {
  ms.sort((a, b) => a - b);
  const at = (q: number): number => ms[Math.min(ms.length - 1, Math.floor(ms.length * q))] ?? 0;
  return `mean ${(ms.reduce((a, b) => a + b, 0) / ms.length).toFixed(3)} ms, p50 ${at(0.5).toFixed(3)} ms, p99 ${at(0.99).toFixed(3)} ms, max ${(ms.at(-1) ?? 0).toFixed(3)} ms`;
};
console.log(`offline time per extraction over ${wall.length} extractions (target < 5 ms): wall ${summary(wall)}; cpu ${summary(cpu)}`);
console.log(`extraction: ${correct}/${cases.length} cases correct`);
