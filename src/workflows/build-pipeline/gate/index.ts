/**
 * Stage 5, the quality gate: on one checkout of the generated app, runs its manifest's build, type check and tests
 * (each a subprocess under the gate's time limit, through the toolchain runner) and reads the coverage the tests
 * wrote. It passes when the type check is clean, every test passes and line coverage reaches the minimum; the
 * summary names what failed, with the figures, for the fix round and the person reading the build.
 */
import { mkdir, readFile, realpath, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { CancelledError } from '../../../errors/index.js';
import type { AppCommand, AppManifest } from '../app/contracts.js';
import { linkNodeModules, runAppCommand, toolchain, type CommandResult } from '../app/toolchain.js';
import { GateReport, type CoverageReport, type GateCheck } from './contracts.js';
import { coverageReport } from './lcov.js';

export interface GateOptions {
  /** The working tree of the commit under test. */
  checkout: string;
  manifest: AppManifest;
  commit: string;
  round: number;
  /** Line coverage of the app's source must reach this percentage. */
  minLineCoverage: number;
  /** The whole gate's time budget: each command gets what the earlier ones left. */
  timeoutMs: number;
  signal?: AbortSignal;
}

/** How much of a command's output a report keeps (its tail: failures print last). */
const OUTPUT_TAIL = 16_000;

const check = (result: CommandResult): GateCheck => ({
  passed: result.exit_code === 0 && !result.timed_out,
  exit_code: result.exit_code,
  timed_out: result.timed_out,
  ms: result.ms,
  output: result.output.slice(-OUTPUT_TAIL),
});

const notRun = (why: string): GateCheck => ({ passed: false, exit_code: null, timed_out: false, ms: 0, output: `not run: ${why}` });

/** The test runner's own count, when its output says: node:test (`ℹ pass 3`, TAP `# pass 3`) or pytest (`3 passed, 1 failed`). */
export function testCounts(output: string): { passed: number | null; failed: number | null } {
  const last = (pattern: RegExp): number | null => {
    const matches = [...output.matchAll(pattern)];
    const value = matches.at(-1)?.[1];
    return value === undefined ? null : Number(value);
  };
  const nodePassed = last(/^[ℹ#] pass (\d+)\s*$/gm);
  if (nodePassed !== null) return { passed: nodePassed, failed: last(/^[ℹ#] fail (\d+)\s*$/gm) ?? 0 };
  // pytest's closing line, "==== 2 failed, 14 passed in 1.20s ====" (or bare with -q; either count may be absent).
  const summary = [...output.matchAll(/^=*\s*(\d+ [a-z]+(?:, \d+ [a-z]+)* in [\d.]+s)\b/gm)].at(-1)?.[1];
  if (summary === undefined) return { passed: null, failed: null };
  const grab = (word: string) => Number(new RegExp(`(\\d+) ${word}`).exec(summary)?.[1] ?? 0);
  return { passed: grab('passed'), failed: grab('failed') + grab('error') };
}

const pct = (value: number | null): string => (value === null ? 'n/a' : `${value}%`);

function describeFailure(name: string, result: GateCheck): string {
  if (result.timed_out) return `${name} timed out after ${result.ms} ms`;
  return `${name} failed (exit ${result.exit_code ?? 'none'})`;
}

function summarise(
  report: Omit<GateReport, 'summary' | 'passed'>,
  build: GateCheck | undefined,
  coverageProblem: string | undefined,
): { passed: boolean; summary: string } {
  const failures: string[] = [];
  if (build && !build.passed) failures.push(describeFailure('build', build));
  // A failed build stands in the type check's place (tsc reports the same errors), so it is named once.
  else if (!report.typecheck.passed) failures.push(describeFailure('type check', report.typecheck));
  if (!report.tests.passed && report.tests.output.startsWith('not run') === false) {
    const counts =
      report.tests.failed_count !== null && report.tests.failed_count > 0
        ? `: ${report.tests.failed_count} of ${report.tests.failed_count + (report.tests.passed_count ?? 0)} failed`
        : '';
    failures.push(report.tests.timed_out ? describeFailure('tests', report.tests) : `tests failed${counts} (exit ${report.tests.exit_code ?? 'none'})`);
  }
  const lines = report.coverage?.lines;
  if (coverageProblem) failures.push(coverageProblem);
  else if (lines && (lines.pct === null || lines.pct < report.min_line_coverage))
    failures.push(`line coverage ${pct(lines.pct)} is below ${report.min_line_coverage}% (${lines.covered} of ${lines.total} lines)`);
  if (failures.length > 0) return { passed: false, summary: `failed: ${failures.join('; ')}` };
  const c = report.coverage as CoverageReport;
  const tests = report.tests.passed_count === null ? 'tests passed' : `${report.tests.passed_count} tests passed`;
  return {
    passed: true,
    summary: `passed: ${tests}, line coverage ${pct(c.lines.pct)} (branches ${pct(c.branches.pct)}, functions ${pct(c.functions.pct)}), type check clean`,
  };
}

export async function runGate(options: GateOptions): Promise<GateReport> {
  const { checkout, manifest } = options;
  const deadline = performance.now() + options.timeoutMs;
  const tools = await toolchain();
  if (manifest.stack === 'node-typescript') await linkNodeModules(checkout, tools);
  const roots = [checkout, await realpath(checkout)];
  const coverageFile = join(checkout, manifest.coverage.path);
  // A coverage file from an earlier run must not stand in for this one's.
  await rm(coverageFile, { force: true });
  // Some runners (node:test's reporters) do not create the destination's directory.
  await mkdir(dirname(coverageFile), { recursive: true });

  const run = async (command: AppCommand): Promise<CommandResult> => {
    if (options.signal?.aborted) throw abortReason(options.signal);
    const result = await runAppCommand(command, {
      cwd: checkout,
      timeoutMs: Math.max(1, Math.round(deadline - performance.now())),
      signal: options.signal,
      maxOutput: OUTPUT_TAIL,
    });
    if (options.signal?.aborted) throw abortReason(options.signal);
    return result;
  };

  const build = manifest.build ? check(await run(manifest.build)) : undefined;
  // A build that is the type check (TypeScript's `tsc -p .` type-checks as it emits) is not run twice.
  const buildIsTypecheck = manifest.build !== undefined && JSON.stringify(manifest.build) === JSON.stringify(manifest.typecheck);
  let typecheck: GateCheck;
  let testsResult: GateCheck;
  if (build && buildIsTypecheck) {
    typecheck = build;
    testsResult = build.passed ? check(await run(manifest.test)) : notRun('the build (the type check) failed');
  } else if (build && !build.passed) {
    typecheck = notRun('the build failed');
    testsResult = notRun('the build failed');
  } else {
    typecheck = check(await run(manifest.typecheck));
    // Tests run even when the type check fails (their failures help the fix round), unless time is up.
    testsResult = typecheck.timed_out ? notRun('the time limit was reached') : check(await run(manifest.test));
  }
  const counts = testsResult.output.startsWith('not run') ? { passed: null, failed: null } : testCounts(testsResult.output);

  let coverage: CoverageReport | null = null;
  let coverageProblem: string | undefined;
  if (!testsResult.output.startsWith('not run') && !testsResult.timed_out) {
    const text = await readFile(coverageFile, 'utf8').catch(() => undefined);
    if (text === undefined) coverageProblem = `no coverage file ${manifest.coverage.path} was written`;
    else {
      coverage = coverageReport(text, manifest.coverage.source, roots);
      if (coverage.lines.total === 0) coverageProblem = `the coverage file counts no lines under ${manifest.coverage.source.join(', ')}`;
    }
  }

  const partial = {
    commit: options.commit,
    min_line_coverage: options.minLineCoverage,
    tests: { ...testsResult, passed_count: counts.passed, failed_count: counts.failed },
    typecheck: build && !build.passed ? { ...build, output: `build: ${build.output}` } : typecheck,
    coverage,
    round: options.round,
  };
  const { passed, summary } = summarise(partial, build, coverageProblem);
  return GateReport.parse({ ...partial, passed, summary });
}

function abortReason(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new CancelledError('the quality gate was cancelled');
}
