/**
 * Real databases for tests: a fresh SQLite file per store, and (when BATON_TEST_POSTGRES_URL is
 * set) a fresh PostgreSQL schema per store, so suites can run side by side without sharing rows.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { describe } from 'vitest';
import { openStore, type BatonStore, type StoreModule } from '../../src/store/index.js';
import { buildTables } from '../../src/workflows/build-pipeline/data/schema.js';
import { seasonTables } from '../../src/workflows/season-planning/data/schema.js';

export const postgresUrl = process.env.BATON_TEST_POSTGRES_URL || undefined;

/**
 * The modules' tables every test database gets: the CLI's list's (test/cli/modules.test.ts checks
 * they agree), taken from the table modules alone so an engine test loads no workflow code.
 */
export const TEST_STORE_MODULES: readonly StoreModule[] = [seasonTables, buildTables];

export interface TestStore {
  store: BatonStore;
  /** How another process would open the same database. */
  connection: { databaseUrl?: string; sqlitePath?: string };
  /** Opens another store on the same database (another "process" for cross-node tests). */
  reopen(origin?: string, modules?: readonly StoreModule[]): Promise<BatonStore>;
  /** Closes every store opened here and removes the database. */
  dispose(): Promise<void>;
}

export interface StoreKind {
  name: 'sqlite' | 'postgres';
  /** A fresh database migrated for `modules` (default: every module's tables). */
  create(modules?: readonly StoreModule[]): Promise<TestStore>;
}

function sqliteKind(): StoreKind {
  return {
    name: 'sqlite',
    async create(modules = TEST_STORE_MODULES) {
      const dir = mkdtempSync(join(tmpdir(), 'baton-test-'));
      const path = join(dir, 'baton.db');
      const opened: BatonStore[] = [];
      const open = async (origin = `test-${randomUUID().slice(0, 6)}`, opening = modules) => {
        const store = await openStore({ sqlitePath: path, origin, modules: opening });
        opened.push(store);
        return store;
      };
      return {
        store: await open(),
        connection: { sqlitePath: path },
        reopen: open,
        async dispose() {
          await Promise.allSettled(opened.map((s) => s.close()));
          rmSync(dir, { recursive: true, force: true });
        },
      };
    },
  };
}

/**
 * One database per vitest worker, a schema per store inside it. Kysely's migrator looks through
 * every schema of a database; a schema dropped by another worker mid-look failed its migration.
 * Named by the vitest run too (a worker's parent is the run's main process), so two runs on one
 * server never share one; the run's global teardown drops them (global-setup.ts).
 */
async function workerDatabase(url: string): Promise<string> {
  const name = `${TEST_DATABASE_PREFIX}${process.ppid}_w${process.env.VITEST_POOL_ID ?? process.pid}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    await admin.query(`create database ${name}`);
  } catch (error) {
    if (!(error instanceof Error && 'code' in error && error.code === '42P04')) throw error; // exists already
  } finally {
    await admin.end();
  }
  const scoped = new URL(url);
  scoped.pathname = `/${name}`;
  return scoped.toString();
}

/** Test databases are named `<prefix><vitest main pid>_w<worker>`. */
const TEST_DATABASE_PREFIX = 'baton_test_';

function postgresKind(serverUrl: string): StoreKind {
  let database: Promise<string> | undefined;
  return {
    name: 'postgres',
    async create(modules = TEST_STORE_MODULES) {
      const url = await (database ??= workerDatabase(serverUrl));
      const schema = `t_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
      const admin = new pg.Client({ connectionString: url });
      await admin.connect();
      await admin.query(`create schema ${schema}`);
      const scoped = new URL(url);
      scoped.searchParams.set('options', `-c search_path=${schema}`);
      const opened: BatonStore[] = [];
      const open = async (origin = `test-${randomUUID().slice(0, 6)}`, opening = modules) => {
        const store = await openStore({ databaseUrl: scoped.toString(), origin, modules: opening });
        opened.push(store);
        return store;
      };
      return {
        store: await open(),
        connection: { databaseUrl: scoped.toString() },
        reopen: open,
        async dispose() {
          await Promise.allSettled(opened.map((s) => s.close()));
          await admin.query(`drop schema ${schema} cascade`);
          await admin.end();
        },
      };
    },
  };
}

/** SQLite always; PostgreSQL when configured (the global setup prints one line when it is not). */
export const storeKinds: StoreKind[] = [sqliteKind(), ...(postgresUrl ? [postgresKind(postgresUrl)] : [])];

/** Runs the same suite against every configured database. */
export function describeEachStore(title: string, suite: (kind: StoreKind) => void): void {
  for (const kind of storeKinds) describe(`${title} [${kind.name}]`, () => suite(kind));
}
