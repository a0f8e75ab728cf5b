// Migrations composed from the modules, on both databases: a database the previous code migrated keeps opening, and a process without a module opens a database that has its tables.
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, sql, SqliteDialect, type Migration } from 'kysely';
import pg from 'pg';
import { afterEach, expect, it } from 'vitest';
import { asIs, composeMigrations, CORE, withoutRowid } from '../../src/store/schema.js';
import type { MigrationTarget, StoreModule } from '../../src/store/index.js';
import { seasonData, seasonTables } from '../../src/workflows/season-planning/data/index.js';
import { describeEachStore, type TestStore } from '../support/stores.js';

/** The names (in order) the code before the store split recorded: one list in store/schema.ts. */
const PREVIOUS_NAMES = ['0001_engine_tables', '0002_retail_tables', '0003_plan_tables', '0004_import_quantity'];
/** Names added since, each new: a database the previous code migrated runs them when it opens. */
const NEW_NAMES = ['0005_actors_and_decisions', '0006_nodes', '0007_step_rows_without_foreign_keys', '0008_event_batches'];

/** A module added after the others, with a name that sorts after theirs and a table of its own. */
const later: StoreModule = {
  name: 'later',
  migrations: () => ({
    '0005_later_table': {
      up: async (db) =>
        void (await db.schema
          .createTable('later_rows')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .execute()),
    },
  }),
};

/** Runs the previous code's one migration list, as it did, on the test database. */
async function migrateAsBefore(kind: string, t: TestStore): Promise<string[]> {
  const postgres = kind === 'postgres';
  const db = postgres
    ? new Kysely<unknown>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: t.connection.databaseUrl, max: 1 }) }) })
    : new Kysely<unknown>({ dialect: new SqliteDialect({ database: new BetterSqlite3(t.connection.sqlitePath) }) });
  try {
    const schema = postgres ? (await sql<{ schema: string }>`select current_schema() as schema`.execute(db)).rows[0]?.schema : undefined;
    // Only the previous names run here, and none of them drops a key.
    const target: MigrationTarget = {
      clusteredPrimaryKey: postgres ? asIs : withoutRowid,
      migrationSchema: () => Promise.resolve(schema),
      dropRunForeignKey: () => Promise.reject(new Error('not a previous migration')),
    };
    const current: Record<string, Migration> = { ...CORE.migrations(target), ...seasonTables.migrations(target) };
    // The old names are still declared, unchanged and in their order; anything else is a new name.
    expect(Object.keys(current).filter((name) => PREVIOUS_NAMES.includes(name))).toEqual(PREVIOUS_NAMES);
    expect(Object.keys(current).filter((name) => !PREVIOUS_NAMES.includes(name))).toEqual(NEW_NAMES);
    const all = Object.fromEntries(PREVIOUS_NAMES.map((name) => [name, current[name] as Migration]));
    // The store made today's tables (newer migrations included): emptied, the database is as new as the previous code found it.
    await t.store.close();
    const tables = (await db.introspection.getTables({ withInternalKyselyTables: true })).filter((table) => schema === undefined || table.schema === schema);
    for (const table of tables)
      await sql`drop table ${sql.table(postgres ? `${schema}.${table.name}` : table.name)}${postgres ? sql` cascade` : sql``}`.execute(db);
    const { error } = await new Migrator({ db, provider: { getMigrations: () => Promise.resolve(all) }, migrationTableSchema: schema }).migrateToLatest();
    if (error !== undefined) throw error instanceof Error ? error : new Error('migration failed', { cause: error });
    const recorded = postgres ? db.withSchema(schema ?? 'public') : db;
    return (await (recorded as Kysely<{ kysely_migration: { name: string } }>).selectFrom('kysely_migration').select('name').orderBy('name').execute()).map(
      (r) => r.name,
    );
  } finally {
    await db.destroy();
  }
}

/** The tables whose rows name a run and that keep a foreign key to it. */
async function keyedToRuns(t: TestStore): Promise<string[]> {
  const children = ['attempts', 'events', 'steps', 'waits'];
  if (t.connection.sqlitePath) {
    const db = new BetterSqlite3(t.connection.sqlitePath, { readonly: true });
    try {
      return children.filter((table) => (db.prepare(`pragma foreign_key_list(${table})`).all() as { table: string }[]).some((key) => key.table === 'runs'));
    } finally {
      db.close();
    }
  }
  const client = new pg.Client({ connectionString: t.connection.databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ name: string }>(
      `select conrelid::regclass::text as name from pg_constraint where contype = 'f' and confrelid = 'runs'::regclass order by 1`,
    );
    return rows.map((r) => r.name).filter((name) => children.includes(name));
  } finally {
    await client.end();
  }
}

describeEachStore('migrations composed from the modules', (kind) => {
  let t: TestStore | undefined;
  afterEach(async () => {
    await t?.dispose();
    t = undefined;
  });

  it('keeps the migration names and order a database migrated by the previous code recorded, so it still opens and migrates', async () => {
    // The engine's tables only, closed at once: then the previous code's list runs over it, as an old `baton serve` would have.
    t = await kind.create([]);
    expect(await migrateAsBefore(kind.name, t)).toEqual(PREVIOUS_NAMES);

    const store = await t.reopen('after-the-split', [seasonTables, later]);
    // The new migrations ran on opening: the decisions' columns are there.
    expect(await store.listDecisions({ limit: 10 })).toEqual([]);
    // Season planning's tables are the ones the old migrations made, import quantity column included.
    expect(await seasonData(store).listPlans('r', 'forecast')).toEqual([]);
    expect(await seasonData(store).salesQuantity()).toBeNull();
    expect((await seasonData(store).salesSummary()).rows).toBe(0);
    // PostgreSQL checked each step's rows against runs on every commit; the fence guards them now. SQLite keeps its keys.
    expect(await keyedToRuns(t)).toEqual(kind.name === 'postgres' ? ['attempts', 'waits'] : ['attempts', 'events', 'steps', 'waits']);
  });

  it("opens a database holding another module's tables in a process that does not load that module, and the module's migrations run when it comes back", async () => {
    t = await kind.create([later]);
    // Season planning's tables were never made; a process with only the core opens the database all the same.
    await expect(t.reopen('core-only', [])).resolves.toBeDefined();
    // Season planning added later: its migrations (named before `later`'s) run now.
    const store = await t.reopen('season-added', [seasonTables]);
    expect((await seasonData(store).listStores()).length).toBe(0);
    await expect(t.reopen('every-module', [seasonTables, later])).resolves.toBeDefined();
  });

  it('refuses a module whose migrations are not named in the order they run, or a name another module uses', () => {
    const target: MigrationTarget = {
      clusteredPrimaryKey: asIs,
      migrationSchema: () => Promise.resolve(undefined),
      dropRunForeignKey: () => Promise.resolve(),
    };
    const noop: Migration = { up: () => Promise.resolve() };
    const unordered: StoreModule = { name: 'unordered', migrations: () => ({ '0009_b': noop, '0008_a': noop }) };
    const clash: StoreModule = { name: 'clash', migrations: () => ({ '0002_retail_tables': noop }) };
    expect(() => composeMigrations(target, [unordered], [])).toThrow(/named in the order they run/);
    expect(() => composeMigrations(target, [seasonTables, clash], [])).toThrow(/declared twice/);
  });
});
