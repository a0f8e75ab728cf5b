// Durability across restarts: a new engine on another store of the same database takes over waiting and interrupted runs.
import { expect, it } from 'vitest';
import { z } from 'zod';
import { defineWorkflow } from '../../../src/engine/index.js';
import { describeEachStore } from '../../support/stores.js';
import { abortable, agent, deferred, echo, ofType, useHarness } from './harness.js';

describeEachStore('engine runs: restarts', (kind) => {
  const h = useHarness(kind);

  const workflow = defineWorkflow({
    name: 'restartable',
    parameters: z.object({ sku: z.string() }),
    phases: [
      { name: 'plan', agent: 'planner' },
      { name: 'approve', wait: { kind: 'approval' } },
      { name: 'order', agent: 'orderer' },
    ],
  });

  it('completes a waiting run on a new engine after the first one closed', async () => {
    const planner = echo('planner');
    const first = h.engine({ agents: [planner, echo('orderer')], workflows: [workflow] });
    const { id } = await first.startRun('restartable', { sku: 'A-1' });
    const waiting = await first.settled(id);
    expect(waiting.state).toBe('waiting');
    await h.close(first);

    const store = await h.t.reopen();
    const orderer = echo('orderer');
    const plannerAfter = echo('planner');
    const second = h.engine({ store, agents: [plannerAfter, orderer], workflows: [workflow] });
    expect(await second.status(id)).toEqual(waiting);

    await second.resolveWait(id, waiting.waitingFor!.id, { action: 'accept' });
    const done = await second.settled(id);
    expect(done).toMatchObject({ state: 'completed', completedPhases: ['plan', 'approve', 'order'], result: { by: 'orderer', call: 1 } });
    expect(planner.calls).toHaveLength(1);
    expect(plannerAfter.calls).toEqual([]);
    // The resumed phase still sees what was produced before the restart.
    expect(orderer.calls[0]).toMatchObject({
      parameters: { sku: 'A-1' },
      previous: { phase: 'plan', agent: 'planner', output: { by: 'planner', call: 1 } },
      results: { plan: { by: 'planner', call: 1 }, approve: { action: 'accept' } },
    });
    expect((await second.history(id)).map((x) => x.toPhase)).toEqual(['plan', 'order']);
  });

  it('resumes a run interrupted in the middle of an agent on the next engine that starts', async () => {
    const started = deferred();
    let sawAbort = false;
    const stuck = agent('planner', async ({ signal }) => {
      started.resolve();
      signal.addEventListener('abort', () => (sawAbort = true));
      return abortable(new Promise(() => undefined), signal);
    });
    const first = h.engine({ agents: [stuck, echo('orderer')], workflows: [workflow] });
    const { id } = await first.startRun('restartable', { sku: 'B-2' });
    await started.promise;
    await h.close(first);
    expect(sawAbort).toBe(true);
    const orphan = await h.t.store.getRun(id);
    expect(orphan).toMatchObject({ state: 'running', phase: 'plan', leaseOwner: null });

    const store = await h.t.reopen();
    const planner = echo('planner');
    const second = h.engine({ store, agents: [planner, echo('orderer')], workflows: [workflow], pollIntervalMs: 20 });
    await second.start();
    const waiting = await second.settled(id);
    expect(waiting).toMatchObject({ state: 'waiting', phase: 'approve', waitingFor: { data: { by: 'planner', call: 1 } } });
    expect(planner.calls).toHaveLength(1);
    expect(ofType(await second.readEvents(id), 'complete').map((p) => p.phase)).toEqual(['plan']);
  });
});
