/**
 * A transaction written once for both databases: a generator that yields compiled queries and
 * receives their results. SQLite runs it synchronously inside one better-sqlite3 transaction
 * (nothing else can interleave, so no lock is needed); PostgreSQL runs it in a Kysely transaction.
 */
import type { CompiledQuery, QueryResult } from 'kysely';

export type Work<T> = Generator<CompiledQuery, T, QueryResult<unknown>>;

/** Yields one query and hands back its typed result: `const r = yield* query<Row>(q)`. */
export function* query<Row>(compiled: CompiledQuery): Generator<CompiledQuery, QueryResult<Row>, QueryResult<unknown>> {
  return (yield compiled) as QueryResult<Row>;
}

/** Drives a unit of work with a synchronous executor; a failing query is thrown into the work. */
export function driveSync<T>(work: Work<T>, execute: (q: CompiledQuery) => QueryResult<unknown>): T {
  let step = work.next();
  while (!step.done) {
    let result: QueryResult<unknown>;
    try {
      result = execute(step.value);
    } catch (error) {
      step = work.throw(error);
      continue;
    }
    step = work.next(result);
  }
  return step.value;
}

/** Drives a unit of work with an asynchronous executor. */
export async function driveAsync<T>(work: Work<T>, execute: (q: CompiledQuery) => Promise<QueryResult<unknown>>): Promise<T> {
  let step = work.next();
  while (!step.done) {
    let result: QueryResult<unknown>;
    try {
      result = await execute(step.value);
    } catch (error) {
      step = work.throw(error);
      continue;
    }
    step = work.next(result);
  }
  return step.value;
}
