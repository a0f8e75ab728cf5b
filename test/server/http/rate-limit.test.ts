// Optional rate limiting (BATON_RATE_LIMIT): mutating /api requests per minute per client address,
// answered over the limit with 429 in the error shape and retry-after; reads and streams untouched.
import { request as httpRequest } from 'node:http';
import { expect, it } from 'vitest';
import { describeEachStore } from '../../support/stores.js';
import { TestClient } from '../stream/ws-client.js';
import { expectError, useServers, type Api } from './harness.js';

/** A POST from another local address (fetch cannot choose one): its status. */
function postFrom(localAddress: string, url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(url, { method: 'POST', localAddress, agent: false }, (response) => {
      response.resume();
      response.once('end', () => resolve(response.statusCode ?? 0));
    });
    request.once('error', reject);
    request.end();
  });
}

/** A mutating request that changes nothing: cancelling a run that does not exist (404). */
const cancelNothing = (api: Api) => api.post('/api/runs/no-such-run/cancel');

describeEachStore('HTTP: rate limiting', (kind) => {
  const h = useServers(kind);

  it('answers the request past the limit with 429 in the error shape, saying when to retry', async () => {
    const api = await h.serve({ config: { rateLimit: 3 } });
    const started = [await api.startRun('review', { topic: 'a' }), await api.startRun('review', { topic: 'b' })];
    expect(started).toHaveLength(2);
    const third = await cancelNothing(api);
    expect(third.status).toBe(404); // still counted: the limit is on requests, whatever they answer
    expect(third.headers.get('x-ratelimit-remaining')).toBe('0');
    const refused = await api.post('/api/orchestrator/run-workflow', { session_id: 's', workflow: 'review', parameters: { topic: 'c' } });
    const body = expectError(refused, 429, 'RATE_LIMITED');
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(body).toMatchObject({
      message: 'more than 3 changing requests in a minute from this client',
      details: { limit: 3, retry_after_seconds: retryAfter },
    });
    expect((await api.get<{ runs: unknown[] }>('/api/runs')).body.runs).toHaveLength(2); // the refused one started nothing
  });

  it('leaves reads, health and streams alone once a client is over the limit', async () => {
    const api = await h.serve({ config: { rateLimit: 1 } });
    const runId = await api.startRun('review', { topic: 'a' });
    expect((await cancelNothing(api)).status).toBe(429);
    for (let i = 0; i < 5; i++) {
      expect((await api.get('/api/runs')).status).toBe(200);
      expect((await api.get(`/api/runs/${runId}`)).status).toBe(200);
      expect((await api.get('/health')).status).toBe(200);
    }
    const stream = await TestClient.connect(`${api.base.replace('http', 'ws')}/ws/runs/${runId}?since=0`);
    await stream.until((m) => m.some((e) => e.type === 'run_created'));
    await stream.close();
  });

  it('counts each client address on its own', async () => {
    const api = await h.serve({ config: { rateLimit: 2 } });
    const url = `${api.base}/api/runs/no-such-run/cancel`;
    expect([await postFrom('127.0.0.1', url), await postFrom('127.0.0.1', url), await postFrom('127.0.0.1', url)]).toEqual([404, 404, 429]);
    expect([await postFrom('127.0.0.2', url), await postFrom('127.0.0.2', url), await postFrom('127.0.0.2', url)]).toEqual([404, 404, 429]);
  });

  it('is off unless BATON_RATE_LIMIT is set', async () => {
    const api = await h.serve();
    const statuses = await Promise.all(Array.from({ length: 60 }, () => cancelNothing(api).then((r) => r.status)));
    expect(new Set(statuses)).toEqual(new Set([404]));
    expect((await cancelNothing(api)).headers.get('x-ratelimit-limit')).toBeNull();
  });
});
