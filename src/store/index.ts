/** Opens the configured store: what DATABASE_URL names (PostgreSQL or a SQLite file), else the embedded SQLite file. */
import { InvalidParametersError } from '../errors/index.js';
import { parseDatabaseUrl } from './database-url.js';
import { createPostgresStore } from './postgres/postgres-store.js';
import { createSqliteStore, type SqliteSynchronous } from './sqlite/sqlite-store.js';
import type { BatonStore, StoreModule } from './types.js';

export type * from './types.js';
export { MAX_EVENT_SEQ, RUN_STATES } from './types.js';
export { query } from './unit-of-work.js';
export { PRUNABLE_STATES } from './retention.js';
export { DatabaseClock, type DatabaseClockOptions } from './database-clock.js';
export { ACCEPTED_DATABASE_URLS, parseDatabaseUrl, type DatabaseTarget } from './database-url.js';

export interface StoreConfig {
  /** postgres://… selects PostgreSQL, sqlite:… SQLite at its path (see parseDatabaseUrl); unset or empty: SQLite at `sqlitePath`. */
  databaseUrl?: string | undefined;
  sqlitePath?: string;
  sqliteSynchronous?: SqliteSynchronous;
  /** PostgreSQL connections per process (default: BATON_PG_POOL, else 10). */
  postgresPoolSize?: number;
  origin: string;
  /** The workflow modules whose tables the database holds: their migrations run after the engine's. */
  modules?: readonly StoreModule[];
}

export const DEFAULT_SQLITE_PATH = './data/baton.db';

function poolSizeFromEnv(): number | undefined {
  const raw = process.env.BATON_PG_POOL;
  if (raw === undefined || raw === '') return undefined;
  const size = Number(raw);
  if (!Number.isInteger(size) || size < 1 || size > 1000) {
    throw new InvalidParametersError('BATON_PG_POOL is invalid', [{ path: 'BATON_PG_POOL', message: 'must be a whole number from 1 to 1000' }]);
  }
  return size;
}

/** Opens and migrates the store, so callers always get an up-to-date schema. */
export async function openStore(config: StoreConfig): Promise<BatonStore> {
  const target = config.databaseUrl === undefined || config.databaseUrl === '' ? undefined : parseDatabaseUrl(config.databaseUrl);
  const store =
    target?.kind === 'postgres'
      ? createPostgresStore({
          url: target.url,
          origin: config.origin,
          maxConnections: config.postgresPoolSize ?? poolSizeFromEnv(),
          modules: config.modules ?? [],
        })
      : createSqliteStore({
          path: target?.path ?? config.sqlitePath ?? DEFAULT_SQLITE_PATH,
          origin: config.origin,
          modules: config.modules ?? [],
          ...(config.sqliteSynchronous ? { synchronous: config.sqliteSynchronous } : {}),
        });
  await store.migrate();
  return store;
}
