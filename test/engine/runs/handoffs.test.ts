// Handoffs along a chain of agent phases: what each agent receives, the handoff history and the attempt log.
import { expect, it } from 'vitest';
import { z } from 'zod';
import { defineWorkflow } from '../../../src/engine/index.js';
import { AgentError } from '../../../src/errors/index.js';
import { describeEachStore } from '../../support/stores.js';
import { agent, echo, pause, useHarness } from './harness.js';

describeEachStore('engine runs: handoffs', (kind) => {
  const h = useHarness(kind);

  const chain = defineWorkflow({
    name: 'chain',
    parameters: z.object({ topic: z.string() }),
    phases: [
      { name: 'research', agent: 'researcher' },
      { name: 'write', agent: 'writer' },
      { name: 'edit', agent: 'editor' },
    ],
  });

  it("gives each agent the previous agent's output and every earlier result by default", async () => {
    const researcher = echo('researcher');
    const writer = echo('writer');
    const editor = echo('editor');
    const engine = h.engine({ agents: [researcher, writer, editor], workflows: [chain] });
    const { id } = await engine.startRun('chain', { topic: 'tides' });
    expect((await engine.settled(id)).state).toBe('completed');

    const researched = { by: 'researcher', call: 1 };
    const written = { by: 'writer', call: 1 };
    expect(researcher.calls).toEqual([{ parameters: { topic: 'tides' }, previous: undefined, results: {} }]);
    expect(writer.calls).toEqual([
      { parameters: { topic: 'tides' }, previous: { phase: 'research', agent: 'researcher', output: researched }, results: { research: researched } },
    ]);
    expect(editor.calls).toEqual([
      {
        parameters: { topic: 'tides' },
        previous: { phase: 'write', agent: 'writer', output: written },
        results: { research: researched, write: written },
      },
    ]);
  });

  it('records the handoffs from agent to agent, in order, with the payload each agent was given', async () => {
    const researcher = echo('researcher');
    const writer = echo('writer');
    const editor = echo('editor');
    const engine = h.engine({ agents: [researcher, writer, editor], workflows: [chain] });
    const { id } = await engine.startRun('chain', { topic: 'tides' });
    await engine.settled(id);

    const history = await engine.history(id);
    expect(history.map((x) => [x.fromPhase, x.fromAgent, x.toPhase, x.toAgent, x.stepKey])).toEqual([
      [null, null, 'research', 'researcher', 'research#1'],
      ['research', 'researcher', 'write', 'writer', 'write#1'],
      ['write', 'writer', 'edit', 'editor', 'edit#1'],
    ]);
    expect(history.map((x) => x.payload)).toEqual([researcher.calls[0], writer.calls[0], editor.calls[0]]);
    for (const handoff of history) {
      expect(handoff.runId).toBe(id);
      expect(handoff.at).toEqual(expect.any(Number));
    }
    const ats = history.map((x) => x.at);
    expect([...ats].sort((a, b) => a - b)).toEqual(ats);
  });

  it('hands over what a phase input function builds instead of the default context', async () => {
    const researcher = echo('researcher');
    const writer = agent('writer', () => ({ text: 'draft' }));
    const editor = echo('editor');
    const custom = defineWorkflow({
      name: 'custom-chain',
      parameters: z.object({ topic: z.string() }),
      phases: [
        { name: 'research', agent: 'researcher' },
        { name: 'write', agent: 'writer', input: ({ parameters, results }) => ({ topic: parameters.topic, notes: results.research }) },
        { name: 'edit', agent: 'editor', input: ({ previous }) => ({ text: (previous?.output as { text: string }).text }) },
      ],
    });
    const engine = h.engine({ agents: [researcher, writer, editor], workflows: [custom] });
    const { id } = await engine.startRun('custom-chain', { topic: 'tides' });
    await engine.settled(id);
    expect(writer.calls).toEqual([{ topic: 'tides', notes: { by: 'researcher', call: 1 } }]);
    expect(editor.calls).toEqual([{ text: 'draft' }]);
    expect((await engine.history(id)).map((x) => x.payload)).toEqual([
      { parameters: { topic: 'tides' }, results: {} },
      { topic: 'tides', notes: { by: 'researcher', call: 1 } },
      { text: 'draft' },
    ]);
  });

  it('lists every attempt with its agent, number, start, duration, status and error', async () => {
    // Each agent takes a few ms so that every attempt starts at a distinct millisecond (the test below covers ties).
    const researcher = agent('researcher', async () => {
      await pause(3);
      return { notes: 'n' };
    });
    const writer = agent(
      'writer',
      async (_context, call) => {
        await pause(3);
        if (call === 1) throw new AgentError('the pen ran dry');
        return { text: 'draft' };
      },
      { maxAttempts: 2 },
    );
    const editor = echo('editor');
    const engine = h.engine({ agents: [researcher, writer, editor], workflows: [chain] });
    const { id } = await engine.startRun('chain', { topic: 'tides' });
    expect((await engine.settled(id)).state).toBe('completed');

    const attempts = await engine.attempts(id);
    expect(attempts.map((a) => [a.agent, a.stepKey, a.attempt, a.status])).toEqual([
      ['researcher', 'research#1', 1, 'succeeded'],
      ['writer', 'write#1', 1, 'failed'],
      ['writer', 'write#1', 2, 'succeeded'],
      ['editor', 'edit#1', 1, 'succeeded'],
    ]);
    expect(attempts[1]!.error).toMatchObject({ error_type: 'AGENT_EXECUTION_ERROR', message: 'the pen ran dry' });
    for (const a of [attempts[0]!, attempts[2]!, attempts[3]!]) expect(a.error).toBeNull();
    for (const a of attempts) {
      expect(a.runId).toBe(id);
      expect(a.startedAt).toEqual(expect.any(Number));
      expect(a.durationMs).toBeGreaterThanOrEqual(0);
    }
  });

  // Regression: attempts were ordered by clock time alone, which cannot order attempts made in the same millisecond.
  it('lists attempts in the order they were made even when the clock does not move between them', async () => {
    // A coarse (or fast) clock gives several attempts the same startedAt; the log must still read in order.
    const researcher = echo('researcher');
    const writer = agent(
      'writer',
      (_context, call) => {
        if (call === 1) throw new AgentError('the pen ran dry');
        return { text: 'draft' };
      },
      { maxAttempts: 2 },
    );
    const editor = echo('editor');
    const engine = h.engine({ agents: [researcher, writer, editor], workflows: [chain], now: () => 1_700_000_000_000 });
    const { id } = await engine.startRun('chain', { topic: 'tides' });
    expect((await engine.settled(id)).state).toBe('completed');
    const attempts = await engine.attempts(id);
    expect(attempts.map((a) => [a.agent, a.attempt, a.status])).toEqual([
      ['researcher', 1, 'succeeded'],
      ['writer', 1, 'failed'],
      ['writer', 2, 'succeeded'],
      ['editor', 1, 'succeeded'],
    ]);
  });

  it('answers NOT_FOUND for the history and attempts of a run that does not exist', async () => {
    const engine = h.engine({ agents: [echo('researcher'), echo('writer'), echo('editor')], workflows: [chain] });
    await expect(engine.history('missing')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(engine.attempts('missing')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
