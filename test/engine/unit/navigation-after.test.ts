// Covers afterAgent and afterWait: where a run goes once an agent or a wait phase has committed.
import { describe, expect, it } from 'vitest';
import { afterAgent, afterWait } from '../../../src/engine/navigation.js';
import type { Transition, WaitResolution } from '../../../src/engine/workflow.js';
import { InvalidTransitionError } from '../../../src/errors/index.js';
import { agentPhase, context, waitPhase, workflowOf, type Params } from './navigation-fixtures.js';

const after = (transition: Transition | undefined) =>
  workflowOf([
    { name: 'a', agent: 'x' },
    { name: 'b', agent: 'y', transitions: ['d'], next: () => transition },
    { name: 'c', agent: 'z' },
    { name: 'd', agent: 'w' },
  ]);

function refusal(run: () => unknown): InvalidTransitionError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidTransitionError);
    return error as InvalidTransitionError;
  }
  throw new Error('the transition was allowed');
}

describe('afterAgent', () => {
  it('goes to the next phase by default', () => {
    const w = after(undefined);
    expect(afterAgent(w, agentPhase(w, 'a'), context(), null)).toEqual({ phase: 'b', end: null, via: 'next', reason: 'a done' });
  });

  it('completes the run after the last phase', () => {
    const w = after(undefined);
    expect(afterAgent(w, agentPhase(w, 'd'), context(), null)).toEqual({ phase: null, end: 'completed', via: 'end', reason: 'last phase done' });
  });

  it('falls back to the next phase when next() returns undefined', () => {
    const w = after(undefined);
    expect(afterAgent(w, agentPhase(w, 'b'), context(), null)).toEqual({ phase: 'c', end: null, via: 'next', reason: 'b done' });
  });

  it('follows a goto to a listed transition', () => {
    const w = after({ goto: 'd' });
    expect(afterAgent(w, agentPhase(w, 'b'), context(), null)).toEqual({ phase: 'd', end: null, via: 'goto', reason: 'b → d' });
  });

  it('reports a goto to the next phase as the natural next step, keeping its reason', () => {
    const w = after({ goto: 'c', reason: 'looks fine' });
    expect(afterAgent(w, agentPhase(w, 'b'), context(), null)).toEqual({ phase: 'c', end: null, via: 'next', reason: 'looks fine' });
  });

  it('refuses a goto to a phase not allowed with INVALID_TRANSITION and the allowed targets', () => {
    const w = after({ goto: 'a' });
    const error = refusal(() => afterAgent(w, agentPhase(w, 'b'), context(), null));
    expect(error.code).toBe('INVALID_TRANSITION');
    expect(error.httpStatus).toBe(409);
    expect(error.message).toBe('phase transition from "b" to "a" is not allowed');
    expect(error.details).toEqual({ from: 'b', to: 'a', allowed: ['d', 'c'] });
    expect(error.suggestions).toEqual(['allowed from "b": d, c']);
  });

  it('ends the run as rejected on { end: "rejected" }, with a default or given reason', () => {
    const w = after({ end: 'rejected' });
    expect(afterAgent(w, agentPhase(w, 'b'), context(), null)).toEqual({ phase: null, end: 'rejected', via: 'end', reason: 'b ended the run' });
    const v = after({ end: 'failed', reason: 'over budget' });
    expect(afterAgent(v, agentPhase(v, 'b'), context(), null)).toEqual({ phase: null, end: 'failed', via: 'end', reason: 'over budget' });
  });

  it("passes the context and the agent's output to next()", () => {
    const seen: unknown[] = [];
    const w = workflowOf([
      {
        name: 'a',
        agent: 'x',
        next: (ctx, output) => {
          seen.push(ctx.runId, output);
          return undefined;
        },
      },
      { name: 'b', agent: 'y' },
    ]);
    afterAgent(w, agentPhase(w, 'a'), context({ runId: 'r-9' }), { total: 3 });
    expect(seen).toEqual(['r-9', { total: 3 }]);
  });

  it('repeats a phase a fixed number of times from its parameters, then moves on', () => {
    const w = workflowOf([
      { name: 'refine', agent: 'x', repeat: { times: (p: Params) => p.rounds } },
      { name: 'done', agent: 'y' },
    ]);
    const refine = agentPhase(w, 'refine');
    const params = { rounds: 3 };
    expect(afterAgent(w, refine, context({ parameters: params, visit: 1 }), null)).toEqual({
      phase: 'refine',
      end: null,
      via: 'repeat',
      reason: 'repeat refine (visit 2)',
    });
    expect(afterAgent(w, refine, context({ parameters: params, visit: 2 }), null)).toEqual({
      phase: 'refine',
      end: null,
      via: 'repeat',
      reason: 'repeat refine (visit 3)',
    });
    expect(afterAgent(w, refine, context({ parameters: params, visit: 3 }), null)).toEqual({ phase: 'done', end: null, via: 'next', reason: 'refine done' });
  });

  it('repeats a phase until its condition holds for the context', () => {
    const w = workflowOf([{ name: 'search', agent: 'x', repeat: { until: (ctx) => (ctx.results.search as { found: boolean }).found } }]);
    const search = agentPhase(w, 'search');
    expect(afterAgent(w, search, context({ results: { search: { found: false } } }), null).via).toBe('repeat');
    expect(afterAgent(w, search, context({ results: { search: { found: true } } }), null)).toEqual({
      phase: null,
      end: 'completed',
      via: 'end',
      reason: 'last phase done',
    });
  });

  it('lets next() take precedence over repeat', () => {
    const w = workflowOf([
      { name: 'a', agent: 'x', repeat: { times: () => 5 }, next: () => ({ end: 'completed' }) },
      { name: 'b', agent: 'y' },
    ]);
    expect(afterAgent(w, agentPhase(w, 'a'), context(), null)).toEqual({ phase: null, end: 'completed', via: 'end', reason: 'a ended the run' });
  });
});

describe('afterWait', () => {
  const w = workflowOf([
    { name: 'draft', agent: 'x' },
    { name: 'review', agent: 'y' },
    { name: 'approve', wait: { kind: 'approval' } },
    { name: 'signoff', wait: { kind: 'approval' }, onModify: 'draft' },
    { name: 'publish', agent: 'z' },
  ]);
  const resolve = (phase: string, resolution: WaitResolution) => afterWait(w, waitPhase(w, phase), context(), resolution);

  it('goes to the next phase on accept', () => {
    expect(resolve('approve', { action: 'accept' })).toEqual({ phase: 'signoff', end: null, via: 'next', reason: 'approve done' });
  });

  it('ends the run as rejected on reject, with the comment as the reason', () => {
    expect(resolve('approve', { action: 'reject' })).toEqual({ phase: null, end: 'rejected', via: 'end', reason: 'rejected' });
    expect(resolve('approve', { action: 'reject', comment: 'too costly' })).toEqual({ phase: null, end: 'rejected', via: 'end', reason: 'too costly' });
  });

  it('returns to the phase before the wait on modify when no onModify is set', () => {
    expect(resolve('approve', { action: 'modify' })).toEqual({ phase: 'review', end: null, via: 'goto', reason: 'modified: run again' });
  });

  it('returns to the onModify phase on modify, with the comment as the reason', () => {
    expect(resolve('signoff', { action: 'modify', comment: 'cut 10%' })).toEqual({ phase: 'draft', end: null, via: 'goto', reason: 'cut 10%' });
  });

  it('goes on after a submission, a signal or an expiry', () => {
    for (const action of ['submit', 'signal', 'expired'] as const) {
      expect(resolve('approve', { action }).phase).toBe('signoff');
    }
  });

  it('completes the run when the last phase is a wait and it is accepted', () => {
    const last = workflowOf([
      { name: 'a', agent: 'x' },
      { name: 'ok', wait: { kind: 'approval' } },
    ]);
    expect(afterWait(last, waitPhase(last, 'ok'), context(), { action: 'accept' })).toEqual({
      phase: null,
      end: 'completed',
      via: 'end',
      reason: 'last phase done',
    });
  });

  it("follows the wait's own decide() and refuses a target it may not go to", () => {
    const custom = workflowOf([
      { name: 'a', agent: 'x' },
      { name: 'b', agent: 'y' },
      {
        name: 'gate',
        wait: { kind: 'approval' },
        decide: (_ctx, r) => (r.action === 'accept' ? { goto: 'a' } : r.action === 'modify' ? { goto: 'b', reason: 'again' } : undefined),
      },
      { name: 'c', agent: 'z' },
    ]);
    const gate = waitPhase(custom, 'gate');
    expect(afterWait(custom, gate, context(), { action: 'modify' })).toEqual({ phase: 'b', end: null, via: 'goto', reason: 'again' });
    expect(() => afterWait(custom, gate, context(), { action: 'accept' })).toThrow(InvalidTransitionError);
    expect(afterWait(custom, gate, context(), { action: 'reject' }).end).toBe('rejected');
  });
});
