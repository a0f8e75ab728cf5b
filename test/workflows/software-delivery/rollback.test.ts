// What a rollback means for software delivery, on real SQLite and PostgreSQL: its states roll back, the engine's own rollback route refuses what the delivery service refuses, and the audit keeps the abandoned submissions, marked, with the rollback and its reason.
import { expect, it } from 'vitest';
import { auditTrail } from '../../../src/workflows/software-delivery/audit.js';
import { markAbandoned } from '../../../src/workflows/software-delivery/rollback.js';
import { describeEachStore } from '../../support/stores.js';
import { CHANGE, OUTPUTS, refusal, step, useDelivery } from './support.js';

describeEachStore('software delivery: rollback', (kind) => {
  const d = useDelivery(kind);

  it('refuses, on the engine route too, a rollback into a handoff, into a role’s second phase or of a delivered change', async () => {
    const { engine, delivery } = d.open();
    const { run_id: id } = await delivery.start({ project: 'acme', change: CHANGE });
    await delivery.settled(id);
    await step(delivery, id, 'Q_ASSISTANT', OUTPUTS.DISCOVERY);
    await step(delivery, id, 'Q_ASSISTANT', OUTPUTS.PLANNING);
    await step(delivery, id, 'CODE_WRITER', OUTPUTS.IMPLEMENTATION);
    const before = await engine.getRun(id);
    expect(before).toMatchObject({ state: 'waiting', phase: 'TESTING' });

    const allowed = ['DISCOVERY.agent', 'PLANNING.agent', 'IMPLEMENTATION.agent'];
    expect(await refusal(engine.rollbackRun(id, 'HANDOFF_TO_CODER'))).toMatchObject({
      code: 'INVALID_TRANSITION',
      details: { from: 'TESTING', to: 'HANDOFF_TO_CODER', allowed },
    });
    expect(await refusal(engine.rollbackRun(id, 'IMPLEMENTATION'))).toMatchObject({ code: 'INVALID_TRANSITION', details: { allowed } });
    expect(await engine.getRun(id)).toEqual(before);

    await step(delivery, id, 'TEST_AUDITOR', OUTPUTS.TESTING_PASSED);
    await step(delivery, id, 'VERIFICATION_OVERSEER', OUTPUTS.VERIFICATION_APPROVED);
    expect(await step(delivery, id, 'RELEASE_MANAGER', OUTPUTS.DEPLOYMENT_OK)).toMatchObject({ state: 'COMPLETE' });
    expect(await refusal(engine.rollbackRun(id, 'DISCOVERY.agent'))).toMatchObject({
      code: 'INVALID_TRANSITION',
      details: { from: 'COMPLETE', to: 'DISCOVERY.agent', allowed: [] },
    });
    expect(await engine.getRun(id)).toMatchObject({ state: 'completed', phase: null });
  });

  it('rolls its states back to PLANNING and marks the abandoned submissions in the audit, which keeps them and the rollback with its reason', async () => {
    const { engine, delivery } = d.open();
    const { run_id: id } = await delivery.start({ project: 'acme', change: CHANGE });
    await delivery.settled(id);
    await step(delivery, id, 'Q_ASSISTANT', OUTPUTS.DISCOVERY);
    await step(delivery, id, 'Q_ASSISTANT', OUTPUTS.PLANNING);
    await step(delivery, id, 'CODE_WRITER', OUTPUTS.IMPLEMENTATION);

    await delivery.rollback(id, { to_state: 'PLANNING', reason: 'the plan missed the tax column' });
    const planning = await delivery.settled(id);
    expect(planning).toMatchObject({ state: 'PLANNING', completed_states: ['DISCOVERY'] });
    // The state's context sees the timeline that stands: PLANNING and IMPLEMENTATION's outputs are gone from it.
    expect(Object.keys((planning.waiting_for?.context as { earlier: object }).earlier)).toEqual(['DISCOVERY']);

    await step(delivery, id, 'Q_ASSISTANT', OUTPUTS.PLANNING);
    await step(delivery, id, 'CODE_WRITER', OUTPUTS.IMPLEMENTATION);
    await step(delivery, id, 'TEST_AUDITOR', OUTPUTS.TESTING_PASSED);
    await step(delivery, id, 'VERIFICATION_OVERSEER', OUTPUTS.VERIFICATION_APPROVED);
    expect(await step(delivery, id, 'RELEASE_MANAGER', OUTPUTS.DEPLOYMENT_OK)).toMatchObject({ state: 'COMPLETE' });

    const events = await engine.readEvents(id);
    const trail = markAbandoned(auditTrail(events), events);
    expect(trail.map((e) => [e.move, e.from_state, e.to_state, e.abandoned])).toEqual([
      ['forward', 'DISCOVERY', 'PLANNING', false],
      ['forward', 'PLANNING', 'HANDOFF_TO_CODER', true],
      ['forward', 'HANDOFF_TO_CODER', 'IMPLEMENTATION', true],
      ['forward', 'IMPLEMENTATION', 'HANDOFF_TO_TESTER', true],
      ['forward', 'HANDOFF_TO_TESTER', 'TESTING', true],
      ['rollback', 'TESTING', 'PLANNING', false],
      ['forward', 'PLANNING', 'HANDOFF_TO_CODER', false],
      ['forward', 'HANDOFF_TO_CODER', 'IMPLEMENTATION', false],
      ['forward', 'IMPLEMENTATION', 'HANDOFF_TO_TESTER', false],
      ['forward', 'HANDOFF_TO_TESTER', 'TESTING', false],
      ['forward', 'TESTING', 'HANDOFF_TO_VERIFIER', false],
      ['forward', 'HANDOFF_TO_VERIFIER', 'VERIFICATION', false],
      ['forward', 'VERIFICATION', 'HANDOFF_TO_RELEASER', false],
      ['forward', 'HANDOFF_TO_RELEASER', 'DEPLOYMENT', false],
      ['forward', 'DEPLOYMENT', 'COMPLETE', false],
    ]);
    expect(trail.find((e) => e.move === 'rollback')).toMatchObject({ by: 'request', reason: 'rollback to PLANNING: the plan missed the tax column' });
    // The abandoned submission is kept as it was handed in.
    expect(trail.find((e) => e.abandoned && e.from_state === 'PLANNING')?.transferred).toEqual(OUTPUTS.PLANNING);
    // The engine's steps say the same: the abandoned ones are kept and marked.
    const abandonedSteps = (await engine.steps(id, { all: true })).filter((s) => s.abandoned).map((s) => s.stepKey);
    expect(abandonedSteps).toEqual(expect.arrayContaining(['PLANNING#1', 'HANDOFF_TO_CODER#1', 'IMPLEMENTATION#1']));
  });
});
