/**
 * Multi-row INSERTs with a small, fixed set of shapes. Each row count makes its own SQL text,
 * and every SQL text is a prepared statement SQLite keeps (for good on Node 24: see
 * src/store/sqlite/statement-cache.ts), so batches are cut into CHUNK rows and the remainder into
 * powers of two: at most 11 shapes per statement kind, whatever the batch sizes. Each shape is
 * compiled once with Kysely and refilled with values (compiling 1,024 rows cost milliseconds).
 */
import { CompiledQuery, type Compilable } from 'kysely';

/** Rows per INSERT: 1,024 × 7 columns stays well under SQLite's 32,766 and PostgreSQL's 65,535 bound parameters. */
export const CHUNK = 1024;

/** The sizes a batch of `n` rows is cut into: CHUNK, CHUNK, …, then the powers of two of the remainder, largest first. */
export function chunkSizes(n: number): number[] {
  const sizes: number[] = Array.from({ length: Math.floor(n / CHUNK) }, () => CHUNK);
  for (let bit = CHUNK >> 1; bit >= 1; bit >>= 1) if ((n % CHUNK) & bit) sizes.push(bit);
  return sizes;
}

/** `rows` cut into chunks of the sizes `chunkSizes` gives. */
export function shapedChunks<T>(rows: readonly T[]): T[][] {
  let at = 0;
  return chunkSizes(rows.length).map((size) => rows.slice(at, (at += size)));
}

/**
 * An INSERT for any number of rows of `columns`, compiled once per size. `build` makes the
 * statement for placeholder rows; each placeholder value must come out as its own parameter, in
 * row order then column order (checked on the first compile of each size).
 */
export function multiRowInsert<Row extends object>(columns: readonly (keyof Row & string)[], build: (rows: Row[]) => Compilable) {
  const compiled = new Map<number, string>();
  const sqlFor = (size: number): string => {
    let sql = compiled.get(size);
    if (sql === undefined) {
      const marks = Array.from({ length: size }, (_, r) => Object.fromEntries(columns.map((c, i) => [c, `\u0000${r}:${i}`])) as Row);
      const query = build(marks).compile();
      const expected: unknown[] = marks.flatMap((row) => columns.map((c) => row[c]));
      if (query.parameters.length !== expected.length || query.parameters.some((p, i) => p !== expected[i])) {
        throw new Error(`multiRowInsert: the statement does not take its values in row and column order (${query.sql.slice(0, 80)}…)`);
      }
      compiled.set(size, (sql = query.sql));
    }
    return sql;
  };
  /** The statement for these rows (any count from 1 to CHUNK; use `chunkSizes` to keep the shapes few). */
  return (rows: readonly Row[]): CompiledQuery => {
    const parameters: unknown[] = new Array<unknown>(rows.length * columns.length);
    let i = 0;
    for (const row of rows) for (const column of columns) parameters[i++] = row[column];
    return CompiledQuery.raw(sqlFor(rows.length), parameters);
  };
}
