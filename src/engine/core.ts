/**
 * What the engine's parts share: the store, the agents, the live hub, the clock, and the one
 * way to commit a change to a run (fenced on its version, then published to followers).
 */
import { BatonError, toBatonError } from '../errors/index.js';
import type { RunCommit, RunRecord, StepRecord, RunStore } from '../store/types.js';
import type { EventHub } from './event-hub.js';
import type { AgentRegistry } from './registry.js';
import { isRollbackStep, timelineOf } from './timeline.js';
import type { WorkflowContext, WorkflowDefinition } from './workflow.js';

export interface EngineCore {
  readonly store: RunStore;
  readonly agents: AgentRegistry;
  readonly hub: EventHub;
  readonly nodeId: string;
  readonly leaseMs: number;
  now(): number;
  random(): number;
  /** The registered definition; NOT_FOUND when this process does not run that workflow. */
  workflow(name: string): WorkflowDefinition;
  knows(name: string): boolean;
}

/** `at`: the instant the change is stamped with (default: now); a wait opened at `now` says so in its events too. */
export type CommitParts = Omit<RunCommit, 'runId' | 'expectedVersion' | 'at'> & { at?: number };

/** Commits one change to a run and returns the run as it now stands. */
export async function commitRun(core: EngineCore, run: RunRecord, { at: stamped, ...parts }: CommitParts): Promise<RunRecord> {
  const at = stamped ?? core.now();
  const { version, events } = await core.store.commit({ ...parts, runId: run.id, expectedVersion: run.version, at });
  const committed = { ...run, ...parts.patch, version, lastSeq: events.at(-1)?.seq ?? run.lastSeq, updatedAt: at };
  core.hub.publish(events, committed);
  return committed;
}

/**
 * What a run has produced so far on its current timeline, rebuilt from its committed steps when
 * a run is resumed: steps a rollback abandoned are not seen.
 */
export class RunMemory {
  readonly results: Record<string, unknown> = {};
  previous: WorkflowContext['previous'];
  /** How many rollbacks the run has had: its step keys on later timelines say which one they belong to. */
  readonly timeline: number;
  /** Each phase's committed steps on every timeline (abandoned ones included): the rounds a rollback does not reset. */
  private readonly history: Record<string, number> = {};

  constructor(steps: readonly StepRecord[] = []) {
    const { current, number } = timelineOf(steps);
    this.timeline = number;
    for (const step of steps) if (!isRollbackStep(step)) this.history[step.phase] = (this.history[step.phase] ?? 0) + 1;
    for (const step of current) this.remember(step.phase, step.agent, step.output);
  }

  stepKey(phase: string, visit: number): string {
    return stepKeyOf(phase, visit, this.timeline);
  }

  /** After a step of `phase` commits. */
  record(phase: string, agent: string | null, output: unknown): void {
    this.history[phase] = (this.history[phase] ?? 0) + 1;
    this.remember(phase, agent, output);
  }

  private remember(phase: string, agent: string | null, output: unknown): void {
    this.results[phase] = output;
    if (agent !== null) this.previous = { phase, agent, output };
  }

  /** The context of a phase's next step: `visit` on the current timeline, and its round in the whole history. */
  context(run: RunRecord, phase: string, visit: number): WorkflowContext {
    const round = (this.history[phase] ?? 0) + 1;
    return { runId: run.id, parameters: run.parameters, results: { ...this.results }, previous: this.previous, visit, visits: run.visits, round };
  }
}

/** `phase#visit`, and `phase#visit@n` on the timeline after the n-th rollback (visits restart there, keys stay unique). */
export const stepKeyOf = (phase: string, visit: number, timeline = 0): string => (timeline === 0 ? `${phase}#${visit}` : `${phase}#${visit}@${timeline}`);

export function contextError(phase: string, cause: unknown): BatonError {
  // Through toBatonError so that a TypeError's text (internal) never reaches a client; it stays the cause.
  const message = toBatonError(cause).message;
  return new BatonError('CONTEXT_ASSEMBLY_ERROR', `could not assemble the context for phase "${phase}": ${message}`, {
    details: { phase },
    cause,
  });
}
