// An in-process OTLP/HTTP receiver (JSON) collecting the spans Baton exports, and small workflows whose agents fail on demand.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import { defineAgent, defineWorkflow } from '../../src/engine/index.js';
import { AgentError } from '../../src/errors/index.js';

/** One exported span, its attributes flattened to plain values. */
export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string | undefined;
  name: string;
  kind: number;
  startMs: number;
  endMs: number;
  attributes: Record<string, string | number | boolean>;
  status: { code?: number; message?: string };
  events: { name: string; attributes: Record<string, string | number | boolean> }[];
  service: string | undefined;
}

const anyValue = z.object({
  stringValue: z.string().optional(),
  intValue: z.union([z.string(), z.number()]).optional(),
  doubleValue: z.number().optional(),
  boolValue: z.boolean().optional(),
});
const keyValues = z.array(z.object({ key: z.string(), value: anyValue })).default([]);
/** The OTLP/JSON trace request (opentelemetry-proto's JSON mapping: ids as hex, times as decimal strings). */
const exportRequest = z.object({
  resourceSpans: z.array(
    z.object({
      resource: z.object({ attributes: keyValues }).optional(),
      scopeSpans: z.array(
        z.object({
          spans: z.array(
            z.object({
              traceId: z.string(),
              spanId: z.string(),
              parentSpanId: z.string().optional(),
              name: z.string(),
              kind: z.number(),
              startTimeUnixNano: z.union([z.string(), z.number()]),
              endTimeUnixNano: z.union([z.string(), z.number()]),
              attributes: keyValues,
              status: z.object({ code: z.number().optional(), message: z.string().optional() }).default({}),
              events: z.array(z.object({ name: z.string(), attributes: keyValues })).default([]),
            }),
          ),
        }),
      ),
    }),
  ),
});

const flatten = (list: z.output<typeof keyValues>): Record<string, string | number | boolean> =>
  Object.fromEntries(
    list.map(({ key, value }) => [
      key,
      value.stringValue ?? (value.intValue !== undefined ? Number(value.intValue) : undefined) ?? value.doubleValue ?? value.boolValue ?? '',
    ]),
  );
const ms = (nanos: string | number): number => Number(BigInt(nanos) / 1_000_000n);

export interface OtlpReceiver {
  /** The base endpoint, as OTEL_EXPORTER_OTLP_ENDPOINT takes it. */
  endpoint: string;
  spans: ReceivedSpan[];
  /** Content types of the requests received. */
  contentTypes: string[];
  close(): Promise<void>;
}

/**
 * Accepts POST /v1/traces with JSON bodies, as an OpenTelemetry collector would, and keeps the spans.
 * `holdMs` delays taking each request, as a slow collector would, so an export can be caught in flight.
 */
export async function startOtlpReceiver(options: { holdMs?: number } = {}): Promise<OtlpReceiver> {
  const spans: ReceivedSpan[] = [];
  const contentTypes: string[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => setTimeout(take, options.holdMs ?? 0));
    const take = () => {
      if (request.method !== 'POST' || request.url !== '/v1/traces') {
        response.writeHead(404).end();
        return;
      }
      contentTypes.push(request.headers['content-type'] ?? '');
      const body = exportRequest.parse(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      for (const resourceSpans of body.resourceSpans) {
        const service = flatten(resourceSpans.resource?.attributes ?? [])['service.name'];
        for (const scope of resourceSpans.scopeSpans)
          for (const span of scope.spans)
            spans.push({
              traceId: span.traceId,
              spanId: span.spanId,
              parentSpanId: span.parentSpanId || undefined,
              name: span.name,
              kind: span.kind,
              startMs: ms(span.startTimeUnixNano),
              endMs: ms(span.endTimeUnixNano),
              attributes: flatten(span.attributes),
              status: span.status,
              events: span.events.map((event) => ({ name: event.name, attributes: flatten(event.attributes) })),
              service: typeof service === 'string' ? service : undefined,
            });
      }
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    };
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    spans,
    contentTypes,
    close: () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}

/** Answers at once. */
export const steady = () => defineAgent({ name: 'steady', input: z.unknown(), output: z.object({ ok: z.boolean() }), run: () => ({ ok: true }) });

/** Fails `failures` times per run key (retryably unless `final`), then succeeds; a few milliseconds apart so attempts have lengths. */
export const flaky = () => {
  const calls = new Map<string, number>();
  return defineAgent({
    name: 'flaky',
    input: z.object({ parameters: z.object({ key: z.string(), failures: z.number(), final: z.boolean() }) }).loose(),
    output: z.object({ ok: z.boolean() }),
    retry: { maxAttempts: 3, initialDelayMs: 1, maxDelayMs: 2 },
    run: async ({ input }) => {
      const call = (calls.get(input.parameters.key) ?? 0) + 1;
      calls.set(input.parameters.key, call);
      await new Promise((resolve) => setTimeout(resolve, 5));
      if (call <= input.parameters.failures) throw new AgentError(`refused call ${call}`, { retryable: !input.parameters.final });
      return { ok: true };
    },
  });
};

/** prepare (steady) → work (flaky). */
export const flakyFlow = defineWorkflow({
  name: 'flaky_flow',
  parameters: z.object({ key: z.string(), failures: z.number().int().min(0).default(0), final: z.boolean().default(false) }),
  phases: [
    { name: 'prepare', agent: 'steady' },
    { name: 'work', agent: 'flaky' },
  ],
});

/** prepare (steady) → approve (a person) → finish (steady). */
export const approvalFlow = defineWorkflow({
  name: 'approval_flow',
  parameters: z.object({}),
  phases: [
    { name: 'prepare', agent: 'steady' },
    { name: 'approve', wait: { kind: 'approval', data: () => ({ question: 'go on?' }) } },
    { name: 'finish', agent: 'steady' },
  ],
});
