/**
 * Builds the HTTP + WebSocket server around an engine: routes, OpenAPI document and UI, errors
 * with request ids, auth, CORS and body limits. Listening is the caller's choice (`listen`).
 */
import { randomUUID } from 'node:crypto';
import cors from '@fastify/cors';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import websocket, { type WebsocketHandler } from '@fastify/websocket';
import Fastify, { type FastifyInstance, type FastifyServerOptions, type RouteOptions } from 'fastify';
import { jsonSchemaTransform, jsonSchemaTransformObject, serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Engine } from '../engine/index.js';
import { BatonError } from '../errors/index.js';
import { llmSettingsFromEnv, type LlmSettings } from '../llm/index.js';
import { installAuth } from './auth.js';
import { installLimits } from './limits.js';
import { installHttpTelemetry, metricsRoutes, type Telemetry } from '../telemetry/index.js';
import { installOriginCheck } from './origin.js';
import { redactingTokens } from './log-redaction.js';
import type { ServerConfig } from './config.js';
import { answerClientError, answerFrameworkError, installErrorHandling, MAX_PATH_PARAM_LENGTH, sendError } from './errors.js';
import { installJsonBodyParser, refuseNulInParameters } from './json-body.js';
import { actorRoutes } from './routes/actors.js';
import { auditRoutes } from './routes/audit.js';
import { healthRoutes } from './routes/health.js';
import { nodesRoutes } from './routes/nodes.js';
import { orchestratorRoutes } from './routes/orchestrator.js';
import { runRoutes } from './routes/runs.js';
import { workflowRoutes } from './routes/workflows.js';
import type { BatonStore } from '../store/index.js';
import { ActorDirectory } from '../actors/directory.js';
import type { OpenedModule } from './modules.js';
import { OpenStreams, streamRoutes } from './stream/routes.js';
import { DEFAULT_WEB_ROOT, registerDashboard } from './static.js';
import { batonVersion } from '../version.js';

export interface ServerOptions {
  engine: Engine;
  /** The store the engine runs on: /health pings it; the actors' directory (tokens, roles) lives in its database. */
  store: BatonStore;
  config: ServerConfig;
  /** The workflow modules the engine registered: their routes and dashboard views (default none: the generic API only). */
  modules?: readonly OpenedModule[];
  /** Fastify's logger option (pino): true, false, or pino options. Default: info level JSON lines. */
  logger?: FastifyServerOptions['logger'];
  /** The language model for parameter extraction; default from the environment (OPENAI_*, AZURE_OPENAI_*); null for none. */
  llm?: LlmSettings | null;
  /** The built dashboard served at `/` (default web/dist); null serves none. */
  webRoot?: string | null;
  /** Traces and metrics (src/telemetry): HTTP spans and latency, GET /metrics (guarded like every route). Default none. */
  telemetry?: Telemetry;
}

/**
 * @fastify/websocket answers a plain GET on a WebSocket route with an empty 404. Registered before
 * the plugin, this hook hands it the route's handler as `wsHandler` and puts an error in the shape,
 * saying to upgrade, as the handler of requests that do not upgrade.
 */
function answerPlainGetsOnWebSocketRoutes(app: FastifyInstance): void {
  app.addHook('onRoute', (route: RouteOptions) => {
    if (!route.websocket) return;
    route.websocket = false;
    // A WebSocket route's handler takes (socket, request): it is the plugin's wsHandler as written.
    route.wsHandler = route.handler as unknown as WebsocketHandler;
    route.handler = (request, reply) =>
      sendError(
        reply,
        request,
        new BatonError('BAD_REQUEST', `${request.url.split('?')[0] ?? ''} is a WebSocket endpoint: open it with an Upgrade: websocket request`, {
          suggestions: ['connect with a WebSocket client (new WebSocket(url)); for events over plain HTTP use GET /api/runs/{run_id}/events'],
        }),
      );
  });
}

/**
 * The Fastify every Baton HTTP server starts from (the full API, and a worker node's /health and /metrics): the
 * error shape for every failure, the framework's own included, request ids from X-Request-Id or fresh, and zod schemas.
 */
export function coreServer({ logger, bodyLimit, telemetry }: { logger: ServerOptions['logger']; bodyLimit?: number; telemetry?: Telemetry | undefined }) {
  const app = Fastify({
    logger: redactingTokens(logger),
    ...(bodyLimit === undefined ? {} : { bodyLimit }),
    routerOptions: { maxParamLength: MAX_PATH_PARAM_LENGTH },
    // Errors before routing and before a request exists get the error shape and a request id too.
    frameworkErrors: answerFrameworkError,
    clientErrorHandler: answerClientError,
    // On close, drop idle keep-alive sockets but let requests in flight finish: destroying them (true) reset clients
    // whose runs were already written, and a client that retried started the season twice. `closeServer` bounds the wait.
    forceCloseConnections: 'idle',
    requestIdHeader: false,
    genReqId: (request) => {
      const given = request.headers['x-request-id'];
      return typeof given === 'string' && SANE_REQUEST_ID.test(given) ? given : randomUUID();
    },
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  // First: Fastify fixes a route's hooks when its plugin loads, so a hook added after the routes would miss them.
  if (telemetry) installHttpTelemetry(app, telemetry);
  app.addHook('onRequest', async (request, reply) => {
    void reply.header('x-request-id', request.id);
  });
  installErrorHandling(app);
  drainOnClose(app);
  return app;
}

/** How long a closing server lets requests in flight finish before dropping their connections. */
export const DRAIN_MS = 10_000;

/** On close, requests in flight get up to DRAIN_MS to finish (a slow upload must not hold a shutdown for ever). */
function drainOnClose(app: FastifyInstance): void {
  let deadline: NodeJS.Timeout | undefined;
  let closing = false;
  // An answer given while closing ends its connection: kept alive, the socket held the close for the keep-alive timeout.
  app.addHook('onSend', async (_request, reply) => {
    if (closing) void reply.header('connection', 'close');
  });
  app.addHook('preClose', (done) => {
    closing = true;
    deadline = setTimeout(() => app.server.closeAllConnections(), DRAIN_MS);
    deadline.unref();
    done();
  });
  app.addHook('onClose', (_instance, done) => {
    clearTimeout(deadline);
    done();
  });
}

/** A caller's X-Request-Id is kept when it is a sane token; otherwise a new id is made. */
const SANE_REQUEST_ID = /^[\w.:-]{1,128}$/;

export async function buildServer({
  engine,
  store,
  config,
  modules = [],
  logger = { level: 'info' },
  llm = llmSettingsFromEnv() ?? null,
  webRoot = DEFAULT_WEB_ROOT,
  telemetry,
}: ServerOptions): Promise<FastifyInstance> {
  const app = coreServer({ logger, bodyLimit: config.bodyLimit, telemetry });
  installJsonBodyParser(app);
  refuseNulInParameters(app);
  answerPlainGetsOnWebSocketRoutes(app);
  // Before auth: the plugin's own onRequest hook marks upgrade requests, so that a refused
  // upgrade's socket is destroyed after the error response (otherwise close() waits on it).
  const streams = new OpenStreams();
  app.addHook('preClose', (done) => {
    streams.closeAll();
    done();
  });
  await app.register(websocket, { options: { maxPayload: 64 * 1024 } });
  // Before auth too: preflights carry no token, and a refusal must still be readable cross-origin.
  await app.register(cors, { origin: config.corsOrigins.length > 0 ? config.corsOrigins : false });
  installOriginCheck(app, config);
  const actors = ActorDirectory.of(store);
  installAuth(app, config, actors);
  // After auth (a refused token takes no stream slot nor request count), before the routes.
  const slots = await installLimits(app, config);

  await app.register(swagger, {
    openapi: {
      info: { title: 'Baton API', description: 'Durable multi-agent workflows: runs, approvals, live events.', version: batonVersion() ?? 'unknown' },
      components: config.apiToken ? { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } } : {},
      ...(config.apiToken ? { security: [{ bearer: [] }] } : {}),
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  app.get('/openapi.json', { schema: { hide: true } }, () => app.swagger());
  await app.register(healthRoutes(store, engine.nodeId));
  await app.register(nodesRoutes(store, { id: engine.nodeId, leaseMs: engine.leaseMs, heartbeatMs: engine.heartbeatMs, now: () => engine.now() }));
  await app.register(orchestratorRoutes(engine, config.defaultWorkflow, llm));
  await app.register(runRoutes(engine));
  await app.register(actorRoutes(actors));
  await app.register(auditRoutes(engine, actors));
  await app.register(
    workflowRoutes(
      engine,
      modules.flatMap((m) => m.views ?? []),
    ),
  );
  // Each module's routes in a plugin of their own: whatever they add (body parsers, hooks) stays theirs.
  for (const module of modules) if (module.routes) await app.register(module.routes(engine, config));
  await app.register(streamRoutes(engine, config, streams));
  if (telemetry) await app.register(metricsRoutes(telemetry, { store, streamClients: () => slots.total }));
  if (webRoot !== null) await registerDashboard(app, webRoot);
  return app;
}
