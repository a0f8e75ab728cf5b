// Approval waits: waiting without a lease, accept, reject, modify (re-running the phase before), and refused resolutions.
import { expect, it } from 'vitest';
import { z } from 'zod';
import { defineWorkflow, type WorkflowContext } from '../../../src/engine/index.js';
import { BatonError, ConflictError, IncompleteInputError, InvalidParametersError, NotFoundError } from '../../../src/errors/index.js';
import { describeEachStore } from '../../support/stores.js';
import { agent, echo, ofType, rejectionOf, typesOf, useHarness } from './harness.js';

describeEachStore('engine runs: approvals', (kind) => {
  const h = useHarness(kind);

  const quantities = z.object({ quantity: z.number().int().positive() });

  const setup = () => {
    const planner = agent('planner', ({ input }) => {
      const { results } = input as { results: Record<string, unknown> };
      const change = results.approve as { action: string; data?: { quantity: number } } | undefined;
      return { quantity: change?.action === 'modify' ? change.data!.quantity : 100 };
    });
    const orderer = agent('orderer', ({ input }) => ({ ordered: (input as { results: { plan: { quantity: number } } }).results.plan.quantity }));
    const workflow = defineWorkflow({
      name: 'buy',
      parameters: z.object({ sku: z.string() }),
      phases: [
        { name: 'plan', agent: 'planner' },
        {
          name: 'approve',
          wait: {
            kind: 'approval',
            schema: quantities,
            data: ({ results, parameters }: WorkflowContext<{ sku: string }>) => ({ sku: parameters.sku, plan: results.plan }),
          },
        },
        { name: 'order', agent: 'orderer' },
      ],
    });
    const engine = h.engine({ agents: [planner, orderer], workflows: [workflow] });
    return { engine, planner, orderer };
  };

  const waitingRun = async (engine: ReturnType<typeof setup>['engine']) => {
    const { id } = await engine.startRun('buy', { sku: 'JKT-01' });
    const waiting = await engine.settled(id);
    return { id, waiting, waitId: waiting.waitingFor!.id };
  };

  it('waits for approval with an approval_required event and holds no lease meanwhile', async () => {
    const { engine, orderer } = setup();
    const { id, waiting, waitId } = await waitingRun(engine);
    expect(waiting).toMatchObject({ state: 'waiting', phase: 'approve', waitingFor: { kind: 'approval', phase: 'approve' } });
    const log = await engine.readEvents(id);
    expect(typesOf(log).slice(-2)).toEqual(['run_state', 'approval_required']);
    expect(ofType(log, 'approval_required')).toEqual([
      { approval_id: waitId, kind: 'approval', phase: 'approve', data: { sku: 'JKT-01', plan: { quantity: 100 } }, deadline_at: null, role: null },
    ]);
    const stored = await h.t.store.getRun(id);
    expect(stored).toMatchObject({ state: 'waiting', waitingFor: waitId, leaseOwner: null, leaseExpiresAt: null });
    expect(orderer.calls).toEqual([]);
  });

  it('continues to completion when the approval is accepted', async () => {
    const { engine, orderer } = setup();
    const { id, waitId } = await waitingRun(engine);
    const resolved = await engine.resolveWait(id, waitId, { action: 'accept', comment: 'looks right' });
    expect(resolved.waitingFor).toBeNull();
    const done = await engine.settled(id);
    expect(done).toMatchObject({ state: 'completed', result: { ordered: 100 }, completedPhases: ['plan', 'approve', 'order'] });
    expect(orderer.calls).toHaveLength(1);
    const log = await engine.readEvents(id);
    expect(ofType(log, 'approval_resolved')).toEqual([{ approval_id: waitId, kind: 'approval', resolution: { action: 'accept', comment: 'looks right' } }]);
    const [wait] = await engine.waits(id);
    expect(wait).toMatchObject({ id: waitId, status: 'resolved', resolution: { action: 'accept', comment: 'looks right' } });
    expect(wait!.resolvedAt).toEqual(expect.any(Number));
  });

  it('ends the run as rejected when the approval is rejected', async () => {
    const { engine, orderer } = setup();
    const { id, waitId } = await waitingRun(engine);
    const rejected = await engine.resolveWait(id, waitId, { action: 'reject', comment: 'too many jackets' });
    expect(rejected).toMatchObject({ state: 'rejected', waitingFor: null });
    expect(await engine.settled(id)).toMatchObject({ state: 'rejected', result: null, error: null });
    expect((await engine.status(id)).finishedAt).toEqual(expect.any(Number));
    expect(orderer.calls).toEqual([]);
    const log = await engine.readEvents(id);
    expect(typesOf(log).slice(-3)).toEqual(['approval_resolved', 'run_state', 'workflow_complete']);
    expect(log.at(-2)!.payload).toEqual({ from: 'waiting', to: 'rejected', reason: 'too many jackets' });
    expect(log.at(-1)!.payload).toMatchObject({ state: 'rejected' });
  });

  it('runs the phase before the approval again on modify, showing it the change, then asks again', async () => {
    const { engine, planner, orderer } = setup();
    const { id, waitId } = await waitingRun(engine);
    await engine.resolveWait(id, waitId, { action: 'modify', data: { quantity: 60 }, comment: 'fewer' });
    const again = await engine.settled(id);
    expect(again).toMatchObject({
      state: 'waiting',
      phase: 'approve',
      completedPhases: ['plan'],
      waitingFor: { kind: 'approval', data: { sku: 'JKT-01', plan: { quantity: 60 } } },
    });
    expect(again.waitingFor!.id).not.toBe(waitId);
    expect(planner.calls).toHaveLength(2);
    expect(planner.calls[1]).toMatchObject({ results: { approve: { action: 'modify', data: { quantity: 60 }, comment: 'fewer' } } });
    expect(orderer.calls).toEqual([]);
    expect(ofType(await engine.readEvents(id), 'phase_transition')).toEqual([{ from_phase: 'approve', to_phase: 'plan', reason: 'fewer' }]);

    await engine.resolveWait(id, again.waitingFor!.id, { action: 'accept' });
    expect(await engine.settled(id)).toMatchObject({ state: 'completed', result: { ordered: 60 } });
  });

  it('lets only the named role resolve an approval that names one (FORBIDDEN otherwise)', async () => {
    const buyer = echo('buyer');
    const workflow = defineWorkflow({
      name: 'signed-off',
      parameters: z.object({}),
      phases: [
        { name: 'propose', agent: 'buyer' },
        { name: 'sign-off', wait: { kind: 'approval', role: 'MERCHANDISER' } },
      ],
    });
    const engine = h.engine({ agents: [buyer], workflows: [workflow] });
    const { id } = await engine.startRun('signed-off', {});
    const waiting = await engine.settled(id);
    expect(waiting.waitingFor).toMatchObject({ kind: 'approval', role: 'MERCHANDISER' });
    const waitId = waiting.waitingFor!.id;
    expect(await rejectionOf(engine.resolveWait(id, waitId, { action: 'accept' }))).toMatchObject({ code: 'FORBIDDEN' });
    expect(await rejectionOf(engine.resolveWait(id, waitId, { action: 'accept', role: 'PLANNER' }))).toMatchObject({ code: 'FORBIDDEN' });
    expect((await engine.status(id)).state).toBe('waiting');
    await engine.resolveWait(id, waitId, { action: 'accept', role: 'MERCHANDISER' });
    expect((await engine.settled(id)).state).toBe('completed');
  });

  it('refuses to resolve the same approval twice with CONFLICT', async () => {
    const { engine, orderer } = setup();
    const { id, waitId } = await waitingRun(engine);
    await engine.resolveWait(id, waitId, { action: 'accept' });
    const error = await rejectionOf(engine.resolveWait(id, waitId, { action: 'reject' }));
    expect(error).toBeInstanceOf(ConflictError);
    expect(error).toMatchObject({ code: 'CONFLICT', details: { wait_status: 'resolved' } });
    expect((await engine.settled(id)).state).toBe('completed');
    expect(orderer.calls).toHaveLength(1);
  });

  it('lets exactly one of two simultaneous resolutions win; the other gets CONFLICT', async () => {
    const { engine, orderer } = setup();
    const { id, waitId } = await waitingRun(engine);
    const outcomes = await Promise.allSettled([engine.resolveWait(id, waitId, { action: 'accept' }), engine.resolveWait(id, waitId, { action: 'reject' })]);
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    const [loser] = outcomes.filter((o) => o.status === 'rejected');
    expect(loser!.reason).toMatchObject({ code: 'CONFLICT' });
    const winner = outcomes[0].status === 'fulfilled' ? 'accept' : 'reject';
    const final = await engine.settled(id, ['completed', 'rejected']);
    expect(final.state).toBe(winner === 'accept' ? 'completed' : 'rejected');
    expect(orderer.calls).toHaveLength(winner === 'accept' ? 1 : 0);
    expect(ofType(await engine.readEvents(id), 'approval_resolved')).toHaveLength(1);
  });

  it('answers NOT_FOUND for an approval id the run does not have', async () => {
    const { engine } = setup();
    const { id } = await waitingRun(engine);
    const error = await rejectionOf(engine.resolveWait(id, 'no-such-approval', { action: 'accept' }));
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error).toMatchObject({ code: 'NOT_FOUND', details: { approval: 'no-such-approval' } });
    expect((await engine.status(id)).state).toBe('waiting');
  });

  it("answers NOT_FOUND for another run's approval", async () => {
    const { engine } = setup();
    const first = await waitingRun(engine);
    const second = await waitingRun(engine);
    await expect(engine.resolveWait(second.id, first.waitId, { action: 'accept' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect((await engine.status(first.id)).state).toBe('waiting');
  });

  it('refuses modify without data as INCOMPLETE_INPUT on the data field', async () => {
    const { engine } = setup();
    const { id, waiting, waitId } = await waitingRun(engine);
    const error = await rejectionOf(engine.resolveWait(id, waitId, { action: 'modify' }));
    expect(error).toBeInstanceOf(IncompleteInputError);
    expect(error).toMatchObject({ code: 'INCOMPLETE_INPUT', details: { issues: [{ path: 'data' }] } });
    expect(await engine.status(id)).toEqual(waiting);
  });

  it('refuses modify data that fails the wait schema with INVALID_PARAMETERS and keeps waiting', async () => {
    const { engine, planner } = setup();
    const { id, waiting, waitId } = await waitingRun(engine);
    const error = await rejectionOf(engine.resolveWait(id, waitId, { action: 'modify', data: { quantity: -5 } }));
    expect(error).toBeInstanceOf(InvalidParametersError);
    expect(error).toMatchObject({ code: 'INVALID_PARAMETERS', details: { issues: [{ path: 'quantity' }] } });
    expect(await engine.status(id)).toEqual(waiting);
    expect((await engine.waits(id))[0]!.status).toBe('pending');
    expect(planner.calls).toHaveLength(1);
  });

  it('refuses an approval without an action as INCOMPLETE_INPUT, and with an unknown one as INVALID_PARAMETERS', async () => {
    const { engine } = setup();
    const { id, waitId } = await waitingRun(engine);
    await expect(engine.resolveWait(id, waitId, {})).rejects.toMatchObject({ code: 'INCOMPLETE_INPUT', details: { issues: [{ path: 'action' }] } });
    await expect(engine.resolveWait(id, waitId, { action: 'maybe' } as never)).rejects.toMatchObject({
      code: 'INVALID_PARAMETERS',
      details: { issues: [{ path: 'action' }] },
    });
    expect((await engine.status(id)).state).toBe('waiting');
  });

  it('refuses to resolve a wait of a cancelled run with CONFLICT', async () => {
    const { engine } = setup();
    const { id, waitId } = await waitingRun(engine);
    await engine.cancelRun(id);
    const error = await rejectionOf(engine.resolveWait(id, waitId, { action: 'accept' }));
    expect(error).toBeInstanceOf(BatonError);
    expect(error).toMatchObject({ code: 'CONFLICT', details: { wait_status: 'cancelled', run_state: 'cancelled' } });
  });

  it('shows the previous agent output as the approval data when the wait defines none', async () => {
    const workflow = defineWorkflow({
      name: 'plain',
      parameters: z.object({}),
      phases: [
        { name: 'plan', agent: 'echoer' },
        { name: 'approve', wait: { kind: 'approval' } },
      ],
    });
    const engine = h.engine({ agents: [echo('echoer')], workflows: [workflow] });
    const { id } = await engine.startRun('plain', {});
    expect((await engine.settled(id)).waitingFor).toMatchObject({ data: { by: 'echoer', call: 1 } });
  });
});
