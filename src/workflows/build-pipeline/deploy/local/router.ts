/**
 * The local target's router: one HTTP server per (build, environment) on a fixed port, forwarding every request to
 * the live slot's instances (round-robin) and switching slots without dropping a request.
 *
 * Why node:http and not a proxy library: none is installed (http-proxy is unmaintained since 2020, and neither it nor
 * @fastify/http-proxy retries a refused upstream on another one), and what makes a switch lossless here is exactly
 * that retry logic: a request is buffered (bounded) so it can be sent again; a refused connection (the upstream is
 * gone or not yet listening) is retried on the next live instance and then on the standby slot for any method;
 * a reset before any answer (a keep-alive socket the old upstream closed, a crash mid-request) is retried only for
 * idempotent methods. The choice of upstream happens per request, so a switch takes effect on the next request
 * while requests in flight finish on the slot they started on (the target drains it before stopping it).
 */
import { readFileSync } from 'node:fs';
import { Agent, createServer, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import { ROUTER_CONTROL_PATH, ROUTER_TOKEN_HEADER, Routes, upstreamKey, type RouterState, type Upstream } from './routes.js';

export interface RouterOptions {
  port: number;
  host: string;
  /** The routes file read at start (a restarted router serves what was live before it died). */
  routesFile: string;
  token: string;
  /** Largest request body buffered for a retry. */
  maxBodyBytes?: number;
}

const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']);
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'proxy-connection',
]);
/** Pauses between rounds when no upstream accepted (a router restarted before its slot, an instance restarting). */
const ROUND_PAUSES_MS = [50, 150, 300];

class RetryableUpstreamError extends Error {}

function forwardHeaders(headers: IncomingHttpHeaders, remote: string | undefined): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) if (value !== undefined && !HOP_BY_HOP.has(name)) out[name] = value;
  if (remote) out['x-forwarded-for'] = headers['x-forwarded-for'] ? `${String(headers['x-forwarded-for'])}, ${remote}` : remote;
  return out;
}

function readRoutes(file: string): Routes {
  try {
    return Routes.parse(JSON.parse(readFileSync(file, 'utf8')));
  } catch {
    return { generation: 0, live: [], standby: [] };
  }
}

export function startRouter(options: RouterOptions): Promise<Server> {
  const maxBody = options.maxBodyBytes ?? 8 * 1024 * 1024;
  let routes = readRoutes(options.routesFile);
  let cursor = 0;
  const inflight = new Map<string, number>();
  const counters = { served: 0, failed: 0, retried: 0 };
  const agent = new Agent({ keepAlive: true, maxSockets: 256, timeout: 30_000 });
  const token = Buffer.from(options.token);

  const authorised = (req: IncomingMessage) => {
    const given = Buffer.from(String(req.headers[ROUTER_TOKEN_HEADER] ?? ''));
    const loopback = ['127.0.0.1', '::1', '::ffff:127.0.0.1'].includes(req.socket.remoteAddress ?? '');
    return loopback && given.length === token.length && timingSafeEqual(given, token);
  };

  const json = (res: ServerResponse, status: number, body: unknown) => {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  };

  const state = (): RouterState => ({ pid: process.pid, port: options.port, routes, inflight: Object.fromEntries(inflight), ...counters });

  const readBody = (req: IncomingMessage) =>
    new Promise<Buffer | null>((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      req.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size <= maxBody) chunks.push(chunk);
      });
      req.on('end', () => resolve(size > maxBody ? null : Buffer.concat(chunks)));
      req.on('error', reject);
    });

  /** The upstreams to try, in order: the live ones from the round-robin cursor, then the standby. */
  const candidates = (): Upstream[] => {
    const live = routes.live;
    const start = live.length ? cursor++ % live.length : 0;
    return [...live.slice(start), ...live.slice(0, start), ...routes.standby];
  };

  /** Sends the request to one upstream; rejects with RetryableUpstreamError when nothing was answered and another may try. */
  const attempt = (upstream: Upstream, req: IncomingMessage, res: ServerResponse, body: Buffer) =>
    new Promise<void>((resolve, reject) => {
      const key = upstreamKey(upstream);
      inflight.set(key, (inflight.get(key) ?? 0) + 1);
      let settled = false;
      const done = (error?: Error) => {
        if (settled) return;
        settled = true;
        const left = (inflight.get(key) ?? 1) - 1;
        if (left > 0) inflight.set(key, left);
        else inflight.delete(key);
        if (error) reject(error);
        else resolve();
      };
      const headers = forwardHeaders(req.headers, req.socket.remoteAddress);
      headers['content-length'] = String(body.length);
      const upstreamRequest = httpRequest({ host: upstream.host, port: upstream.port, method: req.method, path: req.url, headers, agent });
      upstreamRequest.on('response', (answer) => {
        const out: Record<string, string | string[]> = {};
        for (const [name, value] of Object.entries(answer.headers)) if (value !== undefined && !HOP_BY_HOP.has(name)) out[name] = value;
        res.writeHead(answer.statusCode ?? 502, out);
        answer.pipe(res);
        answer.on('end', () => done());
        answer.on('error', (error) => {
          res.destroy(error);
          done();
        });
        res.on('close', () => done());
      });
      upstreamRequest.on('error', (error: NodeJS.ErrnoException) => {
        if (res.headersSent) {
          res.destroy(error);
          return done();
        }
        const refused = error.code === 'ECONNREFUSED';
        const resetBeforeAnswer = error.code === 'ECONNRESET' || error.code === 'EPIPE' || error.message === 'socket hang up';
        if (refused || (resetBeforeAnswer && IDEMPOTENT.has(req.method ?? '')))
          return done(new RetryableUpstreamError(`${key}: ${error.code ?? error.message}`));
        done(error);
      });
      upstreamRequest.end(body);
    });

  const proxy = async (req: IncomingMessage, res: ServerResponse) => {
    const body = await readBody(req);
    if (body === null) return json(res, 413, { error: 'request body too large for the router' });
    const reasons: string[] = [];
    for (let round = 0; round <= ROUND_PAUSES_MS.length; round++) {
      for (const upstream of candidates()) {
        try {
          await attempt(upstream, req, res, body);
          counters.served++;
          return;
        } catch (error) {
          if (!(error instanceof RetryableUpstreamError)) {
            counters.failed++;
            if (!res.headersSent) json(res, 502, { error: `upstream failed: ${error instanceof Error ? error.message : String(error)}` });
            return;
          }
          counters.retried++;
          reasons.push(error.message);
        }
      }
      const pause = ROUND_PAUSES_MS[round];
      if (pause === undefined) break;
      await new Promise((resolve) => setTimeout(resolve, pause));
    }
    counters.failed++;
    json(res, routes.live.length ? 502 : 503, { error: routes.live.length ? `no upstream answered: ${reasons.slice(-4).join('; ')}` : 'no release is live' });
  };

  const control = async (req: IncomingMessage, res: ServerResponse) => {
    if (!authorised(req)) return json(res, 403, { error: 'forbidden' });
    if (req.method === 'GET') return json(res, 200, state());
    if (req.method !== 'PUT') return json(res, 405, { error: 'GET or PUT' });
    const body = await readBody(req);
    let parsed: ReturnType<typeof Routes.safeParse>;
    try {
      parsed = Routes.safeParse(JSON.parse((body ?? Buffer.alloc(0)).toString('utf8')));
    } catch {
      return json(res, 400, { error: 'not JSON' });
    }
    if (!parsed.success) return json(res, 400, { error: parsed.error.message });
    // A stale writer (an older generation) never undoes a newer switch.
    if (parsed.data.generation >= routes.generation) routes = parsed.data;
    return json(res, 200, state());
  };

  const server = createServer((req, res) => {
    const handle = req.url?.startsWith(ROUTER_CONTROL_PATH) ? control(req, res) : proxy(req, res);
    handle.catch((error: unknown) => {
      counters.failed++;
      if (!res.headersSent) json(res, 500, { error: error instanceof Error ? error.message : String(error) });
      else res.destroy();
    });
  });
  // Clients (and the probe) keep connections open across switches; the upstream side is chosen per request.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve(server));
  });
}
