/**
 * The build pipeline's tables: the ideas (intake), the build records (what a finished build deployed and what it
 * costs a month: the cost roll-ups read them) and the notification outbox. A build is a run of the `build-pipeline`
 * workflow in the session `build:<idea id>`, so an idea's builds are found through the run store.
 * Migration names follow the core's and season planning's (01xx: this module's).
 */
import type { Kysely, Migration } from 'kysely';
import type { StoreModule } from '../../../store/index.js';

export interface BuildIdeasTable {
  id: string;
  title: string;
  description: string;
  /** JSON array of strings. */
  requirements: string;
  /** JSON array of strings. */
  research_findings: string;
  viability_score: number;
  champion: string;
  created_by: string | null;
  created_at: number;
}

/**
 * One row per finished build (keyed by its run): written by the handoff, idempotently. Its key is not named
 * `run_id`: the record outlives its run (the cost roll-ups span builds), and `run_id` columns are run data, pruned with the run.
 */
export interface BuildRecordsTable {
  build_run_id: string;
  idea_id: string;
  app_name: string;
  stack: string;
  template: string;
  /** main after the handoff's docs commit. */
  commit: string;
  /** JSON: environment → URL of what was deployed. */
  urls: string;
  /** JSON: environment → the resources (type, name, sku, instances) the infrastructure declares. */
  resources: string;
  /** JSON: environment → monthly cents. */
  costs: string;
  monthly_cents: number;
  completed_at: number;
}

/**
 * Notifications to send, written before sending (the key makes a second write of the same notice a no-op), marked
 * sent after the webhook answered 2xx. Delivery is at least once; the receiver gets the key as `Idempotency-Key`.
 */
export interface BuildOutboxTable {
  key: string;
  run_id: string;
  kind: string;
  /** JSON body posted to the webhook. */
  payload: string;
  created_at: number;
  sent_at: number | null;
  attempts: number;
  last_error: string | null;
}

export interface BuildTables {
  build_ideas: BuildIdeasTable;
  build_records: BuildRecordsTable;
  build_outbox: BuildOutboxTable;
}

const buildIdeas: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('build_ideas')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('title', 'text', (c) => c.notNull())
      .addColumn('description', 'text', (c) => c.notNull())
      .addColumn('requirements', 'text', (c) => c.notNull())
      .addColumn('research_findings', 'text', (c) => c.notNull())
      .addColumn('viability_score', 'double precision', (c) => c.notNull())
      .addColumn('champion', 'text', (c) => c.notNull())
      .addColumn('created_by', 'text')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();
    // The list route answers newest first.
    await db.schema.createIndex('build_ideas_created').on('build_ideas').columns(['created_at']).execute();
  },
};

const buildRecordsAndOutbox: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('build_records')
      .addColumn('build_run_id', 'text', (c) => c.primaryKey())
      .addColumn('idea_id', 'text', (c) => c.notNull())
      .addColumn('app_name', 'text', (c) => c.notNull())
      .addColumn('stack', 'text', (c) => c.notNull())
      .addColumn('template', 'text', (c) => c.notNull())
      .addColumn('commit', 'text', (c) => c.notNull())
      .addColumn('urls', 'text', (c) => c.notNull())
      .addColumn('resources', 'text', (c) => c.notNull())
      .addColumn('costs', 'text', (c) => c.notNull())
      .addColumn('monthly_cents', 'bigint', (c) => c.notNull())
      .addColumn('completed_at', 'bigint', (c) => c.notNull())
      .execute();
    // The planned changes compare with the latest record of the same app.
    await db.schema.createIndex('build_records_app').on('build_records').columns(['app_name', 'completed_at']).execute();
    await db.schema
      .createTable('build_outbox')
      .addColumn('key', 'text', (c) => c.primaryKey())
      .addColumn('run_id', 'text', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('payload', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('sent_at', 'bigint')
      .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('last_error', 'text')
      .execute();
    await db.schema.createIndex('build_outbox_pending').on('build_outbox').columns(['sent_at', 'created_at']).execute();
  },
};

/**
 * The build pipeline's part of the database. Ideas and build records outlive their runs (the cost roll-ups span
 * builds); the outbox is pruned with its run.
 */
export const buildTables: StoreModule = {
  name: 'build-pipeline',
  migrations: () => ({ '0101_build_ideas': buildIdeas, '0102_build_records_and_outbox': buildRecordsAndOutbox }),
  runTables: ['build_outbox'],
};
