/**
 * PostgreSQL, for running Baton on several machines: claims skip each other's locked rows and
 * committed events are announced to every process with LISTEN/NOTIFY.
 */
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { KyselyStore, type DialectAdapter } from '../kysely-store.js';
import { asIs, type Database } from '../schema.js';
import type { BatonStore, StoreModule } from '../types.js';
import { driveAsync, type Work } from '../unit-of-work.js';
import { commitStatement, createRunStatement, WAIT_NOT_PENDING } from './commit-statement.js';
import { Listener } from './listener.js';
import { InlineNotices, Notifier } from './notifier.js';
import { Peers } from './peers.js';
import { run, StatementNames } from './prepared.js';

export interface PostgresStoreOptions {
  url: string;
  /** Pool size (default 10). */
  maxConnections?: number;
  /** Identifies this process in event notices, so it can ignore its own. */
  origin: string;
  onNotifyError?: (error: unknown) => void;
  /** The workflow modules whose tables this database holds. */
  modules?: readonly StoreModule[];
}

/** The application_name of LISTEN sessions. */
const LISTEN_APPLICATION_NAME = 'baton-listen';
const INT8_OID = 20;
const UNIQUE_VIOLATION = '23505';

// Counts and epoch-millisecond timestamps are int8; they fit a JS number for the next 285,000 years.
const types = {
  getTypeParser: ((oid: number, format?: string): ((value: string) => unknown) =>
    oid === INT8_OID ? Number : (pg.types.getTypeParser(oid, format as 'text') as (value: string) => unknown)) as typeof pg.types.getTypeParser,
};

const isUniqueViolation = (error: unknown): error is Error & { code: string } => error instanceof Error && 'code' in error && error.code === UNIQUE_VIOLATION;

/** A lost connection is logged, never fatal: the pool replaces it, the listener reconnects. */
function onConnectionError(error: unknown, what: string): void {
  console.error(`baton store: ${what}:`, error instanceof Error ? error.message : error);
}

function postgresAdapter(url: string, db: Kysely<Database>, pool: pg.Pool, notifier: Notifier, peers: Peers, listeners: Listener[]): DialectAdapter {
  const names = new StatementNames();
  return {
    dialect: 'postgres',
    durability: 'postgres synchronous_commit=on (WAL flushed before commit returns)',
    lockClaimCandidates: (query) => query.forUpdate().skipLocked(),
    announce: (notice) => peers.announce(notice),
    // Straight to the pool rather than through Kysely's driver, which cannot name a statement: the hot ones (the step commit, a run's read) run prepared.
    execute: (query) => run(pool, query, names),
    transact: <T>(work: () => Work<T>) => db.transaction().execute((trx) => driveAsync(work(), (q) => trx.executeQuery(q))),
    async listen(onNotice, onResync, options) {
      // LISTEN needs a session of its own; a pooled connection would be handed to someone else.
      const listener = new Listener({
        // Named so operators can tell it in pg_stat_activity (an application_name in the URL wins): its last query is a hello, not the LISTEN.
        client: () => new pg.Client({ connectionString: url, types, application_name: LISTEN_APPLICATION_NAME }),
        onNotice,
        ...(onResync ? { onResync } : {}),
        onError: onConnectionError,
        onHello: (hello) => peers.heard(hello),
        onListening: (listening) => (listening ? peers.listening() : peers.notListening()),
      });
      const unfollowOwn = options?.ownNotices ? peers.followOwn() : undefined;
      // Listed before it connects: its first hello (asking who else listens) goes out on its own connection.
      listeners.push(listener);
      const unlist = () => listeners.splice(listeners.indexOf(listener), 1);
      try {
        await listener.start();
      } catch (error) {
        unlist();
        unfollowOwn?.();
        throw error;
      }
      return async () => {
        unlist();
        await listener.stop();
        unfollowOwn?.();
      };
    },
    migrationTarget: {
      clusteredPrimaryKey: asIs,
      // PostgreSQL names a column's key <table>_<column>_fkey; `if exists` lets a database whose key was dropped by hand migrate.
      dropRunForeignKey: async (db, table) =>
        void (await sql`alter table ${sql.table(table)} drop constraint if exists ${sql.id(`${table}_run_id_fkey`)}`.execute(db)),
      migrationSchema: async (db) => (await sql<{ schema: string }>`select current_schema() as schema`.execute(db)).rows[0]?.schema,
    },
    isUniqueViolation,
    async closeExtras() {
      peers.stop();
      await notifier.drain();
      await Promise.all(listeners.splice(0).map((l) => l.stop()));
    },
  };
}

export function createPostgresStore(options: PostgresStoreOptions): BatonStore {
  const pool = new pg.Pool({ connectionString: options.url, max: options.maxConnections ?? 10, types });
  // An idle pooled connection that drops emits 'error' on the pool: unhandled, it would end the process.
  pool.on('error', (error) => onConnectionError(error, 'an idle connection was lost'));
  // A checked-out connection (between a transaction's statements, say) that the server ends emits 'error' on its
  // client, where the pool listens no longer: a server restart killed every node so. The query in flight, if any, fails on its own.
  pool.on('connect', (client) => client.on('error', (error) => onConnectionError(error, 'a connection in use was lost')));
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  const notifier = new Notifier(pool, options.onNotifyError ?? ((error) => console.error('baton store: NOTIFY failed:', error)));
  const listeners: Listener[] = [];
  const peers = new Peers({
    origin: options.origin,
    send: (notice) => notifier.announce(notice),
    // On a LISTEN session's own connection: a hello queued behind a busy pool for seconds would make this node look gone.
    sayHello: (payload) => listeners.some((listener) => listener.say(payload)),
  });
  return new KyselyStore(db, postgresAdapter(options.url, db, pool, notifier, peers, listeners), options.origin, options.modules, {
    statement: commitStatement,
    createRun: createRunStatement,
    notices: new InlineNotices(() => peers.present()),
    stepTaken: (error) => isUniqueViolation(error) && 'table' in error && error.table === 'steps',
    waitNotPending: (error) => error instanceof Error && 'code' in error && error.code === WAIT_NOT_PENDING,
  });
}
