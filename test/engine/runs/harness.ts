// Shared fixtures for the engine run tests: a fresh store and engine(s) per test, gates, tiny agents and event helpers.
import { afterEach, beforeEach, expect } from 'vitest';
import { z } from 'zod';
import { defineAgent, Engine, type AgentContext, type AgentDefinition, type EngineOptions } from '../../../src/engine/index.js';
import type { EventRecord } from '../../../src/store/index.js';
import type { StoreKind, TestStore } from '../../support/stores.js';

export interface Harness {
  /** The test's database (created in beforeEach, disposed in afterEach). */
  readonly t: TestStore;
  /** A new engine on the test's store (or `options.store`), closed after the test. */
  engine(options?: Partial<EngineOptions>): Engine;
  /** Closes an engine now (it is then not closed again after the test). */
  close(engine: Engine): Promise<void>;
  /** What the engines reported through `onError`; every test ends with none. */
  readonly errors: { context: string; error: unknown }[];
}

/** Registers beforeEach/afterEach that give each test its own database and close what it opened. */
export function useHarness(kind: StoreKind): Harness {
  let store: TestStore | undefined;
  let engines: Engine[] = [];
  const errors: { context: string; error: unknown }[] = [];

  beforeEach(async () => {
    store = await createStore(kind);
    engines = [];
    errors.length = 0;
  });

  afterEach(async () => {
    for (const engine of engines.splice(0)) await engine.close();
    await store?.dispose();
    store = undefined;
    expect(errors, 'the engine reported no errors through onError').toEqual([]);
  });

  return {
    get t() {
      if (!store) throw new Error('the harness store exists only inside a test');
      return store;
    },
    engine(options = {}) {
      if (!store) throw new Error('the harness store exists only inside a test');
      const engine = new Engine({
        leaseMs: 10_000,
        pollIntervalMs: 1_000,
        onError: (error, context) => errors.push({ context, error }),
        ...options,
        store: options.store ?? store.store,
      });
      engines.push(engine);
      return engine;
    },
    async close(engine) {
      engines = engines.filter((e) => e !== engine);
      await engine.close();
    },
    errors,
  };
}

/**
 * Opening a PostgreSQL store migrates it, and Kysely's migrator lists the tables of every schema in the database: when
 * another suite drops its schema meanwhile, that listing fails ("schema t_… does not exist"). Such a start is tried
 * again; anything else fails the test. (See the report on test/support/stores.ts: schemas dropped while others migrate.)
 */
const createStore = (kind: StoreKind): Promise<TestStore> => kind.create();

export interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}

export function deferred<T = void>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Resolves when `gate` does, rejects with the signal's reason as soon as the signal aborts. */
export function abortable<T>(gate: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason as Error);
    if (signal.aborted) onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    gate.then(resolve, reject);
  });
}

/** A real pause, only where the behaviour under test is itself about time passing. */
export const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export interface AgentOptions {
  output?: z.ZodType;
  timeoutMs?: number;
  maxAttempts?: number;
  /** Delay before a retry (default 1 ms). */
  retryDelayMs?: number;
}

/**
 * An agent taking any input; `calls` records every input it was given (one entry per attempt).
 * Retries are immediate-ish (0.5-1 ms) unless told, and unless told there is a single attempt.
 */
export function agent(
  name: string,
  run: (context: AgentContext<unknown>, call: number) => unknown,
  options: AgentOptions = {},
): AgentDefinition & { calls: unknown[] } {
  const calls: unknown[] = [];
  const definition = defineAgent({
    name,
    input: z.unknown(),
    output: options.output ?? z.unknown(),
    timeoutMs: options.timeoutMs ?? 5_000,
    retry: { maxAttempts: options.maxAttempts ?? 1, initialDelayMs: options.retryDelayMs ?? 1, maxDelayMs: 2 * (options.retryDelayMs ?? 1) },
    run: async (context) => {
      calls.push(context.input);
      return await run(context, calls.length);
    },
  });
  return Object.assign(definition, { calls });
}

/** An agent that returns `{ by: name, call }` (the n-th call of it) and records its inputs. */
export const echo = (name: string, options: AgentOptions = {}) => agent(name, (_context, call) => ({ by: name, call }), options);

export const typesOf = (events: readonly EventRecord[]): string[] => events.map((e) => e.type);

export const ofType = (events: readonly EventRecord[], type: string): Record<string, unknown>[] => events.filter((e) => e.type === type).map((e) => e.payload);

/** Resolves with the rejection of `promise` (fails the test if it resolves). */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the promise to reject, but it resolved');
}
