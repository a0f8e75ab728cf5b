// Cancelling runs: a running agent is aborted and nothing more is committed; a waiting run's wait is closed.
import { expect, it } from 'vitest';
import { z } from 'zod';
import { defineWorkflow } from '../../../src/engine/index.js';
import { describeEachStore } from '../../support/stores.js';
import { abortable, agent, deferred, echo, ofType, pause, useHarness } from './harness.js';

describeEachStore('engine runs: cancellation', (kind) => {
  const h = useHarness(kind);

  const workflow = defineWorkflow({
    name: 'cancellable',
    parameters: z.object({}),
    phases: [
      { name: 'prepare', agent: 'prepare' },
      { name: 'crunch', agent: 'cruncher' },
      { name: 'approve', wait: { kind: 'approval' } },
      { name: 'after', agent: 'after' },
    ],
  });

  it('aborts the running agent, ends the run as cancelled and commits nothing afterwards', async () => {
    const started = deferred();
    const wouldFinish = deferred();
    const finished = deferred();
    let sawAbort = false;
    const cruncher = agent('cruncher', async ({ signal, reportProgress, emit }) => {
      signal.addEventListener('abort', () => (sawAbort = true));
      reportProgress(10, 'starting');
      started.resolve();
      try {
        await abortable(wouldFinish.promise, signal);
        return { crunched: true };
      } finally {
        // A careless agent that keeps reporting after it was told to stop: none of this may land.
        await wouldFinish.promise;
        reportProgress(100, 'done anyway');
        emit('late_news', { after: 'cancel' });
        finished.resolve();
      }
    });
    const after = echo('after');
    const engine = h.engine({ agents: [echo('prepare'), cruncher, after], workflows: [workflow] });
    const { id } = await engine.startRun('cancellable', {});
    await started.promise;

    const cancelled = await engine.cancelRun(id, 'plans changed');
    expect(cancelled).toMatchObject({ state: 'cancelled', phase: 'crunch', completedPhases: ['prepare'], waitingFor: null });
    expect(cancelled.finishedAt).toEqual(expect.any(Number));
    expect(sawAbort).toBe(true);
    const atCancel = await h.t.store.getRun(id);
    expect(atCancel).toMatchObject({ state: 'cancelled', leaseOwner: null });

    // Let the agent reach the point where it would have finished, and its late writes be attempted.
    wouldFinish.resolve();
    await finished.promise;
    await pause(50);

    const log = await engine.readEvents(id);
    expect(log.at(-2)).toMatchObject({ type: 'run_state', payload: { from: 'running', to: 'cancelled', reason: 'plans changed' } });
    expect(log.at(-1)).toMatchObject({ type: 'workflow_complete', payload: { state: 'cancelled' } });
    expect(log.map((e) => e.type)).not.toContain('late_news');
    expect(ofType(log, 'progress').map((p) => p.message)).not.toContain('done anyway');
    expect(ofType(log, 'complete').map((p) => p.phase)).toEqual(['prepare']);
    expect(await h.t.store.getRun(id)).toEqual(atCancel);
    expect((await engine.history(id)).map((x) => x.toPhase)).toEqual(['prepare']);
    expect(after.calls).toEqual([]);
    expect(await engine.status(id)).toMatchObject({ state: 'cancelled' });
  });

  it('stops retrying when the run is cancelled while an agent waits to be retried', async () => {
    const failing = agent(
      'cruncher',
      () => {
        throw new Error('flaky upstream');
      },
      { maxAttempts: 5, retryDelayMs: 100 },
    );
    const engine = h.engine({ agents: [echo('prepare'), failing, echo('after')], workflows: [workflow] });
    const { id } = await engine.startRun('cancellable', {});
    const retrying = deferred();
    const subscription = await engine.follow(id, 0, (event) => {
      if (event.type === 'agent_status' && event.payload.status === 'retrying') retrying.resolve();
    });
    await retrying.promise;
    subscription.unsubscribe();

    expect((await engine.cancelRun(id)).state).toBe('cancelled');
    // Longer than the longest backoff (100 ms before jitter): a second attempt would have started by now.
    await pause(250);
    expect(failing.calls).toHaveLength(1);
    expect((await engine.attempts(id)).filter((a) => a.agent === 'cruncher')).toHaveLength(1);
    const log = await engine.readEvents(id);
    expect(log.at(-2)).toMatchObject({ type: 'run_state', payload: { from: 'running', to: 'cancelled' } });
    expect(log.at(-1)).toMatchObject({ type: 'workflow_complete', payload: { state: 'cancelled' } });
  });

  it('closes the wait of a cancelled waiting run', async () => {
    const after = echo('after');
    const engine = h.engine({ agents: [echo('prepare'), echo('cruncher'), after], workflows: [workflow] });
    const { id } = await engine.startRun('cancellable', {});
    const waiting = await engine.settled(id);
    const waitId = waiting.waitingFor!.id;

    const cancelled = await engine.cancelRun(id);
    expect(cancelled).toMatchObject({ state: 'cancelled', waitingFor: null, phase: 'approve' });
    expect(await engine.waits(id)).toEqual([expect.objectContaining({ id: waitId, status: 'cancelled', resolution: { reason: 'cancelled by request' } })]);
    const log = await engine.readEvents(id);
    expect(log.at(-2)).toMatchObject({ type: 'run_state', payload: { from: 'waiting', to: 'cancelled' } });
    expect(log.at(-1)).toMatchObject({ type: 'workflow_complete', payload: { state: 'cancelled' } });
    await expect(engine.resolveWait(id, waitId, { action: 'accept' })).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(after.calls).toEqual([]);
  });

  it('answers NOT_FOUND when cancelling a run that does not exist', async () => {
    const engine = h.engine({ agents: [echo('prepare'), echo('cruncher'), echo('after')], workflows: [workflow] });
    await expect(engine.cancelRun('missing')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
