/**
 * What one client may hold and ask of a server: WebSocket streams per client address and in all
 * (refused before the upgrade, in the error shape), and optionally mutating API requests per minute.
 */
import type {} from '@fastify/websocket'; // adds `request.ws` (an upgrade request) to Fastify's types
import rateLimit, { normalizeIP } from '@fastify/rate-limit';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Socket } from 'node:net';
import { BatonError } from '../errors/index.js';
import type { ServerConfig } from './config.js';
import { sendError } from './errors.js';

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const MINUTE_MS = 60_000;

/** The client a request counts against: its address, with an IPv6 host's whole /64 as one (as the rate limiter keys it). */
export const clientOf = (request: FastifyRequest): string => normalizeIP(request.ip);

/** Open streams per client and in all; each is counted on its TCP socket and released when that closes, whichever way. */
export class StreamSlots {
  private count = 0;
  private readonly perClient = new Map<string, number>();
  private readonly held = new WeakSet<Socket>();

  constructor(
    private readonly maxTotal: number,
    private readonly maxPerClient: number,
  ) {}

  get total(): number {
    return this.count;
  }

  of(client: string): number {
    return this.perClient.get(client) ?? 0;
  }

  /** Takes a slot for `socket` until it closes, or names the limit that refuses it. */
  take(socket: Socket, client: string): 'total' | 'client' | undefined {
    // A socket already gone emits no more 'close': counting it would leak its slot.
    if (this.held.has(socket) || socket.destroyed) return undefined;
    if (this.count >= this.maxTotal) return 'total';
    const mine = this.of(client);
    if (mine >= this.maxPerClient) return 'client';
    this.held.add(socket);
    this.count += 1;
    this.perClient.set(client, mine + 1);
    socket.once('close', () => {
      this.count -= 1;
      const left = this.of(client) - 1;
      if (left > 0) this.perClient.set(client, left);
      else this.perClient.delete(client);
    });
    return undefined;
  }
}

/**
 * 429 in the error shape. The vocabulary (src/errors) has no code for 429 yet: RATE_LIMITED is
 * asked for in issue 21's report; until then the body is written here, the same as sendError's.
 */
function tooManyRequests(request: FastifyRequest, reply: FastifyReply, message: string, details: Record<string, unknown>, suggestions: string[]): FastifyReply {
  return sendError(reply, request, new BatonError('RATE_LIMITED', message, { details, suggestions, retryable: true }));
}

function limitStreams(app: FastifyInstance, config: ServerConfig): StreamSlots {
  const slots = new StreamSlots(config.wsMaxConnections, config.wsMaxPerClient);
  app.addHook('onRequest', async (request, reply) => {
    if (!request.ws) return;
    const client = clientOf(request);
    const refused = slots.take(request.raw.socket, client);
    if (refused === 'total') {
      request.log.warn({ open: slots.total }, 'websocket refused: the server holds its maximum of streams');
      return sendError(
        reply,
        request,
        new BatonError('UPSTREAM_UNAVAILABLE', `the server has its maximum of ${config.wsMaxConnections} streams open`, {
          details: { limit: config.wsMaxConnections },
          suggestions: ['reconnect later, with since= the last seq seen', 'raise BATON_WS_MAX_CONNECTIONS'],
          retryable: true,
        }),
      );
    }
    if (refused === 'client') {
      request.log.info({ client }, 'websocket refused: the client holds its maximum of streams');
      return tooManyRequests(request, reply, `this client already has ${config.wsMaxPerClient} streams open`, { limit: config.wsMaxPerClient }, [
        'close streams you no longer read (one session stream carries every run of a session)',
        'raise BATON_WS_MAX_PER_CLIENT',
      ]);
    }
  });
  return slots;
}

async function limitRequestRate(app: FastifyInstance, perMinute: number): Promise<void> {
  // Only the limiter and its store are used (no route is limited by the plugin itself): the hook
  // below picks the routes and answers in the error shape.
  await app.register(rateLimit, { global: false });
  const limiter = app.createRateLimit({ max: perMinute, timeWindow: MINUTE_MS, keyGenerator: clientOf });
  app.addHook('onRequest', async (request, reply) => {
    // Reads, streams and unknown routes are not limited: only what changes state costs the server.
    if (!MUTATING.has(request.method) || !request.routeOptions.url?.startsWith('/api/')) return;
    const limit = await limiter(request);
    if (limit.isAllowed) return;
    void reply.header('x-ratelimit-limit', limit.max).header('x-ratelimit-remaining', limit.remaining).header('x-ratelimit-reset', limit.ttlInSeconds);
    if (!limit.isExceeded) return;
    void reply.header('retry-after', limit.ttlInSeconds);
    return tooManyRequests(
      request,
      reply,
      `more than ${perMinute} changing requests in a minute from this client`,
      { limit: perMinute, retry_after_seconds: limit.ttlInSeconds },
      [`retry after ${limit.ttlInSeconds} s`, 'raise BATON_RATE_LIMIT (0 turns it off)'],
    );
  });
}

/**
 * Installs the limits. Goes after the WebSocket plugin (its hook marks upgrade requests) and before
 * the routes; after auth, so requests without a valid token are refused before they count.
 */
export async function installLimits(app: FastifyInstance, config: ServerConfig): Promise<StreamSlots> {
  const slots = limitStreams(app, config);
  if (config.rateLimit > 0) await limitRequestRate(app, config.rateLimit);
  return slots;
}
