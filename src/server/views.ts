/** Turns engine records into the API's snake_case shapes. */
import type { z } from 'zod';
import type { HistoryEntry, RunStatus, WorkflowDefinition, WorkflowStats } from '../engine/index.js';
import type { EventRecord } from '../store/index.js';
import type { eventMessage, handoffList, runStatus, workflowList, workflowStats } from './schemas.js';

const iso = (ms: number): string => new Date(ms).toISOString();

export function runView(status: RunStatus): z.output<typeof runStatus> {
  const wait = status.waitingFor;
  return {
    run_id: status.id,
    workflow: status.workflow,
    session_id: status.sessionId,
    state: status.state,
    phase: status.phase,
    percent: status.percent,
    completed_phases: status.completedPhases,
    waiting_for: wait && {
      approval_id: wait.id,
      kind: wait.kind,
      role: wait.role,
      phase: wait.phase,
      data: wait.data,
      deadline_at: wait.deadlineAt === null ? null : iso(wait.deadlineAt),
      policy: wait.policy,
      votes: wait.votes,
      still_needed: stillNeeded(wait.policy?.quorum ?? [], wait.votes),
    },
    driven_by: status.drivenBy,
    started_by: status.startedBy,
    parameters: status.parameters,
    result: status.result,
    error: status.error,
    last_seq: status.lastSeq,
    created_at: iso(status.createdAt),
    updated_at: iso(status.updatedAt),
    finished_at: status.finishedAt === null ? null : iso(status.finishedAt),
  };
}

/** A quorum's seats minus those its votes fill (a role listed twice is two seats). */
function stillNeeded(quorum: readonly string[], votes: readonly { role: string }[]): string[] {
  const open = [...quorum];
  for (const vote of votes) {
    const seat = open.indexOf(vote.role);
    if (seat >= 0) open.splice(seat, 1);
  }
  return open;
}

export const eventView = (event: EventRecord): z.output<typeof eventMessage> => ({
  ...event.payload,
  type: event.type,
  run_id: event.runId,
  seq: event.seq,
  timestamp: iso(event.at),
});

export const handoffView = (h: HistoryEntry): z.output<typeof handoffList>['handoffs'][number] => ({
  step: h.stepKey,
  from_phase: h.fromPhase,
  from_agent: h.fromAgent,
  to_phase: h.toPhase,
  to_agent: h.toAgent,
  passed: h.payload,
  at: iso(h.at),
  abandoned: h.abandoned,
});

/** A workflow's definition as the API shows it; its dashboard view and title come from its module. */
export const workflowView = (w: WorkflowDefinition): Omit<z.output<typeof workflowList>['workflows'][number], 'view' | 'title'> => ({
  name: w.name,
  description: w.description,
  phases: w.phases.map((p) => ({ name: p.name, agent: 'agent' in p ? p.agent : null, wait: 'wait' in p ? p.wait.kind : null })),
});

export const statsView = (s: WorkflowStats): z.output<typeof workflowStats> => ({
  workflow: s.workflow,
  total: s.total,
  by_state: s.byState,
  success_rate: s.successRate,
  mean_duration_ms: s.meanDurationMs,
  failures_by_phase: s.failuresByPhase,
});
