// Request logs: every line Fastify's pino logger writes about a request carries that request's id (reqId).
import { Writable } from 'node:stream';
import { expect, it } from 'vitest';
import { describeEachStore } from '../../support/stores.js';
import { useServers } from './harness.js';

interface LogLine {
  level: number;
  msg: string;
  reqId?: string;
  error_type?: string;
  req?: { method: string; url: string };
  res?: { statusCode: number };
}

/** A pino destination that keeps the JSON lines in memory. */
function memoryLog(): { stream: Writable; lines(): LogLine[] } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  const lines = () =>
    chunks
      .join('')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as LogLine);
  return { stream, lines };
}

/** Pino flushes the response line when the response finishes, which may be after fetch resolved. */
async function linesOf(log: { lines(): LogLine[] }, reqId: string, count: number): Promise<LogLine[]> {
  await expect.poll(() => log.lines().filter((l) => l.reqId === reqId).length).toBeGreaterThanOrEqual(count);
  return log.lines().filter((l) => l.reqId === reqId);
}

describeEachStore('HTTP: request logs', (kind) => {
  const h = useServers(kind);

  it("tags the incoming and completed lines of a request with the caller's X-Request-Id", async () => {
    const log = memoryLog();
    const api = await h.serve({ logger: { level: 'info', stream: log.stream } });
    const reply = await api.get('/api/workflows', { 'x-request-id': 'log-me-1' });
    expect(reply.status).toBe(200);
    const lines = await linesOf(log, 'log-me-1', 2);
    expect(lines.map((l) => l.msg)).toEqual(['incoming request', 'request completed']);
    expect(lines[0]?.req).toMatchObject({ method: 'GET', url: '/api/workflows' });
    expect(lines[1]?.res).toMatchObject({ statusCode: 200 });
  });

  it('tags the lines of a failed request, including the error line, with the generated id it echoed', async () => {
    const log = memoryLog();
    const api = await h.serve({ logger: { level: 'info', stream: log.stream } });
    const id = await api.startRun('review', { topic: 'tides' });
    await api.engine.settled(id);
    const reply = await api.post(`/api/runs/${id}/retry`);
    expect(reply.status).toBe(409);
    const reqId = reply.headers.get('x-request-id') ?? '';
    expect(reqId).not.toBe('');
    const lines = await linesOf(log, reqId, 3);
    expect(lines.map((l) => l.msg)).toEqual(['incoming request', expect.stringContaining('only failed runs can be retried'), 'request completed']);
    expect(lines[1]?.error_type).toBe('CONFLICT');
    expect(lines[2]?.res).toMatchObject({ statusCode: 409 });
  });

  it('gives the lines of different requests different ids', async () => {
    const log = memoryLog();
    const api = await h.serve({ logger: { level: 'info', stream: log.stream } });
    await api.get('/health', { 'x-request-id': 'first' });
    await api.get('/api/nothing', { 'x-request-id': 'second' });
    const first = await linesOf(log, 'first', 2);
    const second = await linesOf(log, 'second', 2);
    expect(first.every((l) => l.req === undefined || l.req.url === '/health')).toBe(true);
    expect(second.find((l) => l.res)?.res?.statusCode).toBe(404);
    const requestLines = log.lines().filter((l) => l.req !== undefined || l.res !== undefined);
    expect(requestLines.every((l) => typeof l.reqId === 'string')).toBe(true);
  });

  it('refuses an API token in the URL of a plain HTTP route and keeps it out of the request logs', async () => {
    const log = memoryLog();
    const token = 'query-token-secret-1';
    const api = await h.serve({ config: { apiToken: token }, logger: { level: 'info', stream: log.stream } });
    // ?token= is for browsers' WebSockets only; anywhere else it would end up in logs and histories.
    const reply = await api.get(`/api/workflows?token=${token}`, { 'x-request-id': 'with-token' });
    expect(reply.status).toBe(401);
    await linesOf(log, 'with-token', 2);
    expect(log.lines().filter((l) => JSON.stringify(l).includes(token))).toEqual([]);
  });
});
