// A span and a latency observation per HTTP request, named by the route pattern, from a real Fastify server over real HTTP.
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, beforeEach, expect, it, describe } from 'vitest';
import { createTelemetry, installHttpTelemetry, metricsRoutes, type Telemetry } from '../../src/telemetry/index.js';
import { startOtlpReceiver, type OtlpReceiver } from './support.js';

describe('HTTP telemetry', () => {
  let receiver: OtlpReceiver;
  let telemetry: Telemetry;
  let app: FastifyInstance;
  let base: string;

  beforeEach(async () => {
    receiver = await startOtlpReceiver();
    telemetry = await createTelemetry({ env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint }, processMetrics: false, batch: { scheduledDelayMillis: 20 } });
    app = Fastify({ logger: false });
    installHttpTelemetry(app, telemetry);
    await app.register((api, _options, done) => {
      api.get('/items/:id', (request) => ({ id: (request.params as { id: string }).id }));
      api.get('/boom', () => {
        throw new Error('broken on purpose');
      });
      done();
    });
    await app.register(metricsRoutes(telemetry));
    await app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  });

  afterEach(async () => {
    await app.close();
    await telemetry.shutdown();
    await receiver.close();
  });

  it('names each request span by method and route pattern, with its path and status; only a 5xx is an error', async () => {
    expect((await fetch(`${base}/items/42?x=1`)).status).toBe(200);
    expect((await fetch(`${base}/items/7`)).status).toBe(200);
    expect((await fetch(`${base}/boom`)).status).toBe(500);
    expect((await fetch(`${base}/nowhere`)).status).toBe(404);
    await telemetry.flush();

    const seen = receiver.spans.map((span) => [span.name, span.attributes['url.path'], span.attributes['http.response.status_code'], span.status.code ?? 0]);
    expect(seen).toEqual(
      expect.arrayContaining([
        ['GET /items/:id', '/items/42', 200, 0],
        ['GET /items/:id', '/items/7', 200, 0],
        ['GET /boom', '/boom', 500, 2],
        ['GET unmatched', '/nowhere', 404, 0],
      ]),
    );
    expect(receiver.spans).toHaveLength(4);
    // SpanKind.SERVER is 2 in OTLP's enumeration (0 unspecified, 1 internal).
    expect(receiver.spans.every((span) => span.kind === 2 && span.parentSpanId === undefined)).toBe(true);
    expect(receiver.spans.every((span) => span.endMs >= span.startMs)).toBe(true);
  });

  it('observes request latency by route pattern and status, never by raw path', async () => {
    await fetch(`${base}/items/1`);
    await fetch(`${base}/items/2`);
    await fetch(`${base}/nowhere/at/all`);
    const text = await (await fetch(`${base}/metrics`)).text();
    expect(text).toContain('baton_http_request_duration_seconds_count{method="GET",route="/items/:id",status="200"} 2');
    expect(text).toContain('baton_http_request_duration_seconds_count{method="GET",route="unmatched",status="404"} 1');
    expect(text).not.toContain('/items/1');
  });
});
