// Covers invokeAgent's schema checks, retries, attempt reports and attempt numbering.
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineAgent, type AgentContext } from '../../../src/engine/agent.js';
import { AgentCallFailed, invokeAgent, type AttemptOutcome } from '../../../src/engine/invoke.js';
import { AgentError, BatonError } from '../../../src/errors/index.js';

const input = z.object({ n: z.number() });
const output = z.object({ doubled: z.number() });
type Run = (context: AgentContext<{ n: number }>) => unknown;

function agent(run: Run, maxAttempts = 3) {
  return defineAgent({ name: 'doubler', input, output, retry: { maxAttempts, initialDelayMs: 1, maxDelayMs: 1 }, run: (c) => run(c) as { doubled: number } });
}

/** An agent that fails `failures` times, then doubles its input; counts its calls. */
function flaky(failures: number, maxAttempts = 3) {
  const calls: number[] = [];
  const def = agent(({ input: i, attempt }) => {
    calls.push(attempt);
    if (calls.length <= failures) throw new Error(`failure ${calls.length}`);
    return { doubled: i.n * 2 };
  }, maxAttempts);
  return { def, calls };
}

async function failureOf(promise: Promise<unknown>): Promise<AgentCallFailed> {
  const error: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AgentCallFailed);
  return error as AgentCallFailed;
}

describe('invokeAgent: schemas', () => {
  it('refuses input that fails the input schema with CONTEXT_ASSEMBLY_ERROR after 0 attempts, without calling the agent', async () => {
    let called = 0;
    const onAttempt: AttemptOutcome[] = [];
    const error = await failureOf(
      invokeAgent(
        agent(() => {
          called++;
          return { doubled: 0 };
        }),
        { n: 'two' },
        {
          onAttempt: (o) => {
            onAttempt.push(o);
          },
        },
      ),
    );
    expect(error.code).toBe('CONTEXT_ASSEMBLY_ERROR');
    expect(error.attempts).toBe(0);
    expect(error.details.attempts).toBe(0);
    expect(error.details.agent).toBe('doubler');
    expect(error.details.issues).toEqual([{ path: 'n', message: expect.any(String) as string }]);
    expect(error.suggestions).toHaveLength(1);
    expect(error.suggestions[0]).toMatch(/^n: /);
    expect(error.message).toBe('the context assembled for agent "doubler" does not match its input schema');
    expect(called).toBe(0);
    expect(onAttempt).toEqual([]);
  });

  it('passes the parsed input (defaults applied, unknown keys stripped) to the agent', async () => {
    let seen: unknown;
    const def = defineAgent({
      name: 'defaults',
      input: z.object({ n: z.number().default(7) }),
      output,
      run: ({ input: i }) => {
        seen = i;
        return { doubled: i.n * 2 };
      },
    });
    await expect(invokeAgent(def, { extra: true })).resolves.toEqual({ doubled: 14 });
    expect(seen).toEqual({ n: 7 });
  });

  it('fails output that does not match the output schema with AGENT_EXECUTION_ERROR after using every attempt', async () => {
    let calls = 0;
    const error = await failureOf(
      invokeAgent(
        agent(() => {
          calls++;
          return { doubled: 'many' };
        }),
        { n: 1 },
      ),
    );
    expect(error.code).toBe('AGENT_EXECUTION_ERROR');
    expect(error.message).toBe('agent "doubler" returned output that does not match its schema');
    expect(error.details.issues).toEqual([{ path: 'doubled', message: expect.any(String) as string }]);
    expect(error.attempts).toBe(3);
    expect(calls).toBe(3);
  });

  it('returns the parsed output of the agent', async () => {
    const def = defineAgent({ name: 'coerce', input, output: z.object({ doubled: z.coerce.number() }), run: () => ({ doubled: '12' }) });
    await expect(invokeAgent(def, { n: 6 })).resolves.toEqual({ doubled: 12 });
  });
});

describe('invokeAgent: retries', () => {
  it('retries a failing agent until it succeeds and returns its output', async () => {
    const { def, calls } = flaky(2);
    await expect(invokeAgent(def, { n: 21 })).resolves.toEqual({ doubled: 42 });
    expect(calls).toEqual([1, 2, 3]);
  });

  it('reports every attempt to onAttempt with its status, error and whether another attempt follows', async () => {
    const { def } = flaky(2);
    const reports: { outcome: AttemptOutcome; willRetry: boolean }[] = [];
    let clock = 1_000;
    await invokeAgent(
      def,
      { n: 1 },
      {
        now: () => (clock += 5),
        onAttempt: (outcome, willRetry) => {
          reports.push({ outcome, willRetry });
        },
      },
    );
    expect(reports.map((r) => r.outcome.status)).toEqual(['failed', 'failed', 'succeeded']);
    expect(reports.map((r) => r.willRetry)).toEqual([true, true, false]);
    expect(reports.map((r) => r.outcome.attempt)).toEqual([1, 2, 3]);
    expect(reports.map((r) => r.outcome.agent)).toEqual(['doubler', 'doubler', 'doubler']);
    expect(reports.map((r) => r.outcome.startedAt)).toEqual([1_005, 1_015, 1_025]);
    expect(reports.map((r) => r.outcome.durationMs)).toEqual([5, 5, 5]);
    const first = reports[0]!.outcome.error;
    expect(first).toBeInstanceOf(BatonError);
    expect(first?.code).toBe('AGENT_EXECUTION_ERROR');
    expect(first?.message).toBe('failure 1');
    expect(first?.retryable).toBe(true);
    expect(reports[2]!.outcome.error).toBeNull();
  });

  it('calls beforeAttempt with each attempt number before the agent runs', async () => {
    const { def } = flaky(1);
    const order: string[] = [];
    await invokeAgent(
      def,
      { n: 1 },
      {
        beforeAttempt: (attempt) => {
          order.push(`before ${attempt}`);
        },
        onAttempt: (outcome) => {
          order.push(`${outcome.status} ${outcome.attempt}`);
        },
      },
    );
    expect(order).toEqual(['before 1', 'failed 1', 'before 2', 'succeeded 2']);
  });

  it('gives up after maxAttempts and reports the last error with the number of attempts made', async () => {
    const { def, calls } = flaky(10, 4);
    const willRetry: boolean[] = [];
    const error = await failureOf(
      invokeAgent(
        def,
        { n: 1 },
        {
          onAttempt: (_, retry) => {
            willRetry.push(retry);
          },
        },
      ),
    );
    expect(calls).toEqual([1, 2, 3, 4]);
    expect(willRetry).toEqual([true, true, true, false]);
    expect(error.code).toBe('AGENT_EXECUTION_ERROR');
    expect(error.message).toBe('failure 4');
    expect(error.attempts).toBe(4);
    expect(error.details.attempts).toBe(4);
    expect(error.last.message).toBe('failure 4');
    expect(error.cause).toBe(error.last);
  });

  it('stops after one attempt when the agent throws a non-retryable AgentError', async () => {
    let calls = 0;
    const refusal = new AgentError('the budget is negative', { retryable: false, details: { budget: -1 }, suggestions: ['give a budget ≥ 0'] });
    const willRetry: boolean[] = [];
    const error = await failureOf(
      invokeAgent(
        agent(() => {
          calls++;
          throw refusal;
        }),
        { n: 1 },
        {
          onAttempt: (_, retry) => {
            willRetry.push(retry);
          },
        },
      ),
    );
    expect(calls).toBe(1);
    expect(willRetry).toEqual([false]);
    expect(error.last).toBe(refusal);
    expect(error.code).toBe('AGENT_EXECUTION_ERROR');
    expect(error.attempts).toBe(1);
    expect(error.details).toEqual({ budget: -1, attempts: 1 });
    expect(error.suggestions).toEqual(['give a budget ≥ 0']);
  });

  it('retries a thrown non-Error value as a retryable execution error', async () => {
    let calls = 0;
    // A non-Error rejection on purpose: agents may reject with anything.
    const error = await failureOf(
      invokeAgent(
        agent(() => {
          calls++;
          // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
          return Promise.reject('plain string');
        }, 2),
        { n: 1 },
      ),
    );
    expect(calls).toBe(2);
    expect(error.message).toBe('plain string');
  });
});

describe('invokeAgent: firstAttempt', () => {
  it('numbers attempts from firstAttempt and still makes maxAttempts attempts in all', async () => {
    const { def, calls } = flaky(10);
    const numbers: number[] = [];
    const error = await failureOf(
      invokeAgent(
        def,
        { n: 1 },
        {
          firstAttempt: 4,
          beforeAttempt: (a) => {
            numbers.push(a);
          },
        },
      ),
    );
    expect(calls).toEqual([4, 5, 6]);
    expect(numbers).toEqual([4, 5, 6]);
    expect(error.attempts).toBe(3);
  });

  it('passes the attempt number to the agent and onAttempt when resuming at a later attempt', async () => {
    const { def, calls } = flaky(1);
    const reported: number[] = [];
    await invokeAgent(
      def,
      { n: 1 },
      {
        firstAttempt: 2,
        onAttempt: (o) => {
          reported.push(o.attempt);
        },
      },
    );
    expect(calls).toEqual([2, 3]);
    expect(reported).toEqual([2, 3]);
  });

  it('uses the backoff of the first, second … attempt of this call, not the absolute attempt number', async () => {
    const def = defineAgent({
      name: 'slow-backoff',
      input,
      output,
      retry: { maxAttempts: 2, initialDelayMs: 40, multiplier: 100, maxDelayMs: 100_000 },
      run: () => {
        throw new Error('x');
      },
    });
    const started = Date.now();
    await failureOf(invokeAgent(def, { n: 1 }, { firstAttempt: 5, random: () => 0 }));
    // Attempt 5 is the first of this call: 40 ms × 100^0 / 2 = 20 ms, not 40 × 100^4.
    expect(Date.now() - started).toBeLessThan(1_000);
  });
});
