// GET /api/workflows and /api/workflows/{name}/stats: what can be run, and how its runs fared.
import { expect, it } from 'vitest';
import type { z } from 'zod';
import type { workflowList, workflowStats } from '../../../src/server/schemas.js';
import { describeEachStore } from '../../support/stores.js';
import { expectError, useServers } from './harness.js';

describeEachStore('HTTP: workflows', (kind) => {
  const h = useServers(kind);

  it('lists the registered workflows with their phases, agents, waits and dashboard view (generic without a module)', async () => {
    const api = await h.serve();
    const reply = await api.get<z.output<typeof workflowList>>('/api/workflows');
    expect(reply.status).toBe(200);
    expect(reply.body.workflows).toEqual([
      {
        name: 'review',
        description: 'prepare, ask a person, finish',
        view: 'generic',
        title: 'review',
        phases: [
          { name: 'prepare', agent: 'worker', wait: null },
          { name: 'approve', agent: null, wait: 'approval' },
          { name: 'finish', agent: 'worker', wait: null },
        ],
      },
      {
        name: 'fragile',
        description: '',
        view: 'generic',
        title: 'fragile',
        phases: [
          { name: 'check', agent: 'worker', wait: null },
          { name: 'work', agent: 'picky', wait: null },
        ],
      },
      { name: 'slow', description: '', view: 'generic', title: 'slow', phases: [{ name: 'hold', agent: 'hold', wait: null }] },
    ]);
  });

  it('reports zeroes and no rates for a workflow that has not run', async () => {
    const api = await h.serve();
    const reply = await api.get<z.output<typeof workflowStats>>('/api/workflows/fragile/stats');
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({ workflow: 'fragile', total: 0, by_state: {}, success_rate: null, mean_duration_ms: null, failures_by_phase: [] });
  });

  it('counts runs by state, the success rate among finished runs, their mean duration and where they failed', async () => {
    const api = await h.serve();
    for (const [key, failures] of [
      ['a', 0],
      ['b', 0],
      ['c', 0],
      ['d', 9],
    ] as const) {
      await api.engine.settled(await api.startRun('fragile', { key, failures }));
    }
    const reply = await api.get<z.output<typeof workflowStats>>('/api/workflows/fragile/stats');
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({
      workflow: 'fragile',
      total: 4,
      by_state: { completed: 3, failed: 1 },
      success_rate: 0.75,
      failures_by_phase: [{ phase: 'work', count: 1 }],
    });
    expect(reply.body.mean_duration_ms).toEqual(expect.any(Number));
    expect(reply.body.mean_duration_ms).toBeGreaterThanOrEqual(0);
  });

  it('counts a waiting run in the total and by state but not in the success rate', async () => {
    const api = await h.serve();
    await api.engine.settled(await api.startRun('review', { topic: 'a' }));
    const reply = await api.get<z.output<typeof workflowStats>>('/api/workflows/review/stats');
    expect(reply.body).toMatchObject({ total: 1, by_state: { waiting: 1 }, success_rate: null, failures_by_phase: [] });
  });

  it('answers 404 NOT_FOUND for the stats of an unknown workflow, suggesting the known ones', async () => {
    const api = await h.serve();
    const error = expectError(await api.get('/api/workflows/nope/stats'), 404, 'NOT_FOUND');
    expect(error.message).toContain('nope');
    expect(error.suggestions.join(' ')).toContain('review, fragile, slow');
  });
});
