// Software delivery with actors (issue 17): the role a caller acts in is checked against the roles it holds, never
// taken from the request; the workflow record names its user and build; every audit record names who triggered it.
import { expect, it } from 'vitest';
import { LOCAL_ACTOR, type Actor } from '../../../src/actors/contracts.js';
import { describeEachStore } from '../../support/stores.js';
import { CHANGE, OUTPUTS, refusal, useDelivery } from './support.js';

const person = (name: string, roles: string[]): Actor => ({
  id: `id-${name}`,
  name,
  token_id: `token-${name}`,
  kind: 'person',
  scope: 'write',
  roles,
  any_role: false,
});

const ana = person('ana', ['Q_ASSISTANT']);
const carl = person('carl', ['CODE_WRITER']);
const nobody = person('nobody', []);

describeEachStore('software delivery with actors', (kind) => {
  const d = useDelivery(kind);

  const startAs = async (actor: Actor, extra: Record<string, unknown> = {}) => {
    const { engine, delivery } = d.open();
    const started = await delivery.start({ project: 'acme', change: CHANGE, ...extra }, { actor });
    return { engine, delivery, id: started.run_id, started, status: await delivery.settled(started.run_id) };
  };

  it('records the starting actor as the user and keeps the build a client names', async () => {
    const { started, status } = await startAs(ana, { build_id: 'build-9' });
    expect(started).toMatchObject({ user_id: 'id-ana', build_id: 'build-9' });
    expect(status).toMatchObject({ user_id: 'id-ana', build_id: 'build-9' });
  });

  it('refuses a start naming another user unless the caller holds every role (single-user mode), with 403', async () => {
    const { delivery } = d.open();
    const error = await refusal(delivery.start({ project: 'acme', change: CHANGE, user_id: 'id-carl' }, { actor: ana }));
    expect(error).toMatchObject({ code: 'FORBIDDEN', httpStatus: 403, details: { user_id: 'id-carl', actor: 'id-ana' } });
    expect((await delivery.start({ project: 'acme', change: CHANGE, user_id: 'id-ana' }, { actor: ana })).user_id).toBe('id-ana');
    expect((await delivery.start({ project: 'acme', change: CHANGE, user_id: 'dana' }, { actor: LOCAL_ACTOR })).user_id).toBe('dana');
    expect((await delivery.start({ project: 'acme', change: CHANGE })).user_id).toBe('local');
  });

  it('takes the role the state needs when the caller declares none and holds it, and records the caller as triggered_by', async () => {
    const { delivery, id } = await startAs(ana);
    await delivery.advance(id, { output: OUTPUTS.DISCOVERY }, { actor: ana });
    expect((await delivery.settled(id)).state).toBe('PLANNING');
    const { trail } = await delivery.history(id);
    expect(trail[0]).toMatchObject({
      from_state: 'DISCOVERY',
      to_state: 'PLANNING',
      by: 'Q_ASSISTANT',
      triggered_by: { id: 'id-ana', name: 'ana', token_id: 'token-ana' },
    });
  });

  it('answers 403 naming the role when the caller does not hold the role the state needs, declared or not, and changes nothing', async () => {
    const { delivery, id, status } = await startAs(ana);
    const undeclared = await refusal(delivery.advance(id, { output: OUTPUTS.DISCOVERY }, { actor: carl }));
    expect(undeclared).toMatchObject({ code: 'FORBIDDEN', httpStatus: 403, details: { state: 'DISCOVERY', expected_role: 'Q_ASSISTANT' } });
    expect(undeclared.message).toContain('Q_ASSISTANT');
    // Declaring a role the caller does not hold is not believed.
    const declared = await refusal(delivery.advance(id, { role: 'Q_ASSISTANT', output: OUTPUTS.DISCOVERY }, { actor: carl }));
    expect(declared).toMatchObject({ code: 'FORBIDDEN', details: { role: 'Q_ASSISTANT' } });
    expect(declared.message).toContain('carl does not hold role Q_ASSISTANT');
    // A role the caller holds but that does not own the state: 403 naming the owner, as before actors.
    const outOfTurn = await refusal(delivery.advance(id, { role: 'CODE_WRITER', output: OUTPUTS.DISCOVERY }, { actor: carl }));
    expect(outOfTurn).toMatchObject({ code: 'FORBIDDEN', details: { state: 'DISCOVERY', expected_role: 'Q_ASSISTANT', role: 'CODE_WRITER' } });
    const retry = await refusal(delivery.requestRetry(id, { reasons: ['x'] }, { actor: nobody }));
    expect(retry).toMatchObject({ code: 'FORBIDDEN', details: { expected_role: 'Q_ASSISTANT' } });
    expect(await delivery.status(id)).toMatchObject({ state: 'DISCOVERY', last_seq: status.last_seq });
  });

  it('trusts a declared role from a caller holding every role (local mode, BATON_API_TOKEN), as before actors', async () => {
    const { delivery, id } = await startAs(LOCAL_ACTOR);
    const error = await refusal(delivery.advance(id, { role: 'RELEASE_MANAGER', output: OUTPUTS.DEPLOYMENT_OK }, { actor: LOCAL_ACTOR }));
    expect(error).toMatchObject({ code: 'FORBIDDEN', details: { state: 'DISCOVERY', expected_role: 'Q_ASSISTANT', role: 'RELEASE_MANAGER' } });
    await delivery.advance(id, { role: 'Q_ASSISTANT', output: OUTPUTS.DISCOVERY }, { actor: LOCAL_ACTOR });
    expect((await delivery.settled(id)).state).toBe('PLANNING');
    expect((await delivery.history(id)).trail[0]?.triggered_by).toEqual({ id: 'local', name: 'local', token_id: null });
  });

  it("records a retry's actor and reasons, and hands each role only the turns of roles it holds", async () => {
    const { delivery, id } = await startAs(ana);
    await delivery.advance(id, { output: OUTPUTS.DISCOVERY }, { actor: ana });
    await delivery.settled(id);
    await delivery.advance(id, { output: OUTPUTS.PLANNING }, { actor: ana });
    expect((await delivery.settled(id)).state).toBe('IMPLEMENTATION');
    expect(await refusal(delivery.advance(id, { output: OUTPUTS.IMPLEMENTATION }, { actor: ana }))).toMatchObject({
      code: 'FORBIDDEN',
      details: { expected_role: 'CODE_WRITER' },
    });
    await delivery.requestRetry(id, { reasons: ['the plan misses the tax column'] }, { actor: carl });
    expect((await delivery.settled(id)).state).toBe('PLANNING');
    const retry = (await delivery.history(id)).trail.find((e) => e.move === 'retry');
    expect(retry).toMatchObject({
      from_state: 'IMPLEMENTATION',
      to_state: 'PLANNING',
      by: 'CODE_WRITER',
      triggered_by: { id: 'id-carl', name: 'carl' },
      transferred: { reasons: ['the plan misses the tax column'] },
    });
    expect(retry?.reason).toContain('the plan misses the tax column');
  });

  it('names the agent or the system as triggered_by where no person decided', async () => {
    const { delivery, id } = await startAs(ana, { automatic_roles: ['Q_ASSISTANT'] });
    expect((await delivery.settled(id)).state).toBe('IMPLEMENTATION');
    const { trail } = await delivery.history(id);
    expect(trail.map((e) => [e.from_state, e.triggered_by?.id])).toEqual([
      ['DISCOVERY', 'agent:delivery_q_assistant'],
      ['PLANNING', 'agent:delivery_q_assistant'],
      ['HANDOFF_TO_CODER', 'system'],
    ]);
  });
});
