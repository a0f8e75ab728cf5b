// flush() delivers every ended span, including a batch the processor's timer already handed to the exporter.
import { afterEach, expect, it } from 'vitest';
import { createTelemetry, type Telemetry } from '../../src/telemetry/index.js';
import { startOtlpReceiver, type OtlpReceiver } from './support.js';

let receiver: OtlpReceiver | undefined;
let telemetry: Telemetry | undefined;

afterEach(async () => {
  await telemetry?.shutdown();
  await receiver?.close();
});

it('waits for an export already under way, not only for the spans still queued', async () => {
  // A collector slow to take each request keeps the timer's export in flight while flush is called.
  receiver = await startOtlpReceiver({ holdMs: 300 });
  telemetry = await createTelemetry({ env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint }, processMetrics: false, batch: { scheduledDelayMillis: 5 } });
  telemetry.tracer.startSpan('first').end();
  await new Promise((resolve) => setTimeout(resolve, 60));
  // Nothing is queued any more: the span is in the request the collector is holding.
  await telemetry.flush();
  expect(receiver.spans.map((span) => span.name)).toEqual(['first']);
});
