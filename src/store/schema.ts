/**
 * The engine's table shapes as Kysely sees them, its migrations, and how the modules' migrations join them.
 * JSON travels as text and timestamps as epoch milliseconds, so both dialects store the same bytes.
 */
import { sql, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import type { MigrationTarget, StoreModule } from './types.js';

export interface RunsTable {
  id: string;
  workflow: string;
  session_id: string | null;
  idempotency_key: string | null;
  parameters: string;
  state: string;
  phase: string | null;
  visits: string;
  completed_phases: string;
  waiting_for: string | null;
  error: string | null;
  result: string | null;
  version: number;
  last_seq: number;
  lease_owner: string | null;
  lease_expires_at: number | null;
  created_at: number;
  updated_at: number;
  finished_at: number | null;
  /** The actor who started the run (an ActorRef as JSON); null before actors existed or when none was given. */
  started_by: string | null;
}

export interface StepsTable {
  run_id: string;
  step_key: string;
  phase: string;
  visit: number;
  kind: string;
  agent: string | null;
  output: string | null;
  version: number;
  committed_at: number;
  attempt: number | null;
  started_at: number | null;
  duration_ms: number | null;
  from_phase: string | null;
  from_agent: string | null;
  input: string | null;
}

export interface AttemptsTable {
  run_id: string;
  step_key: string;
  attempt: number;
  agent: string;
  status: string;
  started_at: number;
  duration_ms: number;
  error: string | null;
}

export interface EventsTable {
  run_id: string;
  seq: number;
  type: string;
  payload: string;
  at: number;
  /** Set on decisions (start, approvals, submissions, cancels, retries, rollbacks): who made it; the audit reads these. */
  actor_id: string | null;
  /**
   * Null for a row of one event. n for a row holding a whole commit's n events (PostgreSQL's step commits, see
   * commit-statement.ts): `seq` is the last one's, `type` is `batch`, and `payload` a JSON array of [type, payload].
   */
  batch: number | null;
}

export interface WaitsTable {
  id: string;
  run_id: string;
  step_key: string;
  phase: string;
  kind: string;
  role: string | null;
  data: string | null;
  status: string;
  resolution: string | null;
  deadline_at: number | null;
  created_at: number;
  resolved_at: number | null;
  /** Who may resolve it beyond `role` (a quorum of roles, actors it must not be), as JSON; null: anyone with the role. */
  policy: string | null;
  /** The approvals collected so far toward a quorum, as JSON; null: none yet. */
  votes: string | null;
}

/** People and services that may call Baton; tokens are kept apart, only as salted hashes. */
export interface ActorsTable {
  id: string;
  name: string;
  kind: string;
  scope: string;
  /** JSON array of role names. */
  roles: string;
  created_at: number;
  revoked_at: number | null;
}

export interface ActorTokensTable {
  id: string;
  actor_id: string;
  salt: string;
  hash: string;
  label: string | null;
  created_at: number;
  revoked_at: number | null;
}

/**
 * The Baton processes sharing this database ("nodes"), one row each while it runs: written at its
 * start and by its heartbeat, marked when a graceful shutdown begins, deleted when it ends. Nothing
 * in it changes per request.
 */
export interface NodesTable {
  id: string;
  /** all | api | worker: what the node does (NODE_ROLES). */
  role: string;
  /** Baton's package version the node runs; null when the process did not say. */
  version: string | null;
  started_at: number;
  heartbeat_at: number;
  /** When its graceful shutdown began; null while it serves. */
  stopping_at: number | null;
}

/**
 * Each engine table's columns, in table order, written once: the insert statements are generated
 * from these lists (hot-queries.ts), and a test holds them to the live schema of both databases.
 */
export const COLUMNS = {
  runs: [
    'id',
    'workflow',
    'session_id',
    'idempotency_key',
    'parameters',
    'state',
    'phase',
    'visits',
    'completed_phases',
    'waiting_for',
    'error',
    'result',
    'version',
    'last_seq',
    'lease_owner',
    'lease_expires_at',
    'created_at',
    'updated_at',
    'finished_at',
    'started_by',
  ] as const satisfies readonly (keyof RunsTable)[],
  steps: [
    'run_id',
    'step_key',
    'phase',
    'visit',
    'kind',
    'agent',
    'output',
    'version',
    'committed_at',
    'attempt',
    'started_at',
    'duration_ms',
    'from_phase',
    'from_agent',
    'input',
  ] as const satisfies readonly (keyof StepsTable)[],
  attempts: ['run_id', 'step_key', 'attempt', 'agent', 'status', 'started_at', 'duration_ms', 'error'] as const satisfies readonly (keyof AttemptsTable)[],
  events: ['run_id', 'seq', 'type', 'payload', 'at', 'actor_id', 'batch'] as const satisfies readonly (keyof EventsTable)[],
  waits: [
    'id',
    'run_id',
    'step_key',
    'phase',
    'kind',
    'role',
    'data',
    'status',
    'resolution',
    'deadline_at',
    'created_at',
    'resolved_at',
    'policy',
    'votes',
  ] as const satisfies readonly (keyof WaitsTable)[],
  nodes: ['id', 'role', 'version', 'started_at', 'heartbeat_at', 'stopping_at'] as const satisfies readonly (keyof NodesTable)[],
};

/** The engine's tables; a module's tables are its own (see `ModuleDatabase`). */
export interface Database {
  runs: RunsTable;
  steps: StepsTable;
  attempts: AttemptsTable;
  events: EventsTable;
  waits: WaitsTable;
  actors: ActorsTable;
  actor_tokens: ActorTokensTable;
  nodes: NodesTable;
}

type AnyDb = Kysely<unknown>;

const engineTables = (target: MigrationTarget): Migration => ({
  async up(db: AnyDb) {
    await db.schema
      .createTable('runs')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('workflow', 'text', (c) => c.notNull())
      .addColumn('session_id', 'text')
      .addColumn('idempotency_key', 'text', (c) => c.unique())
      .addColumn('parameters', 'text', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('phase', 'text')
      .addColumn('visits', 'text', (c) => c.notNull())
      .addColumn('completed_phases', 'text', (c) => c.notNull())
      .addColumn('waiting_for', 'text')
      .addColumn('error', 'text')
      .addColumn('result', 'text')
      .addColumn('version', 'integer', (c) => c.notNull())
      .addColumn('last_seq', 'integer', (c) => c.notNull())
      .addColumn('lease_owner', 'text')
      .addColumn('lease_expires_at', 'bigint')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addColumn('finished_at', 'bigint')
      .execute();
    await db.schema.createIndex('runs_state_lease').on('runs').columns(['state', 'lease_expires_at']).execute();
    await db.schema.createIndex('runs_workflow_state').on('runs').columns(['workflow', 'state']).execute();
    await db.schema.createIndex('runs_session').on('runs').columns(['session_id', 'created_at']).execute();

    await db.schema
      .createTable('steps')
      .addColumn('run_id', 'text', (c) => c.notNull().references('runs.id'))
      .addColumn('step_key', 'text', (c) => c.notNull())
      .addColumn('phase', 'text', (c) => c.notNull())
      .addColumn('visit', 'integer', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('agent', 'text')
      .addColumn('output', 'text')
      .addColumn('version', 'integer', (c) => c.notNull())
      .addColumn('committed_at', 'bigint', (c) => c.notNull())
      .addColumn('attempt', 'integer')
      .addColumn('started_at', 'bigint')
      .addColumn('duration_ms', 'integer')
      .addColumn('from_phase', 'text')
      .addColumn('from_agent', 'text')
      .addColumn('input', 'text')
      .addPrimaryKeyConstraint('steps_pk', ['run_id', 'step_key'])
      .$call(target.clusteredPrimaryKey)
      .execute();

    await db.schema
      .createTable('attempts')
      .addColumn('run_id', 'text', (c) => c.notNull().references('runs.id'))
      .addColumn('step_key', 'text', (c) => c.notNull())
      .addColumn('attempt', 'integer', (c) => c.notNull())
      .addColumn('agent', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('started_at', 'bigint', (c) => c.notNull())
      .addColumn('duration_ms', 'integer', (c) => c.notNull())
      .addColumn('error', 'text')
      .addPrimaryKeyConstraint('attempts_pk', ['run_id', 'step_key', 'attempt'])
      .$call(target.clusteredPrimaryKey)
      .execute();

    await db.schema
      .createTable('events')
      .addColumn('run_id', 'text', (c) => c.notNull().references('runs.id'))
      .addColumn('seq', 'integer', (c) => c.notNull())
      .addColumn('type', 'text', (c) => c.notNull())
      .addColumn('payload', 'text', (c) => c.notNull())
      .addColumn('at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('events_pk', ['run_id', 'seq'])
      .$call(target.clusteredPrimaryKey)
      .execute();

    await db.schema
      .createTable('waits')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('run_id', 'text', (c) => c.notNull().references('runs.id'))
      .addColumn('step_key', 'text', (c) => c.notNull())
      .addColumn('phase', 'text', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('role', 'text')
      .addColumn('data', 'text')
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('resolution', 'text')
      .addColumn('deadline_at', 'bigint')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('resolved_at', 'bigint')
      .execute();
    await db.schema.createIndex('waits_run').on('waits').columns(['run_id']).execute();
    await db.schema.createIndex('waits_due').on('waits').columns(['status', 'deadline_at']).execute();
  },
});

/**
 * Actors and who decided what: the actor tables, who started a run, a wait's policy and votes, and
 * the actor of each decision event (indexed by time for the audit, only where one is set).
 */
const actorsAndDecisions: Migration = {
  async up(db: AnyDb) {
    await db.schema
      .createTable('actors')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull().unique())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('scope', 'text', (c) => c.notNull())
      .addColumn('roles', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('revoked_at', 'bigint')
      .execute();
    await db.schema
      .createTable('actor_tokens')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('actor_id', 'text', (c) => c.notNull().references('actors.id'))
      .addColumn('salt', 'text', (c) => c.notNull())
      .addColumn('hash', 'text', (c) => c.notNull())
      .addColumn('label', 'text')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('revoked_at', 'bigint')
      .execute();
    await db.schema.createIndex('actor_tokens_actor').on('actor_tokens').columns(['actor_id']).execute();
    await db.schema.alterTable('runs').addColumn('started_by', 'text').execute();
    await db.schema.alterTable('waits').addColumn('policy', 'text').execute();
    await db.schema.alterTable('waits').addColumn('votes', 'text').execute();
    await db.schema.alterTable('events').addColumn('actor_id', 'text').execute();
    await db.schema.createIndex('events_decisions').on('events').columns(['at']).where(sql.ref('actor_id'), 'is not', null).execute();
  },
};

/** Node membership (docs/CLUSTER.md): a row per running Baton process, kept fresh by its heartbeat; read by GET /api/nodes. */
const nodes: Migration = {
  async up(db: AnyDb) {
    await db.schema
      .createTable('nodes')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('role', 'text', (c) => c.notNull())
      .addColumn('version', 'text')
      .addColumn('started_at', 'bigint', (c) => c.notNull())
      .addColumn('heartbeat_at', 'bigint', (c) => c.notNull())
      .addColumn('stopping_at', 'bigint')
      .execute();
  },
};

/**
 * A step writes one row in steps and two or three in events, and PostgreSQL checked each one's foreign key to
 * runs with a trigger and a lookup: ~30 µs of a step commit's ~90 µs on the server (measured with
 * pg_stat_statements), ~9% of a sequential workflow. The version fence already guarantees what the keys checked:
 * every insert into them selects from the fence's RETURNING row, or from the run's own insert, in the same
 * statement, so a row is written only for a run that exists and that the writer holds locked; retention deletes
 * a run's rows with the run, in one transaction. The rarer rows (waits, attempts) keep their keys.
 */
const stepRowsWithoutForeignKeys = (target: MigrationTarget): Migration => ({
  async up(db: AnyDb) {
    await target.dropRunForeignKey(db, 'steps');
    await target.dropRunForeignKey(db, 'events');
  },
});

/** The column behind a commit's events written as one row (postgres/commit-statement.ts); null: a row of one event. */
const eventBatches: Migration = {
  async up(db: AnyDb) {
    await db.schema.alterTable('events').addColumn('batch', 'integer').execute();
  },
};

/** The engine's migrations: always first. */
export const CORE: StoreModule = {
  name: 'core',
  migrations: (target) => ({
    '0001_engine_tables': engineTables(target),
    '0005_actors_and_decisions': actorsAndDecisions,
    '0006_nodes': nodes,
    '0007_step_rows_without_foreign_keys': stepRowsWithoutForeignKeys(target),
    '0008_event_batches': eventBatches,
  }),
};

/** A migration another module recorded that this process does not load: already run, nothing to do here. */
const recordedElsewhere: Migration = { up: () => Promise.resolve() };

/**
 * Core first, then each module's, in order. Names are global (Kysely records them): a module's
 * names must sort in its own order and be unique across modules; databases keep the names they
 * recorded (`0002_retail_tables`… are season planning's). Names another module recorded that no
 * loaded module declares are kept as done, so a process without that module still opens the database.
 */
export function composeMigrations(target: MigrationTarget, modules: readonly StoreModule[], recorded: readonly string[]): MigrationProvider {
  const all: Record<string, Migration> = {};
  for (const module of [CORE, ...modules]) {
    const own = module.migrations(target);
    const names = Object.keys(own);
    names.forEach((name, i) => {
      if (name in all) throw new Error(`migration ${name} of module ${module.name} is declared twice`);
      if (i > 0 && name.localeCompare(names[i - 1] ?? '') <= 0)
        throw new Error(`migrations of module ${module.name} must be named in the order they run (${name})`);
      all[name] = own[name] as Migration;
    });
  }
  for (const name of recorded) all[name] ??= recordedElsewhere;
  return { getMigrations: () => Promise.resolve(all) };
}

export const withoutRowid: MigrationTarget['clusteredPrimaryKey'] = (table) => table.modifyEnd(sql`without rowid`);
export const asIs: MigrationTarget['clusteredPrimaryKey'] = (table) => table;
