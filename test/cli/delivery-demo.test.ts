// `baton delivery demo`: one change through every role with the offline agents, its audit trail printed line by line.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { runDeliveryDemo } from '../../src/cli/delivery.js';
import { openStore, type BatonStore } from '../../src/store/index.js';

let dir: string | undefined;
let store: BatonStore | undefined;
afterEach(async () => {
  await store?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

it('carries the demo change to COMPLETE, printing each handoff, the loops back and the rollback of a failed deployment', async () => {
  dir = mkdtempSync(join(tmpdir(), 'baton-delivery-demo-'));
  store = await openStore({ sqlitePath: join(dir, 'baton.db'), origin: 'test' });
  const lines: string[] = [];
  const status = await runDeliveryDemo(store, { project: 'demo-shop', testFailures: 1, reviewRejections: 1, deploymentFailures: 1 }, (line) =>
    lines.push(line),
  );
  expect(status).toMatchObject({ state: 'COMPLETE', percent: 100 });
  const trail = lines.filter((l) => /^\s+#/.test(l));
  expect(
    trail.map((l) =>
      l
        .match(/(forward|retry|error|rollback)\s+(\S+) → (\S+)/)
        ?.slice(1)
        .join(' '),
    ),
  ).toEqual([
    'forward DISCOVERY PLANNING',
    'forward PLANNING HANDOFF_TO_CODER',
    'forward HANDOFF_TO_CODER IMPLEMENTATION',
    'forward IMPLEMENTATION HANDOFF_TO_TESTER',
    'forward HANDOFF_TO_TESTER TESTING',
    'retry TESTING IMPLEMENTATION',
    'forward IMPLEMENTATION HANDOFF_TO_TESTER',
    'forward HANDOFF_TO_TESTER TESTING',
    'forward TESTING HANDOFF_TO_VERIFIER',
    'forward HANDOFF_TO_VERIFIER VERIFICATION',
    'retry VERIFICATION IMPLEMENTATION',
    'forward IMPLEMENTATION HANDOFF_TO_TESTER',
    'forward HANDOFF_TO_TESTER TESTING',
    'forward TESTING HANDOFF_TO_VERIFIER',
    'forward HANDOFF_TO_VERIFIER VERIFICATION',
    'forward VERIFICATION HANDOFF_TO_RELEASER',
    'forward HANDOFF_TO_RELEASER DEPLOYMENT',
    'error DEPLOYMENT ERROR',
    'rollback ERROR DEPLOYMENT',
    'forward DEPLOYMENT COMPLETE',
  ]);
  expect(trail[2]).toContain('Q_ASSISTANT → CODE_WRITER by system, handed over [DISCOVERY, PLANNING]');
  expect(lines).toContainEqual(expect.stringContaining('the release manager rolls back to DEPLOYMENT'));
  expect(lines.at(-1)).toBe('project demo-shop: 1 run(s), success rate 100%, retries by state: TESTING 1, VERIFICATION 1, failures by state: DEPLOYMENT 1');
});
