/**
 * A run's event log folded into what the Run page shows: each phase's state, each agent's card,
 * the decisions with their explanations, the open approval, variance alerts, replenishment moves.
 * Pure: the same events always give the same view, however they arrived (replay or live).
 */
import type { RunEvent, RunState, Workflow } from '../../api/schemas';

export type PhaseState = 'pending' | 'running' | 'done' | 'skipped' | 'waiting' | 'failed';
export interface PhaseView {
  name: string;
  agent: string | null;
  wait: string | null;
  state: PhaseState;
  /** How often it ran (or was resolved): weekly phases repeat. */
  runs: number;
  skipped: number;
  skipReason: string | null;
}

export type AgentState = 'idle' | 'running' | 'retrying' | 'failed' | 'done';
export interface AgentView {
  name: string;
  state: AgentState;
  phase: string | null;
  progress: number;
  message: string | null;
  runs: number;
  attempt: number;
  explanation: string | null;
}

export interface Decision {
  seq: number;
  at: string;
  phase: string;
  who: string;
  text: string;
  kind: 'agent' | 'approval' | 'alert' | 'error' | 'skip';
}

export interface OpenWait {
  id: string;
  kind: string;
  phase: string;
  data: Record<string, unknown>;
  waitKind: 'approval' | 'wait';
  /** When the wait stops waiting (ms since the epoch, as the event carries it); null: no deadline. */
  deadlineAt: number | null;
}

export interface VarianceAlert {
  seq: number;
  week: number;
  variance: number | null;
  threshold: number;
}

export interface ReplenishmentWeek {
  week: number;
  moved: number;
  moves: { store_id: string; units: number; reason: string }[];
}

/** A season week's units sold, in all and per category, as the Monitor agent judged it. */
export interface WeekActual {
  week: number;
  actual: number;
  byCategory: Record<string, number>;
}

export interface RunView {
  state: RunState | null;
  phases: PhaseView[];
  agents: AgentView[];
  decisions: Decision[];
  open: OpenWait | null;
  alerts: VarianceAlert[];
  replenishment: ReplenishmentWeek[];
  actuals: WeekActual[];
  result: Record<string, unknown> | null;
  lastSeq: number;
}

const record = (value: unknown): Record<string, unknown> =>
  value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
const text = (value: unknown): string | null => (typeof value === 'string' ? value : null);
const num = (value: unknown): number | null => (typeof value === 'number' && Number.isFinite(value) ? value : null);

const RESOLVED_WORD: Record<string, string> = { accept: 'accepted', modify: 'modified', reject: 'rejected', expired: 'expired unanswered' };

export function buildRunView(events: readonly RunEvent[], workflow: Workflow | undefined): RunView {
  const phases = new Map<string, PhaseView>();
  const phaseOf = (name: string): PhaseView => {
    let phase = phases.get(name);
    if (!phase) phases.set(name, (phase = { name, agent: null, wait: null, state: 'pending', runs: 0, skipped: 0, skipReason: null }));
    return phase;
  };
  for (const p of workflow?.phases ?? []) Object.assign(phaseOf(p.name), { agent: p.agent, wait: p.wait });

  const agents = new Map<string, AgentView>();
  const agentOf = (name: string): AgentView => {
    let agent = agents.get(name);
    if (!agent) agents.set(name, (agent = { name, state: 'idle', phase: null, progress: 0, message: null, runs: 0, attempt: 0, explanation: null }));
    return agent;
  };
  for (const p of workflow?.phases ?? []) if (p.agent) agentOf(p.agent);

  const decisions: Decision[] = [];
  const waits = new Map<string, OpenWait>();
  const alerts: VarianceAlert[] = [];
  const replenishment: ReplenishmentWeek[] = [];
  const actuals = new Map<number, WeekActual>();
  let state: RunState | null = null;
  let result: Record<string, unknown> | null = null;

  for (const event of events) {
    const phaseName = text(event.phase);
    const agentName = text(event.agent_name);
    switch (event.type) {
      case 'run_created':
        state = 'running';
        break;
      case 'run_state':
        state = (text(event.to) as RunState | null) ?? state;
        break;
      case 'agent_status': {
        if (!agentName) break;
        const agent = agentOf(agentName);
        const status = text(event.status);
        agent.state = status === 'retrying' ? 'retrying' : status === 'failed' ? 'failed' : 'running';
        agent.phase = phaseName ?? agent.phase;
        agent.attempt = num(event.attempt) ?? agent.attempt;
        if (status === 'running') {
          agent.progress = 0;
          agent.message = null;
        }
        if (phaseName) phaseOf(phaseName).state = agent.state === 'failed' ? 'failed' : 'running';
        break;
      }
      case 'progress': {
        if (!agentName) break;
        const agent = agentOf(agentName);
        agent.progress = num(event.progress) ?? agent.progress;
        agent.message = text(event.message) ?? agent.message;
        break;
      }
      case 'complete': {
        const output = record(event.result);
        if (agentName) {
          const agent = agentOf(agentName);
          Object.assign(agent, {
            state: 'done',
            progress: 100,
            runs: agent.runs + 1,
            explanation: text(output.explanation) ?? agent.explanation,
            phase: phaseName ?? agent.phase,
          });
        }
        if (phaseName) {
          const phase = phaseOf(phaseName);
          phase.state = 'done';
          phase.runs += 1;
        }
        const explanation = text(output.explanation);
        if (explanation)
          decisions.push({ seq: event.seq, at: event.timestamp, phase: phaseName ?? '', who: agentName ?? '', text: explanation, kind: 'agent' });
        if (phaseName === 'monitor' && num(output.week) !== null && num(output.actual) !== null) {
          const byCategory: Record<string, number> = {};
          for (const c of Array.isArray(output.by_category) ? (output.by_category as unknown[]) : []) {
            const row = record(c);
            const id = text(row.category_id);
            const units = num(row.actual);
            if (id && units !== null) byCategory[id] = units;
          }
          actuals.set(num(output.week)!, { week: num(output.week)!, actual: num(output.actual)!, byCategory });
        }
        if (phaseName === 'replenishment' && output.acted === true) {
          const moves = Array.isArray(output.moves) ? (output.moves as ReplenishmentWeek['moves']) : [];
          replenishment.push({ week: num(output.week) ?? replenishment.length + 1, moved: num(output.moved) ?? 0, moves });
        }
        break;
      }
      case 'phase_skipped': {
        if (!phaseName) break;
        const phase = phaseOf(phaseName);
        phase.state = 'skipped';
        phase.skipped += 1;
        phase.skipReason = text(event.reason);
        break;
      }
      case 'approval_required':
      case 'wait_required': {
        const id = text(event.approval_id) ?? text(event.wait_id);
        if (!id || !phaseName) break;
        waits.set(id, {
          id,
          kind: text(event.kind) ?? 'approval',
          phase: phaseName,
          data: record(event.data),
          waitKind: event.type === 'approval_required' ? 'approval' : 'wait',
          deadlineAt: num(event.deadline_at),
        });
        phaseOf(phaseName).state = 'waiting';
        break;
      }
      case 'approval_resolved':
      case 'wait_resolved': {
        const id = text(event.approval_id) ?? text(event.wait_id);
        const wait = id ? waits.get(id) : undefined;
        if (!id || !wait) break;
        waits.delete(id);
        const phase = phaseOf(wait.phase);
        phase.state = 'done';
        phase.runs += 1;
        const resolution = record(event.resolution);
        const action = text(resolution.action);
        if (action) {
          const data = Object.keys(record(resolution.data)).length > 0 ? ` with ${JSON.stringify(resolution.data)}` : '';
          const comment = text(resolution.comment) ? ` — “${text(resolution.comment)}”` : '';
          // A deadline that resolved the wait (onDeadline accept | reject) is no planner's decision: say so.
          const byDeadline = resolution.expired === true && action !== 'expired';
          const word = `${byDeadline ? 'not answered by its deadline: ' : ''}${RESOLVED_WORD[action] ?? action}`;
          decisions.push({
            seq: event.seq,
            at: event.timestamp,
            phase: wait.phase,
            who: byDeadline || action === 'expired' ? 'deadline' : 'planner',
            text: `${wait.phase.replaceAll('_', ' ')} ${word}${data}${comment}`,
            kind: 'approval',
          });
        }
        break;
      }
      case 'variance_alert': {
        const alert = { seq: event.seq, week: num(event.week) ?? 0, variance: num(event.variance), threshold: num(event.threshold) ?? 0 };
        alerts.push(alert);
        const pct = alert.variance === null ? 'unbounded' : `${(alert.variance * 100).toFixed(1)}%`;
        decisions.push({
          seq: event.seq,
          at: event.timestamp,
          phase: 'monitor',
          who: 'monitor',
          text: `Variance alert in week ${alert.week}: ${pct} against a ±${Math.round(alert.threshold * 100)}% threshold`,
          kind: 'alert',
        });
        break;
      }
      case 'error': {
        const message = text(event.error_message) ?? 'an error';
        decisions.push({
          seq: event.seq,
          at: event.timestamp,
          phase: phaseName ?? '',
          who: agentName ?? 'engine',
          text: `${text(event.error_type) ?? 'ERROR'}: ${message}`,
          kind: 'error',
        });
        break;
      }
      case 'workflow_complete':
        state = (text(event.state) as RunState | null) ?? state;
        result = record(event.result);
        break;
    }
  }
  // A finished run has nothing running: a phase left "running" means the run stopped there.
  if (state && state !== 'running' && state !== 'waiting') {
    for (const phase of phases.values()) if (phase.state === 'running') phase.state = state === 'failed' ? 'failed' : 'pending';
  }
  return {
    state,
    phases: [...phases.values()],
    agents: [...agents.values()],
    decisions,
    open: [...waits.values()].at(-1) ?? null,
    alerts,
    replenishment,
    actuals: [...actuals.values()].sort((a, b) => a.week - b.week),
    result,
    lastSeq: events.at(-1)?.seq ?? 0,
  };
}
