// Covers defineAgent's defaults and overrides, and the backoff delay between attempts.
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { backoffDelay, defineAgent, DEFAULT_RETRY, DEFAULT_TIMEOUT_MS, type RetryPolicy } from '../../../src/engine/agent.js';

const schemas = { input: z.object({ n: z.number() }), output: z.object({ doubled: z.number() }) };

describe('defineAgent', () => {
  it('gives an agent a 30 s timeout, an empty description and the default retry policy when none is set', () => {
    const agent = defineAgent({ name: 'doubler', ...schemas, run: ({ input }) => ({ doubled: input.n * 2 }) });
    expect(agent.name).toBe('doubler');
    expect(agent.description).toBe('');
    expect(agent.timeoutMs).toBe(30_000);
    expect(DEFAULT_TIMEOUT_MS).toBe(30_000);
    expect(agent.retry).toEqual({ maxAttempts: 3, initialDelayMs: 200, multiplier: 2, maxDelayMs: 10_000 });
  });

  it('merges a partial retry policy over the defaults and keeps the given timeout and description', () => {
    const agent = defineAgent({
      name: 'doubler',
      description: 'doubles n',
      ...schemas,
      timeoutMs: 5_000,
      retry: { maxAttempts: 5, maxDelayMs: 1_000 },
      run: ({ input }) => ({ doubled: input.n * 2 }),
    });
    expect(agent.description).toBe('doubles n');
    expect(agent.timeoutMs).toBe(5_000);
    expect(agent.retry).toEqual({ maxAttempts: 5, initialDelayMs: 200, multiplier: 2, maxDelayMs: 1_000 });
  });

  it('does not share or change the default retry policy object', () => {
    const agent = defineAgent({ name: 'a', ...schemas, retry: { maxAttempts: 9 }, run: () => ({ doubled: 0 }) });
    expect(agent.retry).not.toBe(DEFAULT_RETRY);
    expect(DEFAULT_RETRY.maxAttempts).toBe(3);
  });

  it('turns a synchronous run function into one that returns a promise of its result', async () => {
    const agent = defineAgent({ name: 'sync', ...schemas, run: ({ input }) => ({ doubled: input.n * 2 }) });
    const signal = new AbortController().signal;
    const result = agent.run({ input: { n: 4 }, signal, attempt: 1, now: () => 0, reportProgress: () => {}, emit: () => {} });
    expect(result).toBeInstanceOf(Promise);
    await expect(result).resolves.toEqual({ doubled: 8 });
  });

  it('turns a synchronous throw in run into a rejected promise', async () => {
    const agent = defineAgent({
      name: 'thrower',
      ...schemas,
      run: () => {
        throw new Error('boom');
      },
    });
    const signal = new AbortController().signal;
    await expect(agent.run({ input: { n: 1 }, signal, attempt: 1, now: () => 0, reportProgress: () => {}, emit: () => {} })).rejects.toThrow('boom');
  });
});

describe('backoffDelay', () => {
  const policy: RetryPolicy = { maxAttempts: 10, initialDelayMs: 100, multiplier: 3, maxDelayMs: 2_000 };

  it('returns half the delay when random() gives 0 and the full delay when it gives 1', () => {
    expect(backoffDelay(policy, 1, () => 0)).toBe(50);
    expect(backoffDelay(policy, 1, () => 1)).toBe(100);
    expect(backoffDelay(policy, 1, () => 0.5)).toBe(75);
  });

  it('grows the delay by the multiplier for each failed attempt', () => {
    expect([1, 2, 3].map((n) => backoffDelay(policy, n, () => 1))).toEqual([100, 300, 900]);
    expect([1, 2, 3].map((n) => backoffDelay(policy, n, () => 0))).toEqual([50, 150, 450]);
  });

  it('caps the delay at maxDelayMs before the jitter is applied', () => {
    expect(backoffDelay(policy, 4, () => 1)).toBe(2_000);
    expect(backoffDelay(policy, 4, () => 0)).toBe(1_000);
    expect(backoffDelay(policy, 30, () => 1)).toBe(2_000);
  });

  it('never exceeds maxDelayMs whatever the attempt and the random draw', () => {
    for (let attempt = 1; attempt <= 40; attempt++) {
      for (const r of [0, 0.25, 0.999, 1]) {
        const delay = backoffDelay(policy, attempt, () => r);
        expect(delay).toBeLessThanOrEqual(2_000);
        expect(delay).toBeGreaterThanOrEqual(50);
      }
    }
  });

  it('uses the default policy to wait 100–200 ms after the first failure', () => {
    expect(backoffDelay(DEFAULT_RETRY, 1, () => 0)).toBe(100);
    expect(backoffDelay(DEFAULT_RETRY, 1, () => 1)).toBe(200);
    expect(backoffDelay(DEFAULT_RETRY, 2, () => 1)).toBe(400);
  });
});
