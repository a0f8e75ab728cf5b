/**
 * Bearer-token access: with BATON_API_TOKEN set, mutating routes and WebSockets need the token
 * (browsers' WebSockets may pass it as `?token=`); read-only routes too unless BATON_PUBLIC_READ.
 * /health, /docs and /openapi.json stay open so probes and readers of the API work.
 */
import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { BatonError } from '../errors/index.js';
import type { ServerConfig } from './config.js';
import { sendError } from './errors.js';

const OPEN_PATHS = [/^\/health$/, /^\/docs(\/|$)/, /^\/openapi\.json$/];
/** Only the API and the streams hold data; the dashboard's page and files must load so it can ask for the token. */
const GUARDED = /^\/(api|ws)(\/|$)/;
const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

function presented(request: FastifyRequest, isWebSocket: boolean): string | undefined {
  const header = request.headers.authorization;
  if (header?.startsWith('Bearer ')) return header.slice('Bearer '.length).trim();
  // Only browsers' WebSockets cannot set a header; elsewhere a token in the URL is refused.
  const query = request.query as Record<string, unknown> | undefined;
  return isWebSocket && typeof query?.token === 'string' ? query.token : undefined;
}

const sameToken = (a: string, b: string): boolean => {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
};

export function installAuth(app: FastifyInstance, config: ServerConfig): void {
  const token = config.apiToken;
  if (token === undefined) return;
  app.addHook('onRequest', async (request, reply) => {
    const path = request.url.split('?')[0] ?? '';
    if (OPEN_PATHS.some((open) => open.test(path)) || !GUARDED.test(path)) return;
    const isWebSocket = request.headers.upgrade?.toLowerCase() === 'websocket';
    if (config.publicRead && READ_METHODS.has(request.method) && !isWebSocket) return;
    const given = presented(request, isWebSocket);
    if (given === undefined) {
      return sendError(reply, request, new BatonError('UNAUTHORIZED', 'this route needs an API token', { suggestions: ['send Authorization: Bearer <token>'] }));
    }
    if (!sameToken(given, token)) return sendError(reply, request, new BatonError('FORBIDDEN', 'the API token is not valid'));
  });
}
