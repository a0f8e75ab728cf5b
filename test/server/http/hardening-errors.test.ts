// Hostile input over real HTTP (issue 21, items 5 and 6): bad input is a 4xx, never a 5xx, and every error — the framework's own included — has the error shape with a request id.
import type { AddressInfo } from 'node:net';
import { expect, it } from 'vitest';
import { z } from 'zod';
import { defineAgent, defineWorkflow, Engine } from '../../../src/engine/index.js';
import { buildServer } from '../../../src/server/app.js';
import { parseServerConfig } from '../../../src/server/config.js';
import { describeEachStore } from '../../support/stores.js';
import { expectError, useServers, type ErrorView, type Reply } from './harness.js';
import { rawGet, rawRequest, type RawReply } from './raw.js';

const RUN = '/api/orchestrator/run-workflow';
const EXTRACT = '/api/orchestrator/extract-parameters';

const SEASON = {
  forecast_horizon_weeks: 12,
  season_start_date: '2025-01-06',
  season_end_date: '2025-03-31',
  replenishment_strategy: 'weekly',
  dc_holdback_percentage: 0.15,
  markdown_checkpoint_week: null,
  markdown_threshold: null,
};

/** A raw reply as the harness's Reply, so expectError checks it the same way. */
const asReply = (raw: RawReply): Reply => ({ status: raw.status, headers: new Headers(raw.headers), body: raw.body });

const issuesPaths = (error: ErrorView): string[] => (error.details.issues as { path: string }[]).map((i) => i.path);

/** `depth` arrays nested inside each other, as JSON text. */
const nested = (depth: number): string => '['.repeat(depth) + ']'.repeat(depth);

describeEachStore('HTTP: hardening against bad input', (kind) => {
  const h = useServers(kind);

  it.each([
    ['NaN', { season_start_date: 'NaN' }],
    ['an empty start date', { season_start_date: '' }],
    ['a start date in other scripts', { season_start_date: '٢٠٢٥-٠١-٠٦' }],
    ['a start date out of the calendar', { season_start_date: '2025-02-30' }],
    ['a horizon of 1e308', { forecast_horizon_weeks: 1e308 }],
    ['a horizon of -1e308', { forecast_horizon_weeks: -1e308 }],
    ['a horizon of 2^53', { forecast_horizon_weeks: 2 ** 53 }],
    ['a horizon of -(2^53)', { forecast_horizon_weeks: -(2 ** 53) }],
    ['a markdown week of 1e308', { markdown_checkpoint_week: 1e308, markdown_threshold: 0.5 }],
  ])('refuses season parameters with %s with 422 naming the field, not a 500', async (_, change) => {
    const api = await h.serve({ season: true });
    const reply = await api.post(RUN, { session_id: 's-1', workflow: 'season-planning', parameters: { ...SEASON, ...change } });
    const error = expectError(reply, 422, 'INVALID_PARAMETERS');
    const fields = (error.details.issues as { path: string }[]).map((i) => i.path);
    const [field = ''] = Object.keys(change);
    expect(
      fields.some((path) => path.endsWith(field)),
      JSON.stringify(fields),
    ).toBe(true);
    expect((await api.engine.listRuns()).total).toBe(0);
  });

  it.each(['99999999999', '9007199254740993', '1' + '0'.repeat(300)])(
    'reads a %s-week season from words as a horizon out of range (422), not a 500',
    async (weeks) => {
      const api = await h.serve();
      const reply = await api.post(EXTRACT, {
        strategy_description: `a ${weeks} week season starting Jan 6 2025, weekly replenishment, 15% DC holdback`,
        mode: 'rules',
      });
      const error = expectError(reply, 422, 'INVALID_PARAMETERS');
      expect(JSON.stringify(error.details)).toContain('forecast_horizon_weeks');
    },
  );

  it('reads a horizon too long to be a number (400 digits) as no horizon: 400 naming it, not a 500', async () => {
    const api = await h.serve();
    const reply = await api.post(EXTRACT, {
      strategy_description: `a ${'8'.repeat(400)} week season starting Jan 6 2025, weekly, 15% DC holdback`,
      mode: 'rules',
    });
    expect(expectError(reply, 400, 'PARAMETER_EXTRACTION_ERROR').details.fields).toEqual(['forecast_horizon_weeks']);
  });

  it.each(['starting in 99999999999 weeks', 'starting in 1e308 days', 'from 31/31/99999 to Jan 6 275761', 'starting the first Monday of March 9999'])(
    'reads hostile dates in words ("%s") without a 5xx',
    async (words) => {
      const api = await h.serve();
      const reply = await api.post(EXTRACT, {
        strategy_description: `a 12 week season ${words}, weekly, 15% DC holdback`,
        mode: 'rules',
        reference_date: '9999-12-31',
      });
      expect(reply.status, JSON.stringify(reply.body)).toBeLessThan(500);
      if (reply.status !== 200) expectError(reply, reply.status, (reply.body as ErrorView).error_type);
    },
  );

  it('refuses an approval whose modify data is nested 5,000 deep with 422 and leaves the run waiting', async () => {
    const api = await h.serve();
    const id = await api.startRun('review', { topic: 'tides' });
    const waiting = await api.engine.settled(id);
    const path = `/api/runs/${id}/approvals/${waiting.waitingFor?.id ?? ''}`;
    const body = `{"action":"modify","data":${'{"a":'.repeat(5_000)}1${'}'.repeat(5_000)}}`;
    expect(body.length).toBeLessThan(40_000);
    const reply = await api.request(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    const error = expectError(reply, 422, 'INVALID_PARAMETERS');
    expect(error.message).toMatch(/nested deeper than 64/);
    expect(await api.engine.settled(id)).toMatchObject({ state: 'waiting', phase: 'approve' });
  });

  it('accepts JSON nested to the depth limit and refuses one level more', async () => {
    const api = await h.serve();
    // The body object is level 1 and parameters level 2: 62 arrays inside reach 64.
    const at = (depth: number) => `{"session_id":"s-1","workflow":"slow","parameters":{"deep":${nested(depth)}}}`;
    const ok = await api.request(RUN, { method: 'POST', headers: { 'content-type': 'application/json' }, body: at(62) });
    expect(ok.status, JSON.stringify(ok.body)).toBe(202);
    const refused = await api.request(RUN, { method: 'POST', headers: { 'content-type': 'application/json' }, body: at(63) });
    expectError(refused, 422, 'INVALID_PARAMETERS');
  });

  it('counts brackets inside strings as text, not nesting', async () => {
    const api = await h.serve();
    const topic = `${'['.repeat(500)}"\\"{{{${'{'.repeat(500)}`;
    const reply = await api.post(RUN, { session_id: 's-1', workflow: 'review', parameters: { topic } });
    expect(reply.status, JSON.stringify(reply.body)).toBe(202);
  });

  it('refuses the NUL character in a body, a path id or a query value with 422 on every database (PostgreSQL cannot store it)', async () => {
    const api = await h.serve({ delivery: true });
    const body = expectError(await api.post(RUN, { session_id: 's\u00001', workflow: 'review', parameters: { topic: 't' } }), 422, 'INVALID_PARAMETERS');
    expect(body.message).toMatch(/NUL/);
    expect(JSON.stringify(body.details)).toContain('body');
    // A backslash before "u0000" is text, not NUL.
    expect((await api.post(RUN, { session_id: 's\\u0000', workflow: 'review', parameters: { topic: 't' } })).status).toBe(202);
    expect(issuesPaths(expectError(await api.get('/api/delivery/runs/a%00b'), 422, 'INVALID_PARAMETERS'))).toEqual(['params.run_id']);
    expect(issuesPaths(expectError(await api.get('/api/runs?session_id=a%00'), 422, 'INVALID_PARAMETERS'))).toEqual(['querystring.session_id']);
    expect((await api.engine.listRuns()).total).toBe(1);
  });

  it('still refuses a deep body over the size limit with 413', async () => {
    const api = await h.serve({ config: { bodyLimit: 1024 } });
    const reply = await api.request(RUN, { method: 'POST', headers: { 'content-type': 'application/json' }, body: nested(2_000) });
    expectError(reply, 413, 'PAYLOAD_TOO_LARGE');
  });

  it.each([
    '/docs/static/%2e%2e/%2e%2e/package.json',
    '/docs/static/../../package.json',
    '/docs/static/%2e%2e%2f%2e%2e%2fpackage.json',
    '/docs/static/..%5c..%5cpackage.json',
  ])('answers a climb out of the docs files (%s) with a 4xx in the error shape, never the file', async (target) => {
    const api = await h.serve();
    const reply = asReply(await rawGet(api.base, target));
    expect([403, 404]).toContain(reply.status);
    expectError(reply, reply.status, reply.status === 403 ? 'FORBIDDEN' : 'NOT_FOUND');
    expect(JSON.stringify(reply.body)).not.toContain('"dependencies"');
  });

  it.each(['/api/runs/%E0%A4%A', '/api/runs/%', '/api/runs/%zz/events', '/api/workflows/%C0%AF/stats', '/ws/runs/%E0%A4%A'])(
    'answers bad percent-encoding in the path (%s) with 400 BAD_REQUEST and a request id',
    async (target) => {
      const api = await h.serve();
      const error = expectError(asReply(await rawGet(api.base, target, { 'x-request-id': 'bad-url-1' })), 400, 'BAD_REQUEST');
      expect(error.request_id).toBe('bad-url-1');
      expect(error.message).toMatch(/percent-encoding/);
    },
  );

  it('answers path ids past the old router limit of 100 by what they are: unknown (404), over 200 characters or over the router limit (422)', async () => {
    const api = await h.serve();
    expectError(await api.get(`/api/runs/${'r'.repeat(101)}/events`), 404, 'NOT_FOUND');
    const long = expectError(await api.get(`/api/runs/${'r'.repeat(201)}`), 422, 'INVALID_PARAMETERS');
    expect(long.message).toMatch(/run_id/);
    expectError(await api.get(`/api/runs/${'r'.repeat(1_000)}/events`), 422, 'INVALID_PARAMETERS');
    const overRouter = expectError(await api.get(`/api/runs/${'r'.repeat(5_000)}/events`), 422, 'INVALID_PARAMETERS');
    expect(overRouter.message).toMatch(/longer than 1000 characters/);
    expectError(await api.get(`/api/workflows/${'w'.repeat(5_000)}/stats`), 422, 'INVALID_PARAMETERS');
  });

  it('answers an over-long path parameter with 422 when no dashboard catches every path (the router says so itself)', async () => {
    const t = await kind.create();
    const engine = new Engine({ store: t.store, agents: [], workflows: [] });
    const app = await buildServer({ engine, store: t.store, config: parseServerConfig({ port: 0 }), logger: false, llm: null, webRoot: null });
    try {
      await app.listen({ port: 0, host: '127.0.0.1' });
      const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
      const reply = asReply(await rawGet(base, `/api/runs/${'r'.repeat(5_000)}`));
      expect(expectError(reply, 422, 'INVALID_PARAMETERS').message).toMatch(/longer than 1000 characters/);
    } finally {
      await app.close();
      await engine.close();
      await t.dispose();
    }
  });

  it("keeps an agent's internal TypeError out of the run's error the API shows", async () => {
    const t = await kind.create();
    const broken = defineAgent({
      name: 'broken',
      input: z.unknown(),
      output: z.object({}),
      retry: { maxAttempts: 1, initialDelayMs: 1, maxDelayMs: 1 },
      run: () => {
        throw new TypeError("Cannot read properties of undefined (reading '0')");
      },
    });
    const workflow = defineWorkflow({ name: 'broken', parameters: z.object({}), phases: [{ name: 'work', agent: 'broken' }] });
    const engine = new Engine({ store: t.store, agents: [broken], workflows: [workflow] });
    const app = await buildServer({ engine, store: t.store, config: parseServerConfig({ port: 0 }), logger: false, llm: null, webRoot: null });
    try {
      await app.listen({ port: 0, host: '127.0.0.1' });
      const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
      const started = (await (
        await fetch(`${base}${RUN}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ session_id: 's-1', workflow: 'broken', parameters: {} }),
        })
      ).json()) as { run_id: string };
      await engine.settled(started.run_id);
      const shown = await (await fetch(`${base}/api/runs/${started.run_id}`)).text();
      expect(shown).toContain('an unexpected error occurred (TypeError)');
      expect(shown + (await (await fetch(`${base}/api/runs/${started.run_id}/events`)).text())).not.toContain('Cannot read');
    } finally {
      await app.close();
      await engine.close();
      await t.dispose();
    }
  });

  it('answers a body longer than its Content-Length in the error shape, never the framework default', async () => {
    const api = await h.serve();
    const body = '{"session_id":"s-1","workflow":"review","parameters":{"topic":"t"}}';
    const head = `POST ${RUN} HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 10\r\n\r\n`;
    const replies = await rawRequest(api.base, head + body);
    expect(replies.length).toBeGreaterThan(0);
    for (const reply of replies) {
      expect(reply.status).toBeGreaterThanOrEqual(400);
      expect(reply.status).toBeLessThan(500);
      expectError(asReply(reply), reply.status, 'BAD_REQUEST');
    }
    expect((await api.engine.listRuns()).total).toBe(0);
  });

  it('answers garbage that is not HTTP in the error shape with a request id', async () => {
    const api = await h.serve();
    const [reply] = await rawRequest(api.base, 'HELLO THERE\r\n\r\n');
    expect(reply).toBeDefined();
    const body = expectError(asReply(reply!), 400, 'BAD_REQUEST');
    expect(body.request_id).not.toBe('');
  });

  it.each(['/ws/runs/some-run', '/ws/orchestrator/some-session'])('answers a plain GET on %s with 400 BAD_REQUEST saying to upgrade', async (path) => {
    const api = await h.serve();
    const error = expectError(await api.get(path), 400, 'BAD_REQUEST');
    expect(error.message).toMatch(/WebSocket/);
    const head = await api.request(path, { method: 'HEAD' });
    expect([head.status, head.headers.get('x-request-id')]).toEqual([400, expect.any(String)]);
  });

  it('keeps internal messages out of a 500: a generic message with the request id, the real error only in the log', async () => {
    const api = await h.serve({ ownStore: true });
    await api.closeDatabase();
    const reply = await api.get('/api/runs', { 'x-request-id': 'outage-1' });
    const error = expectError(reply, 500, 'INTERNAL_ERROR');
    expect(error).toMatchObject({ message: 'an unexpected error occurred', details: {}, request_id: 'outage-1' });
  });

  it('refuses limits, offsets and since outside their domain or not in decimal digits with 422, on a run that exists', async () => {
    const api = await h.serve();
    for (const query of [
      'limit=1e308',
      'limit=-1',
      'limit=NaN',
      'limit=Infinity',
      'limit=0x10',
      'limit=',
      'limit=%205',
      'offset=1e308',
      'offset=-5',
      'offset=9007199254740993',
      'offset=1000000001',
    ]) {
      expectError(await api.get(`/api/runs?${query}`), 422, 'INVALID_PARAMETERS');
    }
    const id = await api.startRun('review', { topic: 'tides' });
    await api.engine.settled(id);
    // since is a PostgreSQL integer: 2^31 and past it failed the query with a 500.
    for (const query of ['since=1e308', 'since=-1', 'since=NaN', 'limit=1e308', 'limit=10001', 'since=81539872336', 'since=2147483648']) {
      expectError(await api.get(`/api/runs/${id}/events?${query}`), 422, 'INVALID_PARAMETERS');
    }
    expect((await api.get(`/api/runs/${id}/events?since=2147483647&limit=10000`)).status).toBe(200);
    expect((await api.get('/api/runs?limit=500&offset=1000000000')).status).toBe(200);
  });
});
