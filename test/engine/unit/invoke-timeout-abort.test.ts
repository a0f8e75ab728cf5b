// Covers invokeAgent's per-attempt timeout and cancellation through an outside AbortSignal.
import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineAgent, type AgentContext } from '../../../src/engine/agent.js';
import { AgentCallFailed, invokeAgent, type AttemptOutcome } from '../../../src/engine/invoke.js';
import { AgentTimeoutError } from '../../../src/errors/index.js';

const input = z.object({ n: z.number() });
const output = z.object({ doubled: z.number() });

function agent(
  run: (context: AgentContext<{ n: number }>) => Promise<unknown>,
  options: { maxAttempts?: number; timeoutMs?: number; initialDelayMs?: number } = {},
) {
  return defineAgent({
    name: 'slow',
    input,
    output,
    timeoutMs: options.timeoutMs ?? 50,
    retry: { maxAttempts: options.maxAttempts ?? 1, initialDelayMs: options.initialDelayMs ?? 1, maxDelayMs: options.initialDelayMs ?? 1 },
    run: (c) => run(c) as Promise<{ doubled: number }>,
  });
}

const never = () => new Promise<never>(() => {});

async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: unknown) => e,
  );
}

describe('invokeAgent: timeout', () => {
  it("aborts the agent's signal with an AgentTimeoutError when the attempt runs past its timeout", async () => {
    let reason: unknown;
    const def = agent(
      ({ signal }) =>
        new Promise((_, reject) => {
          signal.addEventListener('abort', () => {
            reason = signal.reason;
            reject(signal.reason as Error);
          });
        }),
    );
    const error = await rejectionOf(invokeAgent(def, { n: 1 }));
    expect(reason).toBeInstanceOf(AgentTimeoutError);
    expect((reason as AgentTimeoutError).code).toBe('AGENT_TIMEOUT');
    expect((reason as AgentTimeoutError).details).toEqual({ agent: 'slow', timeout_ms: 50 });
    expect(error).toBeInstanceOf(AgentCallFailed);
    expect((error as AgentCallFailed).code).toBe('AGENT_TIMEOUT');
    expect((error as AgentCallFailed).message).toBe('agent "slow" did not finish within 50 ms');
  });

  it("reports a timed-out attempt with status 'timed_out' and code AGENT_TIMEOUT, and retries it", async () => {
    const outcomes: { outcome: AttemptOutcome; willRetry: boolean }[] = [];
    const error = await rejectionOf(
      invokeAgent(
        agent(never, { maxAttempts: 2 }),
        { n: 1 },
        {
          onAttempt: (outcome, willRetry) => {
            outcomes.push({ outcome, willRetry });
          },
        },
      ),
    );
    expect(outcomes.map((o) => o.outcome.status)).toEqual(['timed_out', 'timed_out']);
    expect(outcomes.map((o) => o.willRetry)).toEqual([true, false]);
    expect(outcomes.map((o) => o.outcome.error?.code)).toEqual(['AGENT_TIMEOUT', 'AGENT_TIMEOUT']);
    expect((error as AgentCallFailed).attempts).toBe(2);
  });

  it('does not let an agent that ignores its signal hold the call past its timeout', async () => {
    const started = Date.now();
    const error = await rejectionOf(invokeAgent(agent(never), { n: 1 }));
    const elapsed = Date.now() - started;
    expect((error as AgentCallFailed).code).toBe('AGENT_TIMEOUT');
    expect(elapsed).toBeGreaterThanOrEqual(45);
    expect(elapsed).toBeLessThan(1_000);
  });

  it("uses options.timeoutMs in place of the agent's own timeout", async () => {
    const error = await rejectionOf(invokeAgent(agent(never, { timeoutMs: 60_000 }), { n: 1 }, { timeoutMs: 20 }));
    expect((error as AgentCallFailed).message).toBe('agent "slow" did not finish within 20 ms');
    expect((error as AgentCallFailed).details).toEqual({ agent: 'slow', timeout_ms: 20, attempts: 1 });
  });

  it('does not time out an agent that finishes in time', async () => {
    const def = agent(async ({ input: i }) => {
      await new Promise((r) => setTimeout(r, 5));
      return { doubled: i.n * 2 };
    });
    await expect(invokeAgent(def, { n: 4 })).resolves.toEqual({ doubled: 8 });
  });
});

describe('invokeAgent: outside cancellation', () => {
  it("aborts the agent's signal and rejects with the outside signal's reason, making no further attempts", async () => {
    const outside = new AbortController();
    const reason = new Error('run cancelled');
    let calls = 0;
    let seen: unknown;
    const outcomes: AttemptOutcome[] = [];
    const def = agent(
      ({ signal }) => {
        calls++;
        setTimeout(() => outside.abort(reason), 5);
        return new Promise((_, reject) =>
          signal.addEventListener('abort', () => {
            seen = signal.reason;
            reject(new Error('stopped'));
          }),
        );
      },
      { maxAttempts: 5, timeoutMs: 5_000 },
    );
    const error = await rejectionOf(
      invokeAgent(
        def,
        { n: 1 },
        {
          signal: outside.signal,
          onAttempt: (o) => {
            outcomes.push(o);
          },
        },
      ),
    );
    expect(error).toBe(reason);
    expect(seen).toBe(reason);
    expect(calls).toBe(1);
    expect(outcomes).toEqual([]);
  });

  it('rejects with the reason even when the agent ignores its signal', async () => {
    const outside = new AbortController();
    setTimeout(() => outside.abort('shutdown'), 5);
    const error = await rejectionOf(invokeAgent(agent(never, { maxAttempts: 3, timeoutMs: 5_000 }), { n: 1 }, { signal: outside.signal }));
    expect(error).toBe('shutdown');
  });

  it('stops waiting between attempts when the signal aborts during the backoff', async () => {
    const outside = new AbortController();
    let calls = 0;
    const def = agent(
      () => {
        calls++;
        setTimeout(() => outside.abort('stop'), 10);
        return Promise.reject(new Error('fail'));
      },
      { maxAttempts: 3, initialDelayMs: 10_000 },
    );
    const started = Date.now();
    const error = await rejectionOf(invokeAgent(def, { n: 1 }, { signal: outside.signal, random: () => 1 }));
    expect(error).toBe('stop');
    expect(calls).toBe(1);
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('does not call the agent again when the signal aborts while a failed attempt is being recorded', async () => {
    const outside = new AbortController();
    let calls = 0;
    const announced: number[] = [];
    const def = agent(
      () => {
        calls++;
        return Promise.reject(new Error('fail'));
      },
      { maxAttempts: 3, initialDelayMs: 20 },
    );
    const error = await rejectionOf(
      invokeAgent(
        def,
        { n: 1 },
        {
          signal: outside.signal,
          beforeAttempt: (attempt) => {
            announced.push(attempt);
          },
          // The engine logs the attempt durably here; a cancellation can land meanwhile.
          onAttempt: () => {
            outside.abort('cancelled while logging');
          },
        },
      ),
    );
    expect(error).toBe('cancelled while logging');
    expect(calls).toBe(1);
    expect(announced).toEqual([1]);
  });

  it('does not call the agent at all when the signal is already aborted', async () => {
    const outside = new AbortController();
    outside.abort('already gone');
    let calls = 0;
    const error = await rejectionOf(
      invokeAgent(
        agent(() => {
          calls++;
          return Promise.resolve({ doubled: 2 });
        }),
        { n: 1 },
        { signal: outside.signal },
      ),
    );
    expect(error).toBe('already gone');
    expect(calls).toBe(0);
  });

  it("leaves no abort listeners on the caller's signal once the call has settled", async () => {
    const outside = new AbortController();
    let calls = 0;
    const def = agent(({ input: i }) => (++calls < 3 ? Promise.reject(new Error('again')) : Promise.resolve({ doubled: i.n * 2 })), { maxAttempts: 3 });
    await expect(invokeAgent(def, { n: 2 }, { signal: outside.signal })).resolves.toEqual({ doubled: 4 });
    expect(getEventListeners(outside.signal, 'abort')).toHaveLength(0);
  });
});
