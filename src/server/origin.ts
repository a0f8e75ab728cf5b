/**
 * Which pages may open WebSocket streams: browsers send the page's Origin on an upgrade and apply
 * no same-origin rule to WebSockets, so without this check any site open in the user's browser
 * could read every run's stream from a local server that has no token.
 */
import type {} from '@fastify/websocket'; // adds `request.ws` (an upgrade request) to Fastify's types
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { BatonError } from '../errors/index.js';
import type { ServerConfig } from './config.js';
import { sendError } from './errors.js';

/** The upgrade's Origin is allowed: none (not a browser), the server's own, or a listed one (`*`: any). */
export function originAllowed(request: FastifyRequest, allowed: readonly string[]): boolean {
  const origin = request.headers.origin;
  if (origin === undefined) return true;
  if (allowed.includes('*') || allowed.includes(origin)) return true;
  try {
    // Same origin: the page was served by the host it connects to (the dashboard).
    return new URL(origin).host === request.headers.host;
  } catch {
    return false;
  }
}

/** Refuses an upgrade from another origin before it takes a stream slot, with 403 in the error shape. */
export function installOriginCheck(app: FastifyInstance, config: Pick<ServerConfig, 'corsOrigins' | 'websocketOrigins'>): void {
  const allowed = config.websocketOrigins ?? config.corsOrigins;
  app.addHook('onRequest', async (request, reply) => {
    if (!request.ws || originAllowed(request, allowed)) return;
    request.log.info({ origin: request.headers.origin }, 'websocket refused: origin not allowed');
    return sendError(
      reply,
      request,
      new BatonError('FORBIDDEN', `streams may not be opened from pages of ${JSON.stringify(request.headers.origin)}`, {
        details: { origin: request.headers.origin ?? null },
        suggestions: [
          'list the origin in WEBSOCKET_CORS_ORIGINS (or BATON_WEBSOCKET_CORS_ORIGINS, else the CORS origins)',
          'or open the dashboard served by this server',
        ],
      }),
    );
  });
}
