// Covers allowedTargets, phaseIndex and phaseNamed: which phases a phase may hand the run to.
import { describe, expect, it } from 'vitest';
import { allowedTargets, phaseIndex, phaseNamed } from '../../../src/engine/navigation.js';
import { BatonError } from '../../../src/errors/index.js';
import { workflowOf } from './navigation-fixtures.js';

const workflow = workflowOf([
  { name: 'draft', agent: 'drafter' },
  { name: 'price', agent: 'pricer', transitions: ['publish'] },
  { name: 'approve', wait: { kind: 'approval' } },
  { name: 'refine', agent: 'refiner', repeat: { times: () => 2 } },
  { name: 'signoff', wait: { kind: 'approval' }, onModify: 'draft' },
  { name: 'publish', agent: 'publisher' },
]);
const targets = (name: string) => allowedTargets(workflow, phaseNamed(workflow, name));

describe('allowedTargets', () => {
  it('allows an agent phase only the next phase by default', () => {
    expect(targets('draft')).toEqual(['price']);
  });

  it('adds the listed transitions to the next phase', () => {
    expect(targets('price')).toEqual(['publish', 'approve']);
  });

  it('allows a wait phase the next phase and, for modify, the phase before it', () => {
    expect(targets('approve')).toEqual(['refine', 'price']);
  });

  it('allows a wait phase its onModify target in place of the phase before it', () => {
    expect(targets('signoff')).toEqual(['publish', 'draft']);
  });

  it('allows a repeating phase to go to itself', () => {
    expect(targets('refine')).toEqual(['signoff', 'refine']);
  });

  it('allows the last phase nothing unless it lists transitions', () => {
    expect(targets('publish')).toEqual([]);
    const looping = workflowOf([
      { name: 'a', agent: 'x' },
      { name: 'b', agent: 'y', transitions: ['a'] },
    ]);
    expect(allowedTargets(looping, phaseNamed(looping, 'b'))).toEqual(['a']);
  });

  it('lets a first-phase wait without onModify send a modify back to itself', () => {
    const waitFirst = workflowOf([
      { name: 'gate', wait: { kind: 'approval' } },
      { name: 'work', agent: 'x' },
    ]);
    expect(allowedTargets(waitFirst, phaseNamed(waitFirst, 'gate'))).toEqual(['work', 'gate']);
  });

  it('lists a target once when a transition repeats the next phase', () => {
    const w = workflowOf([
      { name: 'a', agent: 'x', transitions: ['b'] },
      { name: 'b', agent: 'y' },
    ]);
    expect(allowedTargets(w, phaseNamed(w, 'a'))).toEqual(['b']);
  });
});

describe('phaseIndex and phaseNamed', () => {
  it('finds a phase by name and its position', () => {
    expect(phaseIndex(workflow, 'draft')).toBe(0);
    expect(phaseIndex(workflow, 'publish')).toBe(5);
    expect(phaseNamed(workflow, 'approve')).toBe(workflow.phases[2]);
  });

  it('refuses an unknown phase with NOT_FOUND, naming the definition version and listing the phases', () => {
    let error: unknown;
    try {
      phaseIndex(workflow, 'nope');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(BatonError);
    expect((error as BatonError).code).toBe('NOT_FOUND');
    expect((error as BatonError).message).toBe('workflow "wf" (version 1) has no phase "nope"');
    expect((error as BatonError).details).toEqual({ workflow: 'wf', version: '1', phase: 'nope' });
    expect((error as BatonError).suggestions).toEqual(['phases: draft, price, approve, refine, signoff, publish']);
  });
});
