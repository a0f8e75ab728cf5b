/**
 * Runs the store's statements on node-postgres, turning the ones it keeps sending into server-side
 * prepared statements (pgJDBC's `prepareThreshold` rule), so PostgreSQL parses and plans them once.
 *
 * Why: an unnamed statement is parsed, analysed and planned at every execution. The step commit is one
 * statement with five data-modifying CTEs; measured here, running it prepared took ~0.45 ms less
 * PostgreSQL time per execution (0.80 → 0.34 ms, no WAL flush in either) — on a 2-core machine that
 * server CPU is what concurrent runs queue for, and in a sequential run it adds up ten times a workflow.
 */
import type { CompiledQuery, QueryResult } from 'kysely';
import type pg from 'pg';

/** Executions of one SQL text before it is prepared: one-off statements (listings, reports) stay unnamed. */
const PREPARE_AFTER = 3;
/** Prepared statements live per connection as long as it does: their number is bounded (the store's hot shapes are a few dozen). */
const MAX_PREPARED = 200;
/** Texts counted but not yet prepared; forgotten wholesale past this, so varying texts (IN lists) cannot grow it without bound. */
const MAX_COUNTED = 2_000;

export class StatementNames {
  private readonly names = new Map<string, string>();
  private counts = new Map<string, number>();

  /** The name to run `sql` under, once it has run often enough; undefined while it runs unnamed. */
  nameOf(sql: string): string | undefined {
    const name = this.names.get(sql);
    if (name !== undefined || this.names.size >= MAX_PREPARED) return name;
    const seen = (this.counts.get(sql) ?? 0) + 1;
    if (seen < PREPARE_AFTER) {
      if (this.counts.size >= MAX_COUNTED) this.counts = new Map();
      this.counts.set(sql, seen);
      return undefined;
    }
    this.counts.delete(sql);
    const named = `baton_${this.names.size + 1}`;
    this.names.set(sql, named);
    return named;
  }
}

type Queryable = Pick<pg.Pool, 'query'> | Pick<pg.PoolClient, 'query'>;

/** Runs one compiled query on a pool or a checked-out client, answering as Kysely's PostgreSQL driver does. */
export async function run<Row>(on: Queryable, query: CompiledQuery<Row>, names: StatementNames): Promise<QueryResult<Row>> {
  const name = names.nameOf(query.sql);
  const values = [...query.parameters];
  const { command, rowCount, rows } = await (on as pg.Pool).query<Row & pg.QueryResultRow>(
    name === undefined ? { text: query.sql, values } : { name, text: query.sql, values },
  );
  const affected = command === 'INSERT' || command === 'UPDATE' || command === 'DELETE' || command === 'MERGE';
  return { rows: rows ?? [], ...(affected ? { numAffectedRows: BigInt(rowCount ?? 0) } : {}) };
}
