// Bearer-token access (mutating routes always, reads unless publicRead, /health and the docs never) and CORS for browser origins.
import { expect, it } from 'vitest';
import { describeEachStore } from '../../support/stores.js';
import { expectError, useServers } from './harness.js';

const TOKEN = 'secret-token-123';
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const RUN = '/api/orchestrator/run-workflow';
const START = { session_id: 's-1', workflow: 'review', parameters: { topic: 'tides' } };

describeEachStore('HTTP: auth and CORS', (kind) => {
  const h = useServers(kind);

  it('refuses a POST without a token with 401 UNAUTHORIZED and starts nothing', async () => {
    const api = await h.serve({ config: { apiToken: TOKEN } });
    const error = expectError(await api.post(RUN, START), 401, 'UNAUTHORIZED');
    expect(error.suggestions).toEqual(['send Authorization: Bearer <token>']);
    expectError(await api.post(RUN, START, { authorization: `Basic ${TOKEN}` }), 401, 'UNAUTHORIZED');
    expect((await api.engine.listRuns()).total).toBe(0);
  });

  it('refuses a POST with a wrong token with 403 FORBIDDEN', async () => {
    const api = await h.serve({ config: { apiToken: TOKEN } });
    expectError(await api.post(RUN, START, bearer('secret-token-124')), 403, 'FORBIDDEN');
    expectError(await api.post(RUN, START, bearer('short')), 403, 'FORBIDDEN');
    expect((await api.engine.listRuns()).total).toBe(0);
  });

  it('accepts a POST with the right bearer token', async () => {
    const api = await h.serve({ config: { apiToken: TOKEN } });
    const reply = await api.post<{ run_id: string }>(RUN, START, bearer(TOKEN));
    expect(reply.status).toBe(202);
    await api.engine.settled(reply.body.run_id);
    const cancel = await api.post(`/api/runs/${reply.body.run_id}/cancel`, {}, bearer(TOKEN));
    expect(cancel.status).toBe(200);
  });

  it('checks the token before the body, so an unauthenticated caller learns nothing of the schema', async () => {
    const api = await h.serve({ config: { apiToken: TOKEN } });
    expectError(await api.post(RUN, { nonsense: true }), 401, 'UNAUTHORIZED');
    expectError(await api.post('/api/runs/ghost/retry', undefined, bearer('wrong-token-0')), 403, 'FORBIDDEN');
  });

  it('guards GET routes too unless publicRead', async () => {
    const api = await h.serve({ config: { apiToken: TOKEN } });
    for (const path of ['/api/runs', '/api/workflows', '/api/workflows/review/stats']) {
      expectError(await api.get(path), 401, 'UNAUTHORIZED');
      expectError(await api.get(path, bearer('not-the-token')), 403, 'FORBIDDEN');
      expect((await api.get(path, bearer(TOKEN))).status, path).toBe(200);
    }
  });

  it('leaves GET routes open with publicRead while POST routes still need the token', async () => {
    const api = await h.serve({ config: { apiToken: TOKEN, publicRead: 'true' } });
    expect((await api.get('/api/runs')).status).toBe(200);
    expect((await api.get('/api/workflows')).status).toBe(200);
    expectError(await api.get('/api/runs/ghost'), 404, 'NOT_FOUND');
    expectError(await api.post(RUN, START), 401, 'UNAUTHORIZED');
    expect((await api.post(RUN, START, bearer(TOKEN))).status).toBe(202);
  });

  it('keeps /health, the OpenAPI document and the docs open without a token', async () => {
    const api = await h.serve({ config: { apiToken: TOKEN } });
    expect((await api.get('/health')).status).toBe(200);
    expect((await api.get('/openapi.json')).status).toBe(200);
    expect((await fetch(`${api.base}/docs`)).status).toBe(200);
  });

  it('declares bearer security in the OpenAPI document when a token is set', async () => {
    const api = await h.serve({ config: { apiToken: TOKEN } });
    const { body } = await api.get<{ security?: unknown; components?: { securitySchemes?: unknown } }>('/openapi.json');
    expect(body.security).toEqual([{ bearer: [] }]);
    expect(body.components?.securitySchemes).toEqual({ bearer: { type: 'http', scheme: 'bearer' } });
  });

  it('needs no token at all when none is configured', async () => {
    const api = await h.serve();
    expect((await api.post(RUN, START)).status).toBe(202);
    expect((await api.get('/api/runs')).status).toBe(200);
  });

  const preflight = (base: string, origin: string) =>
    fetch(`${base}${RUN}`, {
      method: 'OPTIONS',
      headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type, authorization' },
    });

  it('answers a CORS preflight from an allowed origin with access-control-allow-origin', async () => {
    const api = await h.serve({ config: { corsOrigins: 'http://dash.example' } });
    const response = await preflight(api.base, 'http://dash.example');
    expect(response.status).toBeLessThan(300);
    expect(response.headers.get('access-control-allow-origin')).toBe('http://dash.example');
    expect(response.headers.get('access-control-allow-methods')).toContain('POST');
    const get = await fetch(`${api.base}/api/workflows`, { headers: { origin: 'http://dash.example' } });
    expect(get.headers.get('access-control-allow-origin')).toBe('http://dash.example');
  });

  it('does not allow an origin that is not listed', async () => {
    const api = await h.serve({ config: { corsOrigins: 'http://dash.example' } });
    const response = await preflight(api.base, 'http://evil.example');
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('allows no origin by default', async () => {
    const api = await h.serve();
    const response = await preflight(api.base, 'http://dash.example');
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
    const get = await fetch(`${api.base}/api/workflows`, { headers: { origin: 'http://dash.example' } });
    expect(get.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('answers the preflight of an allowed origin without a token when a token guards the API', async () => {
    // Browsers never send Authorization on a preflight: refusing it blocks every cross-origin call.
    const api = await h.serve({ config: { apiToken: TOKEN, corsOrigins: 'http://dash.example' } });
    const response = await preflight(api.base, 'http://dash.example');
    expect(response.status).toBeLessThan(300);
    expect(response.headers.get('access-control-allow-origin')).toBe('http://dash.example');
  });

  it('lets the browser read a refusal: a 401 to an allowed origin carries access-control-allow-origin', async () => {
    const api = await h.serve({ config: { apiToken: TOKEN, corsOrigins: 'http://dash.example' } });
    const reply = await api.post(RUN, START, { origin: 'http://dash.example' });
    expectError(reply, 401, 'UNAUTHORIZED');
    expect(reply.headers.get('access-control-allow-origin')).toBe('http://dash.example');
  });
});
