/** How the engine reports runs and workflows to callers: a run's status, a workflow's statistics. */
import type { RunRecord, RunState, RunStore, WaitRecord, WorkflowRunStats } from '../store/types.js';
import { percentDone } from './navigation.js';
import { FINISHED_STATES } from './run-states.js';
import type { WorkflowDefinition } from './workflow.js';

export interface RunStatus {
  id: string;
  workflow: string;
  sessionId: string | null;
  state: RunState;
  phase: string | null;
  percent: number;
  completedPhases: string[];
  /** What it waits for: who may decide (role, policy) and the quorum's approvals so far. */
  waitingFor: Pick<WaitRecord, 'id' | 'kind' | 'role' | 'phase' | 'data' | 'deadlineAt' | 'policy' | 'votes'> | null;
  /**
   * The node that holds a running run's lease (drives it, or did until its lease lapses); null for a
   * running run no node has taken yet: it waits for a worker with a free slot. Null when not running.
   */
  drivenBy: string | null;
  /** Who started it; null when the caller named nobody. */
  startedBy: RunRecord['startedBy'];
  parameters: unknown;
  result: unknown;
  error: RunRecord['error'];
  lastSeq: number;
  createdAt: number;
  updatedAt: number;
  finishedAt: number | null;
}

export interface WorkflowStats {
  workflow: string;
  total: number;
  byState: Partial<Record<RunState, number>>;
  /** Completed runs among finished ones; null before any run finished. */
  successRate: number | null;
  meanDurationMs: number | null;
  failuresByPhase: { phase: string; count: number }[];
}

/** A run as callers see it; `workflow` is its definition when this process has it (for the percentage). */
export async function statusOf(store: Pick<RunStore, 'getWait'>, workflow: WorkflowDefinition | undefined, run: RunRecord): Promise<RunStatus> {
  const wait = run.waitingFor ? await store.getWait(run.waitingFor) : undefined;
  return {
    id: run.id,
    workflow: run.workflow,
    sessionId: run.sessionId,
    state: run.state,
    phase: run.phase,
    percent: workflow ? percentDone(workflow, run) : 0,
    completedPhases: run.completedPhases,
    waitingFor: wait
      ? {
          id: wait.id,
          kind: wait.kind,
          role: wait.role,
          phase: wait.phase,
          data: wait.data,
          deadlineAt: wait.deadlineAt,
          policy: wait.policy,
          votes: wait.votes,
        }
      : null,
    drivenBy: run.state === 'running' ? run.leaseOwner : null,
    startedBy: run.startedBy,
    parameters: run.parameters,
    result: run.result,
    error: run.error,
    lastSeq: run.lastSeq,
    createdAt: run.createdAt,
    updatedAt: run.updatedAt,
    finishedAt: run.finishedAt,
  };
}

export function workflowStatsOf(workflow: string, raw: WorkflowRunStats): WorkflowStats {
  const count = (s: RunState) => raw.byState[s] ?? 0;
  const total = Object.values(raw.byState).reduce((a, b) => a + b, 0);
  const finished = FINISHED_STATES.reduce((sum, s) => sum + count(s), 0);
  return {
    workflow,
    total,
    byState: raw.byState,
    successRate: finished === 0 ? null : count('completed') / finished,
    meanDurationMs: raw.meanDurationMs,
    failuresByPhase: raw.failuresByPhase,
  };
}
