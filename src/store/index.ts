/** Opens the configured store: PostgreSQL when a URL is given, else the embedded SQLite file. */
import { createPostgresStore } from './postgres/postgres-store.js';
import { createSqliteStore, type SqliteSynchronous } from './sqlite/sqlite-store.js';
import type { Store } from './types.js';

export type * from './types.js';
export { RUN_STATES } from './types.js';

export interface StoreConfig {
  /** postgres://… selects PostgreSQL; otherwise SQLite at `sqlitePath`. */
  databaseUrl?: string | undefined;
  sqlitePath?: string;
  sqliteSynchronous?: SqliteSynchronous;
  origin: string;
}

export const DEFAULT_SQLITE_PATH = './data/baton.db';

/** Opens and migrates the store, so callers always get an up-to-date schema. */
export async function openStore(config: StoreConfig): Promise<Store> {
  const url = config.databaseUrl;
  const store =
    url !== undefined && url !== ''
      ? createPostgresStore({ url, origin: config.origin })
      : createSqliteStore({
          path: config.sqlitePath ?? DEFAULT_SQLITE_PATH,
          origin: config.origin,
          ...(config.sqliteSynchronous ? { synchronous: config.sqliteSynchronous } : {}),
        });
  await store.migrate();
  return store;
}
