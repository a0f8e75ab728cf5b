/**
 * Bearer-token access (BATON_API_TOKEN or an actor's token), decided on the route the router matched
 * (after it decoded the path and dropped an absolute-form target's host), never on the raw URL's
 * spelling. Every route is guarded unless OPEN_ROUTES names it; reads may be opened by BATON_PUBLIC_READ;
 * the caller's scope must reach the route's.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { posix } from 'node:path';
import type {} from '@fastify/websocket'; // adds `request.ws` and the `websocket` route option to Fastify's types
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ANONYMOUS_READER, API_TOKEN_ACTOR, LOCAL_ACTOR, type Actor, type ActorScope } from '../actors/contracts.js';
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
  /** The scope a caller needs: read for GET, HEAD and streams, write for the rest, admin where the route says so. */
  scope: ActorScope;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Who the request was authenticated as (set by installAuth before any handler): the actor every decision records. */
    actor: Actor;
    /**
     * For a request authenticated by an actor's token: asks the directory again whether that token still holds the
     * route's scope (a stream outlives its upgrade, and a revoked token must not keep one). Null otherwise.
     */
    /** Rechecked by open streams: null while the credential holds, else why it no longer does. */
    stillAuthorized: (() => Promise<BatonError | null>) | null;
  }
  interface FastifyContextConfig {
    /** Set by installAuth's onRoute hook on every route registered after it; a route without it is guarded. */
    batonAuth?: RouteAccess;
    /** A route needing more than its method implies (the actor admin routes: `admin`). */
    batonScope?: ActorScope;
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

/** What the guard needs of the actors' directory (src/actors/directory.ts): tests may pass their own. */
export interface ActorAuthenticator {
  authenticate(token: string): Promise<Actor | undefined>;
  hasActors(): Promise<boolean>;
}

/**
 * How long a "no actor yet" answer is trusted: a server in local single-user mode asks the database
 * again at most this often, so an actor added by the CLI or another node closes every node within
 * about a second (a request carrying a token asks at once, so a new actor's token works at once).
 * Once an actor exists the answer never changes (actors are revoked, never deleted).
 */
const NO_ACTORS_TTL_MS = 1_000;

function actorsExist(actors: ActorAuthenticator): (fresh: boolean) => Promise<boolean> {
  let known = false;
  let checkedAt = -Infinity;
  let pending: Promise<boolean> | undefined;
  return async (fresh) => {
    if (known || (!fresh && performance.now() - checkedAt < NO_ACTORS_TTL_MS)) return known;
    // Concurrent requests share one query.
    pending ??= actors.hasActors().then(
      (exists) => {
        known = exists;
        checkedAt = performance.now();
        pending = undefined;
        return exists;
      },
      (error: unknown) => {
        pending = undefined;
        throw error;
      },
    );
    return pending;
  };
}

/** How long one recheck of a token answers for every stream opened with it. */
const RECHECK_SHARED_MS = 1_000;

/**
 * Streams recheck their token every few seconds, each on its own timer: the streams of one token (a dashboard's
 * tabs, a client's hundred sessions) share an answer for a second instead of each asking the database.
 */
function sharedRecheck(actors: ActorAuthenticator): (token: string) => Promise<Actor | undefined> {
  const recent = new Map<string, { at: number; answer: Promise<Actor | undefined> }>();
  return (token) => {
    const now = Date.now();
    for (const [key, entry] of recent) if (now - entry.at >= RECHECK_SHARED_MS) recent.delete(key);
    let entry = recent.get(token);
    if (entry === undefined) {
      entry = { at: now, answer: actors.authenticate(token) };
      recent.set(token, entry);
      // A failed check is not remembered: the next stream asks again.
      void entry.answer.catch(() => recent.delete(token));
    }
    return entry.answer;
  };
}

/** One answer for every refused token, so it never tells whether an actor or a token exists or was revoked. */
const invalidToken = () => new BatonError('FORBIDDEN', 'the API token is not valid', { suggestions: ['ask an admin for a token (baton actors token <name>)'] });

const SCOPE_RANK: Record<ActorScope, number> = { read: 0, write: 1, admin: 2 };

/** The scope a route needs: what it declared (`config.batonScope`), else read for GET and HEAD (streams too) and write for the rest. */
function scopeNeeded(method: string, declared: ActorScope | undefined): ActorScope {
  return declared ?? (OPEN_METHODS.has(method) ? 'read' : 'write');
}

/**
 * Decides who a request is (`request.actor`) and whether it may go on. Three modes:
 * - local: no BATON_API_TOKEN and no actor in the database (or no directory): everyone is LOCAL_ACTOR, as before actors;
 * - tokens: BATON_API_TOKEN matches (timing-safe) → API_TOKEN_ACTOR, else an actor's token from the directory;
 *   no credential → 401, a malformed header → 401, an unknown, wrong or revoked token → 403 with one message;
 * - BATON_PUBLIC_READ: reads without a credential are ANONYMOUS_READER.
 * Then the actor's scope must reach the route's: read-only actors read and follow streams, admin manages actors.
 */
export function installAuth(app: FastifyInstance, config: ServerConfig, actors?: ActorAuthenticator): void {
  const table: RouteAccess[] = [];
  routeTables.set(app, table);
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    // A route with several methods is open only if every one of them is.
    const open = OPEN_ROUTES.has(route.url) && methods.every((method) => OPEN_METHODS.has(method));
    // @fastify/websocket upgrades on either spelling of a WebSocket route.
    const websocket = route.websocket === true || typeof route.wsHandler === 'function';
    const declared = route.config?.batonScope;
    for (const method of methods) table.push({ method, url: route.url, open, websocket, scope: scopeNeeded(method, declared) });
    // With several methods, the strictest method's scope.
    const scope = methods.map((m) => scopeNeeded(m, declared)).reduce((a, b) => (SCOPE_RANK[b] > SCOPE_RANK[a] ? b : a), 'read' as ActorScope);
    route.config = { ...route.config, batonAuth: { method: methods.join(','), url: route.url, open, websocket, scope } };
  });

  app.decorateRequest('actor', null as unknown as Actor);
  app.decorateRequest('stillAuthorized', null);
  const token = config.apiToken;
  if (token === undefined && actors === undefined) {
    app.addHook('onRequest', (request, _reply, done) => {
      request.actor = LOCAL_ACTOR;
      done();
    });
    return;
  }
  const expected = token === undefined ? undefined : digest(token);
  const recheck = actors && sharedRecheck(actors);
  const guarded = token !== undefined || actors === undefined ? () => Promise.resolve(true) : actorsExist(actors);
  const carriesToken = (request: FastifyRequest) =>
    request.headers.authorization !== undefined || (request.query as { token?: unknown } | null)?.token !== undefined;

  // onRequest runs after routing, so routeOptions is the route that will run.
  app.addHook('onRequest', async (request, reply) => {
    // Unmatched requests reach the not-found handler, which serves nothing; a route registered
    // before this hook (the CORS preflight route) has no decision and is guarded.
    const access = request.is404 ? undefined : request.routeOptions.config.batonAuth;
    const apiPath = API_PATH.test(canonicalPath(request.url));
    // Open routes (/health, the docs, the dashboard's files) need no answer from the database about who may call:
    // a load balancer's health check must get /health's own answer while the database is down.
    if (!apiPath && (request.is404 || access?.open === true)) {
      request.actor = ANONYMOUS_READER;
      return;
    }
    if (!(await guarded(carriesToken(request)))) {
      request.actor = LOCAL_ACTOR;
      // A stream opened in local mode holds only while there is no actor: once one is added, the server needs tokens.
      request.stillAuthorized = async () =>
        (await guarded(false))
          ? new BatonError('UNAUTHORIZED', 'this server now needs an API token (an actor was added): reconnect with one', {
              suggestions: ['reconnect with ?token=<token> or Authorization: Bearer <token>'],
            })
          : null;
      return;
    }
    request.actor = ANONYMOUS_READER;
    const websocketRoute = access?.websocket === true;
    const needed = access?.scope ?? scopeNeeded(request.method, undefined);

    const credential = credentialOf(request, websocketRoute);
    if (credential.kind === 'none') {
      // Public reads: a read-scope route without a credential is the anonymous reader's; a token, when given, still counts.
      if (config.publicRead && OPEN_METHODS.has(request.method) && !websocketRoute && !request.ws && needed === 'read') return;
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
    let actor: Actor | undefined;
    if (expected !== undefined && timingSafeEqual(digest(credential.value), expected)) actor = API_TOKEN_ACTOR;
    else if (actors !== undefined) actor = await actors.authenticate(credential.value);
    if (actor === undefined) return sendError(reply, request, invalidToken());
    request.actor = actor;
    if (actor !== API_TOKEN_ACTOR && recheck !== undefined) {
      const presented = credential.value;
      request.stillAuthorized = async () => {
        const now = await recheck(presented);
        return now !== undefined && SCOPE_RANK[now.scope] >= SCOPE_RANK[needed]
          ? null
          : new BatonError('FORBIDDEN', 'the API token this stream was opened with is no longer valid');
      };
    }
    if (SCOPE_RANK[actor.scope] < SCOPE_RANK[needed]) {
      return sendError(
        reply,
        request,
        new BatonError('FORBIDDEN', `this route needs scope ${needed}; ${actor.name} has scope ${actor.scope}`, {
          details: { scope_needed: needed, scope: actor.scope },
          suggestions: [`ask an admin for an actor with scope ${needed}`],
        }),
      );
    }
  });
}
