/**
 * A run's event log folded into what the Run page shows: each phase's state, each agent's card,
 * the decisions with their explanations, the open approval, variance alerts, replenishment moves.
 * Pure: the same events always give the same view, however they arrived (replay or live).
 */
import { z } from 'zod';
import { coreWireEvent, type CoreWireEvent, type WaitResolution, type WaitVote } from '../../../../src/engine/contracts.js';
import { MonitorOutput, ReplenishmentOutput, VarianceAlertPayload } from '../../../../src/workflows/season-planning/contracts.js';
import type { ActorRef, RunEvent, RunState, Workflow } from '../../api/schemas';
import { AND, nameOf, people } from '../../people';

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
  /** Who answered its wait last ("approved by Ana (buyer) and Ben (merchandiser)"); null: nobody yet, or the deadline. */
  decidedBy: string | null;
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
  /** The people behind it, as a line: "approved by Ana (buyer) and Ben (merchandiser)"; null for an agent's or the deadline's. */
  by: string | null;
  kind: 'agent' | 'approval' | 'vote' | 'run' | 'alert' | 'error' | 'skip';
}

export interface OpenWait {
  id: string;
  kind: string;
  phase: string;
  data: Record<string, unknown>;
  waitKind: 'approval' | 'wait';
  /** When the wait stops waiting (ms since the epoch, as the event carries it); null: no deadline. */
  deadlineAt: number | null;
  /** The role its answer needs (one resolution); null: any caller who may decide. */
  role: string | null;
  /** The roles that must each approve, each by a different actor; empty: one answer resolves it. */
  quorum: string[];
  /** The approvals given so far toward the quorum, in order. */
  votes: { actor: ActorRef; role: string }[];
  /** The quorum's roles nobody has filled yet. */
  remaining: string[];
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
  /** Who started the run (as its run_created event names them); null: not recorded. */
  startedBy: ActorRef | null;
}

/** Any workflow's agent result may explain itself; the rest of it is the workflow's own (read by its contract below). */
const Explained = z.object({ explanation: z.string() });
/** What a wait carries for the person answering it: the fields shown, when it is an object. */
const WaitData = z.record(z.string(), z.unknown()).catch({});
const ResultRecord = z.record(z.string(), z.unknown()).nullable().catch(null);

const RESOLVED_WORD: Record<string, string> = { accept: 'accepted', modify: 'modified', reject: 'rejected', expired: 'expired unanswered' };
/** The verb of the line saying who resolved a wait. */
const BY_WORD: Record<string, string> = { accept: 'approved', modify: 'modified', reject: 'rejected', submit: 'submitted', signal: 'signalled' };

/** Who resolved a wait, as one line; null when no person did (its deadline, or an engine that named nobody). */
export function resolvedBy(resolution: WaitResolution): string | null {
  if (resolution.expired === true || resolution.action === 'expired') return null;
  const word = BY_WORD[resolution.action] ?? resolution.action;
  const votes: readonly WaitVote[] = resolution.votes ?? [];
  // A quorum's approval names everyone who gave one; any other answer names who gave it.
  if (votes.length > 0 && (resolution.action === 'accept' || resolution.action === 'modify')) return `${word} by ${people(votes)}`;
  if (resolution.by) return `${word} by ${people([{ actor: resolution.by, role: resolution.role }])}`;
  return null;
}

/** The event as its contract reads it: a core event by its type, or null for another type (or a core event that does not match). */
function coreOf(event: RunEvent): CoreWireEvent | null {
  const parsed = coreWireEvent.safeParse(event);
  return parsed.success ? parsed.data : null;
}

export function buildRunView(events: readonly RunEvent[], workflow: Workflow | undefined): RunView {
  const phases = new Map<string, PhaseView>();
  const phaseOf = (name: string): PhaseView => {
    let phase = phases.get(name);
    if (!phase) phases.set(name, (phase = { name, agent: null, wait: null, state: 'pending', runs: 0, skipped: 0, skipReason: null, decidedBy: null }));
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
  let startedBy: ActorRef | null = null;

  for (const raw of events) {
    if (raw.type === 'variance_alert') {
      const parsed = VarianceAlertPayload.safeParse(raw);
      if (!parsed.success) continue;
      const alert = { seq: raw.seq, week: parsed.data.week, variance: parsed.data.variance, threshold: parsed.data.threshold };
      alerts.push(alert);
      const pct = alert.variance === null ? 'unbounded' : `${(alert.variance * 100).toFixed(1)}%`;
      decisions.push({
        seq: raw.seq,
        at: raw.timestamp,
        phase: 'monitor',
        who: 'monitor',
        text: `Variance alert in week ${alert.week}: ${pct} against a ±${Math.round(alert.threshold * 100)}% threshold`,
        by: null,
        kind: 'alert',
      });
      continue;
    }
    const event = coreOf(raw);
    if (!event) continue;
    switch (event.type) {
      case 'run_created':
        state = 'running';
        startedBy = event.actor ?? null;
        break;
      case 'run_state':
        state = event.to;
        // The engine's own moves name nobody; a person's cancel, retry or rollback names them.
        if (event.actor) {
          const what =
            event.to === 'cancelled' ? 'Run cancelled' : event.to === 'running' && event.from === 'failed' ? 'Run retried' : `Run ${event.from} → ${event.to}`;
          decisions.push({
            seq: event.seq,
            at: event.timestamp,
            phase: '',
            who: nameOf(event.actor),
            text: `${what}${event.reason ? ` — ${event.reason}` : ''}`,
            by: `by ${nameOf(event.actor)}`,
            kind: 'run',
          });
        }
        break;
      case 'agent_status': {
        const agent = agentOf(event.agent_name);
        agent.state = event.status === 'retrying' ? 'retrying' : event.status === 'failed' ? 'failed' : 'running';
        agent.phase = event.phase;
        agent.attempt = event.attempt;
        if (event.status === 'running') {
          agent.progress = 0;
          agent.message = null;
        }
        phaseOf(event.phase).state = agent.state === 'failed' ? 'failed' : 'running';
        break;
      }
      case 'progress': {
        const agent = agentOf(event.agent_name);
        agent.progress = event.progress;
        agent.message = event.message;
        break;
      }
      case 'complete': {
        const explanation = Explained.safeParse(event.result).data?.explanation ?? null;
        const agent = agentOf(event.agent_name);
        Object.assign(agent, { state: 'done', progress: 100, runs: agent.runs + 1, explanation: explanation ?? agent.explanation, phase: event.phase });
        const phase = phaseOf(event.phase);
        phase.state = 'done';
        phase.runs += 1;
        if (explanation) {
          decisions.push({ seq: event.seq, at: event.timestamp, phase: event.phase, who: event.agent_name, text: explanation, by: null, kind: 'agent' });
        }
        // Season planning's weekly figures, read through its contracts (another workflow's phases of these names are not parsed as such).
        if (event.phase === 'monitor') {
          const monitor = MonitorOutput.safeParse(event.result).data;
          if (monitor) {
            const byCategory = Object.fromEntries(monitor.by_category.map((c) => [c.category_id, c.actual]));
            actuals.set(monitor.week, { week: monitor.week, actual: monitor.actual, byCategory });
          }
        }
        if (event.phase === 'replenishment') {
          const moved = ReplenishmentOutput.safeParse(event.result).data;
          if (moved?.acted) replenishment.push({ week: moved.week, moved: moved.moved, moves: moved.moves });
        }
        break;
      }
      case 'phase_skipped': {
        const phase = phaseOf(event.phase);
        phase.state = 'skipped';
        phase.skipped += 1;
        phase.skipReason = event.reason;
        break;
      }
      case 'approval_required':
      case 'wait_required': {
        const id = event.type === 'approval_required' ? event.approval_id : event.wait_id;
        waits.set(id, {
          id,
          kind: event.kind,
          phase: event.phase,
          data: WaitData.parse(event.data),
          waitKind: event.type === 'approval_required' ? 'approval' : 'wait',
          deadlineAt: event.deadline_at,
          role: event.role,
          quorum: event.policy?.quorum ?? [],
          votes: [],
          remaining: event.policy?.quorum ?? [],
        });
        phaseOf(event.phase).state = 'waiting';
        break;
      }
      case 'approval_vote': {
        const wait = waits.get(event.approval_id);
        if (wait) {
          wait.votes = [...wait.votes, { actor: event.actor, role: event.role }];
          wait.remaining = event.remaining;
        }
        const given = wait ? `${wait.votes.length} of ${wait.quorum.length} approvals` : 'an approval';
        const still = event.remaining.length > 0 ? `; still needed: ${AND.format(event.remaining)}` : '';
        decisions.push({
          seq: event.seq,
          at: event.timestamp,
          phase: event.phase,
          who: nameOf(event.actor),
          text: `${event.phase.replaceAll('_', ' ')}: ${given}${still}`,
          by: `approved by ${people([event])}`,
          kind: 'vote',
        });
        break;
      }
      case 'approval_resolved':
      case 'wait_resolved': {
        const id = event.type === 'approval_resolved' ? event.approval_id : event.wait_id;
        const wait = waits.get(id);
        if (!wait) break;
        waits.delete(id);
        const phase = phaseOf(wait.phase);
        phase.state = 'done';
        phase.runs += 1;
        const { action, comment, expired } = event.resolution;
        const given = WaitData.parse(event.resolution.data);
        const data = Object.keys(given).length > 0 ? ` with ${JSON.stringify(event.resolution.data)}` : '';
        const said = comment ? ` — “${comment}”` : '';
        // A deadline that resolved the wait (onDeadline accept | reject) is no planner's decision: say so.
        const byDeadline = expired === true && action !== 'expired';
        const word = `${byDeadline ? 'not answered by its deadline: ' : ''}${RESOLVED_WORD[action] ?? action}`;
        const by = resolvedBy(event.resolution);
        phase.decidedBy = by;
        decisions.push({
          seq: event.seq,
          at: event.timestamp,
          phase: wait.phase,
          who: byDeadline || action === 'expired' ? 'deadline' : event.resolution.by ? nameOf(event.resolution.by) : 'planner',
          text: `${wait.phase.replaceAll('_', ' ')} ${word}${data}${said}`,
          by,
          kind: 'approval',
        });
        break;
      }
      case 'error':
        decisions.push({
          seq: event.seq,
          at: event.timestamp,
          phase: '',
          who: event.agent_name ?? 'engine',
          text: `${event.error_type}: ${event.error_message}`,
          by: null,
          kind: 'error',
        });
        break;
      case 'workflow_complete':
        state = event.state;
        result = ResultRecord.parse(event.result);
        break;
      case 'phase_transition':
        // A rollback is a person's decision (a timeline starts); the engine's own moves are not listed.
        if (event.actor && event.timeline !== undefined) {
          decisions.push({
            seq: event.seq,
            at: event.timestamp,
            phase: event.to_phase,
            who: nameOf(event.actor),
            text: `Rolled back from ${event.from_phase.replaceAll('_', ' ')} to ${event.to_phase.replaceAll('_', ' ')} — ${event.reason}`,
            by: `by ${nameOf(event.actor)}`,
            kind: 'run',
          });
        }
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
    startedBy,
  };
}
