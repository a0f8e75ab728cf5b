// A real Baton server on an ephemeral port for the HTTP tests: per test a fresh database, engine and app, plus fetch helpers.
import type { AddressInfo } from 'node:net';
import type { FastifyInstance, FastifyServerOptions } from 'fastify';
import { afterEach, expect } from 'vitest';
import { z } from 'zod';
import { defineAgent, defineWorkflow, Engine, type WorkflowDefinition } from '../../../src/engine/index.js';
import { AgentError } from '../../../src/errors/index.js';
import type { LlmSettings } from '../../../src/llm/index.js';
import { buildServer } from '../../../src/server/app.js';
import { seasonPlanningModule } from '../../../src/workflows/season-planning/module.js';
import { softwareDeliveryModule } from '../../../src/workflows/software-delivery/module.js';
import { parseServerConfig, type ServerConfigInput } from '../../../src/server/config.js';
import { openStore, type BatonStore } from '../../../src/store/index.js';
import type { errorBody } from '../../../src/server/schemas.js';
import { TEST_STORE_MODULES, type StoreKind, type TestStore } from '../../support/stores.js';

export type ErrorView = z.output<typeof errorBody>;

/** A response with its JSON body (or the text when it is not JSON). */
export interface Reply<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
}

/** An agent phase's step that answers at once with `{ done: true, call }`. */
const worker = () => {
  let calls = 0;
  return defineAgent({
    name: 'worker',
    input: z.unknown(),
    output: z.object({ done: z.boolean(), call: z.number() }),
    run: () => ({ done: true, call: ++calls }),
  });
};

/** Fails non-retryably for the first `failures` calls with the same `key`, then succeeds. */
const picky = () => {
  const calls = new Map<string, number>();
  return defineAgent({
    name: 'picky',
    input: z.object({ parameters: z.object({ key: z.string(), failures: z.number() }) }).loose(),
    output: z.object({ ok: z.boolean() }),
    retry: { maxAttempts: 3, initialDelayMs: 1, maxDelayMs: 2 },
    run: ({ input }) => {
      const call = (calls.get(input.parameters.key) ?? 0) + 1;
      calls.set(input.parameters.key, call);
      if (call <= input.parameters.failures) throw new AgentError(`refused call ${call}`, { retryable: false, details: { call } });
      return { ok: true };
    },
  });
};

/** Holds its phase until the test releases it (or the run is cancelled). */
const holder = () => {
  let started!: () => void;
  let release!: () => void;
  const startedPromise = new Promise<void>((resolve) => (started = resolve));
  const released = new Promise<void>((resolve) => (release = resolve));
  const agent = defineAgent({
    name: 'hold',
    input: z.unknown(),
    output: z.object({ held: z.boolean() }),
    run: ({ signal }) =>
      new Promise<{ held: boolean }>((resolve, reject) => {
        started();
        signal.addEventListener('abort', () => reject(signal.reason as Error), { once: true });
        void released.then(() => resolve({ held: true }));
      }),
  });
  return { agent, started: startedPromise, release };
};

/** prepare (agent) → approve (approval wait, shown the topic) → finish (agent). */
export const reviewFlow = defineWorkflow({
  name: 'review',
  description: 'prepare, ask a person, finish',
  parameters: z.object({ topic: z.string().min(1), copies: z.number().int().min(1).default(1) }),
  phases: [
    { name: 'prepare', agent: 'worker' },
    { name: 'approve', wait: { kind: 'approval', data: ({ parameters }) => ({ topic: parameters.topic }) } },
    { name: 'finish', agent: 'worker' },
  ],
});

/** check (agent) → work (an agent that refuses `failures` times). */
export const fragileFlow = defineWorkflow({
  name: 'fragile',
  parameters: z.object({ key: z.string().default('k'), failures: z.number().int().min(0).default(0) }),
  phases: [
    { name: 'check', agent: 'worker' },
    { name: 'work', agent: 'picky' },
  ],
});

/** One phase whose agent runs until released. */
export const slowFlow = defineWorkflow({ name: 'slow', parameters: z.object({}), phases: [{ name: 'hold', agent: 'hold' }] });

const ALL_WORKFLOWS: readonly WorkflowDefinition[] = [reviewFlow, fragileFlow, slowFlow];

export interface ServeOptions {
  config?: ServerConfigInput;
  /** Which of review, fragile and slow to register (default: all three). */
  workflows?: readonly ('review' | 'fragile' | 'slow')[];
  logger?: FastifyServerOptions['logger'];
  /** Registers the season-planning workflow and its agents too. */
  season?: boolean;
  /** Registers the software-delivery workflow and its agents too (role agents use `deliveryLlm`, default none: offline). */
  delivery?: boolean;
  deliveryLlm?: LlmSettings;
  /** The settings the modules read (e.g. BATON_BUY_APPROVERS), as `baton serve` passes process.env; default none. */
  moduleEnv?: Record<string, string>;
  /** The language model for extraction (default none, whatever the environment says). */
  llm?: LlmSettings | null;
  /**
   * Gives the engine a store of its own on the test's database, closed after the test unless
   * `closeDatabase` closed it. (The test store's dispose closes its stores again, and a second
   * close of a SQLite store never settles: see the report on src/store/sqlite/checkpointer.ts.)
   */
  ownStore?: boolean;
}

export interface Api {
  base: string;
  engine: Engine;
  app: FastifyInstance;
  t: TestStore;
  /** The `hold` agent of the slow workflow: resolves once it runs; release lets it finish. */
  hold: { started: Promise<void>; release(): void };
  request<T = unknown>(path: string, init?: RequestInit): Promise<Reply<T>>;
  get<T = unknown>(path: string, headers?: Record<string, string>): Promise<Reply<T>>;
  /** POSTs `body` as JSON (no body and no content type when it is undefined). */
  post<T = unknown>(path: string, body?: unknown, headers?: Record<string, string>): Promise<Reply<T>>;
  /** Closes the engine and its store (`ownStore` only) under the running server, as an outage would. */
  closeDatabase(): Promise<void>;
  /** Starts a run over HTTP and returns its id. */
  startRun(workflow: string, parameters: Record<string, unknown>, sessionId?: string): Promise<string>;
}

/** Gives each test servers built on demand (`serve`), each on its own database, all closed after the test. */
export function useServers(kind: StoreKind): { serve(options?: ServeOptions): Promise<Api>; readonly errors: unknown[] } {
  const cleanups: (() => Promise<void>)[] = [];
  const errors: unknown[] = [];

  afterEach(async () => {
    // Every cleanup runs even when one fails: a leaked server or store would slow every later test.
    const failures: unknown[] = [];
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch((error: unknown) => failures.push(error));
    if (failures.length > 0) throw failures[0];
    const reported = errors.splice(0);
    expect(reported, 'the engines reported no errors through onError').toEqual([]);
  });

  async function serve(options: ServeOptions = {}): Promise<Api> {
    const t = await kind.create();
    cleanups.push(() => t.dispose());
    let store: BatonStore = t.store;
    let storeOpen = false;
    if (options.ownStore) {
      store = await openStore({ ...t.connection, origin: 'http-test', modules: TEST_STORE_MODULES });
      storeOpen = true;
      cleanups.push(async () => {
        if (storeOpen) await store.close();
      });
    }
    const hold = holder();
    // Both modules' routes are always served (as `baton serve` does); their workflows run only when asked for.
    const seasonModule = seasonPlanningModule.open(store, { llm: null, env: options.moduleEnv ?? {} });
    const deliveryModule = softwareDeliveryModule.open(store, { llm: options.deliveryLlm ?? null });
    const season = options.season ? seasonModule : undefined;
    const delivery = options.delivery ? deliveryModule : undefined;
    const wanted: readonly string[] = options.workflows ?? ['review', 'fragile', 'slow'];
    const engine = new Engine({
      store,
      agents: [worker(), picky(), hold.agent, ...(season?.agents ?? []), ...(delivery?.agents ?? [])],
      workflows: [...ALL_WORKFLOWS.filter((w) => wanted.includes(w.name)), ...(season?.workflows ?? []), ...(delivery?.workflows ?? [])],
      onError: (error, context) => errors.push({ context, error }),
    });
    let engineOpen = true;
    const closeEngine = async () => {
      if (!engineOpen) return;
      engineOpen = false;
      hold.release();
      await engine.close();
    };
    cleanups.push(closeEngine);
    const app = await buildServer({
      engine,
      config: parseServerConfig({ port: 0, ...options.config }),
      logger: options.logger ?? false,
      llm: options.llm ?? null,
      store,
      modules: [seasonModule, deliveryModule],
    });
    cleanups.push(() => app.close());
    await app.listen({ port: 0, host: '127.0.0.1' });
    const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;

    const request = async <T>(path: string, init: RequestInit = {}): Promise<Reply<T>> => {
      const response = await fetch(`${base}${path}`, init);
      const text = await response.text();
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        // not JSON: keep the text
      }
      return { status: response.status, headers: response.headers, body: body as T };
    };
    const post = <T>(path: string, body?: unknown, headers: Record<string, string> = {}) =>
      request<T>(path, {
        method: 'POST',
        headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    return {
      base,
      engine,
      app,
      t,
      hold: { started: hold.started, release: hold.release },
      request,
      get: (path, headers = {}) => request(path, { headers }),
      post,
      async closeDatabase() {
        if (!options.ownStore) throw new Error('closeDatabase needs serve({ ownStore: true })');
        await closeEngine();
        storeOpen = false;
        await store.close();
      },
      async startRun(workflow, parameters, sessionId = 'session-1') {
        const reply = await post<{ run_id: string }>('/api/orchestrator/run-workflow', { session_id: sessionId, workflow, parameters });
        expect(reply.status, JSON.stringify(reply.body)).toBe(202);
        return reply.body.run_id;
      },
    };
  }

  return { serve, errors };
}

const ERROR_KEYS = ['details', 'error_type', 'message', 'request_id', 'suggestions'];

/** Checks the one error shape, its status and type, and that the body's request id is the one echoed in the header. */
export function expectError(reply: Reply, status: number, errorType: string): ErrorView {
  expect({ status: reply.status, body: reply.body }).toMatchObject({ status, body: { error_type: errorType } });
  expect(reply.headers.get('content-type')).toMatch(/^application\/json/);
  const body = reply.body as ErrorView;
  expect(Object.keys(body).sort()).toEqual(ERROR_KEYS);
  expect(body).toEqual({
    error_type: errorType,
    message: expect.any(String) as unknown,
    details: expect.any(Object) as unknown,
    suggestions: expect.any(Array) as unknown,
    request_id: reply.headers.get('x-request-id'),
  });
  expect(body.message).not.toBe('');
  return body;
}

/** The issues of a validation error, as `[path, message]` pairs. */
export const issuesOf = (error: ErrorView): { path: string; message: string }[] => error.details.issues as { path: string; message: string }[];
