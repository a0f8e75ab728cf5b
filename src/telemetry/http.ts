/**
 * HTTP telemetry for a Fastify app: a span and a latency observation per request (method, route
 * pattern, status), and GET /metrics with the Prometheus text. /metrics is an ordinary route, so
 * the server's auth hook guards it like the rest of the API.
 */
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, type Span } from '@opentelemetry/api';
import type {} from '@fastify/websocket'; // `request.ws` in Fastify's types
import type { FastifyInstance, FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { RunStore } from '../store/types.js';
import { RUN_STATES } from '../store/types.js';
import { registerScrapeGauges } from './metrics.js';
import type { Telemetry } from './telemetry.js';

interface Timing {
  started: bigint;
  span: Span | undefined;
}

/** The route pattern the router matched (`/api/runs/:id`), never the raw path: bounded label values, no ids in metric names. */
const routeOf = (request: FastifyRequest): string => (request.is404 ? 'unmatched' : (request.routeOptions.url ?? 'unmatched'));

const isUpgrade = (request: FastifyRequest): boolean => request.headers.upgrade?.toLowerCase() === 'websocket';

/**
 * Call right after creating the app, before any route or plugin: Fastify fixes a route's hooks
 * when the route's plugin finishes loading, so hooks added later miss the routes before them.
 */
export function installHttpTelemetry(app: FastifyInstance, { tracer, tracing, metrics }: Telemetry): void {
  const timings = new WeakMap<FastifyRequest, Timing>();

  const finish = (request: FastifyRequest, status: number, error?: string): void => {
    const timing = timings.get(request);
    if (!timing) return;
    timings.delete(request);
    const route = routeOf(request);
    metrics.httpDuration.observe({ method: request.method, route, status: String(status) }, Number(process.hrtime.bigint() - timing.started) / 1e9);
    const span = timing.span;
    if (!span) return;
    span.updateName(`${request.method} ${route}`);
    span.setAttributes({ 'http.route': route, 'http.response.status_code': status });
    // OpenTelemetry's HTTP conventions: on a server span only a 5xx is an error (a 4xx is the caller's).
    if (status >= 500 || error !== undefined) span.setStatus({ code: SpanStatusCode.ERROR, ...(error ? { message: error } : {}) });
    span.end();
  };

  // Callback-style hooks: nothing here waits, and an async hook costs a promise per request.
  app.addHook('onRequest', (request, _reply, done) => {
    const span = tracing
      ? tracer.startSpan(
          request.method,
          {
            kind: SpanKind.SERVER,
            attributes: { 'http.request.method': request.method, 'url.path': request.url.split('?', 1)[0] ?? '/', 'baton.request.id': request.id },
          },
          ROOT_CONTEXT,
        )
      : undefined;
    timings.set(request, { started: process.hrtime.bigint(), span });
    done();
  });
  // An accepted WebSocket upgrade is hijacked and never reaches onResponse: its request ends at the handover (101).
  app.addHook('preHandler', (request, _reply, done) => {
    if (isUpgrade(request) && request.ws) finish(request, 101);
    done();
  });
  app.addHook('onResponse', (request, reply, done) => {
    finish(request, reply.statusCode);
    done();
  });
  app.addHook('onRequestAbort', (request, done) => {
    finish(request, 499, 'client closed the request');
    done();
  });
}

export interface MetricsRoutesOptions {
  /** Counts runs by state for the `baton_runs` gauge at each scrape (from the database: every node's runs). */
  store?: Pick<RunStore, 'listRuns'>;
  /** The server's open WebSocket streams (StreamSlots.total). */
  streamClients?: () => number;
}

/** GET /metrics: the Prometheus text exposition of this telemetry's registry. */
export const metricsRoutes =
  (telemetry: Telemetry, { store, streamClients }: MetricsRoutesOptions = {}): FastifyPluginAsync =>
  (app) => {
    registerScrapeGauges(telemetry.metrics, {
      ...(store
        ? {
            // One count per state (seven small queries per scrape), zeros included so a state's series never vanishes.
            runsByState: () => Promise.all(RUN_STATES.map(async (state) => [state, (await store.listRuns({ state, limit: 1 })).total] as const)),
          }
        : {}),
      ...(streamClients ? { streamClients } : {}),
    });
    app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => {
      const { registry } = telemetry.metrics;
      return reply.type(registry.contentType).send(await registry.metrics());
    });
    return Promise.resolve();
  };
