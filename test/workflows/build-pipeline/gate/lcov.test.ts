// The gate's readers: lcov over the manifest's source files only (relative or absolute paths, a file listed twice
// merged), and the test counts node:test and pytest print.
import { describe, expect, it } from 'vitest';
import { testCounts } from '../../../../src/workflows/build-pipeline/gate/index.js';
import { coverageReport, figure } from '../../../../src/workflows/build-pipeline/gate/lcov.js';

const LCOV = [
  'TN:',
  'SF:/work/app/dist/src/app.js',
  'FNF:4',
  'FNH:3',
  'BRF:10',
  'BRH:9',
  'DA:1,1',
  'DA:2,0',
  'DA:3,5',
  'DA:4,1',
  'LF:4',
  'LH:3',
  'end_of_record',
  'SF:dist/test/app.test.js',
  'DA:1,1',
  'LF:1',
  'LH:1',
  'end_of_record',
  'SF:./dist/src/util.js',
  'FNF:1',
  'FNH:0',
  'LF:10',
  'LH:2',
  'end_of_record',
  'SF:/work/app/dist/src/app.js',
  'DA:2,3',
  'end_of_record',
  '',
].join('\n');

describe('lcov coverage', () => {
  it('counts only the source files, merging a file listed twice, with per-file figures', () => {
    const report = coverageReport(LCOV, ['dist/src/'], ['/work/app']);
    expect(report.files).toEqual([
      { path: 'dist/src/app.js', lines: figure(4, 4) },
      { path: 'dist/src/util.js', lines: figure(2, 10) },
    ]);
    expect(report.lines).toEqual({ covered: 6, total: 14, pct: 42.86 });
    expect(report.branches).toEqual({ covered: 9, total: 10, pct: 90 });
    expect(report.functions).toEqual({ covered: 3, total: 5, pct: 60 });
  });

  it('takes a source entry that names one file, and reports no figure when nothing of a kind was measured', () => {
    const report = coverageReport('SF:app/main.py\nDA:1,1\nDA:2,1\nend_of_record\nSF:app/mainx.py\nDA:1,0\nend_of_record\n', ['app/main.py'], ['/x']);
    expect(report.lines).toEqual({ covered: 2, total: 2, pct: 100 });
    expect(report.branches).toEqual({ covered: 0, total: 0, pct: null });
  });
});

describe('test counts', () => {
  it("reads node:test's spec and TAP summaries", () => {
    expect(testCounts('✔ a\nℹ tests 30\nℹ pass 29\nℹ fail 1\n')).toEqual({ passed: 29, failed: 1 });
    expect(testCounts('# pass 3\n# fail 0\n')).toEqual({ passed: 3, failed: 0 });
  });

  it("reads pytest's closing line", () => {
    expect(testCounts('....\n========= 2 failed, 14 passed in 1.20s =========\n')).toEqual({ passed: 14, failed: 2 });
    expect(testCounts('== 5 passed, 1 warning in 0.31s ==\n')).toEqual({ passed: 5, failed: 0 });
    expect(testCounts('..F\n1 failed, 2 passed, 1 error in 0.50s\n')).toEqual({ passed: 2, failed: 2 });
  });

  it('says nothing when the runner said nothing recognisable', () => {
    expect(testCounts('Segmentation fault')).toEqual({ passed: null, failed: null });
  });
});
