// Software delivery over real HTTP with actors' tokens (issue 17): the starting actor is the workflow's user, a caller
// acts only in roles it holds (403 naming the role, whatever the body declares), read-only actors read but change
// nothing, and BATON_API_TOKEN keeps today's declared roles. Both route families, both databases.
import { expect, it } from 'vitest';
import { ActorDirectory } from '../../../src/actors/directory.js';
import { describeEachStore } from '../../support/stores.js';
import { CHANGE, OUTPUTS } from '../../workflows/software-delivery/support.js';
import { expectError, useServers, type Api, type Reply } from './harness.js';

const API_TOKEN = 'the-single-api-token';
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

interface Workflow {
  workflow_id: string;
  state: string;
  user_id: string | null;
  build_id: string | null;
}
interface History {
  trail: { move: string; from_state: string; triggered_by: { id: string; name: string; token_id: string | null } | null }[];
}

const post = <T>(api: Api, path: string, token: string, body: unknown): Promise<Reply<T>> => api.post<T>(path, body, bearer(token));

describeEachStore('HTTP: software delivery with actors', (kind) => {
  const h = useServers(kind);
  const serve = (config = {}) => h.serve({ delivery: true, workflows: ['review'], config });

  /** A server with a writer holding no delivery role and a read-only actor, added before the first request. */
  const withActors = async () => {
    const api = await serve();
    const directory = ActorDirectory.of(api.t.store);
    const writer = await directory.add({ name: 'wendy', scope: 'write' });
    const reader = await directory.add({ name: 'rita', scope: 'read' });
    return { api, writer: { id: writer.actor.id, token: writer.token.token }, reader: { id: reader.actor.id, token: reader.token.token } };
  };

  it('records the actor who starts a workflow as its user_id, with the build_id the client sends, on both route families', async () => {
    const { api, writer } = await withActors();
    const spec = await post<Workflow>(api, '/api/workflows/acme/start', writer.token, { change: CHANGE, build_id: 'build-1' });
    expect(spec.status, JSON.stringify(spec.body)).toBe(202);
    expect(spec.body).toMatchObject({ user_id: writer.id, build_id: 'build-1' });
    const delivery = await post<Workflow>(api, '/api/delivery/runs', writer.token, { project: 'acme', change: CHANGE });
    expect(delivery.body).toMatchObject({ user_id: writer.id, build_id: null });
    const other = expectError(await post(api, '/api/workflows/acme/start', writer.token, { change: CHANGE, user_id: 'someone-else' }), 403, 'FORBIDDEN');
    expect(other.details).toMatchObject({ user_id: 'someone-else', actor: writer.id });
  });

  it('answers 403 naming the role a caller does not hold, declared in the body or not, and changes nothing', async () => {
    const { api, writer } = await withActors();
    const { workflow_id: id } = (await post<Workflow>(api, '/api/workflows/acme/start', writer.token, { change: CHANGE })).body;
    await api.engine.settled(id);
    for (const base of [`/api/workflows/${id}`, `/api/delivery/runs/${id}`]) {
      const undeclared = expectError(await post(api, `${base}/advance`, writer.token, { output: OUTPUTS.DISCOVERY }), 403, 'FORBIDDEN');
      expect(undeclared.message).toContain('Q_ASSISTANT');
      expect(undeclared.details).toMatchObject({ state: 'DISCOVERY', expected_role: 'Q_ASSISTANT' });
      const declared = expectError(await post(api, `${base}/advance`, writer.token, { role: 'Q_ASSISTANT', output: OUTPUTS.DISCOVERY }), 403, 'FORBIDDEN');
      expect(declared.message).toBe('wendy does not hold role Q_ASSISTANT');
      expect(declared.details).toMatchObject({ role: 'Q_ASSISTANT' });
      const retry = expectError(await post(api, `${base}/request-retry`, writer.token, { reasons: ['again'] }), 403, 'FORBIDDEN');
      expect(retry.details).toMatchObject({ expected_role: 'Q_ASSISTANT' });
    }
    const status = await api.get<Workflow>(`/api/workflows/${id}/status`, bearer(writer.token));
    expect(status.body).toMatchObject({ state: 'DISCOVERY' });
    expect((await api.get<History>(`/api/workflows/${id}/history`, bearer(writer.token))).body.trail).toEqual([]);
  });

  it('lets a read-only actor read a workflow, its history and stats, but not start, advance, retry or roll back', async () => {
    const { api, writer, reader } = await withActors();
    const { workflow_id: id } = (await post<Workflow>(api, '/api/workflows/acme/start', writer.token, { change: CHANGE })).body;
    await api.engine.settled(id);
    for (const path of [`/api/workflows/${id}/status`, `/api/workflows/${id}/history`, '/api/workflows/project/acme/stats', `/api/delivery/runs/${id}`]) {
      expect((await api.get(path, bearer(reader.token))).status, path).toBe(200);
    }
    for (const [path, body] of [
      ['/api/workflows/acme/start', { change: CHANGE }],
      [`/api/workflows/${id}/advance`, { role: 'Q_ASSISTANT', output: OUTPUTS.DISCOVERY }],
      [`/api/workflows/${id}/request-retry`, { reasons: ['x'] }],
      [`/api/workflows/${id}/rollback`, {}],
    ] as const) {
      expectError(await post(api, path, reader.token, body), 403, 'FORBIDDEN');
    }
  });

  it('lets people with tokens carry a workflow in the roles they hold (actors spell them lower-case), each move naming its person', async () => {
    const api = await serve();
    const directory = ActorDirectory.of(api.t.store);
    const ana = await directory.add({ name: 'ana', roles: ['q_assistant'] });
    const carl = await directory.add({ name: 'carl', roles: ['code_writer'] });
    const { workflow_id: id, user_id } = (await post<Workflow>(api, '/api/workflows/acme/start', ana.token.token, { change: CHANGE })).body;
    expect(user_id).toBe(ana.actor.id);
    await api.engine.settled(id);
    expect((await post(api, `/api/workflows/${id}/advance`, ana.token.token, { output: OUTPUTS.DISCOVERY })).status).toBe(200);
    await api.engine.settled(id);
    expect((await post(api, `/api/workflows/${id}/advance`, ana.token.token, { role: 'Q_ASSISTANT', output: OUTPUTS.PLANNING })).status).toBe(200);
    await api.engine.settled(id);
    // Ana holds no CODE_WRITER: implementation is Carl's, who sends the work back to planning instead.
    expectError(await post(api, `/api/workflows/${id}/advance`, ana.token.token, { output: OUTPUTS.IMPLEMENTATION }), 403, 'FORBIDDEN');
    expect((await post(api, `/api/workflows/${id}/request-retry`, carl.token.token, { reasons: ['the plan skips the tax column'] })).status).toBe(200);
    await api.engine.settled(id);
    expect((await api.get<Workflow>(`/api/workflows/${id}/status`, bearer(carl.token.token))).body.state).toBe('PLANNING');
    const { trail } = (await api.get<History>(`/api/workflows/${id}/history`, bearer(ana.token.token))).body;
    expect(trail.filter((e) => e.triggered_by?.id !== 'system').map((e) => [e.move, e.from_state, e.triggered_by?.name])).toEqual([
      ['forward', 'DISCOVERY', 'ana'],
      ['forward', 'PLANNING', 'ana'],
      ['retry', 'IMPLEMENTATION', 'carl'],
    ]);
  });

  it("records who rolled a workflow back as the rollback's triggered_by, the token it used included", async () => {
    const { api, writer } = await withActors();
    const started = await post<Workflow>(api, '/api/workflows/acme/start', writer.token, { change: CHANGE, automatic_roles: ['Q_ASSISTANT'] });
    const id = started.body.workflow_id;
    await api.engine.settled(id);
    const back = await post<Workflow>(api, `/api/workflows/${id}/rollback`, writer.token, { to_state: 'PLANNING', reason: 'the plan is stale' });
    expect(back.status, JSON.stringify(back.body)).toBe(200);
    await api.engine.settled(id);
    const { trail } = (await api.get<History>(`/api/workflows/${id}/history`, bearer(writer.token))).body;
    const rollback = trail.find((e) => e.move === 'rollback');
    expect(rollback).toMatchObject({ from_state: 'IMPLEMENTATION', triggered_by: { id: writer.id, name: 'wendy' } });
    expect(rollback?.triggered_by?.token_id).toEqual(expect.any(String));
    // The agent's moves name the agent, the handoffs the system.
    expect(trail.filter((e) => e.move === 'forward').map((e) => e.triggered_by?.id)).toContain('agent:delivery_q_assistant');
  });

  it('keeps BATON_API_TOKEN trusted with the role its body declares (403 only out of turn), recorded as its actor', async () => {
    const api = await serve({ apiToken: API_TOKEN });
    const started = await post<Workflow>(api, '/api/workflows/acme/start', API_TOKEN, { change: CHANGE });
    expect(started.body.user_id).toBe('api-token');
    const id = started.body.workflow_id;
    await api.engine.settled(id);
    expectError(await post(api, `/api/workflows/${id}/advance`, API_TOKEN, { role: 'RELEASE_MANAGER', output: OUTPUTS.DEPLOYMENT_OK }), 403, 'FORBIDDEN');
    expect((await post(api, `/api/workflows/${id}/advance`, API_TOKEN, { role: 'Q_ASSISTANT', output: OUTPUTS.DISCOVERY })).status).toBe(200);
    await api.engine.settled(id);
    const { trail } = (await api.get<History>(`/api/workflows/${id}/history`, bearer(API_TOKEN))).body;
    expect(trail[0]).toMatchObject({ from_state: 'DISCOVERY', triggered_by: { id: 'api-token', name: 'BATON_API_TOKEN' } });
  });
});
