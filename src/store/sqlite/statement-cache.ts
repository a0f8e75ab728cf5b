/**
 * Kysely's SQLite driver prepares every query anew; preparing costs more than running the
 * small statements an engine step issues, so this keeps prepared statements by SQL text.
 */
import type BetterSqlite3 from 'better-sqlite3';
import type { CompiledQuery, QueryResult, SqliteDatabase } from 'kysely';

/** Multi-row statements make one SQL text per row count; a bound keeps the cache from growing forever. */
const MAX_CACHED = 500;

/**
 * Statements are never left to the garbage collector: better-sqlite3 12 on Node 24 aborts the
 * process when a Statement wrapper is collected (its destructor asserts on a missing environment;
 * fixed only in better-sqlite3 13, which needs Node 22, and Baton supports Node 20). Statements
 * leaving a cache are kept here instead; there are as many as distinct SQL texts, a few hundred.
 */
const retired: BetterSqlite3.Statement[] = [];

export interface CachingDatabase extends SqliteDatabase {
  /** Runs a compiled query synchronously on the connection. */
  run<Row>(query: CompiledQuery): QueryResult<Row>;
  /** Runs `body` in a BEGIN IMMEDIATE transaction (rolled back if it throws). */
  transaction<T>(body: () => T): T;
  /** Runs a parameterless statement (SAVEPOINT, RELEASE, …) through the statement cache. */
  exec(sql: string): void;
}

export function cachingDatabase(sqlite: BetterSqlite3.Database): CachingDatabase {
  const cache = new Map<string, BetterSqlite3.Statement>();
  const prepare = (sql: string): BetterSqlite3.Statement => {
    let statement = cache.get(sql);
    if (!statement) {
      if (cache.size >= MAX_CACHED) {
        retired.push(...cache.values());
        cache.clear();
      }
      statement = sqlite.prepare(sql);
      cache.set(sql, statement);
    }
    return statement;
  };
  return {
    close: () => {
      retired.push(...cache.values());
      cache.clear();
      sqlite.close();
    },
    prepare: (sql) => prepare(sql),
    // Hand-rolled rather than sqlite.transaction(fn): that wraps a new function on every call.
    transaction<T>(body: () => T): T {
      prepare('BEGIN IMMEDIATE').run();
      try {
        const result = body();
        prepare('COMMIT').run();
        return result;
      } catch (error) {
        if (sqlite.inTransaction) prepare('ROLLBACK').run();
        throw error;
      }
    },
    exec: (sql) => void prepare(sql).run(),
    run<Row>(query: CompiledQuery): QueryResult<Row> {
      const statement = prepare(query.sql);
      const parameters = query.parameters as unknown[];
      if (statement.reader) return { rows: statement.all(...parameters) as Row[] };
      const { changes } = statement.run(...parameters);
      return { rows: [], numAffectedRows: BigInt(changes) };
    },
  };
}
