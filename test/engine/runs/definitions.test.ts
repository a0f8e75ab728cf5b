// Claims by what a node can run: a run whose definition changed under it fails once, clearly; another
// workflow's runs and waits are left to a node that registered it; the signal says why an agent stops.
import { expect, it } from 'vitest';
import { z } from 'zod';
import { defineWorkflow, type AgentContext } from '../../../src/engine/index.js';
import { describeEachStore } from '../../support/stores.js';
import { abortable, agent, deferred, echo, ofType, typesOf, useHarness } from './harness.js';

describeEachStore('engine runs: definitions a node can run', (kind) => {
  const h = useHarness(kind);

  const v1 = defineWorkflow({
    name: 'drafts',
    parameters: z.object({}),
    phases: [
      { name: 'draft', agent: 'drafter' },
      { name: 'review', wait: { kind: 'approval', deadlineMs: () => 1_000 } },
    ],
  });
  // Version 2 renamed both phases.
  const v2 = defineWorkflow({
    name: 'drafts',
    version: '2',
    parameters: z.object({}),
    phases: [
      { name: 'drafting', agent: 'drafter' },
      { name: 'approval', wait: { kind: 'approval' } },
    ],
  });

  /** A drafter that holds until its signal fires, recording the reason. */
  function holdingDrafter() {
    const started = deferred();
    const reasons: unknown[] = [];
    const drafter = agent('drafter', async ({ signal }) => {
      started.resolve();
      signal.addEventListener('abort', () => reasons.push(signal.reason));
      return abortable(new Promise(() => undefined), signal);
    });
    return { drafter, started: started.promise, reasons };
  }

  it('fails a run at a phase the registered version lacks once, naming the phase and the version, and start() resolves', async () => {
    const { drafter, started, reasons } = holdingDrafter();
    const first = h.engine({ agents: [drafter], workflows: [v1] });
    const { id } = await first.startRun('drafts', {});
    await started;
    await h.close(first);
    // The shutdown reached the agent as SHUTDOWN, not as a conflict.
    expect(reasons).toMatchObject([{ code: 'SHUTDOWN', message: 'engine shutting down' }]);

    const store = await h.t.reopen();
    const second = h.engine({ store, agents: [echo('drafter')], workflows: [v2], pollIntervalMs: 20 });
    await second.start();
    const failed = await second.settled(id, ['failed'], { timeoutMs: 5_000 });
    expect(failed).toMatchObject({
      state: 'failed',
      phase: 'draft',
      error: {
        error_type: 'NOT_FOUND',
        message: 'workflow "drafts" (version 2) has no phase "draft"',
        details: { workflow: 'drafts', version: '2', phase: 'draft' },
      },
    });
    // Several polls later it has failed once, and nothing went to onError.
    await new Promise((resolve) => setTimeout(resolve, 100));
    const log = await second.readEvents(id);
    expect(ofType(log, 'error')).toHaveLength(1);
    expect(typesOf(log).filter((t) => t === 'workflow_complete')).toHaveLength(1);
    expect(h.errors).toEqual([]);
    // A rollback to a phase this version has takes it up again.
    await second.rollbackRun(id, 'drafting');
    expect(await second.settled(id)).toMatchObject({ state: 'waiting', phase: 'approval' });
  });

  it('fails a waiting run whose wait phase the registered version lacks when its deadline passes', async () => {
    const first = h.engine({ agents: [echo('drafter')], workflows: [v1] });
    const { id } = await first.startRun('drafts', {});
    expect(await first.settled(id)).toMatchObject({ state: 'waiting', phase: 'review' });
    await h.close(first);

    const store = await h.t.reopen();
    const second = h.engine({ store, agents: [echo('drafter')], workflows: [v2], now: () => Date.now() + 60_000 });
    await expect(second.resolveWait(id, (await second.status(id)).waitingFor!.id, { action: 'accept' })).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: 'workflow "drafts" (version 2) has no phase "review"',
    });
    await second.start();
    expect(await second.status(id)).toMatchObject({ state: 'failed', error: { message: 'workflow "drafts" (version 2) has no phase "review"' } });
    expect((await second.waits(id)).map((w) => w.status)).toEqual(['cancelled']);
  });

  it("leaves another workflow's running runs and overdue waits alone, without an error", async () => {
    const { drafter, started } = holdingDrafter();
    const first = h.engine({ agents: [drafter], workflows: [v1] });
    const { id: running } = await first.startRun('drafts', {});
    await started;
    await h.close(first);
    const waiter = h.engine({ agents: [echo('drafter')], workflows: [v1] });
    const { id: waiting } = await waiter.startRun('drafts', {});
    await waiter.settled(waiting);
    await h.close(waiter);

    const other = defineWorkflow({ name: 'other', parameters: z.object({}), phases: [{ name: 'only', agent: 'solo' }] });
    const store = await h.t.reopen();
    const node = h.engine({ store, agents: [echo('solo')], workflows: [other], now: () => Date.now() + 60_000, pollIntervalMs: 20 });
    await node.start();
    const { id: mine } = await node.startRun('other', {});
    expect(await node.settled(mine)).toMatchObject({ state: 'completed' });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await node.status(running)).toMatchObject({ state: 'running', phase: 'draft' });
    expect(await node.status(waiting)).toMatchObject({ state: 'waiting', phase: 'review' });
    expect((await node.getRun(running)).leaseOwner).toBeNull();
    expect(h.errors).toEqual([]);
  });

  it('aborts the agent of a cancelled run with CANCELLED', async () => {
    const { drafter, started, reasons } = holdingDrafter();
    const engine = h.engine({ agents: [drafter], workflows: [v1] });
    const { id } = await engine.startRun('drafts', {});
    await started;
    await engine.cancelRun(id, 'not needed');
    expect(reasons).toMatchObject([{ code: 'CANCELLED', httpStatus: 409, details: { reason: 'not needed' } }]);
  });

  it("gives agents the engine's clock", async () => {
    const stamps: number[] = [];
    const stamping = agent('drafter', ({ now }: AgentContext<unknown>) => {
      stamps.push(now());
      return {};
    });
    const engine = h.engine({ agents: [stamping], workflows: [v1], now: () => 1_234 });
    const { id } = await engine.startRun('drafts', {});
    await engine.settled(id);
    expect(stamps).toEqual([1_234]);
  });
});
