/** `baton runs prune` on the database: opens the store, prunes, closes. */
import { BatonError } from '../../errors/index.js';
import { existsSync } from 'node:fs';
import { openStore, type PruneOptions, type PruneResult } from '../../store/index.js';

export async function pruneOnDatabase(where: { sqlitePath: string; databaseUrl?: string | undefined }, options: PruneOptions): Promise<PruneResult> {
  const postgres = where.databaseUrl !== undefined && where.databaseUrl !== '';
  if (!postgres && !existsSync(where.sqlitePath)) {
    throw new BatonError('NOT_FOUND', `no database at ${where.sqlitePath}`, { details: { db: where.sqlitePath }, suggestions: ['--db <file> names the SQLite file', 'DATABASE_URL=postgres://… for PostgreSQL'] });
  }
  const store = await openStore({ databaseUrl: where.databaseUrl, sqlitePath: where.sqlitePath, origin: `cli-prune-${process.pid}` });
  try {
    return await store.pruneRuns(options);
  } finally {
    await store.close();
  }
}
