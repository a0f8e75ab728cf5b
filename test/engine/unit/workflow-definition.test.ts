// Covers defineWorkflow: its defaults and the consistency checks it runs on a definition.
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { agentsOf, defineWorkflow, isWaitPhase, type Phase } from '../../../src/engine/workflow.js';
import { BatonError } from '../../../src/errors/index.js';

const parameters = z.object({ season: z.string() });
type P = z.output<typeof parameters>;

function definitionError(phases: readonly Phase<P>[]): BatonError {
  try {
    defineWorkflow({ name: 'plan', parameters, phases });
  } catch (error) {
    expect(error).toBeInstanceOf(BatonError);
    return error as BatonError;
  }
  throw new Error('defineWorkflow accepted the definition');
}

describe('defineWorkflow', () => {
  it('keeps the phases and defaults the description to "" and maxVisitsPerPhase to 1000', () => {
    const phases: Phase<P>[] = [
      { name: 'draft', agent: 'drafter' },
      { name: 'review', wait: { kind: 'approval' } },
    ];
    const workflow = defineWorkflow({ name: 'plan', parameters, phases });
    expect(workflow.name).toBe('plan');
    expect(workflow.description).toBe('');
    expect(workflow.maxVisitsPerPhase).toBe(1000);
    expect(workflow.phases).toBe(phases);
    expect(workflow.parameters).toBe(parameters);
  });

  it('keeps a given description and maxVisitsPerPhase', () => {
    const workflow = defineWorkflow({ name: 'plan', description: 'plans', parameters, maxVisitsPerPhase: 5, phases: [{ name: 'a', agent: 'x' }] });
    expect(workflow.description).toBe('plans');
    expect(workflow.maxVisitsPerPhase).toBe(5);
  });

  it('refuses a workflow without phases', () => {
    const error = definitionError([]);
    expect(error.code).toBe('INVALID_PARAMETERS');
    expect(error.message).toBe('workflow "plan": has no phases');
    expect(error.details).toEqual({ workflow: 'plan' });
  });

  it('refuses two phases with the same name, naming it', () => {
    const error = definitionError([
      { name: 'a', agent: 'x' },
      { name: 'b', agent: 'y' },
      { name: 'a', agent: 'z' },
    ]);
    expect(error.code).toBe('INVALID_PARAMETERS');
    expect(error.message).toBe('workflow "plan": phase "a" is defined twice');
  });

  it('refuses a transition to an unknown phase, naming the phase and the target', () => {
    const error = definitionError([
      { name: 'a', agent: 'x', transitions: ['b', 'nowhere'] },
      { name: 'b', agent: 'y' },
    ]);
    expect(error.message).toBe('workflow "plan": phase "a" names unknown phase "nowhere"');
  });

  it('refuses an onModify that names an unknown phase', () => {
    const error = definitionError([
      { name: 'a', agent: 'x' },
      { name: 'approve', wait: { kind: 'approval' }, onModify: 'redraft' },
    ]);
    expect(error.message).toBe('workflow "plan": phase "approve" names unknown phase "redraft"');
  });

  it('accepts transitions and onModify that name known phases, earlier or later', () => {
    expect(() =>
      defineWorkflow({
        name: 'plan',
        parameters,
        phases: [
          { name: 'a', agent: 'x', transitions: ['c'] },
          { name: 'b', wait: { kind: 'approval' }, onModify: 'a' },
          { name: 'c', agent: 'y', transitions: ['a', 'c'] },
        ],
      }),
    ).not.toThrow();
  });
});

describe('workflow helpers', () => {
  it('tells wait phases from agent phases and lists the agents in phase order', () => {
    const workflow = defineWorkflow({
      name: 'plan',
      parameters,
      phases: [
        { name: 'a', agent: 'x' },
        { name: 'w', wait: { kind: 'approval' } },
        { name: 'b', agent: 'y' },
        { name: 'c', agent: 'x' },
      ],
    });
    expect(workflow.phases.map((p) => isWaitPhase(p))).toEqual([false, true, false, false]);
    expect(agentsOf(workflow)).toEqual(['x', 'y', 'x']);
  });
});
