/**
 * The records the engine persists and the one `RunStore` interface it talks to (runs, steps,
 * attempts, waits, events, leases), plus the database handle a workflow module builds its own
 * data access on. Nothing here knows a SQL dialect or a workflow; `sqlite/` and `postgres/` implement it.
 */
import type { CompiledQuery, CreateTableBuilder, Kysely, Migration, QueryResult } from 'kysely';
import type { ErrorBody } from '../errors/index.js';
import type { Work } from './unit-of-work.js';

export type { Work } from './unit-of-work.js';

/** What a migration may need to know of the database it runs on. */
export interface MigrationTarget {
  /**
   * SQLite keeps a rowid table plus a separate index for a composite primary key; WITHOUT ROWID
   * stores them as one b-tree, so each commit writes fewer pages (measured: commits ~30% faster).
   */
  clusteredPrimaryKey: <T extends string, C extends string>(table: CreateTableBuilder<T, C>) => CreateTableBuilder<T, C>;
  /**
   * Where Kysely keeps its migration bookkeeping. PostgreSQL answers with current_schema(): left
   * to itself Kysely finds its tables in any schema and then misses them under another search_path.
   */
  migrationSchema: (db: Kysely<unknown>) => Promise<string | undefined>;
  /**
   * Drops a table's foreign key to `runs` where checking it costs each step commit (PostgreSQL). SQLite keeps
   * its keys: it cannot drop a constraint without rebuilding the table.
   */
  dropRunForeignKey: (db: Kysely<unknown>, table: string) => Promise<void>;
}

import type { ActorRef } from '../actors/contracts.js';
import type { RUN_STATES, WaitPolicy, WaitVote } from './contracts.js';

export { MAX_EVENT_SEQ, RUN_STATES } from './contracts.js';
export type RunState = (typeof RUN_STATES)[number];

export interface RunRecord {
  id: string;
  workflow: string;
  sessionId: string | null;
  idempotencyKey: string | null;
  parameters: unknown;
  state: RunState;
  /** The phase the run is at (about to run, running or waiting in); null once it has finished. */
  phase: string | null;
  /** How many times each phase has been committed: the next step of phase P is `P#(visits[P]+1)`. */
  visits: Record<string, number>;
  completedPhases: string[];
  waitingFor: string | null;
  error: ErrorBody | null;
  result: unknown;
  /** Bumped by every state change; commits are fenced on it so a stale writer can never commit. */
  version: number;
  lastSeq: number;
  leaseOwner: string | null;
  leaseExpiresAt: number | null;
  createdAt: number;
  updatedAt: number;
  finishedAt: number | null;
  /** Who started it; null when the caller named nobody (or the run predates actors). */
  startedBy: ActorRef | null;
}

export type RunPatch = Partial<
  Pick<RunRecord, 'state' | 'phase' | 'visits' | 'completedPhases' | 'waitingFor' | 'error' | 'result' | 'leaseOwner' | 'leaseExpiresAt' | 'finishedAt'>
>;

export type NewRun = Pick<RunRecord, 'id' | 'workflow' | 'sessionId' | 'idempotencyKey' | 'parameters' | 'state' | 'phase'> &
  Pick<RunRecord, 'leaseOwner' | 'leaseExpiresAt' | 'createdAt'> & { startedBy?: ActorRef | null };

export type StepKind = 'agent' | 'skip' | 'wait' | 'rollback';

export interface StepRecord {
  runId: string;
  /** `phase#visit`: unique per run, so a committed step can never be committed again. */
  stepKey: string;
  phase: string;
  visit: number;
  kind: StepKind;
  agent: string | null;
  output: unknown;
  /** The run's version this step was committed at: orders a run's steps. */
  version: number;
  committedAt: number;
  /**
   * Agent steps only: the attempt that produced the output and the handoff that fed it (the
   * agent before it and the context it was given). Kept on the step row rather than in tables
   * of their own because every extra table a commit touches costs SQLite ~16 µs per step.
   */
  agentRun: { attempt: number; startedAt: number; durationMs: number; fromPhase: string | null; fromAgent: string | null; input: unknown } | null;
}
export type NewStep = Omit<StepRecord, 'runId' | 'version'>;

export type AttemptStatus = 'succeeded' | 'failed' | 'timed_out';

/** One call of an agent; failed ones are written as they happen, the successful one is the step itself. */

export interface AttemptRecord {
  runId: string;
  stepKey: string;
  attempt: number;
  agent: string;
  status: AttemptStatus;
  startedAt: number;
  durationMs: number;
  error: ErrorBody | null;
}
export type NewFailedAttempt = Omit<AttemptRecord, 'runId' | 'status' | 'error'> & { status: 'failed' | 'timed_out'; error: ErrorBody };

export interface HandoffRecord {
  runId: string;
  stepKey: string;
  fromPhase: string | null;
  fromAgent: string | null;
  toPhase: string;
  toAgent: string;
  /** The context the receiving agent was given. */
  payload: unknown;
  at: number;
}

export interface EventRecord {
  runId: string;
  seq: number;
  type: string;
  payload: Record<string, unknown>;
  at: number;
}
export type NewEvent = Pick<EventRecord, 'type' | 'payload'> & {
  /** Set on a decision (start, approval, submission, cancel, retry, rollback): the actor's id, which the audit looks up by. */
  actorId?: string;
};

/** A decision event with the workflow of its run, as the audit lists them. */
export interface DecisionRecord extends EventRecord {
  workflow: string;
  actorId: string;
}

/** Which decisions `listDecisions` returns: of one actor, in a time window (epoch ms, `since` included, `until` not), oldest first. */
export interface DecisionFilter {
  actorId?: string;
  since?: number;
  until?: number;
  /** Strictly after this decision in the list's order (at, run, seq): the next page, each decision exactly once. */
  after?: DecisionCursor;
  limit: number;
}

/** Where a page of decisions ended. */
export interface DecisionCursor {
  at: number;
  runId: string;
  seq: number;
}

export type WaitStatus = 'pending' | 'resolved' | 'expired' | 'cancelled';

export interface WaitRecord {
  id: string;
  runId: string;
  stepKey: string;
  phase: string;
  kind: string;
  role: string | null;
  data: unknown;
  status: WaitStatus;
  resolution: unknown;
  deadlineAt: number | null;
  createdAt: number;
  resolvedAt: number | null;
  /** Who may resolve it beyond `role`, fixed when it opened; null: anyone holding the role. */
  policy: WaitPolicy | null;
  /** The approvals collected toward its quorum so far (oldest first). */
  votes: WaitVote[];
}
export type NewWait = Omit<WaitRecord, 'runId' | 'status' | 'resolution' | 'resolvedAt' | 'policy' | 'votes'> & { policy?: WaitPolicy | null };

/** Everything one engine step changes, written in one transaction or not at all. */
export interface RunCommit {
  runId: string;
  /** The version the writer last saw; the commit fails with StaleRunError if it moved. */
  expectedVersion: number;
  /** When present the run's row changes and its version is bumped. */
  patch?: RunPatch;
  step?: NewStep;
  failedAttempt?: NewFailedAttempt;
  events?: NewEvent[];
  openWait?: NewWait;
  closeWait?: { id: string; status: Exclude<WaitStatus, 'pending'>; resolution: unknown };
  /** Records the votes of a wait that stays pending (a quorum not yet complete); CONFLICT if it is no longer pending. */
  updateWait?: { id: string; votes: WaitVote[] };
  /**
   * A workflow's own rows that belong to this step (e.g. the actuals a wait's resolution takes),
   * written in the same transaction after the version fence: a commit that loses writes none.
   */
  writes?: readonly DataWrite[];
  at: number;
}

/** A statement made by a workflow module's data access (e.g. season planning's `actualsWrites`); the engine passes it through unread. */
export type DataWrite = CompiledQuery;

export interface CommitResult {
  version: number;
  events: EventRecord[];
}

export interface RunFilter {
  workflow?: string;
  state?: RunState;
  sessionId?: string;
  limit?: number;
  offset?: number;
}

export interface WorkflowRunStats {
  byState: Partial<Record<RunState, number>>;
  meanDurationMs: number | null;
  failuresByPhase: { phase: string; count: number }[];
}

/** Which finished runs `pruneRuns` deletes: finished (or, lacking a finish time, last updated) before the cutoff. */
export interface PruneOptions {
  /** Epoch milliseconds: runs that finished before it go. */
  finishedBefore: number;
  /** Default: every finished state (completed, failed, cancelled, rejected); running and waiting are refused. */
  states?: readonly RunState[];
  /** Count what would go, delete nothing. */
  dryRun?: boolean;
}

export interface PruneResult {
  runs: number;
  runIds: string[];
  /** Rows deleted (or, on a dry run, that would be) per table, the runs themselves and the modules' tables included. */
  rows: Record<string, number>;
  /** Space freed as `spaceNote` says; null when not measured. */
  freedBytes: number | null;
  spaceNote: string;
  dryRun: boolean;
  finishedBefore: number;
  states: RunState[];
}

/** A note that a run's log grew, as seen by another process (PostgreSQL LISTEN/NOTIFY). */
export interface EventNotice {
  origin: string;
  runId: string;
  seq: number;
  /** On a new run's notice: its session (null when it has none), so other nodes' session streams can take it up. */
  sessionId?: string | null;
  /** The write left the run running with no lease (an API node started or resumed it): a worker with room claims it now, not at its next poll. */
  unclaimed?: boolean;
}

/** Whether a run written so waits for a worker's claim: running, and no node's lease. */
export const waitsForClaim = (run: { state?: string; leaseOwner?: string | null }): boolean => run.state === 'running' && run.leaseOwner === null;

export type Dialect = 'sqlite' | 'postgres';

/** What a node does: everything, the API only (`--no-worker`), or the runs only (`--worker-only`). */
export const NODE_ROLES = ['all', 'api', 'worker'] as const;
export type NodeRole = (typeof NODE_ROLES)[number];

/** A running Baton process as its membership row shows it (docs/CLUSTER.md). */
export interface NodeRecord {
  id: string;
  role: NodeRole;
  /** Baton's package version; null when the process did not say. */
  version: string | null;
  startedAt: number;
  heartbeatAt: number;
  /** When its graceful shutdown began; null while it serves. */
  stoppingAt: number | null;
}

/** What a node's heartbeat writes: its identity and when it started (`heartbeatAt` is the time of the beat). */
export type NodeBeat = Omit<NodeRecord, 'stoppingAt'>;

export interface RunStore {
  readonly dialect: Dialect;
  /** A human-readable line on what a committed step survives (process crash, power loss). */
  readonly durability: string;
  /** Names this process in event notices (so it can ignore its own). */
  readonly origin: string;

  migrate(): Promise<void>;
  ping(): Promise<void>;
  close(): Promise<void>;

  /** Inserts the run and its first events; with an idempotency key already used, returns that run. */
  createRun(run: NewRun, events: NewEvent[]): Promise<{ run: RunRecord; created: boolean; events: EventRecord[] }>;
  getRun(id: string): Promise<RunRecord | undefined>;
  listRuns(filter: RunFilter): Promise<{ runs: RunRecord[]; total: number }>;
  commit(commit: RunCommit): Promise<CommitResult>;

  listSteps(runId: string): Promise<StepRecord[]>;
  listAttempts(runId: string): Promise<AttemptRecord[]>;
  lastAttempt(runId: string, stepKey: string): Promise<number>;
  listHandoffs(runId: string): Promise<HandoffRecord[]>;
  readEvents(runId: string, afterSeq: number, limit?: number): Promise<EventRecord[]>;
  /** Decision events (those that name an actor) across runs, oldest first. */
  listDecisions(filter: DecisionFilter): Promise<DecisionRecord[]>;
  getWait(id: string): Promise<WaitRecord | undefined>;
  /** A session's latest runs as followers need them (id and last event), oldest first: no run's row read whole. */
  sessionRunHeads(sessionId: string, limit: number): Promise<{ id: string; lastSeq: number }[]>;
  /** The waits with these ids, in one read (a page of runs' open waits: no read per run). */
  getWaits(ids: readonly string[]): Promise<WaitRecord[]>;
  listWaits(runId: string): Promise<WaitRecord[]>;
  /** Pending waits of runs of the named workflows whose deadline has passed, earliest first (like claimRuns: another workflow's overdue waits cannot crowd out the caller's). */
  dueWaits(now: number, limit: number, workflows: readonly string[]): Promise<WaitRecord[]>;

  /** Takes up to `limit` running runs of the named workflows nobody holds (or whose lease expired) for `owner`, bumping their version. */
  claimRuns(owner: string, now: number, leaseMs: number, limit: number, workflows: readonly string[]): Promise<RunRecord[]>;
  renewLeases(owner: string, runIds: string[], expiresAt: number): Promise<void>;
  /** Of `runIds`, those still running under `owner`'s lease: a run missing was cancelled or taken over (the worker's periodic check for a lost notice). */
  heldLeases(owner: string, runIds: string[]): Promise<string[]>;
  /** Every node holding leases on running runs: how many, and its newest lease's expiry (what /api/nodes shows). */
  leaseHolders(): Promise<{ owner: string; leases: number; newestExpiry: number | null }[]>;
  /** Frees `owner`'s leases of `runIds` (the runs this process drove: another process under the same id keeps its own). */
  releaseLeases(owner: string, runIds: string[]): Promise<void>;

  /**
   * A node's heartbeat, one statement: inserts its row or refreshes it. A row already marked stopping
   * stays so unless the node started again since (another `startedAt`: a restart under the same id).
   */
  beatNode(beat: NodeBeat): Promise<void>;
  /** Marks a node's graceful shutdown begun (its row stays until `removeNode`), if the row is still the one it started. */
  markNodeStopping(id: string, startedAt: number, at: number): Promise<void>;
  /** Deletes a node's row, if it is still the one it started: its clean shutdown is over. */
  removeNode(id: string, startedAt: number): Promise<void>;
  /** Deletes the rows of nodes whose last heartbeat is older than `before` (nodes that died long ago); returns how many. */
  forgetNodes(before: number): Promise<number>;
  /** Every node with a row, by id. */
  listNodes(): Promise<NodeRecord[]>;

  workflowStats(workflow: string): Promise<WorkflowRunStats>;

  /** Deletes finished runs older than a cutoff with all their data, one transaction per run (never a running or waiting one). */
  pruneRuns(options: PruneOptions): Promise<PruneResult>;

  /**
   * Hears about events committed by other processes; returns a function that stops listening.
   * `onResync` is called when notices may have been lost (the connection dropped and came back).
   * This process's own notices come too only with `ownNotices`: a process alone on its database
   * otherwise sends none (PostgreSQL: peers.ts).
   */
  listen(onNotice: (notice: EventNotice) => void, onResync?: () => void, options?: ListenOptions): Promise<() => Promise<void>>;
}

export interface ListenOptions {
  /** Also hear this process's own commits (a follower of a run this process drives). */
  ownNotices?: boolean;
}

/**
 * What a workflow module brings to the database: its migrations (named so they sort after the
 * core's and keep the names databases already recorded) and its tables that hold rows of a run
 * (a `run_id` column), deleted with the run when it is pruned, in the run's transaction.
 */
export interface StoreModule {
  readonly name: string;
  migrations(target: MigrationTarget): Record<string, Migration>;
  readonly runTables?: readonly string[];
}

/**
 * The database as one module sees it: the Kysely instance typed by the module's own tables, and
 * the store's way of running statements (SQLite: synchronously on the one connection; PostgreSQL:
 * the pool) and units of work as one transaction. A module builds its data access on it; statements
 * it compiles are `DataWrite`s a run commit can carry.
 */
export interface ModuleDatabase<DB> {
  readonly dialect: Dialect;
  readonly db: Kysely<DB>;
  execute<Row>(query: CompiledQuery<Row>): Promise<QueryResult<Row>>;
  transact<T>(work: () => Work<T>): Promise<T>;
}

/** Gives modules their database handle; the CLI and tests hold it, agents and the engine never do. */
export interface DatabaseHost {
  database<DB>(): ModuleDatabase<DB>;
}

/** What `openStore` returns: the engine's run store and the modules' database host. */
export type BatonStore = RunStore & DatabaseHost;
