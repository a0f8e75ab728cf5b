/** Which SQLite file a `baton runs` command would open, so a mistyped path is reported instead of created empty. */
import { parseDatabaseUrl } from '../../store/index.js';

/** The SQLite file (from --db or a sqlite: DATABASE_URL); undefined for PostgreSQL and :memory:. */
export function sqliteFileOf(where: { sqlitePath: string; databaseUrl?: string | undefined }): string | undefined {
  if (where.databaseUrl === undefined || where.databaseUrl === '') return where.sqlitePath;
  const target = parseDatabaseUrl(where.databaseUrl);
  return target.kind === 'sqlite' && target.path !== ':memory:' ? target.path : undefined;
}
