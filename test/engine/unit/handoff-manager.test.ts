// Covers AgentHandoffManager: the registry, logged one-off calls and chains of handoffs.
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineAgent, type AgentDefinition } from '../../../src/engine/agent.js';
import { AgentHandoffManager } from '../../../src/engine/handoff-manager.js';
import { AgentCallFailed } from '../../../src/engine/invoke.js';
import { AgentError, NotFoundError } from '../../../src/errors/index.js';

/** An agent that records what it received and returns `result`. */
function recorder(name: string, result: unknown, received: Record<string, unknown>) {
  return defineAgent({
    name,
    input: z.unknown(),
    output: z.unknown(),
    run: ({ input }) => {
      received[name] = structuredClone(input);
      return result;
    },
  });
}

const echo = (name: string): AgentDefinition => defineAgent({ name, input: z.unknown(), output: z.unknown(), run: ({ input }) => input });

describe('AgentHandoffManager registry', () => {
  it('registers agents given to the constructor and by register(), in order', () => {
    const manager = new AgentHandoffManager([echo('a'), echo('b')]);
    expect(manager.register(echo('c'))).toBe(manager);
    expect(manager.names()).toEqual(['a', 'b', 'c']);
    expect(manager.has('b')).toBe(true);
    expect(manager.has('z')).toBe(false);
  });

  it('returns the registered definition by name', () => {
    const b = echo('b');
    expect(new AgentHandoffManager([echo('a'), b]).get('b')).toBe(b);
  });

  it('replaces an agent registered again under the same name', () => {
    const second = echo('a');
    const manager = new AgentHandoffManager([echo('a')]).register(second);
    expect(manager.names()).toEqual(['a']);
    expect(manager.get('a')).toBe(second);
  });

  it('refuses an unknown agent with NOT_FOUND, suggesting the registered agents', () => {
    const manager = new AgentHandoffManager([echo('planner'), echo('buyer')]);
    const error: unknown = (() => {
      try {
        manager.get('ghost');
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(NotFoundError);
    expect((error as NotFoundError).code).toBe('NOT_FOUND');
    expect((error as NotFoundError).httpStatus).toBe(404);
    expect((error as NotFoundError).message).toBe('agent "ghost" does not exist');
    expect((error as NotFoundError).details).toEqual({ agent: 'ghost' });
    expect((error as NotFoundError).suggestions).toEqual(['registered agents: planner, buyer']);
  });

  it('says "(none)" when no agent is registered', () => {
    expect(() => new AgentHandoffManager().get('x')).toThrow(expect.objectContaining({ suggestions: ['registered agents: (none)'] }) as Error);
  });
});

describe('AgentHandoffManager.call', () => {
  it('returns the output and logs each attempt with agent, attempt, timing, status and error', async () => {
    let calls = 0;
    const flaky = defineAgent({
      name: 'flaky',
      input: z.unknown(),
      output: z.number(),
      retry: { maxAttempts: 3, initialDelayMs: 1, maxDelayMs: 1 },
      run: () => (++calls < 2 ? Promise.reject(new Error('try again')) : Promise.resolve(42)),
    });
    const manager = new AgentHandoffManager([flaky, echo('other')]);
    let clock = 100;
    const forwarded: string[] = [];
    await expect(
      manager.call('flaky', null, {
        now: () => (clock += 10),
        onAttempt: (o, retry) => {
          forwarded.push(`${o.status}:${retry}`);
        },
      }),
    ).resolves.toBe(42);
    await manager.call('other', 'x', { now: () => 500 });
    expect(forwarded).toEqual(['failed:true', 'succeeded:false']);
    expect(manager.attempts()).toEqual([
      { agent: 'flaky', attempt: 1, startedAt: 110, durationMs: 10, status: 'failed', error: { error_type: 'AGENT_EXECUTION_ERROR', message: 'try again' } },
      { agent: 'flaky', attempt: 2, startedAt: 130, durationMs: 10, status: 'succeeded', error: null },
      { agent: 'other', attempt: 1, startedAt: 500, durationMs: 0, status: 'succeeded', error: null },
    ]);
    expect(manager.attempts('flaky').map((e) => e.attempt)).toEqual([1, 2]);
    expect(manager.attempts('other')).toHaveLength(1);
    expect(manager.attempts('nobody')).toEqual([]);
  });

  it('logs a failed call and rejects with AgentCallFailed', async () => {
    const refusing = defineAgent({
      name: 'refusing',
      input: z.unknown(),
      output: z.unknown(),
      run: () => {
        throw new AgentError('no', { retryable: false });
      },
    });
    const manager = new AgentHandoffManager([refusing]);
    await expect(manager.call('refusing', {})).rejects.toBeInstanceOf(AgentCallFailed);
    expect(manager.attempts('refusing')).toMatchObject([{ attempt: 1, status: 'failed', error: { error_type: 'AGENT_EXECUTION_ERROR', message: 'no' } }]);
  });

  it('rejects a call to an unknown agent with NotFoundError', async () => {
    await expect(new AgentHandoffManager().call('ghost', {})).rejects.toBeInstanceOf(NotFoundError);
  });

  it('returns a new array from attempts() so callers cannot change the log', async () => {
    const manager = new AgentHandoffManager([echo('a')]);
    await manager.call('a', 1);
    manager.attempts().length = 0;
    expect(manager.attempts()).toHaveLength(1);
  });
});

describe('AgentHandoffManager.runChain', () => {
  it("gives each agent the caller's context, the previous agent's output and every result so far", async () => {
    const received: Record<string, unknown> = {};
    const manager = new AgentHandoffManager([recorder('a', { plan: 1 }, received), recorder('b', 'two', received), recorder('c', [3], received)]);
    const final = await manager.runChain(['a', 'b', 'c'], { season: 'SS26', budget: 100 });
    expect(received.a).toEqual({ season: 'SS26', budget: 100, results: {} });
    expect(received.b).toEqual({ season: 'SS26', budget: 100, previous: { agent: 'a', output: { plan: 1 } }, results: { a: { plan: 1 } } });
    expect(received.c).toEqual({
      season: 'SS26',
      budget: 100,
      previous: { agent: 'b', output: 'two' },
      results: { a: { plan: 1 }, b: 'two' },
    });
    expect(final).toEqual({ season: 'SS26', budget: 100, previous: { agent: 'c', output: [3] }, results: { a: { plan: 1 }, b: 'two', c: [3] } });
  });

  it('returns just empty results for an empty chain', async () => {
    await expect(new AgentHandoffManager().runChain([], { x: 1 })).resolves.toEqual({ x: 1, results: {} });
  });

  it('fails on an unknown agent name before calling any agent', async () => {
    const received: Record<string, unknown> = {};
    const manager = new AgentHandoffManager([recorder('a', 1, received), recorder('c', 3, received)]);
    const error: unknown = await manager.runChain(['a', 'ghost', 'c']).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(NotFoundError);
    expect((error as NotFoundError).message).toBe('agent "ghost" does not exist');
    expect(received).toEqual({});
    expect(manager.attempts()).toEqual([]);
  });

  it('stops the chain at the first failing agent', async () => {
    const received: Record<string, unknown> = {};
    const failing = defineAgent({
      name: 'b',
      input: z.unknown(),
      output: z.unknown(),
      run: () => {
        throw new AgentError('b broke', { retryable: false });
      },
    });
    const manager = new AgentHandoffManager([recorder('a', 1, received), failing, recorder('c', 3, received)]);
    await expect(manager.runChain(['a', 'b', 'c'])).rejects.toMatchObject({ code: 'AGENT_EXECUTION_ERROR', message: 'b broke' });
    expect(Object.keys(received)).toEqual(['a']);
  });
});
