// Small hand-built workflows, contexts and runs shared by the navigation tests.
import { z } from 'zod';
import { defineWorkflow, type AgentPhase, type Phase, type WaitPhase, type WorkflowContext, type WorkflowDefinition } from '../../../src/engine/workflow.js';
import type { RunRecord } from '../../../src/store/index.js';

export type Params = { rounds: number };

export function workflowOf(phases: readonly Phase<Params>[]): WorkflowDefinition {
  return defineWorkflow({ name: 'wf', parameters: z.object({ rounds: z.number() }), phases });
}

export function phase<T extends Phase>(workflow: WorkflowDefinition, name: string): T {
  const found = workflow.phases.find((p) => p.name === name);
  if (!found) throw new Error(`no phase ${name}`);
  return found as T;
}

export const agentPhase = (workflow: WorkflowDefinition, name: string) => phase<AgentPhase>(workflow, name);
export const waitPhase = (workflow: WorkflowDefinition, name: string) => phase<WaitPhase>(workflow, name);

export function context(overrides: Partial<WorkflowContext> = {}): WorkflowContext {
  const visit = overrides.visit ?? 1;
  return { runId: 'run-1', parameters: { rounds: 3 }, results: {}, previous: undefined, visit, visits: {}, round: visit, ...overrides };
}

export function run(overrides: Partial<RunRecord> = {}): RunRecord {
  return {
    id: 'run-1',
    workflow: 'wf',
    sessionId: null,
    idempotencyKey: null,
    parameters: { rounds: 3 },
    state: 'running',
    phase: 'a',
    visits: {},
    completedPhases: [],
    waitingFor: null,
    error: null,
    result: null,
    version: 1,
    lastSeq: 0,
    leaseOwner: 'worker-1',
    leaseExpiresAt: 5_000,
    createdAt: 0,
    updatedAt: 0,
    finishedAt: null,
    startedBy: null,
    ...overrides,
  };
}
