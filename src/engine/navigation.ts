/**
 * Where a run goes after a phase commits: the next phase, the same one again, a permitted
 * jump, or the end. Pure functions over the definition, so they are easy to test and to trust.
 */
import { BatonError, InvalidTransitionError } from '../errors/index.js';
import type { RunPatch, RunRecord } from '../store/types.js';
import {
  isWaitPhase,
  type AgentPhase,
  type Phase,
  type Transition,
  type WaitPhase,
  type WaitResolution,
  type WorkflowContext,
  type WorkflowDefinition,
} from './workflow.js';

export interface Destination {
  /** The phase to run next, or null when the run ends. */
  phase: string | null;
  end: 'completed' | 'rejected' | 'failed' | null;
  via: 'next' | 'repeat' | 'goto' | 'end';
  reason: string;
}

/** The definition's version as shown in errors ('1' when it states none). */
export const versionOf = (workflow: WorkflowDefinition): string => workflow.version ?? '1';

/** A phase the definition does not have (a run started under an older version of it, say). */
export function unknownPhaseError(workflow: WorkflowDefinition, name: string): BatonError {
  return new BatonError('NOT_FOUND', `workflow "${workflow.name}" (version ${versionOf(workflow)}) has no phase "${name}"`, {
    details: { workflow: workflow.name, version: versionOf(workflow), phase: name },
    suggestions: [`phases: ${workflow.phases.map((p) => p.name).join(', ')}`],
  });
}

export function phaseIndexOrNull(workflow: WorkflowDefinition, name: string): number | null {
  const index = workflow.phases.findIndex((p) => p.name === name);
  return index < 0 ? null : index;
}

export function phaseIndex(workflow: WorkflowDefinition, name: string): number {
  const index = phaseIndexOrNull(workflow, name);
  if (index === null) throw unknownPhaseError(workflow, name);
  return index;
}

export function phaseNamed(workflow: WorkflowDefinition, name: string): Phase {
  return workflow.phases[phaseIndex(workflow, name)] as Phase;
}

/** The phase after `phase` in definition order, or the end of the run. */
export function following(workflow: WorkflowDefinition, phase: Phase): Destination {
  const next = workflow.phases[phaseIndex(workflow, phase.name) + 1];
  return next
    ? { phase: next.name, end: null, via: 'next', reason: `${phase.name} done` }
    : { phase: null, end: 'completed', via: 'end', reason: 'last phase done' };
}

function modifyTarget(workflow: WorkflowDefinition, phase: WaitPhase): string {
  return phase.onModify ?? workflow.phases[phaseIndex(workflow, phase.name) - 1]?.name ?? phase.name;
}

/** The phases a phase may hand the run to; anything else is refused. */
export function allowedTargets(workflow: WorkflowDefinition, phase: Phase): string[] {
  const targets = new Set<string>(phase.transitions ?? []);
  const next = following(workflow, phase).phase;
  if (next !== null) targets.add(next);
  if (isWaitPhase(phase)) targets.add(modifyTarget(workflow, phase));
  else if (phase.repeat) targets.add(phase.name);
  return [...targets];
}

function resolve(workflow: WorkflowDefinition, phase: Phase, transition: Transition): Destination {
  if ('end' in transition) {
    return { phase: null, end: transition.end, via: 'end', reason: transition.reason ?? `${phase.name} ended the run` };
  }
  const allowed = allowedTargets(workflow, phase);
  if (!allowed.includes(transition.goto)) {
    throw new InvalidTransitionError(phase.name, transition.goto, allowed, 'phase transition');
  }
  const natural = following(workflow, phase).phase === transition.goto;
  return { phase: transition.goto, end: null, via: natural ? 'next' : 'goto', reason: transition.reason ?? `${phase.name} → ${transition.goto}` };
}

export function afterAgent(workflow: WorkflowDefinition, phase: AgentPhase, context: WorkflowContext, output: unknown): Destination {
  const custom = phase.next?.(context, output);
  if (custom) return resolve(workflow, phase, custom);
  const { repeat } = phase;
  if (repeat) {
    const moreTimes = repeat.times ? context.visit < repeat.times(context.parameters) : repeat.until !== undefined;
    const again = moreTimes && !(repeat.until?.(context) ?? false);
    if (again) return { phase: phase.name, end: null, via: 'repeat', reason: `repeat ${phase.name} (visit ${context.visit + 1})` };
  }
  return following(workflow, phase);
}

export function afterWait(workflow: WorkflowDefinition, phase: WaitPhase, context: WorkflowContext, resolution: WaitResolution): Destination {
  const custom = phase.decide?.(context, resolution);
  if (custom) return resolve(workflow, phase, custom);
  if (resolution.action === 'reject') return { phase: null, end: 'rejected', via: 'end', reason: resolution.comment ?? 'rejected' };
  if (resolution.action === 'modify') {
    return resolve(workflow, phase, { goto: modifyTarget(workflow, phase), reason: resolution.comment ?? 'modified: run again' });
  }
  return following(workflow, phase);
}

/** Phases done before `target` stay done; going back un-does the ones from `target` on. */
export function completedBefore(workflow: WorkflowDefinition, completed: readonly string[], target: string): string[] {
  const limit = phaseIndex(workflow, target);
  return completed.filter((p) => phaseIndex(workflow, p) < limit);
}

/** The run's new position after `committed` finished and the run moves to `destination`. */
export function advance(workflow: WorkflowDefinition, run: RunRecord, committed: string, destination: Destination, now: number): RunPatch {
  const visits = { ...run.visits, [committed]: (run.visits[committed] ?? 0) + 1 };
  const done = run.completedPhases.includes(committed) ? run.completedPhases : [...run.completedPhases, committed];
  if (destination.phase === null) {
    const state = destination.end ?? 'completed';
    // A run that ends otherwise than completed stays at its phase, so it can be retried or rolled back from there.
    return {
      state,
      phase: state === 'completed' ? null : committed,
      visits,
      completedPhases: done,
      waitingFor: null,
      leaseOwner: null,
      leaseExpiresAt: null,
      finishedAt: now,
      ...(state === 'failed' ? { error: workflowFailure(committed, destination.reason).toJSON() } : {}),
    };
  }
  const back = phaseIndex(workflow, destination.phase) <= phaseIndex(workflow, committed);
  return {
    state: 'running',
    phase: destination.phase,
    visits,
    completedPhases: back ? completedBefore(workflow, done, destination.phase) : done,
    waitingFor: null,
  };
}

/** The error of a run its workflow chose to end as failed (`{ end: 'failed' }`). */
export const workflowFailure = (phase: string, reason: string): BatonError =>
  new BatonError('AGENT_EXECUTION_ERROR', `phase "${phase}" ended the run as failed: ${reason}`, { details: { phase } });

export function percentDone(workflow: WorkflowDefinition, run: Pick<RunRecord, 'state' | 'completedPhases'>): number {
  if (run.state === 'completed') return 100;
  return Math.round((100 * run.completedPhases.length) / workflow.phases.length);
}
