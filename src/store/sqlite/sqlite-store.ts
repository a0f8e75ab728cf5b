/**
 * The embedded default: one SQLite file in WAL mode through better-sqlite3.
 * A single process owns the file's writes; cross-process event notices are not available.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { KyselyStore, type DialectAdapter } from '../kysely-store.js';
import { withoutRowid, type Database } from '../schema.js';
import type { BatonStore, StoreModule } from '../types.js';
import { canCheckpointAside, startCheckpointer, type Checkpointer } from './checkpointer.js';
import { GroupCommitter } from './group-commit.js';
import { cachingDatabase, type CachingDatabase } from './statement-cache.js';

export type SqliteSynchronous = 'NORMAL' | 'FULL';

export interface SqliteStoreOptions {
  /** File path, or ':memory:' for a throwaway database. */
  path: string;
  /**
   * NORMAL (default): a commit survives a crash of the process (kill -9) but the last commits
   * may be lost on power failure. FULL: fsync on every commit, survives power loss, slower.
   */
  synchronous?: SqliteSynchronous;
  /** Identifies this process in event notices. */
  origin: string;
  /** The workflow modules whose tables this database holds. */
  modules?: readonly StoreModule[];
}

const SQLITE_CONSTRAINT_CODES = new Set(['SQLITE_CONSTRAINT_UNIQUE', 'SQLITE_CONSTRAINT_PRIMARYKEY']);

function sqliteAdapter(synchronous: SqliteSynchronous, connection: CachingDatabase, checkpointer: Checkpointer | undefined): DialectAdapter {
  const committer = new GroupCommitter(connection);
  return {
    dialect: 'sqlite',
    durability:
      synchronous === 'FULL'
        ? 'sqlite WAL synchronous=FULL (fsync per commit: survives process crash and power loss)'
        : 'sqlite WAL synchronous=NORMAL (survives process crash; last commits may be lost on power loss)',
    // One writer at a time: SQLite serialises claims by itself.
    lockClaimCandidates: (query) => query,
    announce: () => undefined,
    listen: () => Promise.resolve(() => Promise.resolve()),
    // Statements and transactions run synchronously, so no other query can slip into a
    // transaction and no lock is needed. (Kysely's own SQLite transactions queue behind a mutex
    // that wakes every waiter on each release: with 1,000 concurrent runs that was quadratic.)
    execute: (query) => new Promise((resolve) => resolve(connection.run(query))),
    transact: (work) => committer.transact(work),
    migrationTarget: { clusteredPrimaryKey: withoutRowid, migrationSchema: () => Promise.resolve(undefined), dropRunForeignKey: () => Promise.resolve() },
    isUniqueViolation: (error) => error instanceof BetterSqlite3.SqliteError && SQLITE_CONSTRAINT_CODES.has(error.code),
    closeExtras: async () => checkpointer?.stop(),
  };
}

export function createSqliteStore(options: SqliteStoreOptions): BatonStore {
  if (options.path !== ':memory:') mkdirSync(dirname(options.path), { recursive: true });
  const synchronous = options.synchronous ?? 'NORMAL';
  const sqlite = new BetterSqlite3(options.path);
  // exec, not pragma(): pragma() makes a Statement the collector would later free (see statement-cache.ts).
  sqlite.exec('PRAGMA journal_mode = WAL');
  sqlite.exec(`PRAGMA synchronous = ${synchronous}`);
  sqlite.exec('PRAGMA busy_timeout = 5000');
  sqlite.exec('PRAGMA foreign_keys = ON');
  const checkpointer = options.path === ':memory:' || !canCheckpointAside() ? undefined : startCheckpointer(options.path);
  // The worker checkpoints; this only caps the WAL (80 MB) should it ever fall behind.
  if (checkpointer) sqlite.exec('PRAGMA wal_autocheckpoint = 20000');
  const connection = cachingDatabase(sqlite);
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: connection }) });
  return new KyselyStore(db, sqliteAdapter(synchronous, connection, checkpointer), options.origin, options.modules);
}
