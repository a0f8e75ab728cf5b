// Covers driveSync and driveAsync: feeding query results into a unit of work and throwing failures into it.
import { CompiledQuery, type QueryResult } from 'kysely';
import { describe, expect, it } from 'vitest';
import { driveAsync, driveSync, query, type Work } from '../../../src/store/unit-of-work.js';

const q = (sql: string) => CompiledQuery.raw(sql, []);
const rows = <Row>(...r: Row[]): QueryResult<unknown> => ({ rows: r });

/** Reads two values, adds them and returns the sum; records what it saw. */
function* sum(seen: string[]): Work<number> {
  const a = yield* query<{ n: number }>(q('select a'));
  seen.push(`a=${a.rows[0]!.n}`);
  const b = yield* query<{ n: number }>(q('select b'));
  seen.push(`b=${b.rows[0]!.n}`);
  return a.rows[0]!.n + b.rows[0]!.n;
}

/** Tries a query; when it fails, runs a fallback query instead. */
function* withFallback(): Work<string> {
  try {
    yield q('insert');
    return 'inserted';
  } catch (error) {
    const fallback = yield* query<{ note: string }>(q('update'));
    return `${(error as Error).message} → ${fallback.rows[0]!.note}`;
  }
}

function* uncaught(after: string[]): Work<string> {
  yield q('boom');
  after.push('continued');
  return 'never';
}

const results: Record<string, QueryResult<unknown>> = { 'select a': rows({ n: 2 }), 'select b': rows({ n: 40 }), update: rows({ note: 'updated' }) };
const execute = (compiled: CompiledQuery): QueryResult<unknown> => {
  if (compiled.sql === 'insert' || compiled.sql === 'boom') throw new Error(`${compiled.sql} failed`);
  const result = results[compiled.sql];
  if (!result) throw new Error(`unexpected ${compiled.sql}`);
  return result;
};

describe('driveSync', () => {
  it('runs the queries in order and feeds each result back into the work', () => {
    const seen: string[] = [];
    const executed: string[] = [];
    expect(
      driveSync(sum(seen), (c) => {
        executed.push(c.sql);
        return execute(c);
      }),
    ).toBe(42);
    expect(executed).toEqual(['select a', 'select b']);
    expect(seen).toEqual(['a=2', 'b=40']);
  });

  it("throws a failing query's error into the work, which can catch it and go on", () => {
    expect(driveSync(withFallback(), execute)).toBe('insert failed → updated');
  });

  it('rethrows the error when the work does not catch it', () => {
    const after: string[] = [];
    expect(() => driveSync(uncaught(after), execute)).toThrow('boom failed');
    expect(after).toEqual([]);
  });

  it('returns the value of a work that issues no query', () => {
    // eslint-disable-next-line require-yield
    function* none(): Work<string> {
      return 'nothing to do';
    }
    expect(
      driveSync(none(), () => {
        throw new Error('no query expected');
      }),
    ).toBe('nothing to do');
  });
});

describe('driveAsync', () => {
  const executeAsync = (c: CompiledQuery): Promise<QueryResult<unknown>> => new Promise((resolve) => setTimeout(resolve, 1)).then(() => execute(c));

  it('awaits each query and feeds its result back into the work', async () => {
    const seen: string[] = [];
    await expect(driveAsync(sum(seen), executeAsync)).resolves.toBe(42);
    expect(seen).toEqual(['a=2', 'b=40']);
  });

  it("throws a rejected query's error into the work, which can catch it and go on", async () => {
    await expect(driveAsync(withFallback(), executeAsync)).resolves.toBe('insert failed → updated');
  });

  it('rejects with the error when the work does not catch it', async () => {
    const after: string[] = [];
    await expect(driveAsync(uncaught(after), executeAsync)).rejects.toThrow('boom failed');
    expect(after).toEqual([]);
  });
});
