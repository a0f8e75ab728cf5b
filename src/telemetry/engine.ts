/**
 * Spans and metrics for runs, steps, agent calls and approvals, derived from the events this
 * process commits (`engine.watch`). Each span starts and ends at the commit times its events
 * carry, so the trace shows when things happened in the log, not when the watcher heard of them.
 */
import { ROOT_CONTEXT, SpanStatusCode, trace, type Attributes, type Span } from '@opentelemetry/api';
import type { EventRecord, RunRecord } from '../store/index.js';
import type { Telemetry } from './telemetry.js';

/** What watchEngine needs of the engine: its live event feed and a way to name a run's workflow. */
export interface WatchableEngine {
  watch(listener: (event: EventRecord) => void): { unsubscribe(): void };
  getRun(id: string): Promise<Pick<RunRecord, 'workflow'>>;
}

export interface WatchOptions {
  /** Runs followed at once (default 10,000); beyond it the least recently active one is let go, its spans ended as `abandoned`. */
  maxRuns?: number;
  onError?: (error: unknown) => void;
}

interface Attempt {
  attempt: number;
  /** When its `running` event was committed: the attempt's start unless that event rode in with the outcome. */
  runningAt: number;
}

interface Step {
  phase: string;
  agent: string;
  /** The commit that brought the run to this phase: when the step began. */
  startAt: number;
  /** When the last attempt ended: the next attempt began no earlier. */
  boundary: number;
  span: Span | undefined;
  attempt: Attempt | undefined;
}

interface RunTrace {
  runId: string;
  workflow: string | undefined;
  span: Span | undefined;
  /** The commit time of the run's last event: where the run's next step starts. */
  lastAt: number;
  step: Step | undefined;
  /** The error event that comes just before a failed attempt's status, in the same commit. */
  lastError: { type: string; message: string } | undefined;
  waits: Map<string, Span>;
}

const UNKNOWN = 'unknown';
const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
const num = (value: unknown): number | undefined => (typeof value === 'number' ? value : undefined);

/** A run created by another process reaches the watcher too (session fan-out); it is only remembered until this process commits for it. */
const PENDING_KEPT = 1000;

export function watchEngine(
  engine: WatchableEngine,
  telemetry: Telemetry,
  { maxRuns = 10_000, onError = () => undefined }: WatchOptions = {},
): { unsubscribe(): void } {
  const { tracer, tracing, metrics } = telemetry;
  const runs = new Map<string, RunTrace>();
  const created = new Map<string, { workflow: string; sessionId: string | null; at: number }>();

  const childOf = (parent: Span | undefined) => (parent ? trace.setSpan(ROOT_CONTEXT, parent) : ROOT_CONTEXT);
  const start = (name: string, at: number, attributes: Attributes, parent?: Span): Span | undefined =>
    tracing ? tracer.startSpan(name, { startTime: new Date(at), attributes }, parent ? childOf(parent) : ROOT_CONTEXT) : undefined;
  const end = (span: Span | undefined, at: number, attributes: Attributes = {}, error?: string): void => {
    if (!span) return;
    span.setAttributes(attributes);
    if (error !== undefined) span.setStatus({ code: SpanStatusCode.ERROR, message: error });
    span.end(new Date(at));
  };

  const openRun = (event: EventRecord): RunTrace => {
    const origin = created.get(event.runId);
    created.delete(event.runId);
    const run: RunTrace = {
      runId: event.runId,
      workflow: origin?.workflow,
      span: undefined,
      lastAt: origin?.at ?? event.at,
      step: undefined,
      lastError: undefined,
      waits: new Map(),
    };
    if (!origin) {
      // Claimed after another node let go, or resumed after a restart, or retried after it ended here.
      engine.getRun(event.runId).then((record) => {
        if (run.workflow === undefined) {
          run.workflow = record.workflow;
          run.span?.updateName(`run ${record.workflow}`);
          run.span?.setAttribute('baton.workflow', record.workflow);
        }
      }, onError);
    }
    run.span = start(`run ${origin?.workflow ?? UNKNOWN}`, run.lastAt, {
      'baton.run.id': event.runId,
      ...(origin ? { 'baton.workflow': origin.workflow } : { 'baton.run.resumed': true }),
      ...(origin?.sessionId ? { 'baton.session.id': origin.sessionId } : {}),
    });
    return run;
  };

  const endStep = (run: RunTrace, at: number, outcome: string, error?: string): void => {
    const step = run.step;
    if (!step) return;
    if (step.attempt) endAttempt(run, step, at, outcome === 'completed' ? 'succeeded' : outcome, error);
    end(step.span, at, { 'baton.outcome': outcome }, error);
    run.step = undefined;
  };

  const endAttempt = (run: RunTrace, step: Step, at: number, outcome: string, error?: string, errorType?: string): void => {
    const attempt = step.attempt;
    if (!attempt) return;
    // A quick agent's `running` event is committed with its outcome: then the attempt began when the last one ended (or the step began).
    const startedAt = attempt.runningAt < at ? attempt.runningAt : step.boundary;
    if (tracing) {
      step.span ??= start(`step ${step.phase}`, step.startAt, { 'baton.run.id': run.runId, 'baton.phase': step.phase, 'baton.agent': step.agent }, run.span);
      const span = start(
        `agent ${step.agent}`,
        startedAt,
        { 'baton.run.id': run.runId, 'baton.agent': step.agent, 'baton.phase': step.phase, 'baton.attempt': attempt.attempt },
        step.span,
      );
      end(span, at, { 'baton.outcome': outcome, ...(errorType ? { 'baton.error_type': errorType } : {}) }, error);
    }
    step.boundary = at;
    step.attempt = undefined;
  };

  /** Ends the run's span and whatever is still open under it (a wait when cancelled, everything when let go) with the run's end state. */
  const finishRun = (run: RunTrace, at: number, state: string): void => {
    endStep(run, at, state);
    for (const span of run.waits.values()) end(span, at, { 'baton.outcome': state });
    run.waits.clear();
    end(run.span, at, { 'baton.run.state': state }, state === 'failed' ? (run.lastError?.message ?? 'failed') : undefined);
    run.span = undefined;
    runs.delete(run.runId);
  };

  const onEvent = (event: EventRecord): void => {
    const p = event.payload;
    if (event.type === 'run_created') {
      created.set(event.runId, { workflow: text(p.workflow) ?? UNKNOWN, sessionId: text(p.session_id) ?? null, at: event.at });
      if (created.size > PENDING_KEPT) created.delete(created.keys().next().value as string);
      return;
    }
    let run = runs.get(event.runId);
    if (run) runs.delete(event.runId); // re-inserted below: the map stays ordered by last activity
    run ??= openRun(event);
    runs.set(event.runId, run);
    if (runs.size > maxRuns) {
      const [oldest] = runs.values();
      if (oldest) finishRun(oldest, event.at, 'abandoned');
    }
    const workflow = run.workflow ?? UNKNOWN;

    switch (event.type) {
      case 'agent_status': {
        const phase = text(p.phase) ?? UNKNOWN;
        const agent = text(p.agent_name) ?? UNKNOWN;
        const attempt = num(p.attempt) ?? 1;
        const status = text(p.status);
        if (run.step?.phase !== phase) {
          endStep(run, run.lastAt, 'abandoned');
          run.step = { phase, agent, startAt: run.lastAt, boundary: run.lastAt, span: undefined, attempt: undefined };
          if (tracing) run.step.span = start(`step ${phase}`, run.lastAt, { 'baton.run.id': run.runId, 'baton.phase': phase, 'baton.agent': agent }, run.span);
        }
        const step = run.step;
        if (status === 'running') {
          step.attempt = { attempt, runningAt: event.at };
        } else if (status === 'retrying' || status === 'failed') {
          step.attempt ??= { attempt, runningAt: event.at };
          const errorType = run.lastError?.type ?? 'UNKNOWN';
          metrics.agentFailures.inc({ workflow, agent, outcome: status, error_type: errorType });
          endAttempt(run, step, event.at, status, run.lastError?.message ?? status, errorType);
          if (status === 'failed') endStep(run, event.at, 'failed', run.lastError?.message ?? 'failed');
        } else if (status === 'completed') {
          step.attempt ??= { attempt, runningAt: event.at };
          endAttempt(run, step, event.at, 'succeeded');
        }
        break;
      }
      case 'complete': {
        const phase = text(p.phase) ?? UNKNOWN;
        const startAt = run.step?.phase === phase ? run.step.startAt : run.lastAt;
        metrics.stepDuration.observe({ workflow, phase }, Math.max(0, event.at - startAt) / 1000);
        endStep(run, event.at, 'completed');
        break;
      }
      case 'error':
        run.lastError = { type: text(p.error_type) ?? 'UNKNOWN', message: text(p.error_message) ?? 'error' };
        break;
      case 'approval_required':
      case 'wait_required': {
        const id = text(p.approval_id) ?? text(p.wait_id);
        const kind = text(p.kind) ?? UNKNOWN;
        const phase = text(p.phase) ?? UNKNOWN;
        if (id !== undefined && tracing) {
          const role = text(p.role);
          const span = start(
            event.type === 'approval_required' ? `approval ${phase}` : `wait ${phase}`,
            event.at,
            {
              'baton.run.id': run.runId,
              'baton.wait.id': id,
              'baton.wait.kind': kind,
              'baton.phase': phase,
              ...(role ? { 'baton.wait.role': role } : {}),
            },
            run.span,
          );
          if (span) run.waits.set(id, span);
        }
        break;
      }
      case 'approval_resolved':
      case 'wait_resolved': {
        const id = text(p.approval_id) ?? text(p.wait_id);
        const span = id === undefined ? undefined : run.waits.get(id);
        if (id !== undefined && span) {
          run.waits.delete(id);
          const resolution = (p.resolution ?? {}) as Record<string, unknown>;
          const action = text(resolution.action);
          end(span, event.at, { ...(action ? { 'baton.outcome': action } : {}), ...(resolution.expired === true ? { 'baton.wait.expired': true } : {}) });
        }
        break;
      }
      case 'phase_skipped':
        run.span?.addEvent('phase_skipped', { 'baton.phase': text(p.phase) ?? UNKNOWN, 'baton.reason': text(p.reason) ?? '' }, new Date(event.at));
        break;
      case 'phase_transition':
        run.span?.addEvent(
          'phase_transition',
          { 'baton.phase.from': text(p.from_phase) ?? UNKNOWN, 'baton.phase.to': text(p.to_phase) ?? UNKNOWN },
          new Date(event.at),
        );
        break;
      case 'workflow_complete': {
        const state = text(p.state) ?? UNKNOWN;
        metrics.runsFinished.inc({ workflow, state });
        finishRun(run, event.at, state);
        return;
      }
    }
    run.lastAt = event.at;
  };

  return engine.watch((event) => {
    try {
      onEvent(event);
    } catch (error) {
      // Telemetry never breaks the engine's fan-out: a bad payload is reported and skipped.
      onError(error);
    }
  });
}
