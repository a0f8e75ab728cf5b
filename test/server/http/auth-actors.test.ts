// People and services with their own tokens over real HTTP: who may call what (scopes), revoked and unknown tokens, the admin routes, the single-token and local modes.
import { expect, it } from 'vitest';
import { ActorDirectory } from '../../../src/actors/directory.js';
import type { ActorRecord, IssuedToken } from '../../../src/actors/contracts.js';
import { describeEachStore } from '../../support/stores.js';
import { expectError, useServers, type Api, type ErrorView, type Reply } from './harness.js';

const API_TOKEN = 'the-single-api-token';
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const RUN = '/api/orchestrator/run-workflow';
const START = { session_id: 's-1', workflow: 'review', parameters: { topic: 'tides' } };

interface Me {
  id: string;
  name: string;
  scope: string;
  roles: string[];
  any_role: boolean;
  token_id: string | null;
  mode: string;
}

const send = <T>(api: Api, method: string, path: string, token?: string, body?: unknown): Promise<Reply<T>> =>
  api.request<T>(path, {
    method,
    headers: { ...(token === undefined ? {} : bearer(token)), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });

/** Polls until `check` holds, for at most `ms`: how long it took. */
async function within(ms: number, check: () => Promise<boolean>): Promise<number> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > ms) throw new Error(`not within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return Date.now() - started;
}

describeEachStore('HTTP: actors and their tokens', (kind) => {
  const h = useServers(kind);
  const directoryOf = (api: Api) => ActorDirectory.of(api.t.store);

  it('keeps the local single-user mode while there is no actor and no BATON_API_TOKEN: no token needed, the local admin', async () => {
    const api = await h.serve();
    expect((await api.get('/api/runs')).status).toBe(200);
    const started = await api.post<{ run_id: string }>(RUN, START);
    expect(started.status).toBe(202);
    await api.engine.settled(started.body.run_id);
    expect((await api.get<Me>('/api/me')).body).toMatchObject({ id: 'local', scope: 'admin', any_role: true, mode: 'local' });
    // A stray header changes nothing in the local mode, as before actors.
    expect((await api.get('/api/runs', bearer('whatever-token'))).status).toBe(200);
  });

  it("answers a second person who reuses an idempotency key with 409, not with the first person's run", async () => {
    const api = await h.serve();
    const ada = await directoryOf(api).add({ name: 'ada', scope: 'write' });
    const bo = await directoryOf(api).add({ name: 'bo', scope: 'write' });
    const body = { ...START, idempotency_key: 'season-2027' };
    const first = await send<{ run_id: string }>(api, 'POST', RUN, ada.token.token, body);
    expect(first.status).toBe(202);
    // Ada's retry is hers; Bo's same key is refused, and the answer names neither Ada's run nor Ada.
    expect((await send<{ run_id: string }>(api, 'POST', RUN, ada.token.token, body)).body.run_id).toBe(first.body.run_id);
    const refused = await send<ErrorView>(api, 'POST', RUN, bo.token.token, body);
    expectError(refused, 409, 'CONFLICT');
    expect(JSON.stringify(refused.body)).not.toContain(first.body.run_id);
    await api.engine.settled(first.body.run_id);
    expect((await api.engine.listRuns()).total).toBe(1);
  });

  it('asks for a token within about a second once an actor is added, and takes the actor for its token', async () => {
    const api = await h.serve();
    expect((await api.get('/api/runs')).status).toBe(200);
    const { token } = await directoryOf(api).add({ name: 'ada', scope: 'write', roles: ['buyer'] });
    const took = await within(3_000, async () => (await api.get('/api/runs')).status === 401);
    expect(took).toBeLessThan(2_000);
    expectError(await api.get('/api/runs'), 401, 'UNAUTHORIZED');
    expectError(await api.post(RUN, START), 401, 'UNAUTHORIZED');
    expect((await api.engine.listRuns()).total).toBe(0);
    expect((await api.get<Me>('/api/me', bearer(token.token))).body).toMatchObject({
      name: 'ada',
      scope: 'write',
      roles: ['buyer'],
      any_role: false,
      token_id: token.id,
      mode: 'actor',
    });
    expect((await api.post(RUN, START, bearer(token.token))).status).toBe(202);
  });

  it('answers an unknown token and a revoked one with the same 403, and a malformed header with 401', async () => {
    const api = await h.serve();
    const directory = directoryOf(api);
    const { token } = await directory.add({ name: 'ada' });
    await directory.add({ name: 'bob' });
    expect((await api.get('/api/runs', bearer(token.token))).status).toBe(200);
    await directory.revoke('ada');
    const revoked = expectError(await api.get('/api/runs', bearer(token.token)), 403, 'FORBIDDEN');
    const unknown = expectError(await api.get('/api/runs', bearer(`baton_0123456789abcdef_${'A'.repeat(43)}`)), 403, 'FORBIDDEN');
    const garbage = expectError(await api.get('/api/runs', bearer('nonsense-token')), 403, 'FORBIDDEN');
    // Everything but the request id is the same: the answer never tells which of them it was.
    const withoutId = (error: ErrorView) => ({ ...error, request_id: 'any' });
    expect(withoutId(unknown)).toEqual(withoutId(revoked));
    expect(withoutId(garbage)).toEqual(withoutId(revoked));
    // Without its request id: a random UUID may spell "ada" (CI met 2ada23f8-…).
    expect(JSON.stringify(withoutId(revoked))).not.toMatch(/ada|revoked/);
    expectError(await api.get('/api/runs', { authorization: 'Bearer' }), 401, 'UNAUTHORIZED');
    expectError(await api.get('/api/runs', { authorization: `Token ${token.token}` }), 401, 'UNAUTHORIZED');
    expectError(await api.post(RUN, START, { authorization: 'Bearer ' }), 401, 'UNAUTHORIZED');
  });

  it('refuses a revoked token of a live actor while its other tokens keep working', async () => {
    const api = await h.serve();
    const directory = directoryOf(api);
    const { token } = await directory.add({ name: 'ada' });
    const spare = await directory.issueToken('ada', 'ci');
    await directory.revokeToken(token.id);
    expectError(await api.get('/api/runs', bearer(token.token)), 403, 'FORBIDDEN');
    expect((await api.get('/api/runs', bearer(spare.token))).status).toBe(200);
  });

  it('lets a read-only actor read runs but change nothing, with a 403 naming the scope needed', async () => {
    const api = await h.serve();
    const directory = directoryOf(api);
    const writer = await directory.add({ name: 'wes', scope: 'write' });
    const reader = await directory.add({ name: 'rita', scope: 'read', kind: 'service' });
    const started = await api.post<{ run_id: string }>(RUN, START, bearer(writer.token.token));
    expect(started.status).toBe(202);
    await api.engine.settled(started.body.run_id);

    expect((await api.get('/api/runs', bearer(reader.token.token))).status).toBe(200);
    expect((await api.get(`/api/runs/${started.body.run_id}`, bearer(reader.token.token))).status).toBe(200);
    expect((await api.get(`/api/runs/${started.body.run_id}/events`, bearer(reader.token.token))).status).toBe(200);
    const refused = expectError(await api.post(RUN, START, bearer(reader.token.token)), 403, 'FORBIDDEN');
    expect(refused.message).toContain('needs scope write');
    expect(refused.details).toEqual({ scope_needed: 'write', scope: 'read' });
    expectError(await api.post(`/api/runs/${started.body.run_id}/cancel`, {}, bearer(reader.token.token)), 403, 'FORBIDDEN');
    expect((await api.engine.listRuns()).total).toBe(1);
  });

  it('keeps the actor routes to admins: a writer and a reader get 403 naming scope admin', async () => {
    const api = await h.serve();
    const directory = directoryOf(api);
    const writer = await directory.add({ name: 'wes', scope: 'write' });
    const reader = await directory.add({ name: 'rita', scope: 'read' });
    for (const token of [writer.token.token, reader.token.token]) {
      const list = expectError(await api.get('/api/actors', bearer(token)), 403, 'FORBIDDEN');
      expect(list.message).toContain('needs scope admin');
      // The HEAD route Fastify adds beside a GET needs what the GET needs.
      expect((await send(api, 'HEAD', '/api/actors', token)).status).toBe(403);
      expectError(await send(api, 'POST', '/api/actors', token, { name: 'mallory', scope: 'admin' }), 403, 'FORBIDDEN');
      expectError(await send(api, 'POST', '/api/actors/wes/tokens', token, {}), 403, 'FORBIDDEN');
      expectError(await send(api, 'PUT', '/api/actors/wes/roles', token, { roles: ['buyer'] }), 403, 'FORBIDDEN');
      expectError(await send(api, 'DELETE', '/api/actors/rita', token), 403, 'FORBIDDEN');
    }
    expect((await directory.list()).map((a) => [a.name, a.roles, a.revoked_at])).toEqual([
      ['rita', [], null],
      ['wes', [], null],
    ]);
  });

  it('lets an admin add actors, mint and revoke tokens, set roles and revoke actors, never showing a hash or salt', async () => {
    const api = await h.serve();
    const { token: root } = await directoryOf(api).add({ name: 'root', scope: 'admin' });
    const created = await send<{ actor: ActorRecord; token: IssuedToken }>(api, 'POST', '/api/actors', root.token, {
      name: 'ada',
      roles: ['lead-builder'],
      label: 'laptop',
    });
    expect(created.status).toBe(201);
    expect(created.body.actor).toMatchObject({ name: 'ada', kind: 'person', scope: 'write', roles: ['lead-builder'] });
    const ada = created.body.token.token;
    expect((await api.get<Me>('/api/me', bearer(ada))).body).toMatchObject({ name: 'ada', roles: ['lead-builder'] });

    expectError(await send(api, 'POST', '/api/actors', root.token, { name: 'ada' }), 409, 'CONFLICT');
    expectError(await send(api, 'POST', '/api/actors', root.token, { name: 'eve', roles: ['Not A Role'] }), 422, 'INVALID_PARAMETERS');
    expectError(await send(api, 'POST', '/api/actors', root.token, { name: 'eve', scope: 'root' }), 422, 'INVALID_PARAMETERS');
    expectError(await send(api, 'DELETE', '/api/actors/nobody', root.token), 404, 'NOT_FOUND');

    const roles = await send<ActorRecord>(api, 'PUT', `/api/actors/${created.body.actor.id}/roles`, root.token, { roles: ['champion', 'buyer'] });
    expect(roles.status).toBe(200);
    expect(roles.body.roles).toEqual(['champion', 'buyer']);
    expect((await api.get<Me>('/api/me', bearer(ada))).body.roles).toEqual(['champion', 'buyer']);

    const second = await send<IssuedToken>(api, 'POST', '/api/actors/ada/tokens', root.token, { label: 'ci' });
    expect(second.status).toBe(201);
    expect((await api.get('/api/runs', bearer(second.body.token))).status).toBe(200);
    const dropped = await send(api, 'DELETE', `/api/actors/ada/tokens/${second.body.id}`, root.token);
    expect(dropped.status).toBe(200);
    expectError(await api.get('/api/runs', bearer(second.body.token)), 403, 'FORBIDDEN');
    expectError(await send(api, 'DELETE', `/api/actors/root/tokens/${created.body.token.id}`, root.token), 404, 'NOT_FOUND');

    const list = await api.get<{ actors: ActorRecord[] }>('/api/actors', bearer(root.token));
    expect(list.status).toBe(200);
    expect(list.body.actors.map((a) => a.name)).toEqual(['ada', 'root']);
    expect(list.body.actors[0]?.tokens.map((t) => t.label)).toEqual(['laptop', 'ci']);
    expect(JSON.stringify(list.body)).not.toMatch(/salt|hash|baton_/);

    const revoked = await send<ActorRecord>(api, 'DELETE', '/api/actors/ada', root.token);
    expect(revoked.status).toBe(200);
    expect(revoked.body.revoked_at).not.toBeNull();
    expectError(await api.get('/api/runs', bearer(ada)), 403, 'FORBIDDEN');
  });

  it('lets the local user add the first admin over the API, after which tokens are required', async () => {
    const api = await h.serve();
    const created = await api.post<{ token: IssuedToken }>('/api/actors', { name: 'root', scope: 'admin' });
    expect(created.status).toBe(201);
    await within(3_000, async () => (await api.get('/api/actors')).status === 401);
    expect((await api.get('/api/actors', bearer(created.body.token.token))).status).toBe(200);
  });

  it('keeps BATON_API_TOKEN working alone as an admin holding every role, and beside actors', async () => {
    const api = await h.serve({ config: { apiToken: API_TOKEN } });
    expectError(await api.get('/api/runs'), 401, 'UNAUTHORIZED');
    expect((await api.get<Me>('/api/me', bearer(API_TOKEN))).body).toMatchObject({ id: 'api-token', scope: 'admin', any_role: true, mode: 'api-token' });
    const created = await send<{ token: IssuedToken }>(api, 'POST', '/api/actors', API_TOKEN, { name: 'rita', scope: 'read' });
    expect(created.status).toBe(201);
    expect((await api.post(RUN, START, bearer(API_TOKEN))).status).toBe(202);
    expect((await api.get('/api/runs', bearer(created.body.token.token))).status).toBe(200);
    expectError(await api.post(RUN, START, bearer(created.body.token.token)), 403, 'FORBIDDEN');
    expectError(await api.get('/api/runs', bearer('the-single-api-tokeN')), 403, 'FORBIDDEN');
  });

  it('with BATON_PUBLIC_READ, reads without a token are anonymous, a token still names its actor, and the actor routes stay closed', async () => {
    const api = await h.serve({ config: { apiToken: API_TOKEN, publicRead: 'true' } });
    const { token } = await directoryOf(api).add({ name: 'ada', roles: ['buyer'] });
    expect((await api.get('/api/runs')).status).toBe(200);
    expect((await api.get<Me>('/api/me')).body).toMatchObject({ id: 'anonymous', scope: 'read', mode: 'anonymous' });
    expect((await api.get<Me>('/api/me', bearer(token.token))).body).toMatchObject({ name: 'ada', mode: 'actor' });
    expectError(await api.get('/api/actors'), 401, 'UNAUTHORIZED');
    expectError(await api.post(RUN, START), 401, 'UNAUTHORIZED');
  });
});
