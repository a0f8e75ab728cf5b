// Per-project stats that add up: runs by state, success rate over finished runs, mean duration of completed ones,
// and where runs failed, went back and were rolled back, counted from the runs' own audit trails.
import { expect, it } from 'vitest';
import { ROLES } from '../../../src/workflows/software-delivery/index.js';
import { describeEachStore } from '../../support/stores.js';
import { CHANGE, useDelivery } from './support.js';

const ALL = [...ROLES];

describeEachStore('software delivery: project stats', (kind) => {
  const d = useDelivery(kind);

  it('counts four runs of one project (complete, error, cancelled, waiting) and none of another', async () => {
    const { engine, delivery } = d.open();
    const complete = (await delivery.start({ project: 'acme', change: CHANGE, automatic_roles: ALL, script: { test_failures: 2, review_rejections: 1 } }))
      .run_id;
    const error = (await delivery.start({ project: 'acme', change: CHANGE, automatic_roles: ALL, script: { deployment_failures: 5 } })).run_id;
    const cancelled = (await delivery.start({ project: 'acme', change: CHANGE })).run_id;
    const waiting = (await delivery.start({ project: 'acme', change: CHANGE, automatic_roles: ['Q_ASSISTANT'] })).run_id;
    const elsewhere = (await delivery.start({ project: 'other', change: CHANGE, automatic_roles: ALL })).run_id;
    for (const id of [complete, error, cancelled, waiting, elsewhere]) await delivery.settled(id);
    // The failing run is rolled back to DEPLOYMENT once and fails again (five failures are scripted).
    await delivery.rollback(error);
    await delivery.settled(error);
    await engine.cancelRun(cancelled, 'dropped');

    const stats = await delivery.projectStats('acme');
    const done = await delivery.status(complete);
    expect(stats).toEqual({
      project: 'acme',
      runs: 4,
      by_state: { COMPLETE: 1, ERROR: 1, DISCOVERY: 1, IMPLEMENTATION: 1 },
      completed: 1,
      failed: 1,
      cancelled: 1,
      in_progress: 1,
      success_rate: 1 / 3,
      mean_duration_ms: done.finished_at! - done.created_at,
      failures_by_state: [{ state: 'DEPLOYMENT', count: 2 }],
      retries_by_state: [
        { state: 'TESTING', count: 2 },
        { state: 'VERIFICATION', count: 1 },
      ],
      rollbacks_by_state: [{ state: 'ERROR', count: 1 }],
    });
    expect(Object.values(stats.by_state).reduce((a, b) => a + b, 0)).toBe(stats.runs);
    expect(stats.completed + stats.failed + stats.cancelled + stats.in_progress).toBe(stats.runs);

    expect(await delivery.projectStats('other')).toMatchObject({ runs: 1, completed: 1, success_rate: 1, failures_by_state: [], retries_by_state: [] });
    expect(await delivery.projectStats('nobody')).toMatchObject({ runs: 0, success_rate: null, mean_duration_ms: null, by_state: {} });
  });
});
