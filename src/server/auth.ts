/**
 * Bearer-token access with BATON_API_TOKEN, decided on the route the router matched (after it
 * decoded the path and dropped an absolute-form target's host), never on the raw URL's spelling.
 * Every route is guarded unless OPEN_ROUTES names it; reads may be opened by BATON_PUBLIC_READ.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { posix } from 'node:path';
import type {} from '@fastify/websocket'; // adds `request.ws` and the `websocket` route option to Fastify's types
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ANONYMOUS_READER, API_TOKEN_ACTOR, LOCAL_ACTOR, type Actor } from '../actors/contracts.js';
import { BatonError } from '../errors/index.js';
import type { ServerConfig } from './config.js';
import { sendError } from './errors.js';

/** What the guard decided for one route when it was registered. */
export interface RouteAccess {
  method: string;
  url: string;
  /** Callable without a token. */
  open: boolean;
  /** A WebSocket route (`websocket: true` or a `wsHandler`): the only kind that takes `?token=`, and only on an upgrade. */
  websocket: boolean;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Who the request was authenticated as (set by installAuth before any handler): the actor every decision records. */
    actor: Actor;
  }
  interface FastifyContextConfig {
    /** Set by installAuth's onRoute hook on every route registered after it; a route without it is guarded. */
    batonAuth?: RouteAccess;
  }
}

/**
 * The routes anyone may read, as the router knows them (patterns, not request paths): the probe,
 * the API's documentation (swagger UI and its files) and the dashboard's page and files (`/*`),
 * which must load so it can ask for the token. Nothing else is open: a new route is guarded.
 */
const OPEN_ROUTES: ReadonlySet<string> = new Set([
  '/health',
  '/openapi.json',
  '/docs',
  '/docs/',
  '/docs/json',
  '/docs/yaml',
  '/docs/static/index.html',
  '/docs/static/swagger-initializer.js',
  '/docs/static/*',
  '/*',
]);
const OPEN_METHODS = new Set(['GET', 'HEAD']);

/** Routes registered after installAuth, in order, with the guard's decision: the auth tests walk it. */
const routeTables = new WeakMap<FastifyInstance, RouteAccess[]>();
export const routeAccess = (app: FastifyInstance): readonly RouteAccess[] => routeTables.get(app) ?? [];

/**
 * The path as a browser or a proxy would resolve it: host of an absolute-form target dropped,
 * percent-escapes decoded, duplicate slashes and dot segments folded. Only used to refuse more.
 */
export function canonicalPath(url: string): string {
  let path = url.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i, '').split(/[?#]/, 1)[0] ?? '';
  try {
    path = decodeURIComponent(path);
  } catch {
    // The router refuses a broken escape with 400 before any hook; keep the raw text.
  }
  return posix.normalize(`/${path.replaceAll('\\', '/')}`);
}

/** The API and the streams, however spelled: guarded even if an open route (the dashboard's `/*`) caught the request. */
const API_PATH = /^\/(api|ws)(\/|$)/i;

type Credential = { kind: 'none' } | { kind: 'malformed' } | { kind: 'token'; value: string };

/** RFC 7235: the scheme is case-insensitive; RFC 6750: one space-separated credential. */
const BEARER = /^bearer[ \t]+(\S(?:.*\S)?)[ \t]*$/i;

function credentialOf(request: FastifyRequest, websocketRoute: boolean): Credential {
  const header = request.headers.authorization;
  if (header !== undefined) {
    const match = BEARER.exec(header);
    return match?.[1] === undefined ? { kind: 'malformed' } : { kind: 'token', value: match[1] };
  }
  // Browsers' WebSockets cannot set a header, so a real upgrade on a WebSocket route may carry
  // the token as ?token=; anywhere else a token in the URL would end up in histories and is refused.
  if (!websocketRoute || !request.ws) return { kind: 'none' };
  const query = request.query as Record<string, unknown> | null | undefined;
  const given = query?.token;
  return typeof given === 'string' && given !== '' ? { kind: 'token', value: given } : { kind: 'none' };
}

/** Digests have one length whatever the token's, so the comparison's time says nothing about it. */
const digest = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();

export function installAuth(app: FastifyInstance, config: ServerConfig): void {
  const table: RouteAccess[] = [];
  routeTables.set(app, table);
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    // A route with several methods is open only if every one of them is.
    const open = OPEN_ROUTES.has(route.url) && methods.every((method) => OPEN_METHODS.has(method));
    // @fastify/websocket upgrades on either spelling of a WebSocket route.
    const websocket = route.websocket === true || typeof route.wsHandler === 'function';
    for (const method of methods) table.push({ method, url: route.url, open, websocket });
    route.config = { ...route.config, batonAuth: { method: methods.join(','), url: route.url, open, websocket } };
  });

  app.decorateRequest('actor', null as unknown as Actor);
  const token = config.apiToken;
  if (token === undefined) {
    app.addHook('onRequest', (request, _reply, done) => {
      request.actor = LOCAL_ACTOR;
      done();
    });
    return;
  }
  const expected = digest(token);

  // onRequest runs after routing, so routeOptions is the route that will run.
  app.addHook('onRequest', async (request, reply) => {
    // Unmatched requests reach the not-found handler, which serves nothing; a route registered
    // before this hook (the CORS preflight route) has no decision and is guarded.
    request.actor = ANONYMOUS_READER;
    const access = request.is404 ? undefined : request.routeOptions.config.batonAuth;
    const apiPath = API_PATH.test(canonicalPath(request.url));
    if (!apiPath && (request.is404 || access?.open === true)) return;
    const websocketRoute = access?.websocket === true;
    if (config.publicRead && OPEN_METHODS.has(request.method) && !websocketRoute && !request.ws) return;

    const credential = credentialOf(request, websocketRoute);
    if (credential.kind === 'none') {
      return sendError(
        reply,
        request,
        new BatonError('UNAUTHORIZED', 'this route needs an API token', { suggestions: ['send Authorization: Bearer <token>'] }),
      );
    }
    if (credential.kind === 'malformed') {
      return sendError(
        reply,
        request,
        new BatonError('UNAUTHORIZED', 'the Authorization header is not "Bearer <token>"', { suggestions: ['send Authorization: Bearer <token>'] }),
      );
    }
    if (!timingSafeEqual(digest(credential.value), expected)) return sendError(reply, request, new BatonError('FORBIDDEN', 'the API token is not valid'));
    request.actor = API_TOKEN_ACTOR;
  });
}
