/**
 * The engine's public face: start runs, read their status, history and events, resolve what
 * they wait for, cancel, retry and roll back. It also works as a worker: it drives the runs it
 * starts, claims orphaned ones (after a crash) and expires overdue waits.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { BatonError, ConflictError, InvalidParametersError, InvalidTransitionError, NotFoundError, StaleRunError } from '../errors/index.js';
import { inputError, issuesOf } from '../errors/zod-issues.js';
import type { AttemptRecord, DataWrite, EventRecord, HandoffRecord, RunFilter, RunRecord, RunState, StepRecord, Store, WaitRecord } from '../store/index.js';
import type { AgentDefinition } from './agent.js';
import { commitRun, RunMemory, type EngineCore } from './core.js';
import { EventHub, type EventListener, type RunCursor, type Subscription } from './event-hub.js';
import { events } from './events.js';
import { AgentHandoffManager } from './handoff-manager.js';
import { advance, afterWait, completedBefore, percentDone, phaseIndex, phaseNamed } from './navigation.js';
import { destinationEvents, RunDriver } from './run-driver.js';
import { assertRunTransition, FINISHED_STATES } from './run-states.js';
import { agentsOf, type WaitPhase, type WaitResolution, type WorkflowDefinition } from './workflow.js';

export interface EngineOptions {
  store: Store;
  agents?: readonly AgentDefinition[];
  workflows?: readonly WorkflowDefinition[];
  /** Names this process in leases and event notices (default: a random id). */
  nodeId?: string;
  /** How long a claimed run stays ours without renewal (default 10 s); orphaned runs resume after it. */
  leaseMs?: number;
  /** How often to look for orphaned runs and overdue waits (default 1 s). */
  pollIntervalMs?: number;
  /** Runs this process drives at once (default 1000); more wait their turn. */
  maxConcurrentRuns?: number;
  now?: () => number;
  random?: () => number;
  onError?: (error: unknown, context: string) => void;
}

export interface StartRunOptions {
  sessionId?: string;
  /** The same key returns the same run instead of starting another. */
  idempotencyKey?: string;
}

export interface RunStatus {
  id: string;
  workflow: string;
  sessionId: string | null;
  state: RunState;
  phase: string | null;
  percent: number;
  completedPhases: string[];
  waitingFor: Pick<WaitRecord, 'id' | 'kind' | 'role' | 'phase' | 'data' | 'deadlineAt'> | null;
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

/** What a caller sends to resolve a wait; which fields matter depends on the wait's kind. */
export const resolutionInput = z.object({
  action: z.enum(['accept', 'modify', 'reject']).optional(),
  data: z.unknown().optional(),
  comment: z.string().max(10_000).optional(),
  role: z.string().optional(),
});
export type ResolutionInput = z.infer<typeof resolutionInput>;

export interface ResolveOptions {
  /** The dedicated intake resolving the wait; a wait whose phase names an intake takes only that one. */
  intake?: string;
  /** The workflow's rows that come with the resolution, written in its transaction (none if it loses). */
  writes?: readonly DataWrite[];
}

export class Engine {
  readonly store: Store;
  readonly agents: AgentHandoffManager;
  readonly nodeId: string;
  private readonly workflows = new Map<string, WorkflowDefinition>();
  /** The runs this process drives now, with the promise that settles when each lets go. */
  private readonly drivers = new Map<string, { driver: RunDriver; done: Promise<void> }>();
  private readonly hub: EventHub;
  private readonly core: EngineCore;
  private readonly leaseMs: number;
  private readonly pollIntervalMs: number;
  private readonly maxConcurrentRuns: number;
  private readonly onError: (error: unknown, context: string) => void;
  private timer: NodeJS.Timeout | undefined;
  private stopListening: (() => Promise<void>) | undefined;
  private closing = false;
  private ticking: Promise<void> | undefined;

  constructor(options: EngineOptions) {
    this.store = options.store;
    this.nodeId = options.nodeId ?? `node-${randomUUID().slice(0, 8)}`;
    this.leaseMs = options.leaseMs ?? 10_000;
    this.pollIntervalMs = options.pollIntervalMs ?? 1000;
    this.maxConcurrentRuns = options.maxConcurrentRuns ?? 1000;
    this.onError = options.onError ?? ((error, context) => console.error(`baton engine: ${context}:`, error));
    this.agents = new AgentHandoffManager(options.agents);
    this.hub = new EventHub(this.store, (error) => this.onError(error, 'event follower'));
    const now = options.now ?? Date.now;
    const random = options.random ?? Math.random;
    this.core = {
      store: this.store,
      agents: this.agents,
      hub: this.hub,
      nodeId: this.nodeId,
      leaseMs: this.leaseMs,
      now,
      random,
      workflow: (name) => this.workflow(name),
    };
    for (const workflow of options.workflows ?? []) this.registerWorkflow(workflow);
  }

  registerAgent(agent: AgentDefinition): this {
    this.agents.register(agent);
    return this;
  }

  /** Refuses a workflow whose phases name agents that are not registered. */
  registerWorkflow(workflow: WorkflowDefinition): this {
    const missing = agentsOf(workflow).filter((name) => !this.agents.has(name));
    if (missing.length > 0) {
      throw new NotFoundError('agent', missing.join(', '), [`register agents ${missing.join(', ')} before workflow "${workflow.name}"`]);
    }
    this.workflows.set(workflow.name, workflow);
    return this;
  }

  workflow(name: string): WorkflowDefinition {
    const workflow = this.workflows.get(name);
    if (!workflow) throw new NotFoundError('workflow', name, [`known workflows: ${this.workflowNames().join(', ') || '(none)'}`]);
    return workflow;
  }

  workflowNames(): string[] {
    return [...this.workflows.keys()];
  }

  /** Starts polling for orphaned runs and overdue waits, and listening to other processes. */
  async start(): Promise<void> {
    this.stopListening = await this.store.listen(
      (notice) => {
        this.hub.notice(notice);
        // Another process wrote to a run this one drives: a cancel (or a lost lease) must stop the agent now, not at its next commit.
        if (this.drivers.has(notice.runId)) void this.stopIfTakenAway(notice.runId);
      },
      () => this.hub.resync(),
    );
    await this.tick();
    this.schedulePoll();
  }

  /** Stops taking work, lets in-flight agents go (their steps re-run elsewhere) and frees their leases. */
  async close(): Promise<void> {
    this.closing = true;
    clearTimeout(this.timer);
    await this.ticking;
    const running = [...this.drivers.values()];
    for (const { driver } of running) driver.abort(new BatonError('CONFLICT', 'engine shutting down'));
    await Promise.allSettled(running.map(({ done }) => done));
    await this.store.releaseLeases(this.nodeId);
    await this.stopListening?.();
  }

  // ---- runs ---------------------------------------------------------------------------

  async startRun(workflowName: string, parameters: unknown, options: StartRunOptions = {}): Promise<RunStatus> {
    const workflow = this.workflow(workflowName);
    const parsed = workflow.parameters.safeParse(parameters);
    if (!parsed.success) throw inputError(`parameters for workflow "${workflow.name}"`, parameters, parsed.error);
    const now = this.core.now();
    const runNow = !this.closing && this.drivers.size < this.maxConcurrentRuns;
    const {
      run,
      created,
      events: written,
    } = await this.store.createRun(
      {
        id: randomUUID(),
        workflow: workflow.name,
        sessionId: options.sessionId ?? null,
        idempotencyKey: options.idempotencyKey ?? null,
        parameters: parsed.data,
        state: 'running',
        phase: workflow.phases[0]?.name ?? null,
        leaseOwner: runNow ? this.nodeId : null,
        leaseExpiresAt: runNow ? now + this.leaseMs : null,
        createdAt: now,
      },
      [events.runCreated(workflow.name, parsed.data, options.sessionId ?? null)],
    );
    if (!created && run.workflow !== workflow.name) {
      throw new ConflictError(`idempotency key "${options.idempotencyKey}" already started a run of workflow "${run.workflow}"`, { run_id: run.id });
    }
    if (created) {
      this.hub.publish(written);
      if (runNow) this.launch(run, []);
    }
    return this.statusOf(run);
  }

  async getRun(runId: string): Promise<RunRecord> {
    const run = await this.store.getRun(runId);
    if (!run) throw new NotFoundError('run', runId);
    return run;
  }

  async status(runId: string): Promise<RunStatus> {
    return this.statusOf(await this.getRun(runId));
  }

  async listRuns(filter: RunFilter = {}): Promise<{ runs: RunStatus[]; total: number }> {
    const { runs, total } = await this.store.listRuns(filter);
    return { runs: await Promise.all(runs.map((r) => this.statusOf(r))), total };
  }

  async cancelRun(runId: string, reason = 'cancelled by request'): Promise<RunStatus> {
    const run = await this.withFreshRun(runId, async (current) => {
      assertRunTransition(current.state, 'cancelled');
      return commitRun(this.core, current, {
        patch: { state: 'cancelled', waitingFor: null, leaseOwner: null, leaseExpiresAt: null, finishedAt: this.core.now() },
        ...(current.waitingFor ? { closeWait: { id: current.waitingFor, status: 'cancelled' as const, resolution: { reason } } } : {}),
        events: [events.runState(current.state, 'cancelled', reason), events.workflowComplete('cancelled', null)],
      });
    });
    this.drivers.get(runId)?.driver.abort(new ConflictError('run cancelled'));
    return this.statusOf(run);
  }

  private async stopIfTakenAway(runId: string): Promise<void> {
    const run = await this.store.getRun(runId).catch((error: unknown) => this.onError(error, `run ${runId}`));
    const entry = this.drivers.get(runId);
    if (!run || !entry || (run.state === 'running' && run.leaseOwner === this.nodeId)) return;
    entry.driver.abort(new ConflictError(run.state === 'cancelled' ? 'run cancelled' : `run ${run.state} elsewhere`));
  }

  /** Runs a failed run again from the step that failed, with a fresh retry budget. */
  async retryRun(runId: string): Promise<RunStatus> {
    const run = await this.withFreshRun(runId, async (current) => {
      if (current.state !== 'failed') {
        throw new ConflictError(`run "${runId}" is ${current.state}; only failed runs can be retried`, { state: current.state }, [
          'roll back to a phase instead',
        ]);
      }
      return commitRun(this.core, current, {
        patch: { state: 'running', error: null, finishedAt: null, ...this.leaseForNow() },
        events: [events.runState('failed', 'running', 'retry')],
      });
    });
    this.launch(run);
    return this.statusOf(run);
  }

  /** Sends a run back to an earlier phase, which runs again (and everything after it). */
  async rollbackRun(runId: string, toPhase: string, reason = 'rollback by request'): Promise<RunStatus> {
    const run = await this.withFreshRun(runId, async (current) => {
      const workflow = this.workflow(current.workflow);
      if (current.state === 'running') {
        throw new ConflictError(`run "${runId}" is running; cancel it or wait until it waits or ends`, { state: current.state });
      }
      const here = current.phase === null ? workflow.phases.length : phaseIndex(workflow, current.phase);
      const earlier = workflow.phases.slice(0, here).map((p) => p.name);
      if (!earlier.includes(toPhase)) throw new InvalidTransitionError(current.phase ?? '(end)', toPhase, earlier, 'rollback');
      assertRunTransition(current.state, 'running');
      return commitRun(this.core, current, {
        patch: {
          state: 'running',
          phase: toPhase,
          completedPhases: completedBefore(workflow, current.completedPhases, toPhase),
          waitingFor: null,
          error: null,
          result: null,
          finishedAt: null,
          ...this.leaseForNow(),
        },
        ...(current.waitingFor ? { closeWait: { id: current.waitingFor, status: 'cancelled' as const, resolution: { reason } } } : {}),
        events: [events.phaseTransition(current.phase ?? '(end)', toPhase, reason), events.runState(current.state, 'running', reason)],
      });
    });
    this.launch(run);
    return this.statusOf(run);
  }

  // ---- waits (approvals, submissions, signals) ------------------------------------------

  /** Resolves what a run waits for. Approvals take accept | modify (with data) | reject. */
  async resolveWait(runId: string, waitId: string, input: ResolutionInput, options: ResolveOptions = {}): Promise<RunStatus> {
    const parsedInput = resolutionInput.safeParse(input);
    if (!parsedInput.success) throw new InvalidParametersError('the resolution is invalid', issuesOf(parsedInput.error));
    const run = await this.getRun(runId);
    const wait = await this.store.getWait(waitId);
    if (!wait || wait.runId !== runId) throw new NotFoundError(wait?.kind ?? 'approval', waitId, ['list the run to see what it waits for']);
    if (wait.status !== 'pending' || run.state !== 'waiting' || run.waitingFor !== wait.id) {
      throw new ConflictError(`${wait.kind} "${waitId}" is not pending (it is ${wait.status}; the run is ${run.state})`, {
        wait_status: wait.status,
        run_state: run.state,
      });
    }
    const phase = phaseNamed(this.workflow(run.workflow), wait.phase) as WaitPhase;
    checkIntake(phase, wait, options.intake);
    return this.statusOf(await this.finishWait(run, phase, wait, checkResolution(phase, wait, parsedInput.data), 'resolved', options.writes));
  }

  private async finishWait(
    run: RunRecord,
    phase: WaitPhase,
    wait: WaitRecord,
    resolution: WaitResolution,
    status: 'resolved' | 'expired',
    writes?: readonly DataWrite[],
  ): Promise<RunRecord> {
    const workflow = this.workflow(run.workflow);
    const memory = new RunMemory(await this.store.listSteps(run.id));
    const visit = (run.visits[phase.name] ?? 0) + 1;
    const context = memory.context(run, visit);
    const destination = afterWait(workflow, phase, { ...context, results: { ...context.results, [phase.name]: resolution } }, resolution);
    const now = this.core.now();
    const patch = advance(workflow, run, phase.name, destination, now);
    if (patch.state === 'running') Object.assign(patch, this.leaseForNow());
    const updated = await commitRun(this.core, run, {
      closeWait: { id: wait.id, status, resolution },
      ...(writes === undefined ? {} : { writes }),
      step: { stepKey: wait.stepKey, phase: phase.name, visit, kind: 'wait', agent: null, output: resolution, committedAt: now, agentRun: null },
      patch,
      events: [
        events.waitResolved(wait.id, wait.kind, resolution),
        ...(patch.state === 'running' ? [events.runState('waiting', 'running', destination.reason)] : []),
        ...destinationEvents(run, phase.name, destination, run.result),
      ],
    });
    this.launch(updated);
    return updated;
  }

  private async expireWait(wait: WaitRecord): Promise<void> {
    const run = await this.store.getRun(wait.runId);
    if (!run || run.state !== 'waiting' || run.waitingFor !== wait.id) return;
    const phase = phaseNamed(this.workflow(run.workflow), wait.phase) as WaitPhase;
    const onDeadline = phase.wait.onDeadline ?? 'fail';
    if (onDeadline === 'accept' || onDeadline === 'reject') {
      await this.finishWait(run, phase, wait, { action: onDeadline, comment: 'deadline passed', expired: true }, 'expired');
      return;
    }
    if (onDeadline === 'expire') {
      // Nobody answered in time: the run ends `expired` at this phase (a rollback asks again), with the wait closed as expired.
      const reason = `${wait.kind} for phase "${wait.phase}" was not answered by its deadline (${new Date(wait.deadlineAt ?? this.core.now()).toISOString()})`;
      const resolution: WaitResolution = { action: 'expired', comment: reason };
      await commitRun(this.core, run, {
        closeWait: { id: wait.id, status: 'expired', resolution },
        patch: { state: 'expired', waitingFor: null, leaseOwner: null, leaseExpiresAt: null, finishedAt: this.core.now() },
        events: [events.waitResolved(wait.id, wait.kind, resolution), events.runState('waiting', 'expired', reason), events.workflowComplete('expired', null)],
      });
      return;
    }
    const error = new BatonError('DEADLINE_EXCEEDED', `${wait.kind} for phase "${wait.phase}" was not resolved before its deadline`, {
      details: { wait_id: wait.id, deadline_at: wait.deadlineAt },
      suggestions: ['retry the run to ask again'],
    });
    await commitRun(this.core, run, {
      closeWait: { id: wait.id, status: 'expired', resolution: { action: 'expired' } },
      patch: { state: 'failed', waitingFor: null, error: error.toJSON(), finishedAt: this.core.now() },
      events: [events.error(error.toJSON()), events.runState('waiting', 'failed', error.message), events.workflowComplete('failed', null)],
    });
  }

  // ---- reading --------------------------------------------------------------------------

  async history(runId: string): Promise<HandoffRecord[]> {
    await this.getRun(runId);
    return this.store.listHandoffs(runId);
  }

  async attempts(runId: string): Promise<AttemptRecord[]> {
    await this.getRun(runId);
    return this.store.listAttempts(runId);
  }

  async waits(runId: string): Promise<WaitRecord[]> {
    await this.getRun(runId);
    return this.store.listWaits(runId);
  }

  async readEvents(runId: string, afterSeq = 0, limit?: number): Promise<EventRecord[]> {
    await this.getRun(runId);
    return this.store.readEvents(runId, afterSeq, limit);
  }

  /** Every event of the run after `afterSeq`, then new ones as they commit (here or, on PostgreSQL, anywhere). */
  async follow(runId: string, afterSeq: number, listener: EventListener): Promise<Subscription> {
    await this.getRun(runId);
    return this.hub.follow(runId, afterSeq, listener);
  }

  /**
   * `follow` for a run the caller has just seen (its `run_created` event, or a listing): no read to
   * check it exists, and subscribed in the same tick, so nothing published meanwhile needs a read
   * either. A session stream follows every new run for each of its clients; with 100 clients the
   * check and the catch-up it caused were 200 store reads per run.
   */
  followKnown(runId: string, afterSeq: number, listener: EventListener): Subscription {
    return this.hub.follow(runId, afterSeq, listener);
  }

  /**
   * A place in one run's log for a caller that fans one `followKnown` subscription out to many
   * listeners: it offers each live event to every cursor, and each cursor delivers it exactly once
   * and in order, reading from the store what its listener missed (a late joiner's replay, a gap).
   */
  cursor(runId: string, afterSeq: number, listener: EventListener): RunCursor {
    return this.hub.cursor(runId, afterSeq, listener);
  }

  /** Live events of every run this process commits (e.g. to fan out by session). */
  watch(listener: EventListener): Subscription {
    return this.hub.watch(listener);
  }

  /**
   * Resolves once the run is in one of `states` (default: anything but running); rejects with
   * CONFLICT if it finishes in another state first.
   */
  async settled(runId: string, states: readonly RunState[] = ['waiting', ...FINISHED_STATES], options: { timeoutMs?: number } = {}): Promise<RunStatus> {
    const run = await this.getRun(runId);
    if (states.includes(run.state)) return this.statusOf(run);
    return new Promise((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const done = (settle: () => void) => {
        clearTimeout(timer);
        subscription.unsubscribe();
        settle();
      };
      const subscription = this.hub.follow(runId, run.lastSeq, (event) => {
        if (event.type !== 'run_state') return;
        const to = event.payload.to as RunState;
        if (states.includes(to)) {
          done(() => void this.status(runId).then(resolve, reject));
        } else if (FINISHED_STATES.includes(to)) {
          done(() => reject(new ConflictError(`run "${runId}" ended ${to} before reaching ${states.join(' or ')}`, { state: to })));
        }
      });
      // A caller that stops waiting must not leave its follower behind.
      if (options.timeoutMs !== undefined) timer = setTimeout(() => done(() => void this.status(runId).then(resolve, reject)), options.timeoutMs).unref();
    });
  }

  async stats(workflowName: string): Promise<WorkflowStats> {
    this.workflow(workflowName);
    const raw = await this.store.workflowStats(workflowName);
    const count = (s: RunState) => raw.byState[s] ?? 0;
    const total = Object.values(raw.byState).reduce((a, b) => a + b, 0);
    const finished = FINISHED_STATES.reduce((sum, s) => sum + count(s), 0);
    return {
      workflow: workflowName,
      total,
      byState: raw.byState,
      successRate: finished === 0 ? null : count('completed') / finished,
      meanDurationMs: raw.meanDurationMs,
      failuresByPhase: raw.failuresByPhase,
    };
  }

  // ---- the worker -----------------------------------------------------------------------

  private leaseForNow(): { leaseOwner: string; leaseExpiresAt: number } {
    return { leaseOwner: this.nodeId, leaseExpiresAt: this.core.now() + this.leaseMs };
  }

  /** Re-reads the run and applies `change`; retried a few times if the run moves meanwhile. */
  private async withFreshRun(runId: string, change: (run: RunRecord) => Promise<RunRecord>): Promise<RunRecord> {
    for (let tries = 1; ; tries++) {
      try {
        return await change(await this.getRun(runId));
      } catch (error) {
        if (!(error instanceof StaleRunError) || tries >= 5) throw error;
      }
    }
  }

  private launch(run: RunRecord, steps?: StepRecord[]): void {
    if (run.state !== 'running' || run.leaseOwner !== this.nodeId || this.drivers.has(run.id) || this.closing) return;
    const driver = new RunDriver(this.core, run, steps);
    const done = driver
      .drive()
      .catch((error: unknown) => this.onError(error, `run ${run.id}`))
      .finally(() => {
        this.drivers.delete(run.id);
        if (!this.closing) this.kick();
      });
    this.drivers.set(run.id, { driver, done });
  }

  private schedulePoll(): void {
    if (this.closing) return;
    this.timer = setTimeout(() => this.kick(), this.pollIntervalMs);
    this.timer.unref();
  }

  /** Runs one poll now unless one is under way. */
  private kick(): void {
    if (this.ticking || this.closing || this.timer === undefined) return;
    clearTimeout(this.timer);
    this.ticking = this.tick()
      .catch((error: unknown) => this.onError(error, 'poll'))
      .finally(() => {
        this.ticking = undefined;
        this.schedulePoll();
      });
  }

  private async tick(): Promise<void> {
    const now = this.core.now();
    await this.store.renewLeases(this.nodeId, [...this.drivers.keys()], now + this.leaseMs);
    const free = this.maxConcurrentRuns - this.drivers.size;
    if (free > 0) for (const run of await this.store.claimRuns(this.nodeId, now, this.leaseMs, free, this.workflowNames())) this.launch(run);
    for (const wait of await this.store.dueWaits(now, 100)) {
      await this.expireWait(wait).catch((error: unknown) => {
        if (!(error instanceof StaleRunError)) this.onError(error, `deadline of wait ${wait.id}`);
      });
    }
  }

  private async statusOf(run: RunRecord): Promise<RunStatus> {
    const workflow = this.workflows.get(run.workflow);
    const wait = run.waitingFor ? await this.store.getWait(run.waitingFor) : undefined;
    return {
      id: run.id,
      workflow: run.workflow,
      sessionId: run.sessionId,
      state: run.state,
      phase: run.phase,
      percent: workflow ? percentDone(workflow, run) : 0,
      completedPhases: run.completedPhases,
      waitingFor: wait ? { id: wait.id, kind: wait.kind, role: wait.role, phase: wait.phase, data: wait.data, deadlineAt: wait.deadlineAt } : null,
      parameters: run.parameters,
      result: run.result,
      error: run.error,
      lastSeq: run.lastSeq,
      createdAt: run.createdAt,
      updatedAt: run.updatedAt,
      finishedAt: run.finishedAt,
    };
  }
}

/** Checks a resolution against the wait's kind, role and data schema. */
/** Waits with an intake of their own (actuals, submissions) carry data only that intake checks: nothing else may resolve them. */
function checkIntake(phase: WaitPhase, wait: WaitRecord, intake: string | undefined): void {
  const own = phase.wait.intake;
  if (own === undefined || own.name === intake) return;
  throw new ConflictError(`${wait.kind} "${wait.id}" is answered through ${own.route}, not here`, { wait_id: wait.id, kind: wait.kind, route: own.route }, [
    `send it to ${own.route}`,
  ]);
}

function checkResolution(phase: WaitPhase, wait: WaitRecord, input: ResolutionInput): WaitResolution {
  const comment = input.comment === undefined ? {} : { comment: input.comment };
  const data = (): unknown => {
    const schema = phase.wait.schema;
    if (!schema) return input.data;
    const parsed = schema.safeParse(input.data);
    if (!parsed.success) throw new InvalidParametersError(`the data for ${wait.kind} "${wait.id}" is invalid`, issuesOf(parsed.error));
    return parsed.data;
  };
  if (wait.role !== null && input.role !== wait.role) {
    throw new BatonError('FORBIDDEN', `only role ${wait.role} may resolve the ${wait.kind} of phase "${wait.phase}"`, {
      details: { expected_role: wait.role, role: input.role ?? null },
    });
  }
  if (wait.kind === 'approval') {
    if (input.action === undefined)
      throw new InvalidParametersError('an approval needs an action', [{ path: 'action', message: 'expected accept, modify or reject' }]);
    if (input.action === 'modify') {
      if (input.data === undefined) throw new InvalidParametersError('modify needs data', [{ path: 'data', message: 'the modified values are required' }]);
      return { action: 'modify', data: data(), ...comment };
    }
    return { action: input.action, ...comment };
  }
  if (wait.role !== null) return { action: 'submit', role: wait.role, data: data(), ...comment };
  return { action: 'signal', data: data(), ...comment };
}
