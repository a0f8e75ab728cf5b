// Covers timeline.ts: which steps stand after rollbacks, which a rollback abandons, and the position they give.
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { abandonedBy, markedSteps, positionOf, timelineOf, type RollbackOutput } from '../../../src/engine/timeline.js';
import { defineWorkflow } from '../../../src/engine/workflow.js';
import type { StepRecord } from '../../../src/store/types.js';

const workflow = defineWorkflow({
  name: 'wf',
  parameters: z.object({}),
  phases: [
    { name: 'a', agent: 'x' },
    { name: 'b', agent: 'x', transitions: ['a'] },
    { name: 'c', agent: 'x' },
  ],
});

let version = 0;
const step = (stepKey: string): StepRecord => {
  const [phase = '', visit = '1'] = stepKey.split('#');
  return {
    runId: 'r',
    stepKey,
    phase,
    visit: Number.parseInt(visit, 10),
    kind: 'agent',
    agent: 'x',
    output: null,
    version: ++version,
    committedAt: 0,
    agentRun: null,
  };
};
const rollback = (n: number, to: string, from: StepRecord | undefined): StepRecord => {
  const output: RollbackOutput = { to, abandonedFromVersion: from?.version ?? version + 1, reason: 'test' };
  return { ...step(`rollback#${n}`), phase: to, kind: 'rollback', agent: null, output };
};
const keys = (steps: readonly StepRecord[]) => steps.map((s) => s.stepKey);

describe('timelineOf', () => {
  it('returns the steps as they are when the run never rolled back', () => {
    const steps = [step('a#1'), step('b#1')];
    const timeline = timelineOf(steps);
    expect(timeline.current).toBe(steps);
    expect(timeline.number).toBe(0);
    expect(timeline.abandoned.size).toBe(0);
  });

  it('drops the steps each rollback abandoned and the markers, across several rollbacks', () => {
    const a1 = step('a#1');
    const b1 = step('b#1');
    const c1 = step('c#1');
    const r1 = rollback(1, 'b', b1);
    const b2 = step('b#1@1');
    const r2 = rollback(2, 'a', a1);
    const a3 = step('a#1@2');
    const steps = [a1, b1, c1, r1, b2, r2, a3];
    const timeline = timelineOf(steps);
    expect(keys(timeline.current)).toEqual(['a#1@2']);
    expect(timeline.number).toBe(2);
    expect(markedSteps(steps).map((s) => [s.stepKey, s.abandoned])).toEqual([
      ['a#1', true],
      ['b#1', true],
      ['c#1', true],
      ['rollback#1', false],
      ['b#1@1', true],
      ['rollback#2', false],
      ['a#1@2', false],
    ]);
  });

  it('abandons nothing for a rollback that found nothing to abandon', () => {
    const a1 = step('a#1');
    const steps = [a1, rollback(1, 'b', undefined)];
    expect(keys(timelineOf(steps).current)).toEqual(['a#1']);
  });
});

describe('abandonedBy', () => {
  it('goes back to where the run first reached the target or a later phase, loops included', () => {
    const current = [step('a#1'), step('b#1'), step('a#2'), step('b#2'), step('c#1')];
    expect(keys(abandonedBy(workflow, current, 'b'))).toEqual(['b#1', 'a#2', 'b#2', 'c#1']);
    expect(keys(abandonedBy(workflow, current, 'c'))).toEqual(['c#1']);
    expect(keys(abandonedBy(workflow, current, 'a'))).toEqual(keys(current));
  });

  it('counts a step of a phase the definition no longer has as after every phase', () => {
    const current = [step('a#1'), step('gone#1')];
    expect(keys(abandonedBy(workflow, current, 'c'))).toEqual(['gone#1']);
  });
});

describe('positionOf', () => {
  it('counts visits per phase and lists the phases committed, in first-commit order', () => {
    expect(positionOf([step('a#1'), step('b#1'), step('a#2')])).toEqual({ visits: { a: 2, b: 1 }, completedPhases: ['a', 'b'] });
    expect(positionOf([])).toEqual({ visits: {}, completedPhases: [] });
  });
});
