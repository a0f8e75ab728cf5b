// Covers the run life cycle table: assertRunTransition over every pair of run states.
import { describe, expect, it } from 'vitest';
import { assertRunTransition, FINISHED_STATES, RUN_TRANSITIONS } from '../../../src/engine/run-states.js';
import { InvalidTransitionError } from '../../../src/errors/index.js';
import { RUN_STATES, type RunState } from '../../../src/store/index.js';

const pairs = RUN_STATES.flatMap((from) => RUN_STATES.map((to) => [from, to] as const));
const allowed = (from: RunState, to: RunState) => RUN_TRANSITIONS[from].includes(to);

describe('assertRunTransition', () => {
  it.each(pairs.filter(([from, to]) => allowed(from, to)))('accepts %s → %s', (from, to) => {
    expect(() => assertRunTransition(from, to)).not.toThrow();
  });

  it.each(pairs.filter(([from, to]) => !allowed(from, to)))('refuses %s → %s with INVALID_TRANSITION', (from, to) => {
    let error: unknown;
    try {
      assertRunTransition(from, to);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidTransitionError);
    expect((error as InvalidTransitionError).code).toBe('INVALID_TRANSITION');
    expect((error as InvalidTransitionError).message).toBe(`run state change from "${from}" to "${to}" is not allowed`);
    expect((error as InvalidTransitionError).details).toEqual({ from, to, allowed: [...RUN_TRANSITIONS[from]] });
  });

  it('covers all 49 pairs, 16 of them allowed', () => {
    expect(pairs).toHaveLength(49);
    expect(pairs.filter(([from, to]) => allowed(from, to))).toHaveLength(16);
  });
});

describe('RUN_TRANSITIONS', () => {
  it('lists a row for every run state and names only run states', () => {
    expect(Object.keys(RUN_TRANSITIONS).sort()).toEqual([...RUN_STATES].sort());
    for (const targets of Object.values(RUN_TRANSITIONS)) for (const t of targets) expect(RUN_STATES).toContain(t);
  });

  it('never lets a state follow itself', () => {
    for (const state of RUN_STATES) expect(allowed(state, state)).toBe(false);
  });

  it('lets every finished state only run again', () => {
    expect(FINISHED_STATES).toEqual(['completed', 'failed', 'cancelled', 'rejected', 'expired']);
    for (const state of FINISHED_STATES) expect(RUN_TRANSITIONS[state]).toEqual(['running']);
  });

  it('lets a running run wait or finish in any way but expire, and a waiting run resume, finish or expire', () => {
    expect([...RUN_TRANSITIONS.running].sort()).toEqual(['cancelled', 'completed', 'failed', 'rejected', 'waiting']);
    expect([...RUN_TRANSITIONS.waiting].sort()).toEqual(['cancelled', 'completed', 'expired', 'failed', 'rejected', 'running']);
  });
});
