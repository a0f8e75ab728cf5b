// Covers the store's compile-once query templates: slots filled in parameter order, constants kept, one compile per shape.
import Database from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { template, templateFamily } from '../../../src/store/templates.js';

interface Db {
  tasks: { id: string; owner: string; status: string; priority: number; note: string | null };
}

const db = new Kysely<Db>({ dialect: new SqliteDialect({ database: new Database(':memory:') }) });
afterAll(() => db.destroy());

describe('template', () => {
  const pendingOf = template<'owner' | 'min' | 'limit'>((slot) =>
    db
      .selectFrom('tasks')
      .select(['id'])
      .where('owner', '=', slot<string>('owner'))
      .where('status', '=', 'pending')
      .where('priority', '>=', slot<number>('min'))
      .limit(slot<number>('limit')),
  );

  it('fills the named slots in parameter order and keeps the constants in place', () => {
    const compiled = pendingOf({ limit: 10, owner: 'ana', min: 2 });
    expect(compiled.parameters).toEqual(['ana', 'pending', 2, 10]);
    expect(compiled.sql).toBe('select "id" from "tasks" where "owner" = ? and "status" = ? and "priority" >= ? limit ?');
  });

  it('gives the same SQL and fresh parameters on every call', () => {
    const first = pendingOf({ owner: 'ana', min: 1, limit: 5 });
    const second = pendingOf({ owner: 'bo', min: 3, limit: 1 });
    expect(second.sql).toBe(first.sql);
    expect(first.parameters).toEqual(['ana', 'pending', 1, 5]);
    expect(second.parameters).toEqual(['bo', 'pending', 3, 1]);
  });

  it('fills a slot used twice in both places', () => {
    const either = template<'who'>((slot) =>
      db
        .selectFrom('tasks')
        .select('id')
        .where((eb) => eb.or([eb('owner', '=', slot<string>('who')), eb('note', '=', slot<string>('who'))])),
    );
    expect(either({ who: 'cy' }).parameters).toEqual(['cy', 'cy']);
  });

  it('passes null and falsy slot values through as they are', () => {
    const setNote = template<'id' | 'note'>((slot) =>
      db
        .updateTable('tasks')
        .set({ note: slot<string | null>('note') })
        .where('id', '=', slot<string>('id')),
    );
    expect(setNote({ id: '', note: null }).parameters).toEqual([null, '']);
  });

  it('builds queries that run and return the filled-in rows', async () => {
    await db.schema
      .createTable('tasks')
      .addColumn('id', 'text')
      .addColumn('owner', 'text')
      .addColumn('status', 'text')
      .addColumn('priority', 'integer')
      .addColumn('note', 'text')
      .execute();
    const insert = template<'id' | 'owner' | 'status' | 'priority'>((slot) =>
      db.insertInto('tasks').values({ id: slot('id'), owner: slot('owner'), status: slot('status'), priority: slot('priority'), note: null }),
    );
    for (const [id, owner, status, priority] of [
      ['t1', 'ana', 'pending', 3],
      ['t2', 'ana', 'done', 5],
      ['t3', 'ana', 'pending', 1],
      ['t4', 'bo', 'pending', 9],
    ] as const) {
      await db.executeQuery(insert({ id, owner, status, priority }));
    }
    const result = await db.executeQuery<{ id: string }>(pendingOf({ owner: 'ana', min: 2, limit: 10 }));
    expect(result.rows).toEqual([{ id: 't1' }]);
  });
});

describe('templateFamily', () => {
  it('compiles each shape once and returns the same template for the same key', () => {
    const made: string[] = [];
    const setColumns = templateFamily(
      (columns: readonly ('owner' | 'status')[]) => {
        made.push(columns.join(','));
        return template<string>((slot) =>
          db
            .updateTable('tasks')
            .set(Object.fromEntries(columns.map((c) => [c, slot<string>(c)])))
            .where('id', '=', slot<string>('id')),
        );
      },
      (columns) => columns.join(','),
    );
    const status = setColumns(['status']);
    expect(setColumns(['status'])).toBe(status);
    const both = setColumns(['owner', 'status']);
    expect(both).not.toBe(status);
    expect(setColumns(['owner', 'status'])).toBe(both);
    expect(made).toEqual(['status', 'owner,status']);
    expect(status({ status: 'done', id: 't1' }).parameters).toEqual(['done', 't1']);
    expect(both({ owner: 'bo', status: 'done', id: 't2' }).parameters).toEqual(['bo', 'done', 't2']);
    expect(both({ id: 't2', owner: 'bo', status: 'done' }).sql).toBe('update "tasks" set "owner" = ?, "status" = ? where "id" = ?');
  });
});
