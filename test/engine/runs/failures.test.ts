// Failures: retries, non-retryable errors, timeouts, bad output, broken input functions, and retrying a failed run.
import { expect, it } from 'vitest';
import { z } from 'zod';
import { defineWorkflow } from '../../../src/engine/index.js';
import { AgentError, ConflictError } from '../../../src/errors/index.js';
import { describeEachStore } from '../../support/stores.js';
import { agent, echo, ofType, rejectionOf, typesOf, useHarness } from './harness.js';

describeEachStore('engine runs: failures', (kind) => {
  const h = useHarness(kind);

  const single = (agentName: string) => defineWorkflow({ name: 'single', parameters: z.object({}), phases: [{ name: 'work', agent: agentName }] });

  it('retries an agent that throws twice and completes on the third attempt, logging each failure', async () => {
    const flaky = agent(
      'flaky',
      (_context, call) => {
        if (call < 3) throw new Error(`boom ${call}`);
        return { ok: true };
      },
      { maxAttempts: 3 },
    );
    const engine = h.engine({ agents: [flaky], workflows: [single('flaky')] });
    const { id } = await engine.startRun('single', {});
    const done = await engine.settled(id);
    expect(done).toMatchObject({ state: 'completed', result: { ok: true }, error: null });
    expect(flaky.calls).toHaveLength(3);

    const attempts = await engine.attempts(id);
    expect(attempts.map((a) => [a.attempt, a.status, a.error?.error_type ?? null, a.error?.message ?? null])).toEqual([
      [1, 'failed', 'AGENT_EXECUTION_ERROR', 'boom 1'],
      [2, 'failed', 'AGENT_EXECUTION_ERROR', 'boom 2'],
      [3, 'succeeded', null, null],
    ]);

    const log = await engine.readEvents(id);
    expect(ofType(log, 'error')).toEqual([
      expect.objectContaining({ agent_name: 'flaky', error_type: 'AGENT_EXECUTION_ERROR', error_message: 'boom 1', suggestions: expect.any(Array) as unknown }),
      expect.objectContaining({ agent_name: 'flaky', error_type: 'AGENT_EXECUTION_ERROR', error_message: 'boom 2' }),
    ]);
    expect(ofType(log, 'agent_status').map((p) => [p.status, p.attempt])).toEqual([
      ['running', 1],
      ['retrying', 1],
      ['running', 2],
      ['retrying', 2],
      ['running', 3],
      ['completed', 3],
    ]);
    expect(typesOf(log).slice(-3)).toEqual(['complete', 'run_state', 'workflow_complete']);
  });

  it('fails the run after one attempt when the agent throws a non-retryable AgentError', async () => {
    const refusing = agent(
      'refusing',
      () => {
        throw new AgentError('the store does not exist', { retryable: false, details: { store: 'S-404' } });
      },
      { maxAttempts: 3 },
    );
    const engine = h.engine({ agents: [refusing], workflows: [single('refusing')] });
    const { id } = await engine.startRun('single', {});
    const failed = await engine.settled(id);
    expect(failed).toMatchObject({
      state: 'failed',
      phase: 'work',
      completedPhases: [],
      result: null,
      error: { error_type: 'AGENT_EXECUTION_ERROR', message: 'the store does not exist', details: { store: 'S-404' } },
    });
    expect(failed.finishedAt).toEqual(expect.any(Number));
    expect(refusing.calls).toHaveLength(1);
    expect((await engine.attempts(id)).map((a) => [a.attempt, a.status])).toEqual([[1, 'failed']]);
    const log = await engine.readEvents(id);
    expect(typesOf(log)).toEqual(['run_created', 'agent_status', 'error', 'agent_status', 'run_state', 'workflow_complete']);
    expect(log.at(-2)!.payload).toMatchObject({ from: 'running', to: 'failed' });
    expect(ofType(log, 'agent_status').map((p) => p.status)).toEqual(['running', 'failed']);
  });

  it('aborts the signal of an agent that exceeds its timeout and records the attempt as timed out', async () => {
    let sawAbort = false;
    let abortReason: unknown;
    const slow = agent(
      'slow',
      ({ signal }) =>
        new Promise((resolve) => {
          signal.addEventListener('abort', () => {
            sawAbort = signal.aborted;
            abortReason = signal.reason;
            resolve({ tooLate: true });
          });
        }),
      { timeoutMs: 40 },
    );
    const engine = h.engine({ agents: [slow], workflows: [single('slow')] });
    const { id } = await engine.startRun('single', {});
    const failed = await engine.settled(id);
    expect(sawAbort).toBe(true);
    expect(abortReason).toMatchObject({ code: 'AGENT_TIMEOUT' });
    expect(failed).toMatchObject({ state: 'failed', error: { error_type: 'AGENT_TIMEOUT', details: { agent: 'slow', timeout_ms: 40 } } });
    const attempts = await engine.attempts(id);
    expect(attempts).toHaveLength(1);
    expect(attempts[0]).toMatchObject({ agent: 'slow', attempt: 1, status: 'timed_out', error: { error_type: 'AGENT_TIMEOUT' } });
    expect(attempts[0]!.durationMs).toBeGreaterThanOrEqual(30);
  });

  it("applies a phase's timeoutMs instead of the agent's own", async () => {
    let sawAbort = false;
    const slow = agent(
      'slow',
      ({ signal }) =>
        new Promise((resolve) => {
          signal.addEventListener('abort', () => {
            sawAbort = true;
            resolve(null);
          });
        }),
      { timeoutMs: 20_000 },
    );
    const workflow = defineWorkflow({ name: 'single', parameters: z.object({}), phases: [{ name: 'work', agent: 'slow', timeoutMs: 30 }] });
    const engine = h.engine({ agents: [slow], workflows: [workflow] });
    const { id } = await engine.startRun('single', {});
    expect(await engine.settled(id)).toMatchObject({ state: 'failed', error: { error_type: 'AGENT_TIMEOUT', details: { timeout_ms: 30 } } });
    expect(sawAbort).toBe(true);
  });

  it('fails with AGENT_EXECUTION_ERROR when the output does not match the agent output schema', async () => {
    const sloppy = agent('sloppy', () => ({ total: 'lots' }), { output: z.object({ total: z.number() }) });
    const engine = h.engine({ agents: [sloppy], workflows: [single('sloppy')] });
    const { id } = await engine.startRun('single', {});
    const failed = await engine.settled(id);
    expect(failed).toMatchObject({
      state: 'failed',
      error: { error_type: 'AGENT_EXECUTION_ERROR', details: { agent: 'sloppy', issues: [{ path: 'total' }] } },
    });
    expect((await engine.attempts(id)).map((a) => [a.status, a.error?.error_type])).toEqual([['failed', 'AGENT_EXECUTION_ERROR']]);
  });

  it('fails with CONTEXT_ASSEMBLY_ERROR when a phase input function throws, without calling the agent', async () => {
    const never = echo('never');
    const workflow = defineWorkflow({
      name: 'single',
      parameters: z.object({}),
      phases: [
        {
          name: 'work',
          agent: 'never',
          input: ({ results }) => (results.missing as { rows: unknown[] }).rows,
        },
      ],
    });
    const engine = h.engine({ agents: [never], workflows: [workflow] });
    const { id } = await engine.startRun('single', {});
    const failed = await engine.settled(id);
    expect(failed).toMatchObject({ state: 'failed', phase: 'work', error: { error_type: 'CONTEXT_ASSEMBLY_ERROR', details: { phase: 'work' } } });
    expect(never.calls).toEqual([]);
    expect(await engine.attempts(id)).toEqual([]);
    const log = await engine.readEvents(id);
    expect(typesOf(log)).toEqual(['run_created', 'error', 'run_state', 'workflow_complete']);
    expect(log[1]!.payload).toMatchObject({ error_type: 'CONTEXT_ASSEMBLY_ERROR' });
  });

  it('retries a failed run from the failed phase without running the earlier phases again', async () => {
    const gather = echo('gather');
    const analyse = echo('analyse');
    let broken = true;
    const report = agent('report', () => {
      if (broken) throw new AgentError('report service down', { retryable: false });
      return { report: 'ready' };
    });
    const workflow = defineWorkflow({
      name: 'three',
      parameters: z.object({}),
      phases: [
        { name: 'gather', agent: 'gather' },
        { name: 'analyse', agent: 'analyse' },
        { name: 'report', agent: 'report' },
      ],
    });
    const engine = h.engine({ agents: [gather, analyse, report], workflows: [workflow] });
    const { id } = await engine.startRun('three', {});
    expect(await engine.settled(id)).toMatchObject({ state: 'failed', phase: 'report', completedPhases: ['gather', 'analyse'] });

    broken = false;
    const retried = await engine.retryRun(id);
    expect(retried).toMatchObject({ state: 'running', phase: 'report', error: null, finishedAt: null });
    const done = await engine.settled(id);
    expect(done).toMatchObject({ state: 'completed', result: { report: 'ready' }, completedPhases: ['gather', 'analyse', 'report'] });
    expect([gather.calls.length, analyse.calls.length, report.calls.length]).toEqual([1, 1, 2]);
    // The retried agent still sees what the earlier phases produced.
    expect(report.calls[1]).toMatchObject({ results: { gather: { by: 'gather', call: 1 }, analyse: { by: 'analyse', call: 1 } } });
    expect((await engine.attempts(id)).filter((a) => a.agent === 'report').map((a) => [a.attempt, a.status])).toEqual([
      [1, 'failed'],
      [2, 'succeeded'],
    ]);
    expect(ofType(await engine.readEvents(id), 'run_state')).toEqual([
      { from: 'running', to: 'failed', reason: 'report service down' },
      { from: 'failed', to: 'running', reason: 'retry' },
      { from: 'running', to: 'completed', reason: 'last phase done' },
    ]);
  });

  it('refuses to retry a completed run with CONFLICT', async () => {
    const engine = h.engine({ agents: [echo('fine')], workflows: [single('fine')] });
    const { id } = await engine.startRun('single', {});
    expect((await engine.settled(id)).state).toBe('completed');
    const error = await rejectionOf(engine.retryRun(id));
    expect(error).toBeInstanceOf(ConflictError);
    expect(error).toMatchObject({ code: 'CONFLICT', details: { state: 'completed' } });
    expect((await engine.status(id)).state).toBe('completed');
  });

  it('answers NOT_FOUND when retrying a run that does not exist', async () => {
    const engine = h.engine({ agents: [echo('fine')], workflows: [single('fine')] });
    await expect(engine.retryRun('missing')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
