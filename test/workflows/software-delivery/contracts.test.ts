// Software delivery's contracts hold what real runs store: every role state's submission, by an agent (its output) or a person (the wait's resolution), with the retry loops, on SQLite and PostgreSQL.
import { expect, it } from 'vitest';
import { z } from 'zod';
import type { Engine } from '../../../src/engine/index.js';
import {
  DELIVERY_STATES as CONTRACT_STATES,
  ROLE_STATES,
  ROLES as CONTRACT_ROLES,
  storedSubmission,
  submittedResolution,
  type RoleState,
} from '../../../src/workflows/software-delivery/contracts.js';
import { DELIVERY_STATES, ROLES } from '../../../src/workflows/software-delivery/index.js';
import { describeEachStore } from '../../support/stores.js';
import { CHANGE, OUTPUTS, step, useDelivery } from './support.js';

const AGENT = '.agent';
const roleStateOf = (phase: string): RoleState | undefined => ROLE_STATES.find((s) => phase === s || phase === `${s}${AGENT}`);

/** Parses every role state's stored result of a run and says how many were by agents and by people. */
async function submissionsOf(engine: Engine, runId: string): Promise<{ byAgent: number; byPerson: number; moves: string[] }> {
  let byAgent = 0;
  let byPerson = 0;
  const moves: string[] = [];
  for (const s of await engine.steps(runId, { all: true })) {
    const state = roleStateOf(s.phase);
    if (!state || (s.kind !== 'agent' && s.kind !== 'wait')) continue;
    const schema = s.kind === 'agent' ? storedSubmission(state) : submittedResolution(state);
    const parsed = schema.safeParse(s.output);
    if (!parsed.success) throw new Error(`${s.stepKey} does not match its contract: ${z.prettifyError(parsed.error)}`);
    expect(parsed.data, s.stepKey).toEqual(s.output);
    const submission = 'data' in parsed.data ? parsed.data.data : parsed.data;
    moves.push(`${state}:${submission.action}→${submission.to_state}`);
    if (s.kind === 'agent') byAgent += 1;
    else byPerson += 1;
  }
  return { byAgent, byPerson, moves };
}

describeEachStore('software delivery contracts', (kind) => {
  const d = useDelivery(kind);

  it('parses every submission agents store, with a failed test round and a rejected review, unchanged', async () => {
    const { engine, delivery } = d.open();
    const { run_id: id } = await delivery.start({
      project: 'acme',
      change: CHANGE,
      automatic_roles: [...ROLES],
      script: { test_failures: 1, review_rejections: 1 },
    });
    expect((await delivery.settled(id)).state).toBe('COMPLETE');
    const { byAgent, byPerson, moves } = await submissionsOf(engine, id);
    expect(byPerson).toBe(0);
    expect(byAgent).toBe(11); // DISCOVERY, PLANNING, three implementations, three test rounds, two reviews, the deployment
    expect(moves).toContain('TESTING:advance→IMPLEMENTATION');
    expect(moves).toContain('VERIFICATION:advance→IMPLEMENTATION');
  });

  it('parses every submission people make, a request to retry included, unchanged', async () => {
    const { engine, delivery } = d.open();
    const { run_id: id } = await delivery.start({ project: 'acme', change: CHANGE });
    await step(delivery, id, 'Q_ASSISTANT', OUTPUTS.DISCOVERY);
    await step(delivery, id, 'Q_ASSISTANT', OUTPUTS.PLANNING);
    await step(delivery, id, 'CODE_WRITER', OUTPUTS.IMPLEMENTATION);
    await delivery.requestRetry(id, { role: 'TEST_AUDITOR', reasons: ['the tax column is missing'] });
    await delivery.settled(id);
    await step(delivery, id, 'CODE_WRITER', OUTPUTS.IMPLEMENTATION);
    await step(delivery, id, 'TEST_AUDITOR', OUTPUTS.TESTING_PASSED);
    await step(delivery, id, 'VERIFICATION_OVERSEER', OUTPUTS.VERIFICATION_APPROVED);
    expect((await step(delivery, id, 'RELEASE_MANAGER', OUTPUTS.DEPLOYMENT_OK)).state).toBe('COMPLETE');
    const { byAgent, byPerson, moves } = await submissionsOf(engine, id);
    expect(byAgent).toBe(0);
    expect(byPerson).toBe(8);
    expect(moves).toContain('TESTING:retry→IMPLEMENTATION');
  });
});

it("declares the workflow's states and roles as the workflow does", () => {
  expect(CONTRACT_STATES).toEqual(DELIVERY_STATES);
  expect(CONTRACT_ROLES).toEqual(ROLES);
});
