// Non-approval waits: role-bound submissions with a data schema, and named signals carrying data.
import { expect, it } from 'vitest';
import { z } from 'zod';
import { defineWorkflow } from '../../../src/engine/index.js';
import { BatonError, InvalidParametersError } from '../../../src/errors/index.js';
import { describeEachStore } from '../../support/stores.js';
import { echo, ofType, rejectionOf, useHarness } from './harness.js';

describeEachStore('engine runs: submissions and signals', (kind) => {
  const h = useHarness(kind);

  const testReport = z.object({ passed: z.boolean(), defects: z.number().int().min(0) });

  const setup = () => {
    const build = echo('build');
    const release = echo('release');
    const workflow = defineWorkflow({
      name: 'qa',
      parameters: z.object({}),
      phases: [
        { name: 'build', agent: 'build' },
        { name: 'test', wait: { kind: 'submission', role: 'TESTER', schema: testReport } },
        { name: 'release', agent: 'release' },
      ],
    });
    const engine = h.engine({ agents: [build, release], workflows: [workflow] });
    return { engine, release };
  };

  const waitingRun = async (engine: ReturnType<typeof setup>['engine']) => {
    const { id } = await engine.startRun('qa', {});
    const waiting = await engine.settled(id);
    return { id, waiting, waitId: waiting.waitingFor!.id };
  };

  it('waits for a submission with a wait_required event naming the role', async () => {
    const { engine } = setup();
    const { id, waiting, waitId } = await waitingRun(engine);
    expect(waiting).toMatchObject({ state: 'waiting', phase: 'test', waitingFor: { kind: 'submission', role: 'TESTER', phase: 'test' } });
    expect(ofType(await engine.readEvents(id), 'wait_required')).toEqual([
      { wait_id: waitId, kind: 'submission', phase: 'test', role: 'TESTER', data: { by: 'build', call: 1 }, deadline_at: null },
    ]);
    expect((await h.t.store.getRun(id))!.leaseOwner).toBeNull();
  });

  it('refuses a submission from another role with FORBIDDEN and keeps waiting', async () => {
    const { engine, release } = setup();
    const { id, waiting, waitId } = await waitingRun(engine);
    const error = await rejectionOf(engine.resolveWait(id, waitId, { role: 'DEVELOPER', data: { passed: true, defects: 0 } }));
    expect(error).toBeInstanceOf(BatonError);
    expect(error).toMatchObject({ code: 'FORBIDDEN', details: { expected_role: 'TESTER', role: 'DEVELOPER' } });
    await expect(engine.resolveWait(id, waitId, { data: { passed: true, defects: 0 } })).rejects.toMatchObject({
      code: 'FORBIDDEN',
      details: { expected_role: 'TESTER', role: null },
    });
    expect(await engine.status(id)).toEqual(waiting);
    expect(release.calls).toEqual([]);
  });

  it("refuses the right role's submission when its data fails the schema, with INVALID_PARAMETERS", async () => {
    const { engine } = setup();
    const { id, waiting, waitId } = await waitingRun(engine);
    const error = await rejectionOf(engine.resolveWait(id, waitId, { role: 'TESTER', data: { passed: 'yes', defects: 0 } }));
    expect(error).toBeInstanceOf(InvalidParametersError);
    expect(error).toMatchObject({ code: 'INVALID_PARAMETERS', details: { issues: [{ path: 'passed' }] } });
    expect(await engine.status(id)).toEqual(waiting);
  });

  it("accepts the right role's valid submission and hands it to the next phase", async () => {
    const { engine, release } = setup();
    const { id, waitId } = await waitingRun(engine);
    await engine.resolveWait(id, waitId, { role: 'TESTER', data: { passed: true, defects: 0 }, comment: 'all green' });
    const done = await engine.settled(id);
    expect(done).toMatchObject({ state: 'completed', completedPhases: ['build', 'test', 'release'] });
    const submission = { action: 'submit', role: 'TESTER', data: { passed: true, defects: 0 }, comment: 'all green' };
    expect(release.calls).toEqual([expect.objectContaining({ results: { build: { by: 'build', call: 1 }, test: submission } })]);
    expect(ofType(await engine.readEvents(id), 'wait_resolved')).toEqual([{ wait_id: waitId, kind: 'submission', resolution: submission }]);
    expect((await engine.waits(id))[0]).toMatchObject({ status: 'resolved', resolution: submission });
  });

  it('accepts a signal of a named kind with its data and continues', async () => {
    const forecast = echo('forecast');
    const reconcile = echo('reconcile');
    const workflow = defineWorkflow({
      name: 'season',
      parameters: z.object({}),
      phases: [
        { name: 'forecast', agent: 'forecast' },
        { name: 'actuals', wait: { kind: 'actuals', schema: z.object({ sold: z.number() }) } },
        { name: 'reconcile', agent: 'reconcile' },
      ],
    });
    const engine = h.engine({ agents: [forecast, reconcile], workflows: [workflow] });
    const { id } = await engine.startRun('season', {});
    const waiting = await engine.settled(id);
    expect(waiting).toMatchObject({ state: 'waiting', waitingFor: { kind: 'actuals', role: null, phase: 'actuals' } });
    const waitId = waiting.waitingFor!.id;
    expect(ofType(await engine.readEvents(id), 'wait_required')).toEqual([expect.objectContaining({ wait_id: waitId, kind: 'actuals' })]);

    await expect(engine.resolveWait(id, waitId, { data: { sold: 'many' } })).rejects.toMatchObject({
      code: 'INVALID_PARAMETERS',
      details: { issues: [{ path: 'sold' }] },
    });
    await engine.resolveWait(id, waitId, { data: { sold: 420 } });
    expect(await engine.settled(id)).toMatchObject({ state: 'completed' });
    expect(reconcile.calls).toEqual([
      expect.objectContaining({ results: expect.objectContaining({ actuals: { action: 'signal', data: { sold: 420 } } }) as unknown }),
    ]);
    expect(ofType(await engine.readEvents(id), 'wait_resolved')).toEqual([
      { wait_id: waitId, kind: 'actuals', resolution: { action: 'signal', data: { sold: 420 } } },
    ]);
  });
});
