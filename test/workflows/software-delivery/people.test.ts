// A change carried by people: every role submits through advance. The happy path, a test failure looping back to
// implementation, a verification rejection, a failed deployment rolled back, out-of-turn roles and skipped phases.
import { expect, it } from 'vitest';
import { ofType } from '../../engine/runs/harness.js';
import { describeEachStore } from '../../support/stores.js';
import { CHANGE, OUTPUTS, refusal, step, useDelivery } from './support.js';

describeEachStore('software delivery carried by people', (kind) => {
  const d = useDelivery(kind);

  const startAt = async (project = 'acme') => {
    const { engine, delivery } = d.open();
    const { run_id } = await delivery.start({ project, change: CHANGE });
    return { engine, delivery, id: run_id, status: await delivery.settled(run_id) };
  };

  it('takes a change from DISCOVERY to COMPLETE, each role seeing every earlier output, with a handoff at every change of role', async () => {
    const { engine, delivery, id, status } = await startAt();
    expect(status).toMatchObject({
      state: 'DISCOVERY',
      owner: 'Q_ASSISTANT',
      percent: 0,
      expected_next: { action: 'advance', role: 'Q_ASSISTANT', states: ['PLANNING', 'ERROR'] },
    });

    const planning = await step(delivery, id, 'Q_ASSISTANT', OUTPUTS.DISCOVERY);
    expect(planning).toMatchObject({ state: 'PLANNING', completed_states: ['DISCOVERY'], percent: 10 });
    const implementation = await step(delivery, id, 'Q_ASSISTANT', OUTPUTS.PLANNING);
    expect(implementation).toMatchObject({
      state: 'IMPLEMENTATION',
      owner: 'CODE_WRITER',
      completed_states: ['DISCOVERY', 'PLANNING', 'HANDOFF_TO_CODER'],
      percent: 30,
    });
    expect(implementation.waiting_for?.context).toMatchObject({
      state: 'IMPLEMENTATION',
      change: CHANGE,
      earlier: { DISCOVERY: OUTPUTS.DISCOVERY, PLANNING: OUTPUTS.PLANNING },
      feedback: [],
    });

    const testing = await step(delivery, id, 'CODE_WRITER', OUTPUTS.IMPLEMENTATION);
    expect(testing.waiting_for?.context).toMatchObject({ earlier: { IMPLEMENTATION: OUTPUTS.IMPLEMENTATION } });
    const verification = await step(delivery, id, 'TEST_AUDITOR', OUTPUTS.TESTING_PASSED);
    expect(verification).toMatchObject({ state: 'VERIFICATION', percent: 70 });
    const deployment = await step(delivery, id, 'VERIFICATION_OVERSEER', OUTPUTS.VERIFICATION_APPROVED);
    expect(Object.keys(deployment.waiting_for?.context as object)).toContain('earlier');
    expect(Object.keys((deployment.waiting_for?.context as { earlier: object }).earlier)).toEqual([
      'DISCOVERY',
      'PLANNING',
      'IMPLEMENTATION',
      'TESTING',
      'VERIFICATION',
    ]);
    const done = await step(delivery, id, 'RELEASE_MANAGER', OUTPUTS.DEPLOYMENT_OK);
    expect(done).toMatchObject({ state: 'COMPLETE', run_state: 'completed', percent: 100, expected_next: { action: 'none' } });
    expect(done.completed_states).toHaveLength(10);

    const { trail } = await delivery.history(id);
    expect(trail.map((e) => `${e.from_state}→${e.to_state} ${e.from_role ?? '-'}→${e.to_role ?? '-'} by ${e.by}`)).toEqual([
      'DISCOVERY→PLANNING Q_ASSISTANT→Q_ASSISTANT by Q_ASSISTANT',
      'PLANNING→HANDOFF_TO_CODER Q_ASSISTANT→- by Q_ASSISTANT',
      'HANDOFF_TO_CODER→IMPLEMENTATION Q_ASSISTANT→CODE_WRITER by system',
      'IMPLEMENTATION→HANDOFF_TO_TESTER CODE_WRITER→- by CODE_WRITER',
      'HANDOFF_TO_TESTER→TESTING CODE_WRITER→TEST_AUDITOR by system',
      'TESTING→HANDOFF_TO_VERIFIER TEST_AUDITOR→- by TEST_AUDITOR',
      'HANDOFF_TO_VERIFIER→VERIFICATION TEST_AUDITOR→VERIFICATION_OVERSEER by system',
      'VERIFICATION→HANDOFF_TO_RELEASER VERIFICATION_OVERSEER→- by VERIFICATION_OVERSEER',
      'HANDOFF_TO_RELEASER→DEPLOYMENT VERIFICATION_OVERSEER→RELEASE_MANAGER by system',
      'DEPLOYMENT→COMPLETE RELEASE_MANAGER→- by RELEASE_MANAGER',
    ]);
    expect(trail[0]?.transferred).toEqual({ ...OUTPUTS.DISCOVERY, open_questions: [] });
    expect(trail[4]?.transferred).toEqual(['DISCOVERY', 'PLANNING', 'IMPLEMENTATION']);
    expect(trail.every((e) => e.move === 'forward')).toBe(true);
    // The engine's own handoff records: the packers were given the next role's whole context.
    const handoffs = await engine.history(id);
    expect(handoffs.map((h) => h.toPhase)).toEqual(['HANDOFF_TO_CODER', 'HANDOFF_TO_TESTER', 'HANDOFF_TO_VERIFIER', 'HANDOFF_TO_RELEASER']);
    expect(handoffs[1]?.payload).toMatchObject({
      from_role: 'CODE_WRITER',
      to_role: 'TEST_AUDITOR',
      package: { earlier: { IMPLEMENTATION: OUTPUTS.IMPLEMENTATION } },
    });
  });

  it('loops a failed test report back to implementation with the failures, then goes on once the tests pass', async () => {
    const { delivery, id } = await startAt();
    await step(delivery, id, 'Q_ASSISTANT', OUTPUTS.DISCOVERY);
    await step(delivery, id, 'Q_ASSISTANT', OUTPUTS.PLANNING);
    await step(delivery, id, 'CODE_WRITER', OUTPUTS.IMPLEMENTATION);
    const back = await step(delivery, id, 'TEST_AUDITOR', OUTPUTS.TESTING_FAILED);
    expect(back).toMatchObject({ state: 'IMPLEMENTATION', completed_states: ['DISCOVERY', 'PLANNING', 'HANDOFF_TO_CODER'] });
    expect(back.waiting_for?.context).toMatchObject({
      feedback: [{ from_state: 'TESTING', from_role: 'TEST_AUDITOR', reasons: ['tax: the tax column is missing'] }],
    });

    await step(delivery, id, 'CODE_WRITER', { ...OUTPUTS.IMPLEMENTATION, code_summary: 'adds the tax column' });
    const verification = await step(delivery, id, 'TEST_AUDITOR', OUTPUTS.TESTING_PASSED);
    expect(verification.state).toBe('VERIFICATION');
    expect((verification.waiting_for?.context as { earlier: Record<string, unknown> }).earlier.TESTING).toMatchObject({ failed: 0 });

    const { trail } = await delivery.history(id);
    const retry = trail.filter((e) => e.move === 'retry');
    expect(retry).toMatchObject([
      {
        from_state: 'TESTING',
        to_state: 'IMPLEMENTATION',
        from_role: 'TEST_AUDITOR',
        to_role: 'CODE_WRITER',
        reason: 'TESTING sends the work back to IMPLEMENTATION: tax: the tax column is missing',
      },
    ]);
    expect(trail.filter((e) => e.from_state === 'HANDOFF_TO_TESTER')).toHaveLength(2);
  });

  it('sends a change back from verification, by a rejecting verdict and by request-retry, each time through testing again', async () => {
    const { engine, delivery, id } = await startAt();
    await step(delivery, id, 'Q_ASSISTANT', OUTPUTS.DISCOVERY);
    await step(delivery, id, 'Q_ASSISTANT', OUTPUTS.PLANNING);
    await step(delivery, id, 'CODE_WRITER', OUTPUTS.IMPLEMENTATION);
    await step(delivery, id, 'TEST_AUDITOR', OUTPUTS.TESTING_PASSED);
    const rejected = await step(delivery, id, 'VERIFICATION_OVERSEER', OUTPUTS.VERIFICATION_REJECTED);
    expect(rejected.state).toBe('IMPLEMENTATION');
    expect(rejected.waiting_for?.context).toMatchObject({ feedback: [{ from_state: 'VERIFICATION', reasons: ['amounts are not rounded to cents'] }] });

    await step(delivery, id, 'CODE_WRITER', OUTPUTS.IMPLEMENTATION);
    await step(delivery, id, 'TEST_AUDITOR', OUTPUTS.TESTING_PASSED);
    // By default a retry goes to the previous role's state (TESTING); verification may name implementation instead.
    await delivery.requestRetry(id, { role: 'VERIFICATION_OVERSEER', reasons: ['the CSV has no header row'], to_state: 'IMPLEMENTATION' });
    const again = await delivery.settled(id);
    expect(again.state).toBe('IMPLEMENTATION');
    expect((again.waiting_for?.context as { feedback: { reasons: string[] }[] }).feedback[0]?.reasons).toEqual(['the CSV has no header row']);

    const { trail } = await delivery.history(id);
    expect(trail.filter((e) => e.move === 'retry').map((e) => [e.from_state, e.to_state, e.by])).toEqual([
      ['VERIFICATION', 'IMPLEMENTATION', 'VERIFICATION_OVERSEER'],
      ['VERIFICATION', 'IMPLEMENTATION', 'VERIFICATION_OVERSEER'],
    ]);
    expect(ofType(await engine.readEvents(id), 'phase_transition').filter((t) => t.to_phase === 'IMPLEMENTATION.agent')).toHaveLength(2);
  });

  it('refuses request-retry where there is no retry path, naming the allowed next states', async () => {
    const { delivery, id } = await startAt();
    const error = await refusal(delivery.requestRetry(id, { role: 'Q_ASSISTANT', reasons: ['unclear'] }));
    expect(error).toMatchObject({ code: 'INVALID_TRANSITION', details: { from: 'DISCOVERY', allowed: ['PLANNING', 'ERROR'] } });
    expect((await delivery.status(id)).state).toBe('DISCOVERY');
  });

  it('stops a failed deployment in ERROR, rolls it back to DEPLOYMENT with an audit event, and completes on the second deployment', async () => {
    const { engine, delivery, id } = await startAt();
    for (const [role, output] of [
      ['Q_ASSISTANT', OUTPUTS.DISCOVERY],
      ['Q_ASSISTANT', OUTPUTS.PLANNING],
      ['CODE_WRITER', OUTPUTS.IMPLEMENTATION],
      ['TEST_AUDITOR', OUTPUTS.TESTING_PASSED],
      ['VERIFICATION_OVERSEER', OUTPUTS.VERIFICATION_APPROVED],
    ] as const)
      await step(delivery, id, role, output);
    const failed = await step(delivery, id, 'RELEASE_MANAGER', OUTPUTS.DEPLOYMENT_FAILED);
    expect(failed).toMatchObject({
      state: 'ERROR',
      run_state: 'failed',
      failed_state: 'DEPLOYMENT',
      expected_next: { action: 'rollback', states: ['DISCOVERY', 'PLANNING', 'IMPLEMENTATION', 'TESTING', 'VERIFICATION', 'DEPLOYMENT'] },
      error: { message: expect.stringContaining('critical failure in DEPLOYMENT: health check failed') as unknown },
    });
    expect(await refusal(delivery.advance(id, { role: 'RELEASE_MANAGER', output: OUTPUTS.DEPLOYMENT_OK }))).toMatchObject({
      code: 'INVALID_TRANSITION',
      details: { from: 'ERROR', allowed: [] },
    });

    const rolledBack = await delivery.rollback(id, { reason: 'the health check was flaky' });
    expect(rolledBack.run_state).toBe('running');
    const redeploy = await delivery.settled(id);
    expect(redeploy).toMatchObject({ state: 'DEPLOYMENT', error: null, completed_states: expect.arrayContaining(['VERIFICATION']) as unknown });
    expect(redeploy.completed_states).not.toContain('DEPLOYMENT');
    const done = await step(delivery, id, 'RELEASE_MANAGER', OUTPUTS.DEPLOYMENT_OK);
    expect(done.state).toBe('COMPLETE');

    const events = await engine.readEvents(id);
    expect(ofType(events, 'phase_transition')).toContainEqual({
      from_phase: 'ERROR',
      to_phase: 'DEPLOYMENT.agent',
      reason: 'rollback to DEPLOYMENT: the health check was flaky',
      timeline: 1,
      abandoned_steps: ['DEPLOYMENT.agent#1', 'DEPLOYMENT#1', 'ERROR#1'],
      // The service called without an actor acts as the local single user, as the CLI does.
      actor: { id: 'local', name: 'local', token_id: null },
    });
    const { trail } = await delivery.history(id);
    expect(trail.slice(-3).map((e) => [e.move, e.from_state, e.to_state, e.triggered_by?.id])).toEqual([
      ['error', 'DEPLOYMENT', 'ERROR', 'local'],
      ['rollback', 'ERROR', 'DEPLOYMENT', 'local'],
      ['forward', 'DEPLOYMENT', 'COMPLETE', 'local'],
    ]);
  });

  it('rolls a waiting change back to the previous state or a named one, and refuses a state that is not behind it', async () => {
    const { delivery, id } = await startAt();
    await step(delivery, id, 'Q_ASSISTANT', OUTPUTS.DISCOVERY);
    await step(delivery, id, 'Q_ASSISTANT', OUTPUTS.PLANNING);
    await step(delivery, id, 'CODE_WRITER', OUTPUTS.IMPLEMENTATION);
    expect((await delivery.status(id)).state).toBe('TESTING');

    const ahead = await refusal(delivery.rollback(id, { to_state: 'VERIFICATION' }));
    expect(ahead).toMatchObject({
      code: 'INVALID_TRANSITION',
      httpStatus: 409,
      details: { from: 'TESTING', to: 'VERIFICATION', allowed: ['DISCOVERY', 'PLANNING', 'IMPLEMENTATION'] },
    });
    await delivery.rollback(id);
    expect(await delivery.settled(id)).toMatchObject({ state: 'IMPLEMENTATION', completed_states: ['DISCOVERY', 'PLANNING', 'HANDOFF_TO_CODER'] });
    await delivery.rollback(id, { to_state: 'DISCOVERY', reason: 'the customer changed the request' });
    expect(await delivery.settled(id)).toMatchObject({ state: 'DISCOVERY', percent: 0, completed_states: [] });
    expect((await delivery.history(id)).trail.filter((e) => e.move === 'rollback').map((e) => [e.from_state, e.to_state, e.reason])).toEqual([
      ['TESTING', 'IMPLEMENTATION', 'rollback to IMPLEMENTATION: requested'],
      ['IMPLEMENTATION', 'DISCOVERY', 'rollback to DISCOVERY: the customer changed the request'],
    ]);
    expect(await refusal(delivery.rollback(id))).toMatchObject({ code: 'INVALID_TRANSITION', details: { from: 'DISCOVERY', allowed: [] } });
  });

  it('refuses a role out of turn with 403 naming the owner, and changes nothing', async () => {
    const { delivery, id, status } = await startAt();
    const error = await refusal(delivery.advance(id, { role: 'CODE_WRITER', output: OUTPUTS.IMPLEMENTATION }));
    expect(error).toMatchObject({ code: 'FORBIDDEN', httpStatus: 403, details: { state: 'DISCOVERY', expected_role: 'Q_ASSISTANT', role: 'CODE_WRITER' } });
    expect(await refusal(delivery.requestRetry(id, { role: 'TEST_AUDITOR', reasons: ['no'] }))).toMatchObject({ code: 'FORBIDDEN' });
    expect(await delivery.status(id)).toMatchObject({ state: 'DISCOVERY', last_seq: status.last_seq });
  });

  it('refuses to skip a phase with 409 naming the allowed next states, and changes nothing', async () => {
    const { delivery, id } = await startAt();
    await step(delivery, id, 'Q_ASSISTANT', OUTPUTS.DISCOVERY);
    const before = await delivery.status(id);
    const error = await refusal(delivery.advance(id, { role: 'Q_ASSISTANT', to_state: 'IMPLEMENTATION', output: OUTPUTS.PLANNING }));
    expect(error).toMatchObject({
      code: 'INVALID_TRANSITION',
      httpStatus: 409,
      details: { from: 'PLANNING', to: 'IMPLEMENTATION', allowed: ['HANDOFF_TO_CODER', 'DISCOVERY', 'ERROR'] },
    });
    expect(error.message).toContain('not allowed');
    expect(await delivery.status(id)).toMatchObject({ state: 'PLANNING', last_seq: before.last_seq });
  });

  it('tells a missing output (400) from an invalid one (422) and an output that contradicts its target (422)', async () => {
    const { delivery, id } = await startAt();
    expect(await refusal(delivery.advance(id, { role: 'Q_ASSISTANT' }))).toMatchObject({
      code: 'INCOMPLETE_INPUT',
      details: { issues: [{ path: 'output', message: 'is required' }] },
    });
    expect(await refusal(delivery.advance(id, { role: 'Q_ASSISTANT', output: { summary: 'x' } }))).toMatchObject({
      code: 'INCOMPLETE_INPUT',
      details: {
        issues: [
          { path: 'output.requirements', message: 'is required' },
          { path: 'output.acceptance_criteria', message: 'is required' },
        ],
      },
    });
    expect(await refusal(delivery.advance(id, { role: 'Q_ASSISTANT', output: { ...OUTPUTS.DISCOVERY, requirements: [] } }))).toMatchObject({
      code: 'INVALID_PARAMETERS',
      httpStatus: 422,
    });
    for (const [role, output] of [
      ['Q_ASSISTANT', OUTPUTS.DISCOVERY],
      ['Q_ASSISTANT', OUTPUTS.PLANNING],
      ['CODE_WRITER', OUTPUTS.IMPLEMENTATION],
    ] as const)
      await step(delivery, id, role, output);
    const contradiction = await refusal(delivery.advance(id, { role: 'TEST_AUDITOR', to_state: 'HANDOFF_TO_VERIFIER', output: OUTPUTS.TESTING_FAILED }));
    expect(contradiction).toMatchObject({ code: 'INVALID_PARAMETERS', details: { issues: [{ path: 'to_state' }] } });
    expect((await delivery.status(id)).state).toBe('TESTING');
  });

  it('lets the owning role report a critical failure from any of its states, with a reason', async () => {
    const { delivery, id } = await startAt();
    expect(await refusal(delivery.advance(id, { role: 'Q_ASSISTANT', to_state: 'ERROR' }))).toMatchObject({
      code: 'INCOMPLETE_INPUT',
      details: { issues: [{ path: 'reason' }] },
    });
    await delivery.advance(id, { role: 'Q_ASSISTANT', to_state: 'ERROR', reason: 'the request breaks the law' });
    const failed = await delivery.settled(id);
    expect(failed).toMatchObject({ state: 'ERROR', failed_state: 'DISCOVERY', percent: 0, expected_next: { states: ['DISCOVERY'] } });
    await delivery.rollback(id);
    expect(await delivery.settled(id)).toMatchObject({ state: 'DISCOVERY', run_state: 'waiting' });
  });

  it('answers NOT_FOUND for a run of another workflow or no run at all', async () => {
    const { delivery } = d.open();
    expect(await refusal(delivery.status('no-such-run'))).toMatchObject({ code: 'NOT_FOUND' });
  });
});
