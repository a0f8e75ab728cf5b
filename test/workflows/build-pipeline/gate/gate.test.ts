// The quality gate on real generated apps: too few tests fail it on coverage (the summary carries the figure), a
// failing test fails it with the runner's output, a time limit fails it as timed out, and a test command that
// writes no coverage fails it saying so.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppManifest } from '../../../../src/workflows/build-pipeline/app/contracts.js';
import type { GeneratedApp } from '../../../../src/workflows/build-pipeline/codegen/contracts.js';
import { generateApp } from '../../../../src/workflows/build-pipeline/codegen/index.js';
import { runGate, type GateOptions } from '../../../../src/workflows/build-pipeline/gate/index.js';
import { REQUEST, removeCheckouts, writeCheckout } from '../codegen/node-fixture.js';

const gate = (checkout: string, manifest: AppManifest, extra: Partial<GateOptions> = {}) =>
  runGate({ checkout, manifest, commit: 'c0ffee', round: 1, minLineCoverage: 80, timeoutMs: 400_000, ...extra });

describe('the quality gate', () => {
  let few: GeneratedApp;
  let checkout: string;
  beforeAll(() => {
    few = generateApp({ ...REQUEST, variant: { tests: 'few' } });
    checkout = writeCheckout(few);
  });
  afterAll(() => removeCheckouts());

  it('fails an app with too few tests on line coverage, with the figure in the summary', async () => {
    const report = await gate(checkout, few.manifest);
    console.log(`few tests: ${report.summary} (tests ${report.tests.ms} ms)`);
    expect(report.tests).toMatchObject({ passed: true, passed_count: 1, failed_count: 0 });
    expect(report.typecheck.passed).toBe(true);
    const pct = report.coverage?.lines.pct ?? 100;
    expect(pct).toBeLessThan(80);
    expect(report.passed).toBe(false);
    expect(report.summary).toBe(`failed: line coverage ${pct}% is below 80% (${report.coverage?.lines.covered} of ${report.coverage?.lines.total} lines)`);
    expect(report.round).toBe(1);
  }, 420_000);

  it('fails on a failing test, with its output and the counts', async () => {
    writeFileSync(
      join(checkout, 'test/failing.test.ts'),
      "import assert from 'node:assert/strict';\nimport { it } from 'node:test';\n\nit('adds up', () => {\n  assert.equal(1 + 1, 3, 'arithmetic is broken');\n});\n",
    );
    const manifest = { ...few.manifest, test: { ...few.manifest.test, argv: [...few.manifest.test.argv, 'dist/test/failing.test.js'] } };
    const report = await gate(checkout, manifest);
    expect(report.tests).toMatchObject({ passed: false, exit_code: 1, passed_count: 1, failed_count: 1, timed_out: false });
    expect(report.tests.output).toContain('arithmetic is broken');
    expect(report.summary).toMatch(/^failed: tests failed: 1 of 2 failed \(exit 1\); line coverage/);
    expect(report.passed).toBe(false);
  }, 420_000);

  it('fails as timed out when the time limit is reached', async () => {
    const report = await gate(checkout, few.manifest, { timeoutMs: 300 });
    expect(report.passed).toBe(false);
    expect(report.typecheck.timed_out).toBe(true);
    expect(report.summary).toMatch(/timed out after \d+ ms/);
    expect(report.coverage).toBeNull();
  }, 30_000);

  it('fails when the tests write no coverage file, saying so', async () => {
    const quick = { argv: ['{node}', '-e', 'console.log("ℹ pass 2"); console.log("ℹ fail 0")'], env: {} };
    const manifest = { ...few.manifest, build: undefined, typecheck: { argv: ['{node}', '-e', ''], env: {} }, test: quick };
    const report = await gate(checkout, manifest);
    expect(report.tests).toMatchObject({ passed: true, passed_count: 2, failed_count: 0 });
    expect(report.coverage).toBeNull();
    expect(report.summary).toBe('failed: no coverage file lcov.info was written');
  }, 30_000);

  it('stops with the cancellation when its signal fires', async () => {
    const controller = new AbortController();
    const pending = gate(checkout, few.manifest, { signal: controller.signal });
    setTimeout(() => controller.abort(new Error('run cancelled')), 200);
    await expect(pending).rejects.toThrow('run cancelled');
  }, 30_000);
});
