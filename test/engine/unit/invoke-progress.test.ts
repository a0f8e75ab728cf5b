// Covers the progress and custom-event callbacks invokeAgent hands to an agent.
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineAgent, type AgentContext } from '../../../src/engine/agent.js';
import { invokeAgent } from '../../../src/engine/invoke.js';

function agent(run: (context: AgentContext<unknown>) => void) {
  return defineAgent({
    name: 'reporter',
    input: z.unknown(),
    output: z.literal('ok'),
    run: (c) => {
      run(c);
      return 'ok' as const;
    },
  });
}

describe('invokeAgent: progress and events', () => {
  it('clamps reported progress to 0..100 and rounds it, defaulting the message to an empty string', async () => {
    const seen: [number, string][] = [];
    const def = agent(({ reportProgress }) => {
      reportProgress(-5, 'below');
      reportProgress(33.4);
      reportProgress(33.5, 'half up');
      reportProgress(99.6, 'almost');
      reportProgress(250, 'above');
      reportProgress(Number.NaN, 'nan');
    });
    await invokeAgent(def, null, {
      onProgress: (percent, message) => {
        seen.push([percent, message]);
      },
    });
    expect(seen).toEqual([
      [0, 'below'],
      [33, ''],
      [34, 'half up'],
      [100, 'almost'],
      [100, 'above'],
      [0, 'nan'],
    ]);
  });

  it('forwards emitted events to onEvent unchanged', async () => {
    const events: [string, Record<string, unknown>][] = [];
    const payload = { sku: 'A-1', variance: 0.25 };
    await invokeAgent(
      agent(({ emit }) => emit('variance_alert', payload)),
      null,
      {
        onEvent: (type, p) => {
          events.push([type, p]);
        },
      },
    );
    expect(events).toEqual([['variance_alert', payload]]);
    expect(events[0]![1]).toBe(payload);
  });

  it('lets an agent report progress and emit events when no callbacks are given', async () => {
    const def = agent(({ reportProgress, emit }) => {
      reportProgress(50, 'half');
      emit('x', {});
    });
    await expect(invokeAgent(def, null)).resolves.toBe('ok');
  });

  it('passes the attempt number to the agent', async () => {
    const attempts: number[] = [];
    await invokeAgent(
      agent(({ attempt }) => {
        attempts.push(attempt);
      }),
      null,
      { firstAttempt: 7 },
    );
    expect(attempts).toEqual([7]);
  });
});
