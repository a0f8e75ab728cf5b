// Covers advance, completedBefore and percentDone: the run's new position after a phase commits.
import { describe, expect, it } from 'vitest';
import { advance, completedBefore, percentDone, type Destination } from '../../../src/engine/navigation.js';
import { run, workflowOf } from './navigation-fixtures.js';

const w = workflowOf([
  { name: 'a', agent: 'x' },
  { name: 'b', agent: 'y', repeat: { times: () => 2 } },
  { name: 'gate', wait: { kind: 'approval' }, onModify: 'a' },
  { name: 'd', agent: 'z' },
]);
const to = (phase: string, via: Destination['via'] = 'next'): Destination => ({ phase, end: null, via, reason: 'test' });
const end = (state: 'completed' | 'rejected' | 'failed'): Destination => ({ phase: null, end: state, via: 'end', reason: 'test' });

describe('advance', () => {
  it('moves to the next phase, counting the visit and marking the phase completed', () => {
    expect(advance(w, run({ phase: 'a' }), 'a', to('b'), 1_000)).toEqual({
      state: 'running',
      phase: 'b',
      visits: { a: 1 },
      completedPhases: ['a'],
      waitingFor: null,
    });
  });

  it('adds one to the visits of the committed phase and keeps the others', () => {
    const patch = advance(w, run({ visits: { a: 2, b: 1 }, completedPhases: ['a'] }), 'b', to('gate'), 0);
    expect(patch.visits).toEqual({ a: 2, b: 2 });
    expect(patch.completedPhases).toEqual(['a', 'b']);
  });

  it('does not list a phase twice in completedPhases', () => {
    const patch = advance(w, run({ completedPhases: ['a', 'b'] }), 'b', to('gate'), 0);
    expect(patch.completedPhases).toEqual(['a', 'b']);
  });

  it('un-does the phases from the target on when the run goes back', () => {
    const patch = advance(w, run({ visits: { a: 1, b: 2 }, completedPhases: ['a', 'b'] }), 'gate', to('a', 'goto'), 0);
    expect(patch).toEqual({ state: 'running', phase: 'a', visits: { a: 1, b: 2, gate: 1 }, completedPhases: [], waitingFor: null });
    expect(advance(w, run({ completedPhases: ['a', 'b'] }), 'gate', to('b', 'goto'), 0).completedPhases).toEqual(['a']);
  });

  it('does not count a repeating phase as completed while it repeats', () => {
    const patch = advance(w, run({ visits: { a: 1 }, completedPhases: ['a'] }), 'b', to('b', 'repeat'), 0);
    expect(patch.completedPhases).toEqual(['a']);
    expect(patch.visits).toEqual({ a: 1, b: 1 });
  });

  it('keeps the completed phases when jumping ahead', () => {
    expect(advance(w, run({ completedPhases: [] }), 'a', to('d', 'goto'), 0).completedPhases).toEqual(['a']);
  });

  it('completes the run: state, no phase, finishedAt, no wait and no lease', () => {
    const patch = advance(
      w,
      run({ visits: { a: 1, b: 2, gate: 1 }, completedPhases: ['a', 'b', 'gate'], waitingFor: 'approval' }),
      'd',
      end('completed'),
      9_000,
    );
    expect(patch).toEqual({
      state: 'completed',
      phase: null,
      visits: { a: 1, b: 2, gate: 1, d: 1 },
      completedPhases: ['a', 'b', 'gate', 'd'],
      waitingFor: null,
      leaseOwner: null,
      leaseExpiresAt: null,
      finishedAt: 9_000,
    });
  });

  it('ends a rejected run at the phase that rejected it, releasing the lease', () => {
    const patch = advance(w, run({ completedPhases: ['a', 'b'] }), 'gate', end('rejected'), 7_000);
    expect(patch).toMatchObject({ state: 'rejected', phase: 'gate', waitingFor: null, leaseOwner: null, leaseExpiresAt: null, finishedAt: 7_000 });
  });

  it('does not change the run it is given', () => {
    const before = run({ visits: { a: 1 }, completedPhases: ['a'] });
    const copy = structuredClone(before);
    advance(w, before, 'b', to('gate'), 0);
    expect(before).toEqual(copy);
  });
});

describe('completedBefore', () => {
  it('keeps only the phases placed before the target', () => {
    expect(completedBefore(w, ['a', 'b', 'gate'], 'gate')).toEqual(['a', 'b']);
    expect(completedBefore(w, ['a', 'b', 'gate'], 'a')).toEqual([]);
  });
});

describe('percentDone', () => {
  it('is the share of completed phases, rounded', () => {
    expect(percentDone(w, { state: 'running', completedPhases: [] })).toBe(0);
    expect(percentDone(w, { state: 'running', completedPhases: ['a'] })).toBe(25);
    expect(percentDone(w, { state: 'waiting', completedPhases: ['a', 'b'] })).toBe(50);
    const three = workflowOf([
      { name: 'a', agent: 'x' },
      { name: 'b', agent: 'x' },
      { name: 'c', agent: 'x' },
    ]);
    expect(percentDone(three, { state: 'running', completedPhases: ['a', 'b'] })).toBe(67);
    expect(percentDone(three, { state: 'failed', completedPhases: ['a'] })).toBe(33);
  });

  it('is 100 for a completed run whatever its phases', () => {
    expect(percentDone(w, { state: 'completed', completedPhases: ['a'] })).toBe(100);
  });
});
