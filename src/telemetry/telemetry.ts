/**
 * One process's telemetry: a tracer (OpenTelemetry, exported over OTLP/HTTP JSON when
 * OTEL_EXPORTER_OTLP_ENDPOINT is set) and the Prometheus metrics. Built once by `baton serve`
 * and handed to the pieces that install it (watchEngine, instrumentStore, installHttpTelemetry).
 */
import { trace, type Tracer } from '@opentelemetry/api';
import type { BufferConfig } from '@opentelemetry/sdk-trace-base';
import { createMetrics, type BatonMetrics } from './metrics.js';

export const TRACER_NAME = 'baton';

export interface Telemetry {
  readonly tracer: Tracer;
  /** Whether spans go anywhere; when false the tracer is the API's no-op one. */
  readonly tracing: boolean;
  /** Where spans are sent, when tracing. */
  readonly tracesUrl: string | null;
  readonly metrics: BatonMetrics;
  /** Sends the spans still queued (tests, and before exit). */
  flush(): Promise<void>;
  /** Flushes and stops the exporter. */
  shutdown(): Promise<void>;
}

export interface TelemetryOptions {
  /** The OTEL_* settings (default process.env). Headers, timeout and compression are read by the exporter from process.env. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Process metrics in /metrics (default true). */
  processMetrics?: boolean;
  /** The batch processor's settings (the tests shorten its delay). */
  batch?: BufferConfig;
}

/**
 * The OTLP/HTTP traces URL the standard variables name: the signal's own endpoint as given, else
 * the base endpoint with /v1/traces; null when neither is set or the SDK is disabled.
 */
export function tracesUrlFrom(env: Readonly<Record<string, string | undefined>>): string | null {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return null;
  if (env.OTEL_TRACES_EXPORTER !== undefined && env.OTEL_TRACES_EXPORTER.split(',').every((name) => name.trim() === 'none')) return null;
  const own = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim();
  if (own) return own;
  const base = env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim();
  if (!base) return null;
  return `${base.replace(/\/+$/, '')}/v1/traces`;
}

/**
 * The process's telemetry. The SDK, the resource detectors and the OTLP exporter are loaded only when tracing is on:
 * they are some 250 modules (~0.3 s of every start of `baton` and of every test file that builds a server), which
 * tracing off would pay for nothing.
 */
export async function createTelemetry({ env = process.env, processMetrics = true, batch }: TelemetryOptions = {}): Promise<Telemetry> {
  const metrics = createMetrics({ processMetrics });
  const tracesUrl = tracesUrlFrom(env);
  if (tracesUrl === null) {
    // No provider is registered, so trace.getTracer returns the API's proxy to its NoopTracer: each
    // startSpan hands back one shared-shape NonRecordingSpan that reads no clock, keeps no
    // attributes and exports nothing. The watcher also skips its span bookkeeping when `tracing`
    // is false, so tracing off costs one boolean test per event. (A provider registered globally
    // by an embedding application would be used instead, which is what the API is for.)
    return {
      tracer: trace.getTracer(TRACER_NAME),
      tracing: false,
      tracesUrl: null,
      metrics,
      flush: () => Promise.resolve(),
      shutdown: () => Promise.resolve(),
    };
  }
  const [{ OTLPTraceExporter }, { defaultResource, detectResources, envDetector, resourceFromAttributes }, { BasicTracerProvider, BatchSpanProcessor }] =
    await Promise.all([import('@opentelemetry/exporter-trace-otlp-http'), import('@opentelemetry/resources'), import('@opentelemetry/sdk-trace-base')]);
  const detected = detectResources({ detectors: [envDetector] });
  const serviceName = env.OTEL_SERVICE_NAME?.trim() || (detected.attributes['service.name'] as string | undefined) || 'baton';
  const resource = defaultResource()
    .merge(detected)
    .merge(resourceFromAttributes({ 'service.name': serviceName }));
  // OTLP/HTTP with JSON bodies (this package's encoding); kept off the global API so two
  // instances (tests, an embedding application) never fight over it.
  const exporter = new OTLPTraceExporter({ url: tracesUrl });
  const provider = new BasicTracerProvider({ resource, spanProcessors: [new BatchSpanProcessor(exporter, batch)] });
  return {
    tracer: provider.getTracer(TRACER_NAME),
    tracing: true,
    tracesUrl,
    metrics,
    // The processor's forceFlush exports only the spans still queued; a batch its timer already
    // handed to the exporter may be in flight, so the exporter's own flush waits for those sends.
    flush: async () => {
      await provider.forceFlush();
      await exporter.forceFlush();
    },
    shutdown: () => provider.shutdown(),
  };
}
