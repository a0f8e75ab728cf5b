// The transition table, every pair of states: allowed exactly where the issues say (the forward path, a retry path from
// every role state but the first back to the previous role's state, verification's back to implementation, ERROR from
// any unfinished state), refused otherwise with the allowed next states named.
import { describe, expect, it } from 'vitest';
import { BatonError } from '../../../src/errors/index.js';
import { softwareDeliveryWorkflow } from '../../../src/workflows/software-delivery/index.js';
import { firstPhaseOf } from '../../../src/workflows/software-delivery/phases.js';
import { expectedAllowed } from './expected-table.js';
import {
  assertTransition,
  DELIVERY_STATES,
  isAllowed,
  retryTargets,
  rollbackTargets,
  STATES,
  TRANSITIONS,
  type DeliveryState,
} from '../../../src/workflows/software-delivery/states.js';

const pairs = DELIVERY_STATES.flatMap((from) => DELIVERY_STATES.map((to) => [from, to] as const));

describe('the software-delivery transition table', () => {
  it('has twelve states and so 144 ordered pairs to judge', () => {
    expect(DELIVERY_STATES).toHaveLength(12);
    expect(pairs).toHaveLength(144);
  });

  it.each(pairs)('%s → %s is allowed exactly when the process says so', (from, to) => {
    const allowed = expectedAllowed(from, to);
    expect(isAllowed(from, to)).toBe(allowed);
    if (allowed) {
      expect(() => assertTransition(from, to)).not.toThrow();
      return;
    }
    let refusal: unknown;
    try {
      assertTransition(from, to);
    } catch (error) {
      refusal = error;
    }
    expect(refusal).toBeInstanceOf(BatonError);
    const error = refusal as BatonError;
    expect(error.code).toBe('INVALID_TRANSITION');
    expect(error.httpStatus).toBe(409);
    expect(error.details).toEqual({
      from,
      to,
      allowed: DELIVERY_STATES.filter((s) => expectedAllowed(from, s)).sort((a, b) => TRANSITIONS[from].indexOf(a) - TRANSITIONS[from].indexOf(b)),
    });
    expect(error.suggestions.join(' ')).toContain(TRANSITIONS[from].length > 0 ? TRANSITIONS[from].join(', ') : `nothing follows "${from}"`);
  });

  it('counts 26 allowed moves: ten forward, six retries, ten into ERROR', () => {
    expect(pairs.filter(([from, to]) => isAllowed(from, to))).toHaveLength(10 + 6 + 10);
    expect(DELIVERY_STATES.filter((s) => isAllowed(s, 'ERROR'))).toHaveLength(10);
  });

  it('refuses a state name it does not know, naming what may follow', () => {
    expect(() => assertTransition('TESTING', 'SHIPPED')).toThrow(
      expect.objectContaining({
        code: 'INVALID_TRANSITION',
        details: { from: 'TESTING', to: 'SHIPPED', allowed: ['HANDOFF_TO_VERIFIER', 'IMPLEMENTATION', 'ERROR'] },
      }) as Error,
    );
  });

  it('names an owner for every role state and none for the system states, and describes every state', () => {
    const owners = Object.fromEntries(DELIVERY_STATES.map((s) => [s, STATES[s].owner]));
    expect(owners).toEqual({
      DISCOVERY: 'Q_ASSISTANT',
      PLANNING: 'Q_ASSISTANT',
      HANDOFF_TO_CODER: null,
      IMPLEMENTATION: 'CODE_WRITER',
      HANDOFF_TO_TESTER: null,
      TESTING: 'TEST_AUDITOR',
      HANDOFF_TO_VERIFIER: null,
      VERIFICATION: 'VERIFICATION_OVERSEER',
      HANDOFF_TO_RELEASER: null,
      DEPLOYMENT: 'RELEASE_MANAGER',
      COMPLETE: null,
      ERROR: null,
    });
    for (const s of DELIVERY_STATES) expect(STATES[s].description.length).toBeGreaterThan(20);
  });

  it("sends work back from every role state but the first, to the previous role's state first (verification also to implementation)", () => {
    expect(Object.fromEntries(DELIVERY_STATES.map((s) => [s, retryTargets(s)]).filter(([, t]) => t!.length > 0))).toEqual({
      PLANNING: ['DISCOVERY'],
      IMPLEMENTATION: ['PLANNING'],
      TESTING: ['IMPLEMENTATION'],
      VERIFICATION: ['TESTING', 'IMPLEMENTATION'],
      DEPLOYMENT: ['VERIFICATION'],
    });
  });

  it('rolls back to earlier role states, and after a failure to the failed state too', () => {
    expect(rollbackTargets('TESTING', false)).toEqual(['DISCOVERY', 'PLANNING', 'IMPLEMENTATION']);
    expect(rollbackTargets('DEPLOYMENT', true)).toEqual(['DISCOVERY', 'PLANNING', 'IMPLEMENTATION', 'TESTING', 'VERIFICATION', 'DEPLOYMENT']);
    expect(rollbackTargets('DISCOVERY', false)).toEqual([]);
  });

  it("gives every engine phase of a state exactly the table's targets, so the engine refuses what the table refuses", () => {
    const stateOf = (phase: string) => phase.replace(/\.agent$/, '') as DeliveryState;
    for (const phase of softwareDeliveryWorkflow.phases) {
      const from = stateOf(phase.name);
      const declared = [...(phase.transitions ?? [])].sort();
      expect(declared, phase.name).toEqual(
        TRANSITIONS[from]
          .filter((s) => s !== 'COMPLETE')
          .map(firstPhaseOf)
          .sort(),
      );
    }
  });
});
