/** `baton runs prune` on the database: opens the store, prunes, closes. */
import { BatonError } from '../../errors/index.js';
import { existsSync } from 'node:fs';
import type { PruneOptions, PruneResult } from '../../store/index.js';
import { openBatonStore as openStore } from '../modules.js';
import { sqliteFileOf } from './database-file.js';

export async function pruneOnDatabase(where: { sqlitePath: string; databaseUrl?: string | undefined }, options: PruneOptions): Promise<PruneResult> {
  const file = sqliteFileOf(where);
  if (file !== undefined && !existsSync(file)) {
    throw new BatonError('NOT_FOUND', `no database at ${file}`, {
      details: { db: file },
      suggestions: ['--db <file> names the SQLite file', 'DATABASE_URL=postgres://… for PostgreSQL'],
    });
  }
  const store = await openStore({ databaseUrl: where.databaseUrl, sqlitePath: where.sqlitePath, origin: `cli-prune-${process.pid}` });
  try {
    return await store.pruneRuns(options);
  } finally {
    await store.close();
  }
}
