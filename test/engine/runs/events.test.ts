// The run event log: reading from a sequence number, following live exactly once, progress and custom agent events.
import { expect, it } from 'vitest';
import { z } from 'zod';
import { defineWorkflow } from '../../../src/engine/index.js';
import type { EventRecord } from '../../../src/store/index.js';
import { describeEachStore } from '../../support/stores.js';
import { abortable, agent, deferred, echo, ofType, typesOf, useHarness } from './harness.js';

describeEachStore('engine runs: events', (kind) => {
  const h = useHarness(kind);

  const chain = defineWorkflow({
    name: 'chain',
    parameters: z.object({}),
    phases: [
      { name: 'one', agent: 'first' },
      { name: 'two', agent: 'second' },
      { name: 'three', agent: 'third' },
    ],
  });

  it('reads events after a sequence number with contiguous sequence numbers from there', async () => {
    const engine = h.engine({ agents: [echo('first'), echo('second'), echo('third')], workflows: [chain] });
    const { id } = await engine.startRun('chain', {});
    const done = await engine.settled(id);

    const all = await engine.readEvents(id, 0);
    expect(all.map((e) => e.seq)).toEqual(Array.from({ length: all.length }, (_, i) => i + 1));
    expect(all.at(-1)!.seq).toBe(done.lastSeq);
    expect(all[0]).toMatchObject({ runId: id, seq: 1, type: 'run_created', payload: { workflow: 'chain', parameters: {}, session_id: null } });
    expect(typesOf(all)).toEqual([
      'run_created',
      'agent_status',
      'agent_status',
      'complete',
      'agent_status',
      'agent_status',
      'complete',
      'agent_status',
      'agent_status',
      'complete',
      'run_state',
      'workflow_complete',
    ]);
    expect(ofType(all, 'agent_status').map((p) => p.status)).toEqual(['running', 'completed', 'running', 'completed', 'running', 'completed']);

    const since = 4;
    const tail = await engine.readEvents(id, since);
    expect(tail.map((e) => e.seq)).toEqual(Array.from({ length: all.length - since }, (_, i) => since + 1 + i));
    expect(tail).toEqual(all.slice(since));
    expect(await engine.readEvents(id, 2, 3)).toEqual(all.slice(2, 5));
    expect(await engine.readEvents(id, done.lastSeq)).toEqual([]);
    await expect(engine.readEvents('missing', 0)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('follows a run from the middle, delivering stored then live events exactly once and in order', async () => {
    const secondStarted = deferred();
    const release = deferred();
    const second = agent('second', async ({ signal, reportProgress }) => {
      reportProgress(20, 'warming up');
      secondStarted.resolve();
      await abortable(release.promise, signal);
      reportProgress(90, 'almost');
      return { two: true };
    });
    const engine = h.engine({ agents: [echo('first'), second, echo('third')], workflows: [chain] });
    const { id } = await engine.startRun('chain', {});
    await secondStarted.promise;

    const since = 2;
    const received: EventRecord[] = [];
    const completed = deferred();
    const subscription = await engine.follow(id, since, (event) => {
      received.push(event);
      if (event.type === 'workflow_complete') completed.resolve();
    });
    release.resolve();
    await completed.promise;
    expect((await engine.settled(id)).state).toBe('completed');
    const stored = await engine.readEvents(id, since);
    subscription.unsubscribe();

    const seqs = received.map((e) => e.seq);
    expect(seqs[0]).toBe(since + 1);
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => since + 1 + i));
    expect(new Set(seqs).size).toBe(seqs.length);
    expect(received).toEqual(stored);
    expect(typesOf(received)).toContain('progress');
    expect(received.at(-1)!.type).toBe('workflow_complete');
  });

  it('delivers every event to a follower that starts at zero after the run finished', async () => {
    const engine = h.engine({ agents: [echo('first'), echo('second'), echo('third')], workflows: [chain] });
    const { id } = await engine.startRun('chain', {});
    const done = await engine.settled(id);
    const received: EventRecord[] = [];
    const all = deferred();
    const subscription = await engine.follow(id, 0, (event) => {
      received.push(event);
      if (event.seq === done.lastSeq) all.resolve();
    });
    await all.promise;
    subscription.unsubscribe();
    expect(received).toEqual(await engine.readEvents(id, 0));
  });

  it.runIf(kind.name === 'postgres')('delivers live events to a follower on another engine through database notices', async () => {
    const secondStarted = deferred();
    const release = deferred();
    const second = agent('second', async ({ signal }) => {
      secondStarted.resolve();
      await abortable(release.promise, signal);
      return { two: true };
    });
    const engine = h.engine({ agents: [echo('first'), second, echo('third')], workflows: [chain] });
    const observer = h.engine({ store: await h.t.reopen(), agents: [echo('first'), echo('second'), echo('third')], workflows: [chain] });
    await observer.start();
    const { id } = await engine.startRun('chain', {});
    await secondStarted.promise;

    const received: EventRecord[] = [];
    const completed = deferred();
    const subscription = await observer.follow(id, 0, (event) => {
      received.push(event);
      if (event.type === 'workflow_complete') completed.resolve();
    });
    release.resolve();
    await completed.promise;
    subscription.unsubscribe();
    expect(received).toEqual(await engine.readEvents(id, 0));
  });

  it('writes reported progress as progress events and emitted custom events into the log', async () => {
    const analyst = agent('second', ({ reportProgress, emit }) => {
      reportProgress(40, 'halfway');
      emit('variance_alert', { sku: 'JKT-01', variance: 0.31, threshold: 0.2 });
      reportProgress(250, 'overshoot');
      return { analysed: true };
    });
    const engine = h.engine({ agents: [echo('first'), analyst, echo('third')], workflows: [chain] });
    const { id } = await engine.startRun('chain', {});
    expect((await engine.settled(id)).state).toBe('completed');
    const log = await engine.readEvents(id);
    expect(ofType(log, 'progress')).toEqual([
      { agent_name: 'second', progress: 40, message: 'halfway' },
      { agent_name: 'second', progress: 100, message: 'overshoot' },
    ]);
    expect(ofType(log, 'variance_alert')).toEqual([{ sku: 'JKT-01', variance: 0.31, threshold: 0.2 }]);
    const types = typesOf(log);
    const phaseTwo = types.slice(types.indexOf('complete') + 1);
    expect(phaseTwo.slice(0, 6)).toEqual(['agent_status', 'progress', 'variance_alert', 'progress', 'agent_status', 'complete']);
  });

  it("fails the agent, without retrying, when it emits one of the engine's own event types", async () => {
    const impostor = agent(
      'second',
      ({ emit }) => {
        emit('complete', { phase: 'two', result: 'forged' });
        return { never: true };
      },
      { maxAttempts: 3 },
    );
    const third = echo('third');
    const engine = h.engine({ agents: [echo('first'), impostor, third], workflows: [chain] });
    const { id } = await engine.startRun('chain', {});
    const failed = await engine.settled(id);
    expect(failed).toMatchObject({ state: 'failed', phase: 'two', error: { error_type: 'AGENT_EXECUTION_ERROR' } });
    expect(failed.error!.message).toContain('complete');
    expect(impostor.calls).toHaveLength(1);
    expect(third.calls).toEqual([]);
    const log = await engine.readEvents(id);
    expect(ofType(log, 'complete').map((p) => p.phase)).toEqual(['one']);
  });
});
