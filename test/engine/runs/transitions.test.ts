// Transitions: permitted and refused gotos, rollbacks of waiting and failed runs, and refused run state changes.
import { expect, it } from 'vitest';
import { z } from 'zod';
import { defineWorkflow, RUN_TRANSITIONS, type WorkflowContext } from '../../../src/engine/index.js';
import { AgentError, ConflictError, InvalidTransitionError } from '../../../src/errors/index.js';
import { describeEachStore } from '../../support/stores.js';
import { abortable, agent, deferred, echo, ofType, rejectionOf, useHarness } from './harness.js';

describeEachStore('engine runs: transitions and rollbacks', (kind) => {
  const h = useHarness(kind);

  const loopWorkflow = (target: string) =>
    defineWorkflow({
      name: 'loop',
      parameters: z.object({}),
      phases: [
        { name: 'intake', agent: 'intake' },
        { name: 'draft', agent: 'drafter' },
        {
          name: 'check',
          agent: 'checker',
          transitions: ['draft'],
          next: ({ visit }: WorkflowContext) => (visit < 2 ? { goto: target, reason: 'needs another draft' } : undefined),
        },
        { name: 'final', agent: 'finisher' },
      ],
    });

  it('sends the run back to an earlier listed phase, un-doing the phases from it on', async () => {
    const secondDraft = deferred();
    const release = deferred();
    const drafter = agent('drafter', async ({ signal }, call) => {
      if (call === 2) {
        secondDraft.resolve();
        await abortable(release.promise, signal);
      }
      return { draft: call };
    });
    const checker = echo('checker');
    const finisher = echo('finisher');
    const engine = h.engine({ agents: [echo('intake'), drafter, checker, finisher], workflows: [loopWorkflow('draft')] });
    const { id } = await engine.startRun('loop', {});

    await secondDraft.promise;
    const midway = await engine.status(id);
    expect(midway).toMatchObject({ state: 'running', phase: 'draft', completedPhases: ['intake'], percent: 25 });
    release.resolve();

    const done = await engine.settled(id);
    expect(done).toMatchObject({ state: 'completed', completedPhases: ['intake', 'draft', 'check', 'final'] });
    expect([drafter.calls.length, checker.calls.length, finisher.calls.length]).toEqual([2, 2, 1]);
    expect(ofType(await engine.readEvents(id), 'phase_transition')).toEqual([{ from_phase: 'check', to_phase: 'draft', reason: 'needs another draft' }]);
    expect((await engine.history(id)).map((x) => x.stepKey)).toEqual(['intake#1', 'draft#1', 'check#1', 'draft#2', 'check#2', 'final#1']);
  });

  it('fails the run with INVALID_TRANSITION naming the allowed targets when a goto is not listed', async () => {
    const finisher = echo('finisher');
    const engine = h.engine({ agents: [echo('intake'), echo('drafter'), echo('checker'), finisher], workflows: [loopWorkflow('intake')] });
    const { id } = await engine.startRun('loop', {});
    const failed = await engine.settled(id);
    expect(failed).toMatchObject({
      state: 'failed',
      phase: 'check',
      completedPhases: ['intake', 'draft'],
      error: { error_type: 'INVALID_TRANSITION', details: { from: 'check', to: 'intake' } },
    });
    expect([...(failed.error!.details.allowed as string[])].sort()).toEqual(['draft', 'final']);
    expect(finisher.calls).toEqual([]);
    expect(ofType(await engine.readEvents(id), 'error')).toEqual([expect.objectContaining({ error_type: 'INVALID_TRANSITION' })]);
  });

  const withApproval = defineWorkflow({
    name: 'approved',
    parameters: z.object({}),
    phases: [
      { name: 'gather', agent: 'gather' },
      { name: 'propose', agent: 'propose' },
      { name: 'approve', wait: { kind: 'approval' } },
      { name: 'execute', agent: 'execute' },
    ],
  });

  it('rolls a waiting run back to an earlier phase, closing its wait and running from there', async () => {
    const gather = echo('gather');
    const propose = echo('propose');
    const engine = h.engine({ agents: [gather, propose, echo('execute')], workflows: [withApproval] });
    const { id } = await engine.startRun('approved', {});
    const waiting = await engine.settled(id);
    const firstWait = waiting.waitingFor!.id;

    const rolled = await engine.rollbackRun(id, 'propose', 'numbers changed');
    expect(rolled).toMatchObject({ state: 'running', phase: 'propose', completedPhases: ['gather'], waitingFor: null });
    const again = await engine.settled(id);
    expect(again).toMatchObject({ state: 'waiting', phase: 'approve', completedPhases: ['gather', 'propose'] });
    expect(again.waitingFor!.id).not.toBe(firstWait);
    expect(again.waitingFor!.data).toEqual({ by: 'propose', call: 2 });
    expect([gather.calls.length, propose.calls.length]).toEqual([1, 2]);

    const waits = await engine.waits(id);
    expect(waits.map((w) => [w.id, w.status])).toEqual([
      [firstWait, 'cancelled'],
      [again.waitingFor!.id, 'pending'],
    ]);
    const log = await engine.readEvents(id);
    expect(ofType(log, 'phase_transition')).toEqual([
      { from_phase: 'approve', to_phase: 'propose', reason: 'numbers changed', timeline: 1, abandoned_steps: ['propose#1'] },
    ]);
    expect(ofType(log, 'run_state')).toContainEqual({ from: 'waiting', to: 'running', reason: 'numbers changed' });
    // The old wait can no longer be resolved.
    await expect(engine.resolveWait(id, firstWait, { action: 'accept' })).rejects.toMatchObject({ code: 'CONFLICT' });
  });

  it('rolls a failed run back to an earlier phase and completes it from there', async () => {
    const gather = echo('gather');
    const propose = echo('propose');
    let down = true;
    const execute = agent('execute', () => {
      if (down) throw new AgentError('warehouse offline', { retryable: false });
      return { executed: true };
    });
    const direct = defineWorkflow({
      name: 'direct',
      parameters: z.object({}),
      phases: [
        { name: 'gather', agent: 'gather' },
        { name: 'propose', agent: 'propose' },
        { name: 'execute', agent: 'execute' },
      ],
    });
    const engine = h.engine({ agents: [gather, propose, execute], workflows: [direct] });
    const { id } = await engine.startRun('direct', {});
    expect((await engine.settled(id)).state).toBe('failed');

    down = false;
    const rolled = await engine.rollbackRun(id, 'propose');
    expect(rolled).toMatchObject({ state: 'running', phase: 'propose', error: null, completedPhases: ['gather'] });
    const done = await engine.settled(id);
    expect(done).toMatchObject({ state: 'completed', result: { executed: true }, error: null });
    expect([gather.calls.length, propose.calls.length, execute.calls.length]).toEqual([1, 2, 2]);
    expect(ofType(await engine.readEvents(id), 'run_state').map((p) => [p.from, p.to])).toEqual([
      ['running', 'failed'],
      ['failed', 'running'],
      ['running', 'completed'],
    ]);
  });

  it('rolls a completed run back to an earlier phase and runs it again from there', async () => {
    const propose = echo('propose');
    const execute = echo('execute');
    const engine = h.engine({ agents: [echo('gather'), propose, execute], workflows: [withApproval] });
    const { id } = await engine.startRun('approved', {});
    await engine.resolveWait(id, (await engine.settled(id)).waitingFor!.id, { action: 'accept' });
    expect((await engine.settled(id)).state).toBe('completed');

    const rolled = await engine.rollbackRun(id, 'propose');
    expect(rolled).toMatchObject({ state: 'running', phase: 'propose', completedPhases: ['gather'], finishedAt: null });
    const waiting = await engine.settled(id);
    expect(waiting).toMatchObject({ state: 'waiting', phase: 'approve' });
    await engine.resolveWait(id, waiting.waitingFor!.id, { action: 'accept' });
    expect(await engine.settled(id)).toMatchObject({ state: 'completed', result: { by: 'execute', call: 2 } });
    expect([propose.calls.length, execute.calls.length]).toEqual([2, 2]);
  });

  // Regression: a rollback kept the old result of a completed run.
  it('clears the result of a rolled-back completed run until it completes again', async () => {
    const engine = h.engine({ agents: [echo('gather'), echo('propose'), echo('execute')], workflows: [withApproval] });
    const { id } = await engine.startRun('approved', {});
    await engine.resolveWait(id, (await engine.settled(id)).waitingFor!.id, { action: 'accept' });
    expect(await engine.settled(id)).toMatchObject({ state: 'completed', result: { by: 'execute', call: 1 } });

    await engine.rollbackRun(id, 'approve');
    const waiting = await engine.settled(id);
    expect(waiting).toMatchObject({ state: 'waiting', result: null });
    await engine.resolveWait(id, waiting.waitingFor!.id, { action: 'reject' });
    expect(await engine.settled(id)).toMatchObject({ state: 'rejected', result: null });
  });

  it('refuses a rollback to a later or unknown phase with INVALID_TRANSITION and leaves the run as it was', async () => {
    const engine = h.engine({ agents: [echo('gather'), echo('propose'), echo('execute')], workflows: [withApproval] });
    const { id } = await engine.startRun('approved', {});
    const waiting = await engine.settled(id);

    const later = await rejectionOf(engine.rollbackRun(id, 'execute'));
    expect(later).toBeInstanceOf(InvalidTransitionError);
    expect(later).toMatchObject({ code: 'INVALID_TRANSITION', details: { from: 'approve', to: 'execute', allowed: ['gather', 'propose'] } });
    await expect(engine.rollbackRun(id, 'approve')).rejects.toMatchObject({ code: 'INVALID_TRANSITION' });
    await expect(engine.rollbackRun(id, 'no-such-phase')).rejects.toMatchObject({
      code: 'INVALID_TRANSITION',
      details: { to: 'no-such-phase', allowed: ['gather', 'propose'] },
    });
    expect(await engine.status(id)).toEqual(waiting);
  });

  it('refuses to roll back a running run with CONFLICT', async () => {
    const started = deferred();
    const release = deferred();
    const propose = agent('propose', async ({ signal }) => {
      started.resolve();
      await abortable(release.promise, signal);
      return { proposal: 1 };
    });
    const engine = h.engine({ agents: [echo('gather'), propose, echo('execute')], workflows: [withApproval] });
    const { id } = await engine.startRun('approved', {});
    await started.promise;
    const error = await rejectionOf(engine.rollbackRun(id, 'gather'));
    expect(error).toBeInstanceOf(ConflictError);
    expect(error).toMatchObject({ code: 'CONFLICT', details: { state: 'running' } });
    release.resolve();
    expect(await engine.settled(id)).toMatchObject({ state: 'waiting', phase: 'approve' });
    expect(propose.calls).toHaveLength(1);
  });

  it('refuses run state changes that RUN_TRANSITIONS does not allow, such as cancelling a completed run', async () => {
    const direct = defineWorkflow({ name: 'one', parameters: z.object({}), phases: [{ name: 'only', agent: 'gather' }] });
    const engine = h.engine({ agents: [echo('gather')], workflows: [direct] });
    const { id } = await engine.startRun('one', {});
    const done = await engine.settled(id);
    expect(done.state).toBe('completed');
    expect(RUN_TRANSITIONS.completed).not.toContain('cancelled');

    const error = await rejectionOf(engine.cancelRun(id));
    expect(error).toBeInstanceOf(InvalidTransitionError);
    expect(error).toMatchObject({ code: 'INVALID_TRANSITION', details: { from: 'completed', to: 'cancelled', allowed: ['running'] } });
    expect(await engine.status(id)).toEqual(done);
  });

  it('refuses to cancel a run twice with INVALID_TRANSITION', async () => {
    const engine = h.engine({ agents: [echo('gather'), echo('propose'), echo('execute')], workflows: [withApproval] });
    const { id } = await engine.startRun('approved', {});
    await engine.settled(id);
    expect((await engine.cancelRun(id)).state).toBe('cancelled');
    await expect(engine.cancelRun(id)).rejects.toMatchObject({ code: 'INVALID_TRANSITION', details: { from: 'cancelled', to: 'cancelled' } });
  });
});
