/**
 * Drives one claimed run forward, one durable step at a time, until it waits, ends or is
 * taken away (cancelled, claimed elsewhere, engine shutdown). Each step commits its result,
 * the run's new position and its events in one transaction, fenced on the run's version.
 */
import { randomUUID } from 'node:crypto';
import { BatonError, StaleRunError, toBatonError } from '../errors/index.js';
import { WaitPolicy } from '../store/contracts.js';
import type { NewEvent, RunRecord, StepRecord } from '../store/types.js';
import { commitRun, contextError, RunMemory, type CommitParts, type EngineCore } from './core.js';
import { events, isCoreEventType } from './events.js';
import { AgentCallFailed, invokeAgent, type AttemptOutcome } from './invoke.js';
import { advance, afterAgent, following, phaseIndexOrNull, unknownPhaseError, workflowFailure, type Destination } from './navigation.js';
import { isWaitPhase, type AgentPhase, type Phase, type WaitPhase, type WorkflowDefinition } from './workflow.js';

/** Events that tell followers where the run went after a committed phase. */
export function destinationEvents(run: RunRecord, from: string, destination: Destination, result: unknown): NewEvent[] {
  if (destination.phase === null) {
    const state = destination.end ?? 'completed';
    const failure = state === 'failed' ? [events.error(workflowFailure(from, destination.reason).toJSON())] : [];
    return [...failure, events.runState(run.state, state, destination.reason), events.workflowComplete(state, result)];
  }
  return destination.via === 'goto' || destination.via === 'repeat' ? [events.phaseTransition(from, destination.phase, destination.reason)] : [];
}

export class RunDriver {
  private readonly controller = new AbortController();
  private readonly workflow: WorkflowDefinition;
  private memory: RunMemory | undefined;
  /** Progress and custom events are written in order, off the agent's path; steps wait for them. */
  private pendingEvents: Promise<void> = Promise.resolve();
  private buffered: NewEvent[] = [];
  private flushTimer: NodeJS.Immediate | undefined;
  /** After a restart the current step may have logged attempts already; numbering continues from them. */
  private resumed: boolean;

  constructor(
    private readonly core: EngineCore,
    private run: RunRecord,
    steps?: readonly StepRecord[],
  ) {
    this.workflow = core.workflow(run.workflow);
    this.memory = steps && new RunMemory(steps);
    this.resumed = steps === undefined;
  }

  get runId(): string {
    return this.run.id;
  }

  /** Stops the run here: the agent's signal fires and nothing more is committed. */
  abort(reason: unknown): void {
    this.controller.abort(reason);
  }

  async drive(): Promise<void> {
    try {
      this.memory ??= new RunMemory(await this.core.store.listSteps(this.run.id));
      while (this.run.state === 'running' && !this.controller.signal.aborted) await this.step(this.memory);
    } catch (error) {
      // Someone else moved the run (cancel, rollback, a claim after our lease lapsed): let go.
      if (error instanceof StaleRunError || this.controller.signal.aborted) return;
      throw error;
    }
  }

  private async step(memory: RunMemory): Promise<void> {
    if (this.run.phase === null) throw new BatonError('INTERNAL_ERROR', `run ${this.run.id} is running with no phase`);
    const index = phaseIndexOrNull(this.workflow, this.run.phase);
    // A run started under another version of the definition may stand at a phase this one lacks: it fails once, clearly, rather than throw on every claim.
    if (index === null) return this.fail(unknownPhaseError(this.workflow, this.run.phase));
    const phase = this.workflow.phases[index] as Phase;
    const visit = (this.run.visits[phase.name] ?? 0) + 1;
    if (visit > this.workflow.maxVisitsPerPhase) {
      return this.fail(
        new BatonError('INVALID_TRANSITION', `phase "${phase.name}" would run a ${visit}th time; the limit is ${this.workflow.maxVisitsPerPhase}`, {
          details: { phase: phase.name, visits: visit - 1 },
        }),
      );
    }
    const skipReason = this.skipReason(phase);
    if (skipReason instanceof BatonError) return this.fail(skipReason);
    if (skipReason) return this.skip(phase, visit, skipReason, memory);
    return isWaitPhase(phase) ? this.openWait(phase, visit, memory) : this.runAgent(phase, visit, memory);
  }

  private skipReason(phase: Phase): string | BatonError | undefined {
    try {
      return phase.skip?.(this.run.parameters) || undefined;
    } catch (error) {
      return contextError(phase.name, error);
    }
  }

  private async commit(parts: CommitParts): Promise<void> {
    this.run = await commitRun(this.core, this.run, parts);
  }

  private async skip(phase: Phase, visit: number, reason: string, memory: RunMemory): Promise<void> {
    const destination: Destination = { ...following(this.workflow, phase), reason };
    const output = { skipped: true, reason };
    await this.commit({
      step: {
        stepKey: memory.stepKey(phase.name, visit),
        phase: phase.name,
        visit,
        kind: 'skip',
        agent: null,
        output,
        committedAt: this.core.now(),
        agentRun: null,
      },
      patch: advance(this.workflow, this.run, phase.name, destination, this.core.now()),
      events: [events.phaseSkipped(phase.name, reason), ...destinationEvents(this.run, phase.name, destination, this.run.result)],
    });
    memory.record(phase.name, null, output);
  }

  private async openWait(phase: WaitPhase, visit: number, memory: RunMemory): Promise<void> {
    let data: unknown;
    let deadlineMs: number | undefined;
    let policy: WaitPolicy | null;
    try {
      const context = memory.context(this.run, phase.name, visit);
      data = phase.wait.data ? phase.wait.data(context) : (context.previous?.output ?? null);
      deadlineMs = phase.wait.deadlineMs?.(this.run.parameters);
      // Fixed as the wait opens and kept with it: who may decide does not change under a waiting run (or across a restart).
      const spec = phase.wait.policy;
      policy = spec === undefined ? null : WaitPolicy.parse(typeof spec === 'function' ? spec(context) : spec);
    } catch (error) {
      return this.fail(contextError(phase.name, error));
    }
    // The deadline counts from when the wait opens, after its data is assembled (a workflow's checked reads of large results take a while).
    const now = this.core.now();
    const id = randomUUID();
    const deadlineAt = deadlineMs === undefined ? null : now + deadlineMs;
    const role = phase.wait.role ?? null;
    await this.commit({
      // One instant for the wait, its deadline's start and its events: a deadline of 300 ms is 300 ms after the event.
      at: now,
      openWait: { id, stepKey: memory.stepKey(phase.name, visit), phase: phase.name, kind: phase.wait.kind, role, data, deadlineAt, createdAt: now, policy },
      // A waiting run holds no worker: the lease goes back.
      patch: { state: 'waiting', waitingFor: id, leaseOwner: null, leaseExpiresAt: null },
      events: [
        events.runState('running', 'waiting', `${phase.name} waits for ${phase.wait.kind}`),
        events.waitRequired(id, phase.wait.kind, phase.name, data, deadlineAt, role, policy),
      ],
    });
  }

  private async runAgent(phase: AgentPhase, visit: number, memory: RunMemory): Promise<void> {
    const agent = this.core.agents.get(phase.agent);
    const stepKey = memory.stepKey(phase.name, visit);
    const context = memory.context(this.run, phase.name, visit);
    let input: unknown;
    try {
      input = phase.input ? phase.input(context) : { parameters: context.parameters, previous: context.previous, results: context.results };
    } catch (error) {
      return this.fail(contextError(phase.name, error));
    }
    const firstAttempt = this.resumed ? (await this.core.store.lastAttempt(this.run.id, stepKey)) + 1 : 1;
    this.resumed = false;
    let succeeded: AttemptOutcome | undefined;
    let output: unknown;
    try {
      output = await invokeAgent(agent, input, {
        ...(phase.timeoutMs === undefined ? {} : { timeoutMs: phase.timeoutMs }),
        signal: this.controller.signal,
        firstAttempt,
        now: () => this.core.now(),
        random: () => this.core.random(),
        beforeAttempt: (attempt) => this.queueEvents([events.agentStatus(agent.name, phase.name, 'running', attempt)]),
        onProgress: (percent, message) => this.queueEvents([events.progress(agent.name, percent, message)]),
        onEvent: (type, payload) => this.queueEvents([this.customEvent(type, payload)]),
        onAttempt: async (outcome, willRetry) => {
          if (outcome.status === 'succeeded') succeeded = outcome;
          else await this.recordFailedAttempt(stepKey, phase, outcome, willRetry);
        },
      });
    } catch (error) {
      if (this.controller.signal.aborted) throw error;
      if (error instanceof AgentCallFailed) return this.fail(error.last, error.attempts > 0);
      throw error;
    }
    const sofar = await this.eventsSoFar();
    const done = { ...context, results: { ...context.results, [phase.name]: output } };
    let destination: Destination;
    try {
      destination = afterAgent(this.workflow, phase, done, output);
    } catch (error) {
      return this.fail(toBatonError(error, 'INVALID_TRANSITION'));
    }
    const now = this.core.now();
    const attempt = succeeded ?? { attempt: firstAttempt, startedAt: now, durationMs: 0 };
    const patch = advance(this.workflow, this.run, phase.name, destination, now);
    if (destination.end === 'completed') patch.result = output;
    await this.commit({
      step: {
        stepKey,
        phase: phase.name,
        visit,
        kind: 'agent',
        agent: agent.name,
        output,
        committedAt: now,
        agentRun: {
          attempt: attempt.attempt,
          startedAt: attempt.startedAt,
          durationMs: attempt.durationMs,
          fromPhase: context.previous?.phase ?? null,
          fromAgent: context.previous?.agent ?? null,
          input,
        },
      },
      patch,
      events: [
        ...sofar,
        events.agentStatus(agent.name, phase.name, 'completed', attempt.attempt),
        events.complete(agent.name, phase.name, output),
        ...destinationEvents(this.run, phase.name, destination, output),
      ],
    });
    memory.record(phase.name, agent.name, output);
  }

  private customEvent(type: string, payload: Record<string, unknown>): NewEvent {
    if (isCoreEventType(type)) {
      throw new BatonError('AGENT_EXECUTION_ERROR', `agents may not emit the engine's own event type "${type}"`, { retryable: false });
    }
    return { type, payload };
  }

  /**
   * Events an agent produces while it works are written on the next turn of the event loop, in
   * one transaction; if the step commits first they ride along in its transaction instead. A
   * quick agent thus costs one commit per step, a slow one streams its progress live.
   */
  private queueEvents(list: NewEvent[]): void {
    this.buffered.push(...list);
    this.flushTimer ??= setImmediate(() => this.flush());
  }

  private takeBuffered(): NewEvent[] {
    clearImmediate(this.flushTimer);
    this.flushTimer = undefined;
    return this.buffered.splice(0);
  }

  private flush(): void {
    const list = this.takeBuffered();
    if (list.length === 0) return;
    this.pendingEvents = this.pendingEvents.then(async () => {
      if (this.controller.signal.aborted) return;
      try {
        const at = this.core.now();
        const { events: written } = await this.core.store.commit({ runId: this.run.id, expectedVersion: this.run.version, events: list, at });
        this.run = { ...this.run, lastSeq: written.at(-1)?.seq ?? this.run.lastSeq, updatedAt: at };
        this.core.hub.publish(written, this.run);
      } catch (error) {
        // A stale run means someone else owns it now: stop the agent rather than write on.
        this.controller.abort(error);
      }
    });
  }

  /** Waits for events already being written and returns those not yet sent, to commit with the step. */
  private async eventsSoFar(): Promise<NewEvent[]> {
    // A flush may start while we wait; only once nothing is in flight is the buffer ours to take.
    for (let inFlight = this.pendingEvents; ; inFlight = this.pendingEvents) {
      await inFlight;
      if (inFlight === this.pendingEvents) return this.takeBuffered();
    }
  }

  private async recordFailedAttempt(stepKey: string, phase: AgentPhase, outcome: AttemptOutcome, willRetry: boolean): Promise<void> {
    const sofar = await this.eventsSoFar();
    const error = (outcome.error ?? new BatonError('AGENT_EXECUTION_ERROR', 'unknown failure')).toJSON();
    const status = outcome.status === 'timed_out' ? 'timed_out' : 'failed';
    await this.commit({
      failedAttempt: { ...outcome, status, stepKey, error },
      events: [...sofar, events.error(error, outcome.agent), events.agentStatus(outcome.agent, phase.name, willRetry ? 'retrying' : 'failed', outcome.attempt)],
    });
  }

  /** Ends the run as failed where it stands, so a person can retry it from this step. */
  private async fail(error: BatonError, alreadyReported = false): Promise<void> {
    const sofar = await this.eventsSoFar();
    const body = error.toJSON();
    await this.commit({
      patch: { state: 'failed', error: body, leaseOwner: null, leaseExpiresAt: null, finishedAt: this.core.now() },
      events: [
        ...sofar,
        ...(alreadyReported ? [] : [events.error(body)]),
        events.runState('running', 'failed', error.message),
        events.workflowComplete('failed', null),
      ],
    });
  }
}
