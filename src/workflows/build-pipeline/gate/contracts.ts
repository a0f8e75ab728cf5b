/**
 * Stage 5's contract: the quality gate's report on one commit of the generated app: its own tests (run in a
 * subprocess with a time limit), line, branch and function coverage of its source, and its type check.
 */
import { z } from 'zod';

export const CoverageFigure = z.object({
  covered: z.number().int().min(0),
  total: z.number().int().min(0),
  /** covered/total in percent, two decimals; null when the tool reports none of this kind (total 0). */
  pct: z.number().min(0).max(100).nullable(),
});
export type CoverageFigure = z.infer<typeof CoverageFigure>;

export const CoverageReport = z.object({
  lines: CoverageFigure,
  branches: CoverageFigure,
  functions: CoverageFigure,
  /** Per source file: its line coverage (the files the manifest counts as source). */
  files: z.array(z.object({ path: z.string(), lines: CoverageFigure })),
});
export type CoverageReport = z.infer<typeof CoverageReport>;

export const GateCheck = z.object({
  passed: z.boolean(),
  exit_code: z.number().int().nullable(),
  timed_out: z.boolean(),
  ms: z.number().int(),
  /** The tail of the command's output (what a fix round and a person read). */
  output: z.string(),
});
export type GateCheck = z.infer<typeof GateCheck>;

export const GateReport = z.object({
  commit: z.string(),
  passed: z.boolean(),
  /** One line saying why it failed (or that it passed, with the figures). */
  summary: z.string(),
  min_line_coverage: z.number(),
  tests: GateCheck.extend({
    /** Tests counted from the runner's output when it says (passed, failed). */
    passed_count: z.number().int().nullable(),
    failed_count: z.number().int().nullable(),
  }),
  typecheck: GateCheck,
  coverage: CoverageReport.nullable(),
  round: z.number().int().min(0),
});
export type GateReport = z.infer<typeof GateReport>;
