// The one error shape for every failure (unknown routes, unreadable and oversized bodies) and request ids echoed in headers and bodies.
import { expect, it } from 'vitest';
import { describeEachStore } from '../../support/stores.js';
import { expectError, useServers } from './harness.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const RUN = '/api/orchestrator/run-workflow';

describeEachStore('HTTP: errors and request ids', (kind) => {
  const h = useServers(kind);

  it('answers an unknown route with 404 NOT_FOUND in the error shape', async () => {
    const api = await h.serve();
    const error = expectError(await api.get('/api/nothing-here?x=1'), 404, 'NOT_FOUND');
    expect(error.message).toBe('no route GET /api/nothing-here');
    expect(error.suggestions).toEqual(['see /docs for the routes']);
    expectError(await api.post('/api/runs'), 404, 'NOT_FOUND');
  });

  it('answers malformed JSON with 400 BAD_REQUEST', async () => {
    const api = await h.serve();
    const reply = await api.request(RUN, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"session_id": "s-1",' });
    const error = expectError(reply, 400, 'BAD_REQUEST');
    expect(error.details).toEqual({});
    expect(error.suggestions.length).toBeGreaterThan(0);
  });

  it('reads an empty JSON body as no body: 400 INCOMPLETE_INPUT naming it where the route needs one, as without the header', async () => {
    const api = await h.serve();
    const empty = expectError(await api.request(RUN, { method: 'POST', headers: { 'content-type': 'application/json' } }), 400, 'INCOMPLETE_INPUT');
    const none = expectError(await api.request(RUN, { method: 'POST' }), 400, 'INCOMPLETE_INPUT');
    expect(empty.message).toBe(none.message);
  });

  it('answers a body in a content type it does not read with 400 BAD_REQUEST', async () => {
    const api = await h.serve();
    const reply = await api.request(RUN, { method: 'POST', headers: { 'content-type': 'application/xml' }, body: '<run/>' });
    expectError(reply, 400, 'BAD_REQUEST');
  });

  it('answers a body over bodyLimit with 413 PAYLOAD_TOO_LARGE and starts nothing', async () => {
    const api = await h.serve({ config: { bodyLimit: 1024 } });
    const small = await api.post(RUN, { session_id: 's-1', workflow: 'review', parameters: { topic: 'x'.repeat(800) } });
    expect(small.status).toBe(202);
    const big = await api.post(RUN, { session_id: 's-1', workflow: 'review', parameters: { topic: 'x'.repeat(2000) } });
    expectError(big, 413, 'PAYLOAD_TOO_LARGE');
    expect((await api.engine.listRuns()).total).toBe(1);
  });

  it('echoes the X-Request-Id it was given in the response header and in the error body', async () => {
    const api = await h.serve();
    const reply = await api.get('/api/runs/ghost', { 'x-request-id': 'my-id-1' });
    expect(reply.headers.get('x-request-id')).toBe('my-id-1');
    expect(expectError(reply, 404, 'NOT_FOUND').request_id).toBe('my-id-1');
    const ok = await api.get('/api/workflows', { 'x-request-id': 'my-id-2' });
    expect([ok.status, ok.headers.get('x-request-id')]).toEqual([200, 'my-id-2']);
  });

  it('generates a request id when none is given, different for each request, and echoes it', async () => {
    const api = await h.serve();
    const first = await api.get('/api/runs/ghost');
    const second = await api.get('/api/runs/ghost');
    const id = first.headers.get('x-request-id');
    expect(id).toMatch(UUID);
    expect(expectError(first, 404, 'NOT_FOUND').request_id).toBe(id);
    expect(second.headers.get('x-request-id')).toMatch(UUID);
    expect(second.headers.get('x-request-id')).not.toBe(id);
    expect((await api.get('/health')).headers.get('x-request-id')).toMatch(UUID);
  });

  it('replaces a request id that is not a sane token with a generated one', async () => {
    const api = await h.serve();
    for (const given of ['has spaces in it', 'x'.repeat(129), '<script>']) {
      const reply = await api.get('/api/runs/ghost', { 'x-request-id': given });
      expect(reply.headers.get('x-request-id')).toMatch(UUID);
      expect(expectError(reply, 404, 'NOT_FOUND').request_id).toBe(reply.headers.get('x-request-id'));
    }
  });

  it('keeps the request id on validation, conflict and size errors alike', async () => {
    const api = await h.serve({ config: { bodyLimit: 1024 } });
    const headers = { 'x-request-id': 'trace-7' };
    const replies = [
      await api.post(RUN, { workflow: 'review', parameters: {} }, headers),
      await api.post(RUN, { session_id: 's', workflow: 'review', parameters: { topic: 'y'.repeat(2000) } }, headers),
      await api.request(RUN, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: '{' }),
      await api.post('/api/runs/ghost/retry', undefined, headers),
    ];
    expect(replies.map((r) => [r.status, r.headers.get('x-request-id'), (r.body as { request_id: string }).request_id])).toEqual([
      [400, 'trace-7', 'trace-7'],
      [413, 'trace-7', 'trace-7'],
      [400, 'trace-7', 'trace-7'],
      [404, 'trace-7', 'trace-7'],
    ]);
  });

  it('answers an unexpected failure with 500 INTERNAL_ERROR in the error shape, without its internals', async () => {
    const api = await h.serve({ ownStore: true });
    await api.closeDatabase();
    const error = expectError(await api.get('/api/runs', { 'x-request-id': 'outage-1' }), 500, 'INTERNAL_ERROR');
    expect(error).toEqual({ error_type: 'INTERNAL_ERROR', message: 'an unexpected error occurred', details: {}, suggestions: [], request_id: 'outage-1' });
  });
});
