/**
 * The Store implementation shared by both dialects: every query is written once with Kysely.
 * What differs between SQLite and PostgreSQL is answered by a `DialectAdapter`, never by `if`.
 */
import { Migrator, type Compilable, type CompiledQuery, type Kysely, type Selectable } from 'kysely';
import { ConflictError, NotFoundError, StaleRunError } from '../errors/index.js';
import { hotQueries, newRunRow, type HotQueries, type RunColumns } from './hot-queries.js';
import { driveAsync, query, type Work } from './unit-of-work.js';
import type { DialectAdapter } from './dialect.js';
import { pruneRuns } from './retention.js';
import { composeMigrations, type Database, type EventsTable, type RunsTable, type StepsTable, type WaitsTable } from './schema.js';
import {
  attemptFromRow,
  attemptOf,
  decisionFromRow,
  eventsFromRow,
  handoffOf,
  nodeFromRow,
  patchToRow,
  runFromRow,
  stepFromRow,
  toJson,
  waitFromRow,
} from './rows.js';
import type {
  AttemptRecord,
  BatonStore,
  CommitResult,
  DecisionFilter,
  DecisionRecord,
  Dialect,
  EventNotice,
  EventRecord,
  HandoffRecord,
  ListenOptions,
  NodeBeat,
  NodeRecord,
  PruneOptions,
  PruneResult,
  NewEvent,
  NewRun,
  NewStep,
  RunCommit,
  RunFilter,
  RunRecord,
  RunState,
  ModuleDatabase,
  StepRecord,
  StoreModule,
  WaitRecord,
  WorkflowRunStats,
} from './types.js';
import { waitsForClaim } from './types.js';

const DEFAULT_PAGE = 50;

/**
 * A dialect's whole commit in one statement (PostgreSQL: commit-statement.ts), fenced like the unit
 * of work: it returns the bumped version and last_seq, or no row when the fence refused the writer.
 * `stepTaken` and `waitNotPending` recognise its two errors. Without one, a commit runs query by query.
 */
export interface OneStatementCommit {
  /** With `notifyAs` (this process's origin) the statement announces its events itself. */
  statement(c: RunCommit, patch: Partial<RunsTable>, notifyAs?: string): CompiledQuery<{ version: number; last_seq: number }>;
  /** A new run and its first events in one statement, announcing them when given their notice; without it, a transaction of one insert each. */
  createRun?(row: RunsTable, events: readonly NewEvent[], notice?: EventNotice): CompiledQuery;
  /**
   * Whether a statement starting now should carry its own notice (see postgres-store.ts); each `begin`
   * is followed by one `end`. Without it, every commit is announced after it returns.
   */
  notices?: { begin(): boolean; end(): void };
  stepTaken(error: unknown): boolean;
  waitNotPending(error: unknown): boolean;
}

export type { DialectAdapter } from './dialect.js';

export class KyselyStore implements BatonStore {
  readonly dialect: Dialect;
  readonly durability: string;
  private readonly queries: HotQueries;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly adapter: DialectAdapter,
    readonly origin: string,
    /** The workflow modules whose tables live in this database: their migrations and run tables. */
    private readonly modules: readonly StoreModule[] = [],
    private readonly oneStatement?: OneStatementCommit,
  ) {
    this.dialect = adapter.dialect;
    this.durability = adapter.durability;
    this.queries = hotQueries(db);
  }

  /** The same connection typed by a module's own tables: the module's queries are its own, the transactions the store's. */
  database<DB>(): ModuleDatabase<DB> {
    const { adapter } = this;
    return {
      dialect: adapter.dialect,
      db: this.db as unknown as Kysely<DB>,
      execute: (query) => adapter.execute(query),
      transact: (work) => adapter.transact(work),
    };
  }

  /** The migration names this database has recorded (none before the first migration). */
  private async recordedMigrations(schema: string | undefined): Promise<string[]> {
    const db = (schema === undefined ? this.db : this.db.withSchema(schema)) as unknown as Kysely<{ kysely_migration: { name: string } }>;
    try {
      return (await db.selectFrom('kysely_migration').select('name').execute()).map((r) => r.name);
    } catch {
      return []; // no bookkeeping table yet: a new database
    }
  }

  async migrate(): Promise<void> {
    const schema = await this.adapter.migrationTarget.migrationSchema(this.db as unknown as Kysely<unknown>);
    const { error, results } = await new Migrator({
      db: this.db,
      provider: composeMigrations(this.adapter.migrationTarget, this.modules, await this.recordedMigrations(schema)),
      migrationTableSchema: schema,
      // Modules are independent: one added to a database later runs its migrations after others' newer ones.
      allowUnorderedMigrations: true,
    }).migrateToLatest();
    const failed = results?.find((r) => r.status === 'Error');
    if (error !== undefined || failed) {
      const reason = error instanceof Error ? error.message : failed ? 'see the cause' : 'unknown error';
      throw new Error(`database migration ${failed?.migrationName ?? ''} failed: ${reason}`, { cause: error });
    }
  }

  async ping(): Promise<void> {
    await this.all(this.db.selectFrom('runs').select('id').limit(1));
  }

  async close(): Promise<void> {
    await this.adapter.closeExtras();
    await this.db.destroy();
  }

  async createRun(run: NewRun, events: NewEvent[]): Promise<{ run: RunRecord; created: boolean; events: EventRecord[] }> {
    const records = events.map((e, i) => ({ runId: run.id, seq: i + 1, type: e.type, payload: e.payload, at: run.createdAt }));
    try {
      const one = this.oneStatement;
      const notice = this.noticeOf(records, run, run.sessionId);
      const create = one?.createRun?.bind(one);
      if (one && create)
        await this.oneStatementWrite(
          one,
          notice !== undefined,
          (inline) => this.adapter.execute(create(newRunRow(run, records.length), events, inline ? notice : undefined)),
          () => notice,
        );
      else {
        await this.adapter.transact(() => this.createRunWork(run, records, events));
        if (notice) this.adapter.announce(notice);
      }
    } catch (error) {
      if (run.idempotencyKey === null || !this.adapter.isUniqueViolation(error)) throw error;
      const [row] = await this.all(this.db.selectFrom('runs').selectAll().where('idempotency_key', '=', run.idempotencyKey));
      if (!row) throw error;
      return { run: runFromRow(row), created: false, events: [] };
    }
    return { run: runFromRow(newRunRow(run, events.length)), created: true, events: records };
  }

  private *createRunWork(run: NewRun, records: EventRecord[], events: readonly NewEvent[]): Work<void> {
    yield* query(this.queries.insertRun(newRunRow(run, records.length)));
    yield* this.insertEvents(records, events);
  }

  async getRun(id: string): Promise<RunRecord | undefined> {
    const [row] = await this.rows<Selectable<RunsTable>>(this.queries.getRun({ id }));
    return row && runFromRow(row);
  }

  async listRuns(filter: RunFilter): Promise<{ runs: RunRecord[]; total: number }> {
    let query = this.db.selectFrom('runs');
    if (filter.workflow !== undefined) query = query.where('workflow', '=', filter.workflow);
    if (filter.state !== undefined) query = query.where('state', '=', filter.state);
    if (filter.sessionId !== undefined) query = query.where('session_id', '=', filter.sessionId);
    const rows = await this.all(
      query
        .selectAll()
        .orderBy('created_at', 'desc')
        .orderBy('id')
        .limit(filter.limit ?? DEFAULT_PAGE)
        .offset(filter.offset ?? 0),
    );
    const [count] = await this.all(query.select((eb) => eb.fn.countAll<number>().as('n')));
    return { runs: rows.map(runFromRow), total: Number(count?.n ?? 0) };
  }

  /** Runs a builder's query through the adapter. */
  private async all<Row>(query: Compilable<Row>): Promise<Row[]> {
    return (await this.adapter.execute(query.compile())).rows;
  }

  private async rows<Row>(query: CompiledQuery): Promise<Row[]> {
    return (await this.adapter.execute(query)).rows as Row[];
  }

  async commit(c: RunCommit): Promise<CommitResult> {
    const one = this.oneStatement;
    if (!one) return this.announced(await this.adapter.transact(() => this.commitWork(c)), c);
    // A module's writes are arbitrary statements that may read each other's rows, which CTEs of one statement
    // could not: they follow the fenced statement in a transaction (rare: a wait's resolution, not a step).
    if (c.writes?.length) return this.announced(await this.adapter.transact(() => this.statementWork(c, one, false)), c);
    // Without writes the statement is the whole commit: one round trip, no transaction around it (the reasons for a refusal are read only when there is one).
    return this.oneStatementWrite(
      one,
      (c.events?.length ?? 0) > 0,
      (inline) => driveAsync(this.statementWork(c, one, inline), (q) => this.adapter.execute(q)),
      (result) => this.noticeOf(result.events, c.patch),
    );
  }

  /**
   * A write of one statement. When it has events and is this process's only such write in flight (the
   * dialect's `notices` says so), `write(true)` builds it to announce them itself; otherwise its notice
   * goes out after it returns.
   */
  private async oneStatementWrite<T>(
    one: OneStatementCommit,
    hasEvents: boolean,
    write: (inline: boolean) => Promise<T>,
    noticeOf: (result: T) => EventNotice | undefined,
  ): Promise<T> {
    const inline = (one.notices?.begin() ?? false) && hasEvents;
    try {
      const result = await write(inline);
      const notice = inline ? undefined : noticeOf(result);
      if (notice) this.adapter.announce(notice);
      return result;
    } finally {
      one.notices?.end();
    }
  }

  /** The fenced statement (announcing its events itself when `inline`), then the module's writes if any. */
  private *statementWork(c: RunCommit, one: OneStatementCommit, inline: boolean): Work<CommitResult> {
    let rows: { version: number; last_seq: number }[];
    try {
      ({ rows } = yield* query<{ version: number; last_seq: number }>(one.statement(c, c.patch ? patchToRow(c.patch) : {}, inline ? this.origin : undefined)));
    } catch (error) {
      throw this.statementError(c, one, error);
    }
    const [row] = rows;
    if (!row) throw yield* this.staleReason(c);
    for (const write of c.writes ?? []) yield* query(write);
    return this.committed(c, row);
  }

  private statementError(c: RunCommit, one: OneStatementCommit, error: unknown): unknown {
    if (c.step && one.stepTaken(error)) return new StaleRunError(c.runId, c.expectedVersion, `step ${c.step.stepKey} is already committed`);
    const wait = c.closeWait ?? c.updateWait;
    if (wait && one.waitNotPending(error)) return new ConflictError(`wait "${wait.id}" is not pending`, { wait_id: wait.id });
    return error;
  }

  private committed(c: RunCommit, row: { version: number; last_seq: number }): CommitResult {
    const newEvents = c.events ?? [];
    const firstSeq = Number(row.last_seq) - newEvents.length + 1;
    return {
      version: Number(row.version),
      events: newEvents.map((e, i) => ({ runId: c.runId, seq: firstSeq + i, type: e.type, payload: e.payload, at: c.at })),
    };
  }

  /** The notice for a write's events: its run's last seq, for a new run its session, and whether the write left the run for a worker to claim. */
  private noticeOf(
    events: readonly EventRecord[],
    written: { state?: string; leaseOwner?: string | null } = {},
    newRunSession?: string | null,
  ): EventNotice | undefined {
    const last = events.at(-1);
    if (!last) return undefined;
    const notice: EventNotice = { origin: this.origin, runId: last.runId, seq: last.seq };
    if (newRunSession !== undefined) notice.sessionId = newRunSession;
    if (waitsForClaim(written)) notice.unclaimed = true;
    return notice;
  }

  private announced(result: CommitResult, c: RunCommit): CommitResult {
    const notice = this.noticeOf(result.events, c.patch);
    if (notice) this.adapter.announce(notice);
    return result;
  }

  private *commitWork(c: RunCommit): Work<CommitResult> {
    const q = this.queries;
    const newEvents = c.events ?? [];
    const patch = c.patch ? patchToRow(c.patch) : {};
    const columns = (Object.keys(patch) as RunColumns[]).sort();
    const { rows } = yield* query<{ version: number; last_seq: number }>(
      // A vote moves the version too: two voters who read the same version cannot both write their list of votes.
      q.bumpRun(columns)({ ...patch, bump: c.patch || c.updateWait ? 1 : 0, added: newEvents.length, at: c.at, id: c.runId, expected: c.expectedVersion }),
    );
    const bumped = rows[0];
    if (!bumped) throw yield* this.staleReason(c);
    const version = Number(bumped.version);
    const lastSeq = Number(bumped.last_seq);

    if (c.step) yield* this.insertStep(c, c.step, version);
    if (c.failedAttempt) {
      const a = c.failedAttempt;
      yield* query(
        q.insertAttempt({
          run_id: c.runId,
          step_key: a.stepKey,
          attempt: a.attempt,
          agent: a.agent,
          status: a.status,
          started_at: a.startedAt,
          duration_ms: a.durationMs,
          error: toJson(a.error),
        }),
      );
    }
    if (c.closeWait) {
      const w = c.closeWait;
      const closed = yield* query(q.closeWait({ id: w.id, status: w.status, resolution: toJson(w.resolution), resolved_at: c.at }));
      if (closed.numAffectedRows === 0n) throw new ConflictError(`wait "${w.id}" is not pending`, { wait_id: w.id });
    }
    if (c.updateWait) {
      const w = c.updateWait;
      const updated = yield* query(q.voteOnWait({ id: w.id, votes: toJson(w.votes) }));
      if (updated.numAffectedRows === 0n) throw new ConflictError(`wait "${w.id}" is not pending`, { wait_id: w.id });
    }
    for (const write of c.writes ?? []) yield* query(write);
    if (c.openWait) {
      const w = c.openWait;
      yield* query(
        q.openWait({
          id: w.id,
          run_id: c.runId,
          step_key: w.stepKey,
          phase: w.phase,
          kind: w.kind,
          role: w.role,
          data: toJson(w.data),
          deadline_at: w.deadlineAt,
          created_at: w.createdAt,
          policy: w.policy ? toJson(w.policy) : null,
        }),
      );
    }
    const firstSeq = lastSeq - newEvents.length + 1;
    const events = newEvents.map((e, i) => ({ runId: c.runId, seq: firstSeq + i, type: e.type, payload: e.payload, at: c.at }));
    yield* this.insertEvents(events, newEvents);
    return { version, events };
  }

  private *insertStep(c: RunCommit, s: NewStep, version: number): Work<void> {
    try {
      yield* query(
        this.queries.insertStep({
          run_id: c.runId,
          step_key: s.stepKey,
          phase: s.phase,
          visit: s.visit,
          kind: s.kind,
          agent: s.agent,
          output: toJson(s.output),
          version,
          committed_at: s.committedAt,
          attempt: s.agentRun?.attempt ?? null,
          started_at: s.agentRun?.startedAt ?? null,
          duration_ms: s.agentRun?.durationMs ?? null,
          from_phase: s.agentRun?.fromPhase ?? null,
          from_agent: s.agentRun?.fromAgent ?? null,
          input: s.agentRun ? toJson(s.agentRun.input) : null,
        }),
      );
    } catch (error) {
      if (!this.adapter.isUniqueViolation(error)) throw error;
      throw new StaleRunError(c.runId, c.expectedVersion, `step ${s.stepKey} is already committed`);
    }
  }

  /** `records` numbered, `events` as given (same order): a decision's actor goes in its own column, not the payload. */
  private *insertEvents(records: EventRecord[], events: readonly NewEvent[]): Work<void> {
    for (const [i, e] of records.entries()) {
      yield* query(
        this.queries.insertEvent({
          run_id: e.runId,
          seq: e.seq,
          type: e.type,
          payload: toJson(e.payload),
          at: e.at,
          actor_id: events[i]?.actorId ?? null,
          batch: null,
        }),
      );
    }
  }

  private *staleReason(c: RunCommit): Work<Error> {
    const { rows } = yield* query<{ version: number; state: string }>(this.queries.runVersion({ id: c.runId }));
    const row = rows[0];
    if (!row) return new NotFoundError('run', c.runId);
    return new StaleRunError(c.runId, c.expectedVersion, `it is now at version ${row.version} (${row.state})`);
  }

  async listSteps(runId: string): Promise<StepRecord[]> {
    return (await this.rows<Selectable<StepsTable>>(this.queries.listSteps({ run_id: runId }))).map(stepFromRow);
  }

  /**
   * Failed attempts as logged, plus each committed agent step's successful one, in the order they
   * were made: by the step they belong to (in commit order; a step not committed yet comes last),
   * then by attempt number. Clock times alone cannot order attempts made in the same millisecond.
   */
  async listAttempts(runId: string): Promise<AttemptRecord[]> {
    const failed = (await this.all(this.db.selectFrom('attempts').selectAll().where('run_id', '=', runId))).map(attemptFromRow);
    const steps = await this.listSteps(runId);
    const committedAt = new Map(steps.map((s) => [s.stepKey, s.version]));
    const rank = (a: AttemptRecord) => committedAt.get(a.stepKey) ?? Number.MAX_SAFE_INTEGER;
    const succeeded = steps.flatMap((step) => attemptOf(step) ?? []);
    return [...failed, ...succeeded].sort((a, b) => rank(a) - rank(b) || a.startedAt - b.startedAt || a.attempt - b.attempt);
  }

  async lastAttempt(runId: string, stepKey: string): Promise<number> {
    const [row] = await this.rows<{ n: number | null }>(this.queries.lastAttempt({ run_id: runId, step_key: stepKey }));
    return Number(row?.n ?? 0);
  }

  async listHandoffs(runId: string): Promise<HandoffRecord[]> {
    return (await this.listSteps(runId)).flatMap((step) => handoffOf(step) ?? []);
  }

  async readEvents(runId: string, afterSeq: number, limit = 10_000): Promise<EventRecord[]> {
    // Every row holds at least one event after `afterSeq` (its last), so `limit` rows hold at least `limit` events.
    const rows = await this.rows<Selectable<EventsTable>>(this.queries.readEvents({ run_id: runId, after: afterSeq, limit }));
    const events = rows.flatMap(eventsFromRow);
    const first = events.findIndex((e) => e.seq > afterSeq);
    return first < 0 ? [] : events.slice(first, first + limit);
  }

  async listDecisions(filter: DecisionFilter): Promise<DecisionRecord[]> {
    // `actor_id is not null` and the order by `at` match the partial index events_decisions.
    let decisions = this.db
      .selectFrom('events')
      .innerJoin('runs', 'runs.id', 'events.run_id')
      .selectAll('events')
      .select('runs.workflow')
      .where('events.actor_id', 'is not', null);
    if (filter.actorId !== undefined) decisions = decisions.where('events.actor_id', '=', filter.actorId);
    if (filter.since !== undefined) decisions = decisions.where('events.at', '>=', filter.since);
    if (filter.until !== undefined) decisions = decisions.where('events.at', '<', filter.until);
    const after = filter.after;
    if (after !== undefined) {
      decisions = decisions.where((eb) => eb(eb.refTuple('events.at', 'events.run_id', 'events.seq'), '>', eb.tuple(after.at, after.runId, after.seq)));
    }
    const rows = await this.all(decisions.orderBy('events.at').orderBy('events.run_id').orderBy('events.seq').limit(filter.limit));
    return rows.map(decisionFromRow);
  }

  async getWait(id: string): Promise<WaitRecord | undefined> {
    const [row] = await this.rows<Selectable<WaitsTable>>(this.queries.getWait({ id }));
    return row && waitFromRow(row);
  }

  async sessionRunHeads(sessionId: string, limit: number): Promise<{ id: string; lastSeq: number }[]> {
    const rows = await this.all(
      this.db.selectFrom('runs').select(['id', 'last_seq']).where('session_id', '=', sessionId).orderBy('created_at', 'desc').orderBy('id').limit(limit),
    );
    return rows.reverse().map((row) => ({ id: row.id, lastSeq: Number(row.last_seq) }));
  }

  async getWaits(ids: readonly string[]): Promise<WaitRecord[]> {
    if (ids.length === 0) return [];
    const rows = await this.all(
      this.db
        .selectFrom('waits')
        .selectAll()
        .where('id', 'in', [...new Set(ids)]),
    );
    return rows.map(waitFromRow);
  }

  async listWaits(runId: string): Promise<WaitRecord[]> {
    const rows = await this.all(this.db.selectFrom('waits').selectAll().where('run_id', '=', runId).orderBy('created_at'));
    return rows.map(waitFromRow);
  }

  async dueWaits(now: number, limit: number, workflows: readonly string[]): Promise<WaitRecord[]> {
    // Only the waits a caller can expire: the overdue waits of a workflow this node does not run stay for a node that does.
    if (workflows.length === 0 || limit <= 0) return [];
    const rows = await this.all(
      this.db
        .selectFrom('waits')
        .selectAll()
        .where('status', '=', 'pending')
        .where('deadline_at', '<=', now)
        .where('run_id', 'in', (eb) => eb.selectFrom('runs').select('id').where('workflow', 'in', workflows))
        .orderBy('deadline_at')
        .limit(limit),
    );
    return rows.map(waitFromRow);
  }

  async claimRuns(owner: string, now: number, leaseMs: number, limit: number, workflows: readonly string[]): Promise<RunRecord[]> {
    // A node claims only what it can drive: another workflow's run stays for a node that registered it.
    if (workflows.length === 0 || limit <= 0) return [];
    // The candidates are chosen once, in a materialised CTE. As `id IN (SELECT … LIMIT n FOR UPDATE SKIP LOCKED)`,
    // PostgreSQL ran the subquery again for each row the UPDATE scanned; every row it updated moved to the end of the
    // `updated_at` order, so the next scan found the next run, and a claim of 1 took every runnable run (3 of 3, every time).
    const rows = await this.all(
      this.db
        .with(
          (cte) => cte('candidates').materialized(),
          (db) =>
            this.adapter.lockClaimCandidates(
              db
                .selectFrom('runs')
                .select('id')
                .where('state', '=', 'running')
                .where('workflow', 'in', workflows)
                .where((eb) => eb.or([eb('lease_owner', 'is', null), eb('lease_expires_at', '<', now)]))
                .orderBy('updated_at')
                .limit(limit),
            ),
        )
        .updateTable('runs')
        .set((eb) => ({ lease_owner: owner, lease_expires_at: now + leaseMs, version: eb('version', '+', 1), updated_at: now }))
        .where('id', 'in', (eb) => eb.selectFrom('candidates').select('candidates.id'))
        .where('state', '=', 'running')
        .returningAll(),
    );
    return rows.map(runFromRow);
  }

  async renewLeases(owner: string, runIds: string[], expiresAt: number): Promise<void> {
    if (runIds.length === 0) return;
    await this.all(this.db.updateTable('runs').set({ lease_expires_at: expiresAt }).where('lease_owner', '=', owner).where('id', 'in', runIds));
  }

  async leaseHolders(): Promise<{ owner: string; leases: number; newestExpiry: number | null }[]> {
    const rows = await this.all(
      this.db
        .selectFrom('runs')
        .select((eb) => ['lease_owner', eb.fn.countAll<number>().as('leases'), eb.fn.max('lease_expires_at').as('newest')])
        .where('lease_owner', 'is not', null)
        .where('state', '=', 'running')
        .groupBy('lease_owner'),
    );
    return rows.map((row) => ({ owner: row.lease_owner ?? '', leases: Number(row.leases), newestExpiry: row.newest === null ? null : Number(row.newest) }));
  }

  async heldLeases(owner: string, runIds: string[]): Promise<string[]> {
    if (runIds.length === 0) return [];
    const rows = await this.all(
      this.db.selectFrom('runs').select('id').where('lease_owner', '=', owner).where('state', '=', 'running').where('id', 'in', runIds),
    );
    return rows.map((row) => row.id);
  }

  async releaseLeases(owner: string, runIds: string[]): Promise<void> {
    if (runIds.length === 0) return;
    await this.all(this.db.updateTable('runs').set({ lease_owner: null, lease_expires_at: null }).where('lease_owner', '=', owner).where('id', 'in', runIds));
  }

  async beatNode(beat: NodeBeat): Promise<void> {
    await this.all(
      this.db
        .insertInto('nodes')
        .values({ id: beat.id, role: beat.role, version: beat.version, started_at: beat.startedAt, heartbeat_at: beat.heartbeatAt, stopping_at: null })
        .onConflict((oc) =>
          oc.column('id').doUpdateSet((eb) => ({
            role: eb.ref('excluded.role'),
            version: eb.ref('excluded.version'),
            started_at: eb.ref('excluded.started_at'),
            heartbeat_at: eb.ref('excluded.heartbeat_at'),
            // A beat that was in flight when the shutdown began must not unmark it; a restart under the same id must.
            stopping_at: eb.case().when('nodes.started_at', '=', eb.ref('excluded.started_at')).then(eb.ref('nodes.stopping_at')).else(null).end(),
          })),
        ),
    );
  }

  async markNodeStopping(id: string, startedAt: number, at: number): Promise<void> {
    await this.all(this.db.updateTable('nodes').set({ stopping_at: at }).where('id', '=', id).where('started_at', '=', startedAt));
  }

  async removeNode(id: string, startedAt: number): Promise<void> {
    await this.all(this.db.deleteFrom('nodes').where('id', '=', id).where('started_at', '=', startedAt));
  }

  async forgetNodes(before: number): Promise<number> {
    const gone = await this.all(this.db.deleteFrom('nodes').where('heartbeat_at', '<', before).returning('id'));
    return gone.length;
  }

  async listNodes(): Promise<NodeRecord[]> {
    return (await this.all(this.db.selectFrom('nodes').selectAll().orderBy('id'))).map(nodeFromRow);
  }

  async workflowStats(workflow: string): Promise<WorkflowRunStats> {
    const runs = this.db.selectFrom('runs').where('workflow', '=', workflow);
    const states = await this.all(runs.select(['state', (eb) => eb.fn.countAll<number>().as('n')]).groupBy('state'));
    const [duration] = await this.all(
      runs.select((eb) => eb.fn.avg<number>(eb('finished_at', '-', eb.ref('created_at'))).as('mean')).where('state', '=', 'completed'),
    );
    const failures = await this.all(
      runs
        .select(['phase', (eb) => eb.fn.countAll<number>().as('n')])
        .where('state', '=', 'failed')
        .groupBy('phase')
        .orderBy('n', 'desc'),
    );
    const byState: Partial<Record<RunState, number>> = {};
    for (const s of states) byState[s.state as RunState] = Number(s.n);
    return {
      byState,
      meanDurationMs: duration?.mean === null || duration?.mean === undefined ? null : Number(duration.mean),
      failuresByPhase: failures.map((f) => ({ phase: f.phase ?? '(finished)', count: Number(f.n) })),
    };
  }

  listen(onNotice: (notice: EventNotice) => void, onResync?: () => void, options?: ListenOptions): Promise<() => Promise<void>> {
    return this.adapter.listen(onNotice, onResync, options);
  }

  /** See src/store/retention.ts. */
  pruneRuns(options: PruneOptions): Promise<PruneResult> {
    return pruneRuns(
      this.db,
      this.adapter,
      options,
      this.modules.flatMap((m) => m.runTables ?? []),
    );
  }
}
