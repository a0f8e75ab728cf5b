// Workflow statistics over completed, failed, rejected and still-waiting runs.
import { expect, it } from 'vitest';
import { z } from 'zod';
import { defineWorkflow } from '../../../src/engine/index.js';
import { AgentError } from '../../../src/errors/index.js';
import { describeEachStore } from '../../support/stores.js';
import { agent, echo, useHarness } from './harness.js';

describeEachStore('engine runs: stats', (kind) => {
  const h = useHarness(kind);

  const setup = () => {
    const work = agent('worker', ({ input }) => {
      if ((input as { parameters: { mode: string } }).parameters.mode === 'break') throw new AgentError('cannot work', { retryable: false });
      return { worked: true };
    });
    const workflow = defineWorkflow({
      name: 'measured',
      parameters: z.object({ mode: z.enum(['ok', 'break']) }),
      phases: [
        { name: 'work', agent: 'worker' },
        { name: 'approve', wait: { kind: 'approval' } },
        { name: 'finish', agent: 'finisher' },
      ],
    });
    const other = defineWorkflow({ name: 'unrelated', parameters: z.object({}), phases: [{ name: 'finish', agent: 'finisher' }] });
    return h.engine({ agents: [work, echo('finisher')], workflows: [workflow, other] });
  };

  it('reports counts by state, success rate among finished runs, mean duration and where runs failed', async () => {
    const engine = setup();
    const waitingRun = async (mode: 'ok' | 'break') => {
      const { id } = await engine.startRun('measured', { mode });
      return { id, status: await engine.settled(id) };
    };
    const decide = async (action: 'accept' | 'reject') => {
      const { id, status } = await waitingRun('ok');
      await engine.resolveWait(id, status.waitingFor!.id, { action });
      return engine.settled(id);
    };
    expect((await decide('accept')).state).toBe('completed');
    expect((await decide('accept')).state).toBe('completed');
    expect((await decide('reject')).state).toBe('rejected');
    expect((await waitingRun('break')).status.state).toBe('failed');
    expect((await waitingRun('ok')).status.state).toBe('waiting');
    const unrelated = await engine.startRun('unrelated', {});
    await engine.settled(unrelated.id);

    const stats = await engine.stats('measured');
    expect(stats).toMatchObject({
      workflow: 'measured',
      total: 5,
      byState: { completed: 2, rejected: 1, failed: 1, waiting: 1 },
      successRate: 0.5,
      failuresByPhase: [{ phase: 'work', count: 1 }],
    });
    expect(stats.byState.running ?? 0).toBe(0);
    expect(stats.byState.cancelled ?? 0).toBe(0);
    expect(stats.meanDurationMs).toEqual(expect.any(Number));
    expect(stats.meanDurationMs!).toBeGreaterThanOrEqual(0);
  });

  it('reports no success rate and no mean duration before any run finished', async () => {
    const engine = setup();
    const { id } = await engine.startRun('measured', { mode: 'ok' });
    await engine.settled(id);
    expect(await engine.stats('measured')).toEqual({
      workflow: 'measured',
      total: 1,
      byState: { waiting: 1 },
      successRate: null,
      meanDurationMs: null,
      failuresByPhase: [],
    });
  });

  it('answers NOT_FOUND for the stats of an unknown workflow', async () => {
    const engine = setup();
    await expect(engine.stats('nope')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
