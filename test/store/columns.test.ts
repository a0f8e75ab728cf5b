// The engine tables' column lists (written once, in schema.ts, and the inserts generated from them) are the live tables' columns, in order, on both databases.
import { sql } from 'kysely';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { COLUMNS } from '../../src/store/schema.js';
import { describeEachStore, type TestStore } from '../support/stores.js';

describeEachStore('the column lists of the engine tables', (kind) => {
  let t: TestStore;
  beforeEach(async () => {
    t = await kind.create();
  });
  afterEach(async () => {
    await t.dispose();
  });

  it('name every column of each engine table in the order the migration made them', async () => {
    const { db } = t.store.database<unknown>();
    const schema = kind.name === 'postgres' ? (await sql<{ schema: string }>`select current_schema() as schema`.execute(db)).rows[0]?.schema : undefined;
    const tables = (await db.introspection.getTables()).filter((table) => schema === undefined || table.schema === schema);
    for (const [name, columns] of Object.entries(COLUMNS)) {
      const live = tables.find((table) => table.name === name);
      expect(
        live?.columns.map((c) => c.name),
        name,
      ).toEqual([...columns]);
    }
  });
});
