// The `expired` end: a wait with onDeadline 'expire' ends its run expired when nobody answers in time (no failure, no error).
import { expect, it } from 'vitest';
import { z } from 'zod';
import { defineWorkflow, FINISHED_STATES, RUN_TRANSITIONS } from '../../../src/engine/index.js';
import { describeEachStore } from '../../support/stores.js';
import { echo, ofType, pause, typesOf, useHarness } from './harness.js';

describeEachStore('engine runs: expired', (kind) => {
  const h = useHarness(kind);

  const setup = async (deadline: () => number | undefined) => {
    const prepare = echo('prepare');
    const ship = echo('ship');
    const workflow = defineWorkflow({
      name: 'timed',
      parameters: z.object({}),
      phases: [
        { name: 'prepare', agent: 'prepare' },
        { name: 'approve', wait: { kind: 'approval', deadlineMs: deadline, onDeadline: 'expire' } },
        { name: 'ship', agent: 'ship' },
      ],
    });
    const engine = h.engine({ agents: [prepare, ship], workflows: [workflow], pollIntervalMs: 20 });
    await engine.start();
    return { engine, ship };
  };

  it('is a finished state that only a rollback leaves', () => {
    expect(FINISHED_STATES).toContain('expired');
    expect(RUN_TRANSITIONS.waiting).toContain('expired');
    expect(RUN_TRANSITIONS.expired).toEqual(['running']);
  });

  it("ends the run expired, at the approval's phase, with the approval closed and an event saying so", async () => {
    const { engine, ship } = await setup(() => 60);
    const { id } = await engine.startRun('timed', {});
    const waiting = await engine.settled(id);
    expect(waiting.state).toBe('waiting');
    const waitId = waiting.waitingFor!.id;
    const deadlineAt = waiting.waitingFor!.deadlineAt!;

    const expired = await engine.settled(id, ['expired']);
    expect(expired).toMatchObject({ state: 'expired', phase: 'approve', waitingFor: null, error: null, completedPhases: ['prepare'] });
    expect(expired.finishedAt).toBeGreaterThanOrEqual(deadlineAt);
    expect(ship.calls).toEqual([]);
    const [wait] = await engine.waits(id);
    expect(wait).toMatchObject({ id: waitId, status: 'expired', resolution: { action: 'expired' } });

    const log = await engine.readEvents(id);
    expect(typesOf(log).slice(-3)).toEqual(['approval_resolved', 'run_state', 'workflow_complete']);
    const reason = `approval for phase "approve" was not answered by its deadline (${new Date(deadlineAt).toISOString()})`;
    expect(log.at(-3)!.payload).toMatchObject({ approval_id: waitId, resolution: { action: 'expired', comment: reason } });
    expect(log.at(-2)!.payload).toEqual({ from: 'waiting', to: 'expired', reason });
    expect(log.at(-1)!.payload).toMatchObject({ state: 'expired' });
    expect(ofType(log, 'error')).toEqual([]);

    await expect(engine.resolveWait(id, waitId, { action: 'accept' })).rejects.toMatchObject({ code: 'CONFLICT' });
    await expect(engine.retryRun(id)).rejects.toMatchObject({ code: 'CONFLICT' });
    const stats = await engine.stats('timed');
    expect(stats).toMatchObject({ total: 1, byState: { expired: 1 }, successRate: 0 });
  });

  it('asks again after a rollback, and goes on once answered', async () => {
    let deadline: number | undefined = 40;
    const { engine, ship } = await setup(() => deadline);
    const { id } = await engine.startRun('timed', {});
    await engine.settled(id, ['expired']);

    deadline = undefined;
    await engine.rollbackRun(id, 'prepare', 'ask the approver again');
    const again = await engine.settled(id);
    expect(again).toMatchObject({ state: 'waiting', phase: 'approve', waitingFor: { kind: 'approval', deadlineAt: null } });
    await engine.resolveWait(id, again.waitingFor!.id, { action: 'accept' });
    expect((await engine.settled(id)).state).toBe('completed');
    expect(ship.calls).toHaveLength(1);
  });

  it('does not expire an approval answered before its deadline', async () => {
    const { engine, ship } = await setup(() => 300);
    const { id } = await engine.startRun('timed', {});
    const waiting = await engine.settled(id);
    await engine.resolveWait(id, waiting.waitingFor!.id, { action: 'accept' });
    expect((await engine.settled(id)).state).toBe('completed');
    await pause(400);
    expect((await engine.status(id)).state).toBe('completed');
    expect(ship.calls).toHaveLength(1);
    expect((await engine.waits(id))[0]).toMatchObject({ status: 'resolved' });
  });
});
