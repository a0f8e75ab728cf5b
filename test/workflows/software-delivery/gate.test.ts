// The testing gate as a rule on its own: which handed-over test cases a report leaves out, and which counts contradict the outcomes it names.
import { describe, expect, it } from 'vitest';
import { TestReport, testGate } from '../../../src/workflows/software-delivery/outputs.js';

const HANDED_OVER = [{ name: 'downloads' }, { name: 'tax' }, { name: 'rounding' }];
const report = (input: unknown) => TestReport.parse(input);

describe('the testing gate', () => {
  it('refuses an empty report, naming every test case handed over', () => {
    expect(testGate(HANDED_OVER, report({ passed: 0, failed: 0 }))).toEqual({
      missing: ['downloads', 'tax', 'rounding'],
      issues: [{ path: 'output.results', message: expect.stringContaining('"downloads", "tax", "rounding"') as unknown }],
    });
  });

  it('counts a test named in failures as failed, and names only what is still missing', () => {
    const finding = testGate(
      HANDED_OVER,
      report({ passed: 1, failed: 1, failures: [{ test: 'tax', message: 'no column' }], results: [{ test: 'downloads', outcome: 'passed' }] }),
    );
    expect(finding?.missing).toEqual(['rounding']);
  });

  it('passes a report that accounts for each test case as passed, failed or explained', () => {
    const accounted = report({
      passed: 1,
      failed: 1,
      results: [
        { test: 'downloads', outcome: 'passed' },
        { test: 'tax', outcome: 'failed', message: 'no column' },
        { test: 'rounding', outcome: 'explained', message: 'covered by the tax test' },
      ],
    });
    expect(testGate(HANDED_OVER, accounted)).toBeNull();
    // Nothing handed over, nothing to account for.
    expect(testGate([], report({ passed: 0, failed: 0 }))).toBeNull();
  });

  it('refuses counts below the outcomes the report names, so a failed test cannot move the change forward', () => {
    const finding = testGate(
      HANDED_OVER,
      report({
        passed: 0,
        failed: 0,
        results: [
          { test: 'downloads', outcome: 'passed' },
          { test: 'tax', outcome: 'failed' },
          { test: 'rounding', outcome: 'passed' },
        ],
      }),
    );
    expect(finding).toEqual({
      missing: [],
      issues: [
        { path: 'output.passed', message: 'is 0, but 2 test case(s) are reported passed' },
        { path: 'output.failed', message: 'is 0, but 1 test case(s) are reported failed' },
      ],
    });
  });

  it('asks an explained test case for its message', () => {
    expect(TestReport.safeParse({ passed: 0, failed: 0, results: [{ test: 'tax', outcome: 'explained' }] }).success).toBe(false);
  });
});
