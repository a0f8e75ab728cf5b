// Roles played by the deterministic offline agents: a whole change with a failed test round and a rejected review,
// a failed deployment rolled back, a mix of agents and people, and a run that asks for a model nobody configured.
import { expect, it } from 'vitest';
import { ROLES } from '../../../src/workflows/software-delivery/index.js';
import { describeEachStore } from '../../support/stores.js';
import { CHANGE, OUTPUTS, refusal, step, useDelivery } from './support.js';

const ALL = [...ROLES];

describeEachStore('software delivery played by offline agents', (kind) => {
  const d = useDelivery(kind);

  it('carries a change through every role, looping once from testing and once from verification back to implementation', async () => {
    const { engine, delivery } = d.open();
    const { run_id: id } = await delivery.start({ project: 'acme', change: CHANGE, automatic_roles: ALL, script: { test_failures: 1, review_rejections: 1 } });
    const done = await delivery.settled(id);
    expect(done).toMatchObject({ state: 'COMPLETE', percent: 100, run_state: 'completed' });

    const { trail } = await delivery.history(id);
    expect(trail.filter((e) => e.from_role !== null && e.by !== 'system').map((e) => `${e.from_state}→${e.to_state}`)).toEqual([
      'DISCOVERY→PLANNING',
      'PLANNING→HANDOFF_TO_CODER',
      'IMPLEMENTATION→HANDOFF_TO_TESTER',
      'TESTING→IMPLEMENTATION',
      'IMPLEMENTATION→HANDOFF_TO_TESTER',
      'TESTING→HANDOFF_TO_VERIFIER',
      'VERIFICATION→IMPLEMENTATION',
      'IMPLEMENTATION→HANDOFF_TO_TESTER',
      'TESTING→HANDOFF_TO_VERIFIER',
      'VERIFICATION→HANDOFF_TO_RELEASER',
      'DEPLOYMENT→COMPLETE',
    ]);
    expect(trail.find((e) => e.from_state === 'DISCOVERY')?.by).toBe('agent:delivery_q_assistant (offline)');
    // The coder's third round names what the reviewer found; the requirements came from the change's sentences.
    const implementations = trail.filter((e) => e.from_state === 'IMPLEMENTATION').map((e) => (e.transferred as { code_summary: string }).code_summary);
    expect(implementations[1]).toContain('addressing TESTING');
    expect(implementations[2]).toContain('addressing VERIFICATION: review round 1');
    expect(trail[0]?.transferred).toMatchObject({ requirements: ['Users can download their invoices as CSV', 'The export includes the tax column'] });
    // No person was asked for anything.
    expect(await engine.waits(id)).toEqual([]);
  });

  it('stops in ERROR when the scripted deployment fails, and completes after a rollback re-runs the release manager', async () => {
    const { delivery } = d.open();
    const { run_id: id } = await delivery.start({ project: 'acme', change: CHANGE, automatic_roles: ALL, script: { deployment_failures: 1 } });
    const failed = await delivery.settled(id);
    expect(failed).toMatchObject({ state: 'ERROR', failed_state: 'DEPLOYMENT', error: { message: expect.stringContaining('scripted failure') as unknown } });
    await delivery.rollback(id, { reason: 'try again' });
    const done = await delivery.settled(id);
    expect(done.state).toBe('COMPLETE');
    const deployments = (await delivery.history(id)).trail
      .filter((e) => e.from_state === 'DEPLOYMENT')
      .map((e) => e.transferred as { version: string; status: string });
    expect(deployments).toEqual([
      expect.objectContaining({ status: 'failed', version: 'export-invoices-as-csv-1' }),
      expect.objectContaining({ status: 'succeeded', version: 'export-invoices-as-csv-2' }),
    ]);
  });

  it('mixes agents and people: agents do discovery and planning, then the run waits for the code writer in person', async () => {
    const { delivery } = d.open();
    const { run_id: id } = await delivery.start({ project: 'acme', change: CHANGE, automatic_roles: ['Q_ASSISTANT', 'TEST_AUDITOR'] });
    const waiting = await delivery.settled(id);
    expect(waiting).toMatchObject({
      state: 'IMPLEMENTATION',
      waiting_for: { role: 'CODE_WRITER' },
      completed_states: ['DISCOVERY', 'PLANNING', 'HANDOFF_TO_CODER'],
    });
    expect((waiting.waiting_for?.context as { earlier: Record<string, unknown> }).earlier.PLANNING).toMatchObject({ steps: expect.any(Array) as unknown });
    const verification = await step(delivery, id, 'CODE_WRITER', OUTPUTS.IMPLEMENTATION);
    // The offline auditor ran the two test cases the person handed over.
    expect(verification).toMatchObject({ state: 'VERIFICATION', waiting_for: { role: 'VERIFICATION_OVERSEER' } });
    expect((verification.waiting_for?.context as { earlier: Record<string, unknown> }).earlier.TESTING).toMatchObject({ passed: 2, failed: 0 });
  });

  it('puts a run that asks for LLM agents without a configured model in ERROR, naming what to configure', async () => {
    const { delivery } = d.open();
    const { run_id: id } = await delivery.start({ project: 'acme', change: CHANGE, automatic_roles: ['Q_ASSISTANT'], agent_mode: 'llm' });
    const failed = await delivery.settled(id);
    expect(failed).toMatchObject({
      state: 'ERROR',
      failed_state: 'DISCOVERY',
      error: { error_type: 'AGENT_EXECUTION_ERROR', message: expect.stringContaining('OPENAI_API_KEY') as unknown },
    });
    expect((await delivery.history(id)).trail).toMatchObject([{ move: 'error', from_state: 'DISCOVERY', to_state: 'ERROR' }]);
    expect(await refusal(delivery.rollback(id, { to_state: 'PLANNING' }))).toMatchObject({ code: 'INVALID_TRANSITION', details: { allowed: ['DISCOVERY'] } });
  });

  it('accepts a submission sent right after start, and refuses one for a state an agent plays in this run', async () => {
    const { delivery } = d.open();
    const { run_id: id } = await delivery.start({ project: 'acme', change: CHANGE, automatic_roles: ['CODE_WRITER'] });
    // No settling first: the submission waits the few milliseconds until DISCOVERY opens.
    await step(delivery, id, 'Q_ASSISTANT', OUTPUTS.DISCOVERY);
    const testing = await step(delivery, id, 'Q_ASSISTANT', OUTPUTS.PLANNING);
    expect(testing.state).toBe('TESTING');
    // The agent wrote the code in between; now it's the auditor's turn, and the coder cannot submit.
    expect(await refusal(delivery.advance(id, { role: 'CODE_WRITER', output: OUTPUTS.IMPLEMENTATION }))).toMatchObject({
      code: 'FORBIDDEN',
      details: { expected_role: 'TEST_AUDITOR' },
    });
  });
});
