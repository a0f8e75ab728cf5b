// Wait deadlines: the engine's poller expires overdue waits, failing the run by default or resolving it as told.
import { expect, it } from 'vitest';
import { z } from 'zod';
import { defineWorkflow, type WaitSpec } from '../../../src/engine/index.js';
import { describeEachStore } from '../../support/stores.js';
import { echo, ofType, pause, typesOf, useHarness } from './harness.js';

describeEachStore('engine runs: deadlines', (kind) => {
  const h = useHarness(kind);

  const setup = async (wait: Partial<WaitSpec>) => {
    const prepare = echo('prepare');
    const ship = echo('ship');
    const workflow = defineWorkflow({
      name: 'timed',
      parameters: z.object({}),
      phases: [
        { name: 'prepare', agent: 'prepare' },
        { name: 'approve', wait: { kind: 'approval', ...wait } },
        { name: 'ship', agent: 'ship' },
      ],
    });
    const engine = h.engine({ agents: [prepare, ship], workflows: [workflow], pollIntervalMs: 20 });
    await engine.start();
    return { engine, ship };
  };

  it('fails the run with DEADLINE_EXCEEDED when an approval is not resolved in time', async () => {
    const { engine, ship } = await setup({ deadlineMs: () => 50 });
    const { id } = await engine.startRun('timed', {});
    const waiting = await engine.settled(id);
    expect(waiting.state).toBe('waiting');
    expect(waiting.waitingFor!.deadlineAt).toBeGreaterThan(waiting.createdAt);
    const waitId = waiting.waitingFor!.id;
    expect(ofType(await engine.readEvents(id), 'approval_required')[0]).toMatchObject({ deadline_at: waiting.waitingFor!.deadlineAt });

    const failed = await engine.settled(id, ['failed']);
    expect(failed).toMatchObject({
      state: 'failed',
      phase: 'approve',
      waitingFor: null,
      error: { error_type: 'DEADLINE_EXCEEDED', details: { wait_id: waitId } },
    });
    expect(ship.calls).toEqual([]);
    expect((await engine.waits(id))[0]).toMatchObject({ id: waitId, status: 'expired' });
    const log = await engine.readEvents(id);
    expect(typesOf(log).slice(-3)).toEqual(['error', 'run_state', 'workflow_complete']);
    expect(log.at(-2)!.payload).toMatchObject({ from: 'waiting', to: 'failed' });
    await expect(engine.resolveWait(id, waitId, { action: 'accept' })).rejects.toMatchObject({ code: 'CONFLICT' });
  });

  it("continues the run when the deadline passes and onDeadline is 'accept'", async () => {
    const { engine, ship } = await setup({ deadlineMs: () => 50, onDeadline: 'accept' });
    const { id } = await engine.startRun('timed', {});
    expect((await engine.settled(id)).state).toBe('waiting');
    const done = await engine.settled(id, ['completed', 'failed', 'rejected', 'cancelled']);
    expect(done).toMatchObject({ state: 'completed', completedPhases: ['prepare', 'approve', 'ship'], error: null });
    expect(ship.calls).toHaveLength(1);
    expect((await engine.waits(id))[0]).toMatchObject({ status: 'expired', resolution: { action: 'accept', comment: 'deadline passed' } });
  });

  it("ends the run as rejected when the deadline passes and onDeadline is 'reject'", async () => {
    const { engine, ship } = await setup({ deadlineMs: () => 50, onDeadline: 'reject' });
    const { id } = await engine.startRun('timed', {});
    expect((await engine.settled(id)).state).toBe('waiting');
    expect(await engine.settled(id, ['completed', 'failed', 'rejected', 'cancelled'])).toMatchObject({ state: 'rejected' });
    expect(ship.calls).toEqual([]);
  });

  it('asks again when a run failed by its deadline is retried', async () => {
    let deadline: number | undefined = 50;
    const { engine } = await setup({ deadlineMs: () => deadline });
    const { id } = await engine.startRun('timed', {});
    await engine.settled(id);
    const failed = await engine.settled(id, ['failed']);
    expect(failed.error).toMatchObject({ error_type: 'DEADLINE_EXCEEDED' });

    deadline = undefined;
    await engine.retryRun(id);
    const again = await engine.settled(id);
    expect(again).toMatchObject({ state: 'waiting', phase: 'approve', waitingFor: { kind: 'approval', deadlineAt: null } });
    await engine.resolveWait(id, again.waitingFor!.id, { action: 'accept' });
    expect((await engine.settled(id)).state).toBe('completed');
  });

  it('leaves a wait without a deadline pending however often the poller runs', async () => {
    const { engine } = await setup({});
    const { id } = await engine.startRun('timed', {});
    const waiting = await engine.settled(id);
    expect(waiting.waitingFor!.deadlineAt).toBeNull();
    // Several poll intervals pass.
    await pause(120);
    expect(await engine.status(id)).toEqual(waiting);
  });
});
