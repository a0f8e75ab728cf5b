/** A real server on an ephemeral port around an engine on a real database, for the stream tests. */
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach } from 'vitest';
import { z } from 'zod';
import { defineAgent, defineWorkflow, Engine } from '../../../src/engine/index.js';
import { buildServer } from '../../../src/server/app.js';
import { parseServerConfig, type ServerConfigInput } from '../../../src/server/config.js';
import type { StoreKind, TestStore } from '../../support/stores.js';

export const step = defineAgent({
  name: 'step',
  input: z.unknown(),
  output: z.object({ ok: z.boolean() }),
  run: async ({ reportProgress }) => {
    reportProgress(50, 'half way');
    await new Promise((resolve) => setTimeout(resolve, 5));
    return { ok: true };
  },
});

/** Waits after each burst of the flood; a test may pace the producer by its fastest reader. */
export type FloodPacer = (sent: number) => Promise<void>;
const nextTick: FloodPacer = () => new Promise((resolve) => setTimeout(resolve, 1));
let floodPacer: FloodPacer = nextTick;
/** Paces the flood agent (until `reset` is called); the default lets each burst commit and go out on its own. */
export function paceFlood(pacer: FloodPacer): { reset(): void } {
  floodPacer = pacer;
  return { reset: () => (floodPacer = nextTick) };
}

/** Emits `count` custom events of `size` characters each, `burst` at a time: a flood for slow-client tests. */
export const flood = defineAgent({
  name: 'flood',
  input: z.object({ parameters: z.object({ count: z.number(), size: z.number(), burst: z.number() }) }).loose(),
  output: z.object({ sent: z.number() }),
  run: async ({ input, emit }) => {
    const { count, size, burst } = input.parameters;
    const blob = 'x'.repeat(size);
    for (let i = 0; i < count; i++) {
      emit('bulk', { i, blob });
      if ((i + 1) % burst === 0) await floodPacer(i + 1);
    }
    return { sent: count };
  },
});

export const approvalFlow = defineWorkflow({
  name: 'approve-then-finish',
  parameters: z.object({}),
  phases: [
    { name: 'prepare', agent: 'step' },
    { name: 'approve', wait: { kind: 'approval' } },
    { name: 'finish', agent: 'step' },
  ],
});

export const floodFlow = defineWorkflow({
  name: 'flood',
  parameters: z.object({ count: z.number(), size: z.number(), burst: z.number() }),
  phases: [{ name: 'flood', agent: 'flood' }],
});

export interface Running {
  engine: Engine;
  app: FastifyInstance;
  http: string;
  ws: string;
}

export function useServer(kind: StoreKind, config: ServerConfigInput = {}): () => Running {
  let t: TestStore | undefined;
  let running: Running | undefined;
  beforeEach(async () => {
    t = await kind.create();
    const engine = new Engine({ store: t.store, agents: [step, flood], workflows: [approvalFlow, floodFlow] });
    const app = await buildServer({ engine, store: t.store, config: parseServerConfig({ port: 0, ...config }), logger: false });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.server.address() as AddressInfo;
    running = { engine, app, http: `http://127.0.0.1:${port}`, ws: `ws://127.0.0.1:${port}` };
  });
  afterEach(async () => {
    await running?.app.close();
    await running?.engine.close();
    await t?.dispose();
  });
  return () => {
    if (!running) throw new Error('the server exists only inside a test');
    return running;
  };
}

export async function post(base: string, path: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
}
