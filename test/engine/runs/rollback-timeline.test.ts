// Rollback with a meaning: a new timeline from the target phase, phases that see only its steps,
// abandoned steps kept and marked, and the workflow's hook that writes with the rollback or refuses it.
import { CompiledQuery } from 'kysely';
import { expect, it } from 'vitest';
import { z } from 'zod';
import { defineWorkflow, type RollbackRequest, type WorkflowContext } from '../../../src/engine/index.js';
import { InvalidTransitionError } from '../../../src/errors/index.js';
import { describeEachStore } from '../../support/stores.js';
import { echo, ofType, rejectionOf, useHarness } from './harness.js';

/** What each agent phase is given: what it sees of the run. */
const seen = (context: WorkflowContext) => ({ visit: context.visit, visits: context.visits, results: Object.keys(context.results) });

describeEachStore('engine runs: rollback starts a new timeline', (kind) => {
  const h = useHarness(kind);

  /** p0 → p1 → w1 (approval) → p2 → w2 (approval); `rollback` is the workflow's hook, if any. */
  const planned = (rollback?: (request: RollbackRequest) => Promise<{ writes?: CompiledQuery[] } | undefined>) =>
    defineWorkflow({
      name: 'planned',
      parameters: z.object({}),
      phases: [
        { name: 'p0', agent: 'a0', input: seen },
        { name: 'p1', agent: 'a1', input: seen },
        { name: 'w1', wait: { kind: 'approval' } },
        { name: 'p2', agent: 'a2', input: seen },
        { name: 'w2', wait: { kind: 'approval' } },
      ],
      ...(rollback ? { rollback } : {}),
    });

  /** Starts a run of `planned` and accepts w1, leaving it waiting at w2. */
  async function atSecondApproval(rollback?: Parameters<typeof planned>[0]) {
    const agents = { a0: echo('a0'), a1: echo('a1'), a2: echo('a2') };
    const engine = h.engine({ agents: Object.values(agents), workflows: [planned(rollback)] });
    const { id } = await engine.startRun('planned', {});
    const first = await engine.settled(id);
    await engine.resolveWait(id, first.waitingFor!.id, { action: 'accept' });
    const second = await engine.settled(id);
    expect(second).toMatchObject({ state: 'waiting', phase: 'w2' });
    return { engine, id, agents, waitId: second.waitingFor!.id };
  }

  it('lets the target phase and those after it see only the steps before it, not the abandoned path', async () => {
    const { engine, id, agents } = await atSecondApproval();
    // Before the rollback p2 saw the whole path.
    expect(agents.a2.calls[0]).toEqual({ visit: 1, visits: { p0: 1, p1: 1, w1: 1 }, results: ['p0', 'p1', 'w1'] });

    const rolled = await engine.rollbackRun(id, 'p1', 'new figures');
    expect(rolled).toMatchObject({ phase: 'p1', completedPhases: ['p0'] });
    const waiting = await engine.settled(id);
    expect(waiting).toMatchObject({ state: 'waiting', phase: 'w1', completedPhases: ['p0', 'p1'] });
    // The probe of the issue: p1 runs as a first visit and sees none of p1, w1, p2 of the abandoned path.
    expect(agents.a1.calls).toEqual([
      { visit: 1, visits: { p0: 1 }, results: ['p0'] },
      { visit: 1, visits: { p0: 1 }, results: ['p0'] },
    ]);
    expect((await engine.getRun(id)).visits).toEqual({ p0: 1, p1: 1 });

    await engine.resolveWait(id, waiting.waitingFor!.id, { action: 'accept' });
    await engine.settled(id);
    expect(agents.a2.calls[1]).toEqual({ visit: 1, visits: { p0: 1, p1: 1, w1: 1 }, results: ['p0', 'p1', 'w1'] });
    expect(agents.a0.calls).toHaveLength(1);
  });

  it('keeps the abandoned steps in history and in the log, marked, and lists only the current timeline as its steps', async () => {
    const { engine, id } = await atSecondApproval();
    await engine.rollbackRun(id, 'p1', 'new figures');
    await engine.settled(id);

    expect((await engine.steps(id)).map((s) => [s.stepKey, s.abandoned])).toEqual([
      ['p0#1', false],
      ['p1#1@1', false],
    ]);
    const all = await engine.steps(id, { all: true });
    expect(all.map((s) => [s.stepKey, s.kind, s.abandoned])).toEqual([
      ['p0#1', 'agent', false],
      ['p1#1', 'agent', true],
      ['w1#1', 'wait', true],
      ['p2#1', 'agent', true],
      ['rollback#1', 'rollback', false],
      ['p1#1@1', 'agent', false],
    ]);
    expect(all[4]!.output).toEqual({ to: 'p1', abandonedFromVersion: all[1]!.version, reason: 'new figures' });

    expect((await engine.history(id)).map((e) => [e.stepKey, e.toPhase, e.abandoned])).toEqual([
      ['p0#1', 'p0', false],
      ['p1#1', 'p1', true],
      ['p2#1', 'p2', true],
      ['p1#1@1', 'p1', false],
    ]);

    const log = await engine.readEvents(id);
    // The log is append-only: the abandoned path's events stay, and the rollback's transition names what it abandoned.
    expect(ofType(log, 'complete').map((p) => p.phase)).toEqual(['p0', 'p1', 'p2', 'p1']);
    expect(ofType(log, 'phase_transition')).toEqual([
      { from_phase: 'w2', to_phase: 'p1', reason: 'new figures', timeline: 1, abandoned_steps: ['p1#1', 'w1#1', 'p2#1'] },
    ]);
  });

  it('starts a further timeline on each rollback, with step keys that stay unique', async () => {
    const { engine, id, agents } = await atSecondApproval();
    await engine.rollbackRun(id, 'p1');
    const waiting = await engine.settled(id);
    await engine.rollbackRun(id, 'p0');
    await engine.settled(id);
    expect(waiting.phase).toBe('w1');
    expect((await engine.steps(id)).map((s) => s.stepKey)).toEqual(['p0#1@2', 'p1#1@2']);
    expect(agents.a0.calls.at(-1)).toEqual({ visit: 1, visits: {}, results: [] });
    expect((await engine.steps(id, { all: true })).filter((s) => !s.abandoned).map((s) => s.stepKey)).toEqual(['rollback#1', 'rollback#2', 'p0#1@2', 'p1#1@2']);
  });

  it("calls the workflow's hook with the abandoned steps and commits its writes with the rollback", async () => {
    const requests: { toPhase: string; abandoned: string[]; state: string }[] = [];
    const { engine, id } = await atSecondApproval(({ run, toPhase, abandoned }) => {
      requests.push({ toPhase, abandoned: abandoned.map((s) => s.stepKey), state: run.state });
      // A stand-in for the workflow's own rows: any statement the store runs in the rollback's transaction.
      const placeholders = h.t.store.dialect === 'postgres' ? ['$1', '$2'] : ['?', '?'];
      return Promise.resolve({
        writes: [CompiledQuery.raw(`update runs set session_id = ${placeholders[0]} where id = ${placeholders[1]}`, ['rolled back', run.id])],
      });
    });
    await engine.rollbackRun(id, 'p2');
    expect(requests).toEqual([{ toPhase: 'p2', abandoned: ['p2#1'], state: 'waiting' }]);
    expect((await engine.getRun(id)).sessionId).toBe('rolled back');
  });

  it('changes nothing when the hook refuses, and says why', async () => {
    const { engine, id, waitId } = await atSecondApproval(() => Promise.reject(new InvalidTransitionError('w2', 'p1', [], 'rollback of a published plan')));
    const before = await engine.getRun(id);
    const stepsBefore = await engine.steps(id, { all: true });

    const error = await rejectionOf(engine.rollbackRun(id, 'p1'));
    expect(error).toBeInstanceOf(InvalidTransitionError);
    expect(error).toMatchObject({ code: 'INVALID_TRANSITION', message: 'rollback of a published plan from "w2" to "p1" is not allowed' });

    expect(await engine.getRun(id)).toEqual(before);
    expect(await engine.steps(id, { all: true })).toEqual(stepsBefore);
    expect((await engine.waits(id)).find((w) => w.id === waitId)?.status).toBe('pending');
    // The run goes on where it was.
    await engine.resolveWait(id, waitId, { action: 'accept' });
    expect(await engine.settled(id)).toMatchObject({ state: 'completed' });
  });

  it('rolls a completed run back, recomputing its visits and completed phases from the steps that stand', async () => {
    const { engine, id, waitId } = await atSecondApproval();
    await engine.resolveWait(id, waitId, { action: 'accept' });
    expect(await engine.settled(id)).toMatchObject({ state: 'completed', phase: null });
    expect(await engine.rollbackRun(id, 'w1')).toMatchObject({ state: 'running', phase: 'w1', completedPhases: ['p0', 'p1'] });
    expect(await engine.settled(id)).toMatchObject({ state: 'waiting', phase: 'w1' });
    expect((await engine.getRun(id)).visits).toEqual({ p0: 1, p1: 1 });
    expect((await engine.steps(id)).map((s) => s.stepKey)).toEqual(['p0#1', 'p1#1']);
  });

  it("resets a phase's visits on a rollback but not its rounds, which count every visit the run ever made", async () => {
    const counted = defineWorkflow({
      name: 'counted',
      parameters: z.object({}),
      phases: [
        { name: 'p0', agent: 'a0' },
        { name: 'p1', agent: 'a1', input: (context) => ({ visit: context.visit, round: context.round }), repeat: { times: () => 2 } },
        { name: 'w1', wait: { kind: 'approval' } },
      ],
    });
    const a1 = echo('a1');
    const engine = h.engine({ agents: [echo('a0'), a1], workflows: [counted] });
    const { id } = await engine.startRun('counted', {});
    await engine.settled(id);
    await engine.rollbackRun(id, 'p1', 'again');
    await engine.settled(id);
    await engine.rollbackRun(id, 'p0', 'from the start');
    await engine.settled(id);
    expect(a1.calls).toEqual([
      { visit: 1, round: 1 },
      { visit: 2, round: 2 },
      { visit: 1, round: 3 },
      { visit: 2, round: 4 },
      { visit: 1, round: 5 },
      { visit: 2, round: 6 },
    ]);
  });
});
