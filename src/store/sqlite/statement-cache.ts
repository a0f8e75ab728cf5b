/**
 * Kysely's SQLite driver prepares every query anew; preparing costs more than running the
 * small statements an engine step issues, so this keeps prepared statements by SQL text.
 */
import type BetterSqlite3 from 'better-sqlite3';
import type { CompiledQuery, QueryResult, SqliteDatabase } from 'kysely';

/**
 * The cache's bound. Callers keep the set of SQL texts small (multi-row inserts use a few fixed
 * row counts: see src/store/retail/bulk-insert.ts), so a connection holds a few dozen statements
 * and never reaches this; it is a guard against a caller that makes one SQL text per call.
 */
export const MAX_CACHED = 500;

/**
 * Statements are never left to the garbage collector on Node 24: better-sqlite3 12 there aborts
 * the process when a Statement wrapper is collected (its destructor asserts on a missing
 * environment; fixed only in better-sqlite3 13, which needs Node 22, and Baton supports Node 20).
 * A statement evicted from a cache there is kept here for the life of the process; so eviction
 * must stay rare, which the small set of SQL texts ensures (a warning says when it is not). On
 * Node 20 and 22 the collector frees evicted statements as it always did, so nothing is kept.
 */
const KEEP_EVICTED = Number(process.versions.node.split('.')[0]) >= 24;
const retired: BetterSqlite3.Statement[] = [];

const counters = { prepared: 0, evicted: 0, cached: 0 };
let warned = false;

/** Prepared, evicted and currently cached statements over every connection of the process (tests and benchmarks read it). */
export function statementCacheStats(): { prepared: number; evicted: number; cached: number; retired: number } {
  return { ...counters, retired: retired.length };
}

function retire(statements: Iterable<BetterSqlite3.Statement>, evicted: boolean): void {
  for (const statement of statements) {
    if (evicted) counters.evicted++;
    counters.cached--;
    if (KEEP_EVICTED) retired.push(statement);
  }
}

export interface CachingDatabase extends SqliteDatabase {
  /** Runs a compiled query synchronously on the connection. */
  run<Row>(query: CompiledQuery): QueryResult<Row>;
  /** Runs `body` in a BEGIN IMMEDIATE transaction (rolled back if it throws). */
  transaction<T>(body: () => T): T;
  /** Runs a parameterless statement (SAVEPOINT, RELEASE, …) through the statement cache. */
  exec(sql: string): void;
}

export function cachingDatabase(sqlite: BetterSqlite3.Database, maxCached = MAX_CACHED): CachingDatabase {
  // Least recently used first (a hit moves its entry to the end).
  const cache = new Map<string, BetterSqlite3.Statement>();
  const prepare = (sql: string): BetterSqlite3.Statement => {
    let statement = cache.get(sql);
    if (statement) {
      cache.delete(sql);
      cache.set(sql, statement);
      return statement;
    }
    if (cache.size >= maxCached) {
      // One out for one in: clearing the whole cache (as before) re-prepared the hot statements
      // and, on Node 24, kept every cleared one alive for good.
      const [oldest, evicted] = cache.entries().next().value as [string, BetterSqlite3.Statement];
      cache.delete(oldest);
      retire([evicted], true);
      if (!warned) {
        warned = true;
        process.emitWarning(`SQLite statement cache full (${maxCached} distinct SQL texts): a caller makes a new SQL text per call`, {
          code: 'BATON_STATEMENT_CACHE',
        });
      }
    }
    statement = sqlite.prepare(sql);
    counters.prepared++;
    counters.cached++;
    cache.set(sql, statement);
    return statement;
  };
  return {
    close: () => {
      // Closing the database finalises the statements' SQLite handles; only small wrappers stay.
      retire(cache.values(), false);
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
