/** Traces (OpenTelemetry over OTLP) and metrics (Prometheus) for a Baton process, installed by the server and `baton serve`. */
export { createTelemetry, tracesUrlFrom, TRACER_NAME } from './telemetry.js';
export type { Telemetry, TelemetryOptions } from './telemetry.js';
export { createMetrics } from './metrics.js';
export type { BatonMetrics, MetricsOptions } from './metrics.js';
export { watchEngine } from './engine.js';
export type { WatchableEngine, WatchOptions } from './engine.js';
export { instrumentStore } from './store.js';
export { installHttpTelemetry, metricsRoutes } from './http.js';
export type { MetricsRoutesOptions } from './http.js';
