/**
 * The engine's public face: start runs, read their status, steps, history and events, resolve
 * what they wait for, cancel, retry and roll back. The work behind it lives apart: the worker
 * (worker.ts), waits (waits.ts), rollback (rollback.ts), status and statistics (stats.ts).
 */
import { randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { refOf, type Actor } from '../actors/contracts.js';
import { CancelledError, ConflictError, InvalidTransitionError, NotFoundError, StaleRunError } from '../errors/index.js';
import { inputError } from '../errors/zod-issues.js';
import type { AttemptRecord, EventRecord, HandoffRecord, NodeRole, RunFilter, RunRecord, RunState, RunStore, WaitRecord } from '../store/types.js';
import type { AgentDefinition } from './agent.js';
import type { Decision } from './contracts.js';
import { commitRun, type EngineCore } from './core.js';
import { listDecisions, type DecisionQuery } from './decisions.js';
import { Membership } from './membership.js';
import { EventHub, type EventListener, type RunCursor, type Subscription } from './event-hub.js';
import { events } from './events.js';
import { AgentRegistry } from './registry.js';
import { rollbackCommit } from './rollback.js';
import { assertRunTransition, FINISHED_STATES, RUN_TRANSITIONS } from './run-states.js';
import { statusOf, workflowStatsOf, type RunStatus, type WorkflowStats } from './stats.js';
import { markedSteps, timelineOf, type RunStep } from './timeline.js';
import { assertMayOverrideWait, Waits, type ResolutionInput, type ResolveOptions } from './waits.js';
import { Worker } from './worker.js';
import { agentsOf, type WorkflowDefinition } from './workflow.js';

export { resolutionInput, type ResolutionInput, type ResolveOptions } from './waits.js';
export type { RunStatus, WorkflowStats } from './stats.js';
export type { DecisionQuery } from './decisions.js';
export type { RunStep } from './timeline.js';

export interface EngineOptions {
  store: RunStore;
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
  /**
   * False makes an API node (`baton serve --no-worker`): runs it starts or resumes are left without a
   * lease for a worker node to claim, and it claims none; start() still listens (streams, cancels)
   * and expires overdue waits. Default true.
   */
  drive?: boolean;
  /** What this node does, as its membership row shows it (default: all, or api when `drive` is false); `baton serve --worker-only` says worker. */
  role?: NodeRole;
  /** Baton's package version, shown in GET /api/nodes (default none). */
  version?: string;
  /** How often start() refreshes this node's row in `nodes` (default a third of the lease). */
  heartbeatMs?: number;
  /** The one clock of the engine and its agents (AgentContext.now); default Date.now. */
  now?: () => number;
  random?: () => number;
  onError?: (error: unknown, context: string) => void;
}

/** Who makes a decision (cancel, retry, rollback): recorded in the run's events and the audit. */
export interface DecisionOptions {
  actor?: Actor;
}

export interface StartRunOptions extends DecisionOptions {
  sessionId?: string;
  /** The same key returns the same run instead of starting another. */
  idempotencyKey?: string;
}

/** An agent handoff as `history` reads it: abandoned when a rollback left its timeline. */
export type HistoryEntry = HandoffRecord & { abandoned: boolean };

export class Engine {
  /** The engine's own: callers read runs through `getRun`/`status` and steps through `steps`; a workflow's data comes from its module. */
  private readonly store: RunStore;
  readonly agents: AgentRegistry;
  readonly nodeId: string;
  /** How long a claimed run stays this node's without renewal (what /api/nodes counts a heartbeat from). */
  get leaseMs(): number {
    return this.core.leaseMs;
  }
  /** The engine's one clock (its `now` option): what its leases, heartbeats and event times count on. */
  now(): number {
    return this.core.now();
  }
  private readonly workflows = new Map<string, WorkflowDefinition>();
  private readonly hub: EventHub;
  private readonly core: EngineCore;
  private readonly worker: Worker;
  private readonly waitsOf: Waits;
  private readonly membership: Membership;
  /** How often a started engine refreshes its node's row (what /api/nodes counts a node alive from). */
  readonly heartbeatMs: number;
  private readonly onError: (error: unknown, context: string) => void;

  constructor(options: EngineOptions) {
    this.store = options.store;
    this.nodeId = options.nodeId ?? `node-${randomUUID().slice(0, 8)}`;
    this.onError = options.onError ?? ((error, context) => console.error(`baton engine: ${context}:`, error));
    this.agents = new AgentRegistry(options.agents);
    this.hub = new EventHub(this.store, (error) => this.onError(error, 'event follower'));
    this.core = {
      store: this.store,
      agents: this.agents,
      hub: this.hub,
      nodeId: this.nodeId,
      leaseMs: options.leaseMs ?? 10_000,
      now: options.now ?? Date.now,
      random: options.random ?? Math.random,
      workflow: (name) => this.workflow(name),
      knows: (name) => this.workflows.has(name),
    };
    this.worker = new Worker(this.core, {
      pollIntervalMs: options.pollIntervalMs ?? 1000,
      maxConcurrentRuns: options.maxConcurrentRuns ?? 1000,
      onError: this.onError,
      workflowNames: () => this.workflowNames(),
      expireWait: (wait) => this.waitsOf.expire(wait),
      onForeignWrite: (runId) => void this.stopIfTakenAway(runId),
      drive: options.drive ?? true,
    });
    this.waitsOf = new Waits(this.core, this.worker);
    this.heartbeatMs = options.heartbeatMs ?? Math.round(this.core.leaseMs / 3);
    this.membership = new Membership({
      store: this.store,
      nodeId: this.nodeId,
      role: options.role ?? (options.drive === false ? 'api' : 'all'),
      version: options.version ?? null,
      heartbeatMs: this.heartbeatMs,
      now: () => this.core.now(),
      onError: this.onError,
    });
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

  /** Joins the nodes (its row in `nodes`, then a heartbeat), starts polling for orphaned runs and overdue waits, and listening to other processes. */
  async start(): Promise<void> {
    await this.membership.join();
    await this.worker.start();
  }

  /** Marks this node stopping in `nodes` (a graceful shutdown began: others show it so); close() does it too. */
  async beginShutdown(): Promise<void> {
    await this.membership.stopping();
  }

  /**
   * Stops taking work, lets in-flight agents go (their signal fires with SHUTDOWN; their steps re-run
   * elsewhere) and frees their leases; then deletes the node's row, a clean shutdown being over.
   */
  async close(): Promise<void> {
    await this.membership.stopping();
    await this.worker.close();
    await this.membership.leave();
  }

  // ---- runs ---------------------------------------------------------------------------

  /** Parses the parameters, lets the workflow refuse them (`admit`), then creates the run and drives it here or leaves it to a worker. */
  async startRun(workflowName: string, parameters: unknown, options: StartRunOptions = {}): Promise<RunStatus> {
    const workflow = this.workflow(workflowName);
    const parsed = workflow.parameters.safeParse(parameters);
    if (!parsed.success) throw inputError(`parameters for workflow "${workflow.name}"`, parameters, parsed.error);
    await workflow.admit?.(parsed.data);
    const now = this.core.now();
    const { run, created } = await this.worker.takeOn(
      async (lease) => {
        const written = await this.store.createRun(
          {
            id: randomUUID(),
            workflow: workflow.name,
            sessionId: options.sessionId ?? null,
            idempotencyKey: options.idempotencyKey ?? null,
            parameters: parsed.data,
            state: 'running',
            phase: workflow.phases[0]?.name ?? null,
            ...lease,
            createdAt: now,
            startedBy: options.actor ? refOf(options.actor) : null,
          },
          [events.runCreated(workflow.name, parsed.data, options.sessionId ?? null, options.actor && refOf(options.actor))],
        );
        // Followers hear of the run before its driver commits anything.
        if (written.created) this.hub.publish(written.events, written.run);
        return written;
      },
      // An idempotent repeat wrote nothing: nothing to take.
      (written) => (written.created ? written.run : undefined),
      [],
    );
    // A key is its caller's: another person's run is not theirs to be handed (nor its id, nor that it exists).
    if (!created && (run.startedBy?.id ?? null) !== (options.actor?.id ?? null)) {
      throw new ConflictError(`idempotency key "${options.idempotencyKey}" is already used by another caller`, {}, [
        'choose a key of your own, for example one that starts with your name or a random UUID',
      ]);
    }
    if (!created && run.workflow !== workflow.name) {
      throw new ConflictError(`idempotency key "${options.idempotencyKey}" already started a run of workflow "${run.workflow}"`, { run_id: run.id });
    }
    // A repeat is the same request sent again; a key reused for other parameters is a client's mistake, and
    // answering with the old run would let it believe its new parameters were planned. Compared as stored (JSON).
    if (!created && !isDeepStrictEqual(run.parameters, JSON.parse(JSON.stringify(parsed.data)))) {
      throw new ConflictError(`idempotency key "${options.idempotencyKey}" already started run ${run.id} with other parameters`, { run_id: run.id }, [
        'send the same parameters to get that run again, or a new idempotency key for a new run',
      ]);
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

  /** `status`, answered from the run as this process last committed it when no later event is known. */
  private latestStatus(runId: string): Promise<RunStatus> {
    const run = this.hub.latest(runId);
    return run ? this.statusOf(run) : this.status(runId);
  }

  /** A session's latest `limit` runs, oldest first, as stream followers need them: id and last event number. */
  sessionRunHeads(sessionId: string, limit: number): Promise<{ id: string; lastSeq: number }[]> {
    return this.store.sessionRunHeads(sessionId, limit);
  }

  async listRuns(filter: RunFilter = {}): Promise<{ runs: RunStatus[]; total: number }> {
    const { runs, total } = await this.store.listRuns(filter);
    // The page's open waits in one read, not one per waiting run.
    const waits = new Map((await this.store.getWaits(runs.flatMap((r) => (r.waitingFor ? [r.waitingFor] : [])))).map((w) => [w.id, w]));
    const known = { getWait: (id: string) => Promise.resolve(waits.get(id)) };
    return { runs: await Promise.all(runs.map((r) => statusOf(known, this.workflows.get(r.workflow), r))), total };
  }

  async cancelRun(runId: string, reason = 'cancelled by request', options: DecisionOptions = {}): Promise<RunStatus> {
    const actor = options.actor && refOf(options.actor);
    const run = await this.withFreshRun(runId, async (current) => {
      if (FINISHED_STATES.includes(current.state)) {
        // The transition table's suggestion ("allowed from completed: running") reads as if cancel could get there.
        throw new InvalidTransitionError(current.state, 'cancelled', RUN_TRANSITIONS[current.state], 'run state change', {
          message: `run "${runId}" has already ended ${current.state}: there is nothing to cancel`,
          suggestions: ['a finished run is not cancelled; roll it back to a phase (POST /api/runs/{id}/rollback) to run that phase again'],
        });
      }
      assertRunTransition(current.state, 'cancelled');
      if (current.waitingFor) assertMayOverrideWait(current, await this.store.getWait(current.waitingFor), options.actor, 'cancel');
      return commitRun(this.core, current, {
        patch: { state: 'cancelled', waitingFor: null, leaseOwner: null, leaseExpiresAt: null, finishedAt: this.core.now() },
        ...(current.waitingFor
          ? { closeWait: { id: current.waitingFor, status: 'cancelled' as const, resolution: { reason, ...(actor ? { by: actor } : {}) } } }
          : {}),
        events: [events.runState(current.state, 'cancelled', reason, actor), events.workflowComplete('cancelled', null)],
      });
    });
    this.worker.abort(runId, new CancelledError('run cancelled', { reason }));
    return this.statusOf(run);
  }

  private async stopIfTakenAway(runId: string): Promise<void> {
    const run = await this.store.getRun(runId).catch((error: unknown) => this.onError(error, `run ${runId}`));
    if (!run || !this.worker.drives(runId) || (run.state === 'running' && run.leaseOwner === this.nodeId)) return;
    if (run.state === 'running') {
      // Work is repeated: the step in flight here runs again on the node that took the run. An operator must see it.
      this.onError(
        new ConflictError(
          `run ${runId} was taken over by ${run.leaseOwner ?? 'no node yet'} while this node (${this.nodeId}) drove it: its lease lapsed ` +
            '(a stall longer than the lease, a clock ahead on another node, or another process with this node id); its agent stops here and its step runs again there',
          { run_id: runId, node: this.nodeId, lease_owner: run.leaseOwner },
        ),
        `run ${runId}: lease lost`,
      );
    }
    this.worker.abort(runId, run.state === 'cancelled' ? new CancelledError() : new ConflictError(`run ${run.state} elsewhere`));
  }

  /** Runs a failed run again from the step that failed, with a fresh retry budget. */
  async retryRun(runId: string, options: DecisionOptions = {}): Promise<RunStatus> {
    const run = await this.worker.takeOn(
      (lease) =>
        this.withFreshRun(runId, async (current) => {
          if (current.state !== 'failed') {
            throw new ConflictError(`run "${runId}" is ${current.state}; only failed runs can be retried`, { state: current.state }, [
              'roll back to a phase instead',
            ]);
          }
          return commitRun(this.core, current, {
            patch: { state: 'running', error: null, finishedAt: null, ...lease },
            events: [events.runState('failed', 'running', 'retry', options.actor && refOf(options.actor))],
          });
        }),
      (resumed) => resumed,
    );
    return this.statusOf(run);
  }

  /**
   * Sends a run back to an earlier phase on a new timeline: the steps from where the run first
   * reached that phase on are abandoned (kept in history, marked), the phases from there run
   * again seeing only the steps before it, and the workflow's `rollback` hook writes what that
   * means for its data, or refuses (then nothing changes).
   */
  async rollbackRun(runId: string, toPhase: string, reason = 'rollback by request', options: DecisionOptions = {}): Promise<RunStatus> {
    const actor = options.actor && refOf(options.actor);
    const run = await this.worker.takeOn(
      (lease) =>
        this.withFreshRun(runId, async (current) => {
          if (current.waitingFor) assertMayOverrideWait(current, await this.store.getWait(current.waitingFor), options.actor, 'roll back');
          return commitRun(this.core, current, await rollbackCommit(this.core, current, toPhase, reason, lease, actor));
        }),
      (resumed) => resumed,
    );
    return this.statusOf(run);
  }

  // ---- waits (approvals, submissions, signals) ------------------------------------------

  /** Resolves what a run waits for. Approvals take accept | modify (with data) | reject. */
  async resolveWait(runId: string, waitId: string, input: ResolutionInput, options: ResolveOptions = {}): Promise<RunStatus> {
    return this.statusOf(await this.waitsOf.resolve(runId, waitId, input, options));
  }

  // ---- reading --------------------------------------------------------------------------

  /**
   * The run's committed steps, oldest first. By default those of its current timeline only (what
   * its phases see: no rollback markers, nothing a rollback abandoned); with `all`, every step,
   * rollback markers (kind 'rollback') included, each marked `abandoned` or not.
   */
  async steps(runId: string, options: { all?: boolean } = {}): Promise<RunStep[]> {
    await this.getRun(runId);
    const steps = await this.store.listSteps(runId);
    return options.all ? markedSteps(steps) : timelineOf(steps).current.map((step) => ({ ...step, abandoned: false }));
  }

  /** The agent handoffs of every timeline, oldest first; those a rollback abandoned are marked. */
  async history(runId: string): Promise<HistoryEntry[]> {
    await this.getRun(runId);
    const [handoffs, steps] = await Promise.all([this.store.listHandoffs(runId), this.store.listSteps(runId)]);
    const abandoned = new Set([...timelineOf(steps).abandoned].map((s) => s.stepKey));
    return handoffs.map((handoff) => ({ ...handoff, abandoned: abandoned.has(handoff.stepKey) }));
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
    // A run driven here is known as last committed: no read, unless a later event of it is known.
    const run = this.hub.latest(runId) ?? (await this.getRun(runId));
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
          // After the commit's whole batch of events is published (it may end with more than this one), so `latest` can answer.
          done(() => queueMicrotask(() => void this.latestStatus(runId).then(resolve, reject)));
        } else if (FINISHED_STATES.includes(to)) {
          done(() => reject(new ConflictError(`run "${runId}" ended ${to} before reaching ${states.join(' or ')}`, { state: to })));
        }
      });
      // A caller that stops waiting must not leave its follower behind.
      if (options.timeoutMs !== undefined) timer = setTimeout(() => done(() => void this.status(runId).then(resolve, reject)), options.timeoutMs).unref();
    });
  }

  /** Decisions across runs (starts, approvals and votes, submissions, cancels, retries, rollbacks), oldest first: the audit. */
  async decisions(query: DecisionQuery = {}): Promise<Decision[]> {
    return listDecisions(this.store, query);
  }

  async stats(workflowName: string): Promise<WorkflowStats> {
    this.workflow(workflowName);
    return workflowStatsOf(workflowName, await this.store.workflowStats(workflowName));
  }

  // ---- helpers --------------------------------------------------------------------------

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

  private statusOf(run: RunRecord): Promise<RunStatus> {
    return statusOf(this.store, this.workflows.get(run.workflow), run);
  }
}
