/**
 * A run's timelines: a rollback commits a `rollback` step that abandons every step from a point
 * on, and the phases of the new timeline see only the steps that stand (the others stay, marked).
 */
import type { StepRecord } from '../store/types.js';
import { phaseIndexOrNull } from './navigation.js';
import type { WorkflowDefinition } from './workflow.js';

/** What a rollback step records: the target phase and the first version it abandoned. */
export interface RollbackOutput {
  to: string;
  abandonedFromVersion: number;
  reason: string;
}

/** A step as callers read it: abandoned when a later rollback left its timeline. */
export type RunStep = StepRecord & { abandoned: boolean };

export interface Timeline {
  /** The steps of the current timeline, oldest first, without the rollback markers. */
  current: readonly StepRecord[];
  /** The steps later rollbacks abandoned. */
  abandoned: ReadonlySet<StepRecord>;
  /** How many rollbacks the run has had: 0 on its first timeline. */
  number: number;
}

const NONE: ReadonlySet<StepRecord> = new Set();

export const isRollbackStep = (step: Pick<StepRecord, 'kind'>): boolean => step.kind === 'rollback';

/** Splits a run's steps (in commit order, as the store lists them) into the current timeline and the abandoned ones. */
export function timelineOf(steps: readonly StepRecord[]): Timeline {
  let number = 0;
  for (const step of steps) if (isRollbackStep(step)) number++;
  // The common case (never rolled back) costs one pass and no copy: this runs whenever a run is resumed.
  if (number === 0) return { current: steps, abandoned: NONE, number };
  const abandoned = new Set<StepRecord>();
  let standing: StepRecord[] = [];
  for (const step of steps) {
    if (!isRollbackStep(step)) {
      standing.push(step);
      continue;
    }
    const from = (step.output as RollbackOutput).abandonedFromVersion;
    for (const s of standing) if (s.version >= from) abandoned.add(s);
    standing = standing.filter((s) => s.version < from);
  }
  return { current: standing, abandoned, number };
}

/** Every step, rollback markers included, each marked abandoned or not. */
export function markedSteps(steps: readonly StepRecord[]): RunStep[] {
  const { abandoned } = timelineOf(steps);
  return steps.map((step) => ({ ...step, abandoned: abandoned.has(step) }));
}

/**
 * The steps a rollback to `toPhase` abandons: the run goes back to where it stood when it first
 * reached `toPhase` or a phase after it (in definition order) on its current timeline, so every
 * step from that one on is abandoned and the phases before it keep their results. (Steps of a
 * phase the definition no longer has count as after any phase.)
 */
export function abandonedBy(workflow: WorkflowDefinition, current: readonly StepRecord[], toPhase: string): StepRecord[] {
  const limit = phaseIndexOrNull(workflow, toPhase) ?? 0;
  const first = current.findIndex((step) => (phaseIndexOrNull(workflow, step.phase) ?? Number.POSITIVE_INFINITY) >= limit);
  return first < 0 ? [] : current.slice(first);
}

/** Each phase's committed visits on a timeline, and the phases it completed (in first-commit order). */
export function positionOf(current: readonly StepRecord[]): { visits: Record<string, number>; completedPhases: string[] } {
  const visits: Record<string, number> = {};
  for (const step of current) visits[step.phase] = (visits[step.phase] ?? 0) + 1;
  return { visits, completedPhases: Object.keys(visits) };
}
