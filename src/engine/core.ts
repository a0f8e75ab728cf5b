/**
 * What the engine's parts share: the store, the agents, the live hub, the clock, and the one
 * way to commit a change to a run (fenced on its version, then published to followers).
 */
import { BatonError, toBatonError } from '../errors/index.js';
import type { RunCommit, RunRecord, StepRecord, Store } from '../store/index.js';
import type { EventHub } from './event-hub.js';
import type { AgentHandoffManager } from './handoff-manager.js';
import type { WorkflowContext, WorkflowDefinition } from './workflow.js';

export interface EngineCore {
  readonly store: Store;
  readonly agents: AgentHandoffManager;
  readonly hub: EventHub;
  readonly nodeId: string;
  readonly leaseMs: number;
  now(): number;
  random(): number;
  workflow(name: string): WorkflowDefinition;
}

export type CommitParts = Omit<RunCommit, 'runId' | 'expectedVersion' | 'at'>;

/** Commits one change to a run and returns the run as it now stands. */
export async function commitRun(core: EngineCore, run: RunRecord, parts: CommitParts): Promise<RunRecord> {
  const at = core.now();
  const { version, events } = await core.store.commit({ ...parts, runId: run.id, expectedVersion: run.version, at });
  core.hub.publish(events);
  return { ...run, ...parts.patch, version, lastSeq: events.at(-1)?.seq ?? run.lastSeq, updatedAt: at };
}

/** What a run has produced so far, rebuilt from its committed steps when a run is resumed. */
export class RunMemory {
  readonly results: Record<string, unknown> = {};
  previous: WorkflowContext['previous'];

  constructor(steps: readonly StepRecord[] = []) {
    for (const step of steps) this.record(step.phase, step.agent, step.output);
  }

  record(phase: string, agent: string | null, output: unknown): void {
    this.results[phase] = output;
    if (agent !== null) this.previous = { phase, agent, output };
  }

  context(run: RunRecord, visit: number): WorkflowContext {
    return { runId: run.id, parameters: run.parameters, results: { ...this.results }, previous: this.previous, visit, visits: run.visits };
  }
}

export const stepKeyOf = (phase: string, visit: number): string => `${phase}#${visit}`;

export function contextError(phase: string, cause: unknown): BatonError {
  // Through toBatonError so that a TypeError's text (internal) never reaches a client; it stays the cause.
  const message = toBatonError(cause).message;
  return new BatonError('CONTEXT_ASSEMBLY_ERROR', `could not assemble the context for phase "${phase}": ${message}`, {
    details: { phase },
    cause,
  });
}
