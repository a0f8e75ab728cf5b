// The API token against a hostile client: every guarded route from the route table, probed over raw sockets in every spelling the router folds onto it, and tokens kept out of the logs.
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import Fastify from 'fastify';
import { expect, it } from 'vitest';
import { installAuth, routeAccess, type RouteAccess } from '../../../src/server/auth.js';
import { parseServerConfig } from '../../../src/server/config.js';
import { describeEachStore } from '../../support/stores.js';
import { useServers, type Api } from './harness.js';

const TOKEN = 'bypass-secret-token-42';
const START = { session_id: 's-1', workflow: 'review', parameters: { topic: 'tides' } };

interface RawReply {
  status: number;
  head: string;
  body: string;
}

/** One HTTP/1.1 request with the exact bytes given (no URL normalisation), read until the server closes or switches protocols. */
function raw(base: string, method: string, target: string, headers: Record<string, string> = {}, body?: string): Promise<RawReply> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port) });
    let data = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer to ${method} ${target}`));
    }, 5_000);
    const finish = () => {
      clearTimeout(timer);
      const [head = '', ...rest] = data.split('\r\n\r\n');
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0), head, body: rest.join('\r\n\r\n') });
    };
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      data += chunk;
      // A switched socket stays open: the status line is the answer.
      if (data.startsWith('HTTP/1.1 101') && data.includes('\r\n\r\n')) {
        socket.destroy();
        finish();
      }
    });
    socket.on('close', finish);
    socket.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    const lines = [`${method} ${target} HTTP/1.1`, `host: ${hostname}:${port}`, 'connection: close'];
    const all = body === undefined ? headers : { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), ...headers };
    for (const [name, value] of Object.entries(all)) lines.push(`${name}: ${value}`);
    // Not end(): a half-closed socket may be dropped before a slow handler answers; `connection: close` ends it.
    socket.write(`${lines.join('\r\n')}\r\n\r\n${body ?? ''}`);
  });
}

/** A WebSocket handshake over a raw socket, so the target is sent exactly as written. */
const upgrade = (base: string, target: string, headers: Record<string, string> = {}, method = 'GET') =>
  raw(base, method, target, {
    connection: 'Upgrade',
    upgrade: 'websocket',
    'sec-websocket-version': '13',
    'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
    ...headers,
  });

const encodeChar = (c: string, upper: boolean) => `%${c.charCodeAt(0).toString(16)[upper ? 'toUpperCase' : 'toLowerCase']()}`;

/**
 * The request targets a client may use for one concrete path: each is either routed to the same
 * route by the router (decoded escapes, absolute form) or refused by it (404); never served open.
 */
function spellings(path: string, base: string): { name: string; target: string }[] {
  const segments = path.split('/');
  const firstLetters = segments.map((s) => (s === '' ? s : `${encodeChar(s[0] ?? '', false)}${s.slice(1)}`)).join('/');
  const everyLetter = (upper: boolean) => path.replace(/[a-z]/g, (c) => encodeChar(c, upper));
  return [
    { name: 'as registered', target: path },
    { name: 'first letter of each segment escaped', target: firstLetters },
    { name: 'every letter escaped, lower-case hex', target: everyLetter(false) },
    { name: 'every letter escaped, upper-case hex', target: everyLetter(true) },
    { name: 'absolute form', target: `${base}${path}` },
    { name: 'absolute form with another host', target: `http://evil.example${firstLetters}` },
    { name: 'leading double slash', target: `/${path}` },
    { name: 'inner double slash', target: path.replace(/^\/(\w+)\//, '/$1//') },
    { name: 'trailing slash', target: `${path}/` },
    { name: 'dot segment through an open route', target: `/docs/..${path}` },
    { name: 'escaped slash', target: path.replace(/^\/(\w+)\//, '/$1%2F') },
    { name: 'upper-case first segment', target: path.replace(/^\/(\w+)/, (s) => s.toUpperCase()) },
  ];
}

/** A concrete path for a route pattern. */
const concrete = (url: string) => url.replace(/:(\w+)/g, 'probe-$1');

const guarded = (api: Api): RouteAccess[] => routeAccess(api.app).filter((r) => !r.open);

/** A pino destination that keeps the lines in memory. */
function memoryLog(): { stream: Writable; text(): string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  return { stream, text: () => chunks.join('') };
}

describeEachStore('HTTP: auth bypasses', (kind) => {
  const h = useServers(kind);

  it('opens only the probe, the API documents and the dashboard, and guards every API and stream route', async () => {
    const api = await h.serve({ config: { apiToken: TOKEN } });
    const table = routeAccess(api.app);
    const open = [...new Set(table.filter((r) => r.open).map((r) => r.url))].sort();
    expect(open).toEqual([
      '/*',
      '/docs',
      '/docs/',
      '/docs/json',
      '/docs/static/*',
      '/docs/static/index.html',
      '/docs/static/swagger-initializer.js',
      '/docs/yaml',
      '/health',
      '/openapi.json',
    ]);
    expect(table.filter((r) => r.open).every((r) => r.method === 'GET' || r.method === 'HEAD')).toBe(true);
    const api_ = table.filter((r) => /^\/(api|ws)\//.test(r.url));
    expect(api_.length).toBeGreaterThanOrEqual(50);
    expect(api_.every((r) => !r.open)).toBe(true);
    expect(table.filter((r) => r.websocket).map((r) => `${r.method} ${r.url}`)).toEqual([
      'GET /ws/runs/:run_id',
      'HEAD /ws/runs/:run_id',
      'GET /api/workflows/:workflow_id/stream',
      'HEAD /api/workflows/:workflow_id/stream',
      'GET /ws/orchestrator/:session_id',
      'HEAD /ws/orchestrator/:session_id',
    ]);
  });

  it('keeps the probe, the API documents and the dashboard open without a token', async () => {
    const api = await h.serve({ config: { apiToken: TOKEN } });
    for (const path of [
      '/health',
      '/openapi.json',
      '/docs',
      '/docs/',
      '/docs/json',
      '/docs/static/index.html',
      '/docs/static/swagger-initializer.js',
      '/',
      '/runs/abc',
    ]) {
      expect((await raw(api.base, 'GET', path)).status, path).toBeLessThan(400);
    }
  });

  it('guards a route registered after the guard that nobody marked open, and one registered before it', async () => {
    const app = Fastify({ logger: false });
    app.get('/early', () => ({ early: true }));
    installAuth(app, parseServerConfig({ apiToken: TOKEN }));
    app.get('/later', () => ({ later: true }));
    app.post('/health', () => ({ written: true }));
    app.get('/health', () => ({ ok: true }));
    await app.listen({ port: 0, host: '127.0.0.1' });
    try {
      const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
      expect((await raw(base, 'GET', '/later')).status).toBe(401);
      expect((await raw(base, 'GET', '/early')).status).toBe(401);
      // Open means GET and HEAD on a listed pattern: a write there is guarded.
      expect((await raw(base, 'POST', '/health', {}, '{}')).status).toBe(401);
      expect((await raw(base, 'GET', '/health')).status).toBe(200);
      expect((await raw(base, 'GET', '/later', { authorization: `Bearer ${TOKEN}` })).status).toBe(200);
    } finally {
      await app.close();
    }
  });

  it('refuses every guarded route, in every spelling, without a token and never serves it', async () => {
    const api = await h.serve({ config: { apiToken: TOKEN } });
    const routes = guarded(api);
    const failures: string[] = [];
    let probes = 0;
    for (const route of routes) {
      const path = concrete(route.url);
      for (const { name, target } of spellings(path, api.base)) {
        const reply = await raw(api.base, route.method, target, {}, route.method === 'POST' ? JSON.stringify(START) : undefined);
        probes += 1;
        // Every spelling is refused before any handler: 401 for the API's paths however written.
        if (reply.status !== 401) failures.push(`${route.method} ${target} (${name}) → ${reply.status}`);
        else if (route.method !== 'HEAD') expect(JSON.parse(reply.body)).toMatchObject({ error_type: 'UNAUTHORIZED' });
      }
    }
    expect(failures).toEqual([]);
    expect(probes).toBeGreaterThanOrEqual(600);
    expect((await api.engine.listRuns()).total).toBe(0);
  });

  it('routes the escaped and absolute-form spellings to the real route, so the refusals above are not the router missing them', async () => {
    const api = await h.serve({ config: { apiToken: TOKEN } });
    const auth = { authorization: `Bearer ${TOKEN}` };
    for (const target of ['/%61pi/runs', '/api/%72uns', '/%61%70%69/%72%75%6E%73', `${api.base}/api/runs`, 'http://evil.example/%61pi/runs']) {
      expect((await raw(api.base, 'GET', target, auth)).status, target).toBe(200);
      expect((await raw(api.base, 'GET', target)).status, target).toBe(401);
    }
    const started = await raw(api.base, 'POST', '/%61pi/orchestrator/run-workflow', auth, JSON.stringify(START));
    expect(started.status).toBe(202);
    const { run_id: runId } = JSON.parse(started.body) as { run_id: string };
    await api.engine.settled(runId);
    for (const action of ['cancel', 'rollback']) {
      expect((await raw(api.base, 'POST', `/%61pi/runs/${runId}/${action}`, {}, '{}')).status, action).toBe(401);
      expect((await raw(api.base, 'POST', `${api.base}/api/runs/${runId}/${action}`, {}, '{}')).status, action).toBe(401);
    }
    expect((await raw(api.base, 'POST', `/%61pi/runs/${runId}/cancel`, auth, '{}')).status).toBe(200);
  });

  it('refuses a token in the query of a plain HTTP request, even one that asks to upgrade', async () => {
    const api = await h.serve({ config: { apiToken: TOKEN } });
    for (const route of guarded(api).filter((r) => !r.websocket && r.method !== 'HEAD')) {
      const path = `${concrete(route.url)}?token=${TOKEN}`;
      expect((await raw(api.base, route.method, path, {}, route.method === 'POST' ? JSON.stringify(START) : undefined)).status, path).toBe(401);
      expect((await upgrade(api.base, path, {}, route.method)).status, `${route.method} ${path} with Upgrade`).toBe(401);
    }
    // A WebSocket route without an upgrade is a plain GET: the query token is not for it either.
    expect((await raw(api.base, 'GET', `/ws/runs/r?token=${TOKEN}`)).status).toBe(401);
    expect((await api.engine.listRuns()).total).toBe(0);
  });

  it('refuses WebSocket upgrades without the token whatever the path spelling, and accepts the token only from the header or ?token=', async () => {
    const api = await h.serve({ config: { apiToken: TOKEN } });
    const paths = ['/ws/runs/r-1', '/ws/orchestrator/s-1'];
    for (const path of paths) {
      for (const { name, target } of spellings(path, api.base)) {
        const reply = await upgrade(api.base, target);
        expect(reply.status, `${target} (${name})`).toBe(401);
      }
      for (const query of ['?TOKEN=', '?Token=', '?token=wrong-token-000&x=', '?since=0&']) {
        const reply = await upgrade(api.base, `/%77s${path.slice(3)}${query}${query.endsWith('=') ? TOKEN : ''}`);
        expect([401, 403], `${path}${query}`).toContain(reply.status);
      }
      expect((await upgrade(api.base, `${path}?token=${TOKEN}`)).status, path).toBe(101);
      expect((await upgrade(api.base, `/%77s${path.slice(3)}?%74oken=${TOKEN}`)).status, path).toBe(101);
      expect((await upgrade(api.base, path, { authorization: `bearer ${TOKEN}` })).status, path).toBe(101);
      expect((await upgrade(api.base, path, { authorization: `Bearer wrong-token-000` })).status, path).toBe(403);
    }
  });

  it('takes the bearer scheme in any case, refuses a malformed header with 401 and a wrong token with 403', async () => {
    const api = await h.serve({ config: { apiToken: TOKEN } });
    for (const scheme of ['Bearer', 'bearer', 'BEARER', 'bEaReR']) {
      expect((await api.get('/api/runs', { authorization: `${scheme} ${TOKEN}` })).status, scheme).toBe(200);
    }
    for (const header of [TOKEN, `Basic ${TOKEN}`, 'Bearer', 'Bearer ', `Bearer${TOKEN}`, `Token ${TOKEN}`]) {
      const reply = await api.get<{ error_type: string }>('/api/runs', { authorization: header });
      expect({ header, status: reply.status, type: reply.body.error_type }).toEqual({ header, status: 401, type: 'UNAUTHORIZED' });
    }
    for (const wrong of [`${TOKEN}x`, TOKEN.slice(0, -1), 'x', TOKEN.toUpperCase(), `${TOKEN} ${TOKEN}`]) {
      const reply = await api.get<{ error_type: string }>('/api/runs', { authorization: `Bearer ${wrong}` });
      expect({ wrong, status: reply.status, type: reply.body.error_type }).toEqual({ wrong, status: 403, type: 'FORBIDDEN' });
    }
  });

  it('with publicRead leaves GET and HEAD routes open but not writes in any spelling, nor the streams', async () => {
    const api = await h.serve({ config: { apiToken: TOKEN, publicRead: 'true' } });
    expect((await raw(api.base, 'GET', '/%61pi/runs')).status).toBe(200);
    expect((await raw(api.base, 'HEAD', '/api/workflows')).status).toBe(200);
    for (const route of guarded(api).filter((r) => r.method === 'POST')) {
      for (const { target } of spellings(concrete(route.url), api.base)) {
        expect((await raw(api.base, 'POST', target, {}, JSON.stringify(START))).status, target).toBe(401);
      }
    }
    for (const path of ['/ws/runs/r-1', '/%77s/orchestrator/s-1']) expect((await upgrade(api.base, path)).status, path).toBe(401);
    expect((await api.engine.listRuns()).total).toBe(0);
  });

  it('writes no token to the logs, in any spelling of the query key or the Authorization header', async () => {
    const log = memoryLog();
    const api = await h.serve({ config: { apiToken: TOKEN }, logger: { level: 'trace', stream: log.stream } });
    const keys = ['token', '%74oken', '%74%6F%6B%65%6E', 'TOKEN', 'Token', '%54oken', 'access_token'];
    for (const key of keys) {
      for (const path of ['/ws/runs/r-1', '/%77s/orchestrator/s-1', '/api/runs', '/health', '/nowhere']) {
        await upgrade(api.base, `${path}?since=0&${key}=${TOKEN}`);
        await raw(api.base, 'GET', `${path}?${key}=${TOKEN}&since=0`);
      }
      await raw(api.base, 'POST', `/api/runs/r-1/cancel?${key}=${TOKEN}`, {}, '{}');
    }
    for (const header of [`Bearer ${TOKEN}`, `bearer ${TOKEN}`, TOKEN, `Basic ${TOKEN}`]) {
      await raw(api.base, 'GET', '/api/runs', { authorization: header });
      await upgrade(api.base, '/ws/runs/r-1', { authorization: header });
    }
    // Requests ran one after another: once the last one's line is written, every earlier one's is.
    await raw(api.base, 'GET', '/health', { 'x-request-id': 'last-probe' });
    await expect.poll(() => /"reqId":"last-probe"[^\n]*"request completed"/.test(log.text())).toBe(true);
    const text = log.text();
    expect(text).toContain('[redacted]');
    expect(text).not.toContain(TOKEN);
    expect(text).not.toContain(encodeURIComponent(TOKEN));
  });
});
