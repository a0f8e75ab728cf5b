/**
 * A build run's event log folded into what the build panel shows: each stage's timing and outcome, the codegen ↔
 * quality-gate rounds, the artefacts, the gate's tests and coverage, the cost per environment, the approvals with who
 * gave them, and each environment's deployment as it happens (health attempts, switch, rollback) and as it ended.
 * Pure, like runView: every step output is read through the build pipeline's own contracts, so a result that does not
 * match is reported as such instead of being shown as a wrong figure.
 */
import { z } from 'zod';
import { coreWireEvent, type WaitResolution } from '../../../../../src/engine/contracts.js';
import { ArchitectureDecision, BUILD_PHASES, ENVIRONMENTS, IntakeVerdict, type Environment } from '../../../../../src/workflows/build-pipeline/contracts.js';
import { CodegenResult } from '../../../../../src/workflows/build-pipeline/codegen/contracts.js';
import { DeployOutcome, SmokeResult } from '../../../../../src/workflows/build-pipeline/deploy/contracts.js';
import { GateReport } from '../../../../../src/workflows/build-pipeline/gate/contracts.js';
import {
  ApprovalPacket,
  HandoffResult,
  InfrastructureResult,
  MergeStageResult,
  RepositoryResult,
} from '../../../../../src/workflows/build-pipeline/stages/contracts.js';
import type { ActorRef, RunEvent } from '../../../api/schemas';
import { resolvedBy, type PhaseState, type PhaseView } from '../runView';
import { dollars, pct, short } from './format';

export interface StageView {
  name: string;
  state: PhaseState;
  runs: number;
  skipReason: string | null;
  decidedBy: string | null;
  /** When its last run started and ended (ISO), as the events say; null: not yet. */
  startedAt: string | null;
  endedAt: string | null;
  /** Its agent's latest progress line while it runs. */
  message: string | null;
  /** The last error its agent reported. */
  error: string | null;
  /** One line on what it produced (from its result). */
  outcome: string | null;
}

/** One generation of the code and the gate's verdict on it. */
export interface RoundView {
  round: number;
  codegen: CodegenResult | null;
  gate: GateReport | null;
}

export interface HealthAttemptView {
  seq: number;
  at: string;
  attempt: number;
  ok: boolean;
  status: number | null;
  version: string | null;
  error: string | null;
  ms: number | null;
  slot: string | null;
}

export interface SwitchView {
  seq: number;
  at: string;
  from: string | null;
  to: string | null;
  commit: string | null;
}

export interface RollbackView {
  seq: number;
  at: string;
  stage: string | null;
  reason: string;
  seconds: number | null;
  /** Whether the database was restored from the backup taken before the migration (null: not said yet). */
  databaseRestored: boolean | null;
}

/** One `deploy_<type>` event as a line of the environment's live log. */
export interface DeployStep {
  seq: number;
  at: string;
  type: string;
  text: string;
}

export interface DeploymentView {
  environment: Environment;
  phase: string;
  state: PhaseState;
  skipReason: string | null;
  attempts: HealthAttemptView[];
  switches: SwitchView[];
  rollbacks: RollbackView[];
  smoke: z.infer<typeof SmokeResult>[];
  steps: DeployStep[];
  outcome: DeployOutcome | null;
}

export type ApprovalState = 'pending' | 'skipped' | 'waiting' | 'approved' | 'rejected' | 'expired';

export interface ApprovalView {
  environment: Environment;
  phase: string;
  state: ApprovalState;
  skipReason: string | null;
  packet: ApprovalPacket | null;
  quorum: string[];
  /** The approvals given, in order (a quorum's votes; a single answer's person). */
  votes: { actor: ActorRef; role: string | null }[];
  remaining: string[];
  /** "approved by Ana (lead-builder) and Ben (champion)"; null: nobody yet, or its deadline. */
  by: string | null;
  comment: string | null;
}

export interface BuildView {
  stages: StageView[];
  intake: IntakeVerdict | null;
  architecture: ArchitectureDecision | null;
  repository: RepositoryResult | null;
  rounds: RoundView[];
  /** The gate's latest report. */
  gate: GateReport | null;
  merge: MergeStageResult | null;
  infrastructure: InfrastructureResult | null;
  approvals: ApprovalView[];
  deployments: DeploymentView[];
  handoff: HandoffResult | null;
  /** Step outputs that did not match their contract: the phase and the first problem. */
  unreadable: { phase: string; problem: string }[];
}

const deployPhase = (env: Environment) => `deploy_${env}`;
const approvalPhase = (env: Environment) => `approve_${env}`;
const envOfPhase = (phase: string, prefix: 'deploy_' | 'approve_'): Environment | null => {
  const env = phase.startsWith(prefix) ? phase.slice(prefix.length) : '';
  return (ENVIRONMENTS as readonly string[]).includes(env) ? (env as Environment) : null;
};

/** The progress payloads are the targets' own (DeployProgress.payload): read leniently, each field only when it has its type. */
const text = z.string().nullable().optional().catch(null);
const num = z.number().nullable().optional().catch(null);
const DeployEvent = z.looseObject({ environment: z.string().optional().catch(undefined) });
const HealthAttemptEvent = z.looseObject({ attempt: z.number().int(), ok: z.boolean(), status: num, version: text, error: text, ms: num, slot: text });
const SwitchEvent = z.looseObject({ from: text, to: text, commit: text });
const RollbackEvent = z.looseObject({ stage: text, reason: z.string().catch('no reason given'), seconds: num });
const RestoredEvent = z.looseObject({ seconds: num, database_restored: z.boolean().nullable().optional().catch(null) });
const SmokeEvent = z.looseObject({ results: z.array(SmokeResult).catch([]) });

/** The fields every event has, and the environment every deploy event names: not part of what a step says. */
const ENVELOPE = new Set(['type', 'run_id', 'seq', 'timestamp', 'environment']);

/** What one deploy progress event says, as a line. */
function stepText(type: string, payload: Record<string, unknown>): string {
  const fields = Object.entries(payload)
    .filter(([key, value]) => !ENVELOPE.has(key) && value !== null && value !== undefined && typeof value !== 'object')
    .map(([key, value]) => `${key} ${String(value)}`);
  if (type === 'smoke') {
    const results = SmokeEvent.safeParse(payload).data?.results ?? [];
    return `smoke: ${results.filter((r) => r.passed).length} of ${results.length} passed`;
  }
  return fields.length > 0 ? `${type.replaceAll('_', ' ')}: ${fields.join(', ')}` : type.replaceAll('_', ' ');
}

/** One line on what a stage produced, from its contract. */
function outcomeOf(view: BuildView, phase: string): string | null {
  if (phase === 'intake' && view.intake) return view.intake.reason;
  if (phase === 'architecture' && view.architecture) {
    const s = view.architecture.spec;
    return `${s.stack}, ${s.template}, ${s.entities.length} ${s.entities.length === 1 ? 'entity' : 'entities'} (by the ${view.architecture.decided_by})`;
  }
  if (phase === 'repository' && view.repository) return `${view.repository.app_name} at ${short(view.repository.scaffold_commit)}`;
  if (phase === 'codegen') {
    const last = view.rounds.findLast((r) => r.codegen);
    return last?.codegen ? `round ${last.round}: ${last.codegen.files.length} files at ${short(last.codegen.commit)}` : null;
  }
  if (phase === 'quality_gate' && view.gate) {
    const g = view.gate;
    return `${g.passed ? 'passed' : 'failed'}: ${g.tests.passed_count ?? '?'} tests passed, lines ${pct(g.coverage?.lines.pct)}`;
  }
  if (phase === 'merge' && view.merge) return `${view.merge.branch} → main at ${short(view.merge.commit)}`;
  if (phase === 'infrastructure' && view.infrastructure)
    return `${dollars(view.infrastructure.monthly_cents)} a month in all, at ${short(view.infrastructure.commit)}`;
  const env = envOfPhase(phase, 'deploy_');
  const outcome = env ? view.deployments.find((d) => d.environment === env)?.outcome : null;
  if (outcome?.rollback)
    return `rolled back at ${outcome.rollback.stage} in ${outcome.rollback.seconds.toFixed(2)} s; ${outcome.previous_commit ? `${short(outcome.previous_commit)} serves again` : 'nothing served before'}`;
  if (outcome) return `${outcome.status.replaceAll('_', ' ')} at ${outcome.url}`;
  const approvalEnv = envOfPhase(phase, 'approve_');
  const approval = approvalEnv ? view.approvals.find((a) => a.environment === approvalEnv) : null;
  if (approval?.state === 'waiting') return `waiting for ${approval.remaining.join(' and ') || 'an answer'}`;
  if (phase === 'handoff' && view.handoff)
    return `docs at ${short(view.handoff.commit)}, team notification ${view.handoff.notification.status.replaceAll('_', ' ')}`;
  return null;
}

export function buildBuildView(events: readonly RunEvent[], phases: readonly PhaseView[]): BuildView {
  const view: BuildView = {
    stages: [],
    intake: null,
    architecture: null,
    repository: null,
    rounds: [],
    gate: null,
    merge: null,
    infrastructure: null,
    approvals: [],
    deployments: ENVIRONMENTS.map((environment) => ({
      environment,
      phase: deployPhase(environment),
      state: 'pending',
      skipReason: null,
      attempts: [],
      switches: [],
      rollbacks: [],
      smoke: [],
      steps: [],
      outcome: null,
    })),
    handoff: null,
    unreadable: [],
  };
  const approvals = new Map<Environment, ApprovalView>(
    ENVIRONMENTS.map((environment) => [
      environment,
      {
        environment,
        phase: approvalPhase(environment),
        state: 'pending',
        skipReason: null,
        packet: null,
        quorum: [],
        votes: [],
        remaining: [],
        by: null,
        comment: null,
      },
    ]),
  );
  const waitEnv = new Map<string, Environment>();
  const timing = new Map<string, { startedAt: string | null; endedAt: string | null; message: string | null; error: string | null }>();
  const timingOf = (phase: string) => {
    let t = timing.get(phase);
    if (!t) timing.set(phase, (t = { startedAt: null, endedAt: null, message: null, error: null }));
    return t;
  };
  const agentPhase = new Map<string, string>();
  const roundOf = (round: number): RoundView => {
    let r = view.rounds.find((x) => x.round === round);
    if (!r) {
      view.rounds.push((r = { round, codegen: null, gate: null }));
      view.rounds.sort((a, b) => a.round - b.round);
    }
    return r;
  };
  const read = <S extends z.ZodType>(phase: string, schema: S, value: unknown): z.output<S> | null => {
    const parsed = schema.safeParse(value);
    if (parsed.success) return parsed.data;
    const issue = parsed.error.issues[0];
    view.unreadable.push({ phase, problem: issue ? `${issue.path.join('.') || 'result'}: ${issue.message}` : 'does not match its contract' });
    return null;
  };

  for (const raw of events) {
    if (raw.type.startsWith('deploy_')) {
      const env = DeployEvent.safeParse(raw).data?.environment;
      const deployment = view.deployments.find((d) => d.environment === env);
      if (!deployment) continue;
      const type = raw.type.slice('deploy_'.length);
      const { seq, timestamp: at } = raw;
      deployment.steps.push({ seq, at, type, text: stepText(type, raw) });
      if (type === 'health_attempt') {
        const a = HealthAttemptEvent.safeParse(raw).data;
        if (a)
          deployment.attempts.push({
            seq,
            at,
            attempt: a.attempt,
            ok: a.ok,
            status: a.status ?? null,
            version: a.version ?? null,
            error: a.error ?? null,
            ms: a.ms ?? null,
            slot: a.slot ?? null,
          });
      } else if (type === 'switch') {
        const s = SwitchEvent.parse(raw);
        deployment.switches.push({ seq, at, from: s.from ?? null, to: s.to ?? null, commit: s.commit ?? null });
      } else if (type === 'rollback') {
        const r = RollbackEvent.parse(raw);
        deployment.rollbacks.push({ seq, at, stage: r.stage ?? null, reason: r.reason, seconds: r.seconds ?? null, databaseRestored: null });
      } else if (type === 'restored') {
        // The time taken and the database are known once the previous release serves again: they belong to the rollback before it.
        const restored = RestoredEvent.parse(raw);
        const last = deployment.rollbacks.at(-1);
        if (last) {
          if (typeof restored.seconds === 'number') last.seconds = restored.seconds;
          if (typeof restored.database_restored === 'boolean') last.databaseRestored = restored.database_restored;
        }
      } else if (type === 'smoke') {
        deployment.smoke = SmokeEvent.parse(raw).results;
      }
      continue;
    }
    const parsed = coreWireEvent.safeParse(raw);
    if (!parsed.success) continue;
    const event = parsed.data;
    switch (event.type) {
      case 'agent_status': {
        agentPhase.set(event.agent_name, event.phase);
        if (event.status !== 'running') break;
        const t = timingOf(event.phase);
        Object.assign(t, { startedAt: event.timestamp, endedAt: null, message: null, error: null });
        // A deploy run again (a retry, a restart) starts its live record afresh; its outcome is the new run's.
        const env = envOfPhase(event.phase, 'deploy_');
        const deployment = view.deployments.find((d) => d.environment === env);
        if (deployment) Object.assign(deployment, { attempts: [], switches: [], rollbacks: [], smoke: [], steps: [], outcome: null });
        break;
      }
      case 'progress': {
        const phase = agentPhase.get(event.agent_name);
        if (phase) timingOf(phase).message = event.message;
        break;
      }
      case 'error': {
        const phase = event.agent_name ? agentPhase.get(event.agent_name) : undefined;
        if (phase) timingOf(phase).error = `${event.error_type}: ${event.error_message}`;
        break;
      }
      case 'complete': {
        const t = timingOf(event.phase);
        t.endedAt = event.timestamp;
        t.message = null;
        const result = event.result;
        const phase = event.phase;
        if (phase === 'intake') view.intake = read(phase, IntakeVerdict, result);
        else if (phase === 'architecture') view.architecture = read(phase, ArchitectureDecision, result);
        else if (phase === 'repository') view.repository = read(phase, RepositoryResult, result);
        else if (phase === 'codegen') {
          const codegen = read(phase, CodegenResult, result);
          if (codegen) roundOf(codegen.round).codegen = codegen;
        } else if (phase === 'quality_gate') {
          const gate = read(phase, GateReport, result);
          if (gate) {
            roundOf(gate.round).gate = gate;
            view.gate = gate;
          }
        } else if (phase === 'merge') view.merge = read(phase, MergeStageResult, result);
        else if (phase === 'infrastructure') view.infrastructure = read(phase, InfrastructureResult, result);
        else if (phase === 'handoff') view.handoff = read(phase, HandoffResult, result);
        else {
          const env = envOfPhase(phase, 'deploy_');
          const deployment = view.deployments.find((d) => d.environment === env);
          if (deployment) deployment.outcome = read(phase, DeployOutcome, result);
        }
        break;
      }
      case 'phase_skipped': {
        const env = envOfPhase(event.phase, 'approve_');
        const approval = env ? approvals.get(env) : undefined;
        if (approval) Object.assign(approval, { state: 'skipped', skipReason: event.reason });
        const deployment = view.deployments.find((d) => d.phase === event.phase);
        if (deployment) deployment.skipReason = event.reason;
        break;
      }
      case 'approval_required':
      case 'wait_required': {
        const env = envOfPhase(event.phase, 'approve_');
        const approval = env ? approvals.get(env) : undefined;
        if (!env || !approval) break;
        waitEnv.set(event.type === 'approval_required' ? event.approval_id : event.wait_id, env);
        timingOf(event.phase).startedAt = event.timestamp;
        const quorum = event.policy?.quorum ?? (event.role ? [event.role] : []);
        Object.assign(approval, {
          state: 'waiting',
          packet: read(event.phase, ApprovalPacket, event.data),
          quorum,
          votes: [],
          remaining: quorum,
          by: null,
          comment: null,
        });
        break;
      }
      case 'approval_vote': {
        const env = waitEnv.get(event.approval_id);
        const approval = env ? approvals.get(env) : undefined;
        if (!approval) break;
        approval.votes = [...approval.votes, { actor: event.actor, role: event.role }];
        approval.remaining = event.remaining;
        break;
      }
      case 'approval_resolved':
      case 'wait_resolved': {
        const env = waitEnv.get(event.type === 'approval_resolved' ? event.approval_id : event.wait_id);
        const approval = env ? approvals.get(env) : undefined;
        if (!approval) break;
        const resolution: WaitResolution = event.resolution;
        timingOf(approval.phase).endedAt = event.timestamp;
        const accepted = resolution.action === 'accept' || resolution.action === 'modify';
        approval.state = resolution.action === 'expired' ? 'expired' : accepted ? 'approved' : 'rejected';
        approval.by = resolvedBy(resolution);
        approval.comment = resolution.comment ?? null;
        approval.remaining = accepted ? [] : approval.remaining;
        if (resolution.votes && resolution.votes.length > 0) approval.votes = resolution.votes.map((v) => ({ actor: v.actor, role: v.role }));
        else if (resolution.by) approval.votes = [{ actor: resolution.by, role: resolution.role ?? null }];
        break;
      }
      default:
        break;
    }
  }

  view.approvals = [...approvals.values()];
  // The stages in the pipeline's order, then any phase the run has that the list does not (a newer workflow).
  const byName = new Map(phases.map((p) => [p.name, p]));
  const names = [...BUILD_PHASES, ...phases.map((p) => p.name).filter((n) => !(BUILD_PHASES as readonly string[]).includes(n))];
  view.stages = names.map((name) => {
    const p = byName.get(name);
    const t = timing.get(name);
    return {
      name,
      state: p?.state ?? 'pending',
      runs: p?.runs ?? 0,
      skipReason: p?.skipReason ?? null,
      decidedBy: p?.decidedBy ?? null,
      startedAt: t?.startedAt ?? null,
      endedAt: t?.endedAt ?? null,
      message: t?.message ?? null,
      error: t?.error ?? null,
      outcome: null,
    };
  });
  for (const stage of view.stages) stage.outcome = outcomeOf(view, stage.name);
  for (const deployment of view.deployments) {
    const stage = view.stages.find((s) => s.name === deployment.phase);
    deployment.state = stage?.state ?? 'pending';
    deployment.skipReason ??= stage?.skipReason ?? null;
  }
  return view;
}
