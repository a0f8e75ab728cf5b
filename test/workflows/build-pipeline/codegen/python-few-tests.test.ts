// The Python generator's too-few-tests variant: its tests pass, but its line coverage falls below the gate's 80%,
// so the gate fails and says so with the figure.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toolchain } from '../../../../src/workflows/build-pipeline/app/toolchain.js';
import { generateApp } from '../../../../src/workflows/build-pipeline/codegen/index.js';
import type { GateReport } from '../../../../src/workflows/build-pipeline/gate/contracts.js';
import { runGate } from '../../../../src/workflows/build-pipeline/gate/index.js';
import { pythonInput, removeCheckouts, writeCheckout } from './python-fixture.js';

const { python } = await toolchain();
if (!python) console.log('skipped: no Python with fastapi, uvicorn, httpx, pytest-cov and mypy (Debian python3-fastapi …) on this machine');

describe.skipIf(!python)('the generated Python app with too few tests', () => {
  let report: GateReport;

  beforeAll(async () => {
    const app = generateApp(pythonInput('few'));
    report = await runGate({ checkout: writeCheckout(app), manifest: app.manifest, commit: 'f00d', round: 0, minLineCoverage: 80, timeoutMs: 400_000 });
    console.log(`python gate (few tests): ${report.summary}; tests ${report.tests.ms} ms`);
  }, 420_000);
  afterAll(() => removeCheckouts());

  it('passes its tests but fails the gate on line coverage below 80%', () => {
    expect(report.tests, report.tests.output).toMatchObject({ passed: true, failed_count: 0 });
    expect(report.typecheck.passed).toBe(true);
    expect(report.coverage?.lines.pct).toBeLessThan(80);
    expect(report.passed).toBe(false);
    expect(report.summary).toMatch(/coverage/);
  });
});
