/**
 * The retail tables season planning reads and writes: stores, categories, weekly sales history,
 * in-season actuals per run, and a log of imports (for the dashboard's Data page and cache keys).
 * Its migrations keep the names databases recorded when they lived in the store (0002–0004).
 */
import type { Kysely, Migration } from 'kysely';
import type { MigrationTarget, StoreModule } from '../../../store/index.js';

export interface StoresTable {
  store_id: string;
  store_name: string | null;
  region: string | null;
  store_size_sqft: number | null;
  location_tier: string | null;
  median_income: number | null;
  store_format: string | null;
  updated_at: number;
}

export interface CategoriesTable {
  category_id: string;
  name: string | null;
  updated_at: number;
}

export interface HistoricalSalesTable {
  store_id: string;
  category_id: string;
  /** ISO date (YYYY-MM-DD) of the week's first day as the source gives it. */
  week_start_date: string;
  units_sold: number;
}

export interface ActualSalesTable {
  run_id: string;
  store_id: string;
  category_id: string;
  /** 1-based week of the season the actuals belong to. */
  season_week: number;
  units_sold: number;
  recorded_at: number;
}

export interface DataImportsTable {
  id: number;
  kind: string;
  source: string;
  rows: number;
  inserted: number;
  updated: number;
  warnings: string;
  imported_at: number;
  /** What a sales import's figures count: 'units' or 'sales_value' (money); null for stores, categories and sales imported before it was recorded (units). */
  quantity: string | null;
}

/** A plan an agent wrote for a run (forecast, allocation, replenishment, markdown, summary), as JSON. */
export interface PlansTable {
  run_id: string;
  kind: string;
  revision: number;
  body: string;
  created_at: number;
}

/** Synthetic data's hidden in-season demand, which the demo's simulated actuals follow. */
export interface SimulatedDemandTable {
  store_id: string;
  category_id: string;
  week_start_date: string;
  units: number;
}

export interface SeasonTables {
  plans: PlansTable;
  simulated_demand: SimulatedDemandTable;
  stores: StoresTable;
  categories: CategoriesTable;
  historical_sales: HistoricalSalesTable;
  actual_sales: ActualSalesTable;
  data_imports: DataImportsTable;
}

type AnyDb = Kysely<unknown>;

/**
 * Plans are JSON documents per run, kind and revision: agents write and readers fetch them whole
 * (a forecast of every series, the allocation of every store), so rows per number bought nothing.
 */
export const planTables = (target: MigrationTarget): Migration => ({
  async up(db: AnyDb) {
    await db.schema
      .createTable('plans')
      .addColumn('run_id', 'text', (c) => c.notNull().references('runs.id'))
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('revision', 'integer', (c) => c.notNull())
      .addColumn('body', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('plans_pk', ['run_id', 'kind', 'revision'])
      .$call(target.clusteredPrimaryKey)
      .execute();
    await db.schema
      .createTable('simulated_demand')
      .addColumn('store_id', 'text', (c) => c.notNull())
      .addColumn('category_id', 'text', (c) => c.notNull())
      .addColumn('week_start_date', 'text', (c) => c.notNull())
      .addColumn('units', 'double precision', (c) => c.notNull())
      .addPrimaryKeyConstraint('simulated_demand_pk', ['week_start_date', 'store_id', 'category_id'])
      .$call(target.clusteredPrimaryKey)
      .execute();
  },
});

export const retailTables = (target: MigrationTarget): Migration => ({
  async up(db: AnyDb) {
    await db.schema
      .createTable('stores')
      .addColumn('store_id', 'text', (c) => c.primaryKey())
      .addColumn('store_name', 'text')
      .addColumn('region', 'text')
      .addColumn('store_size_sqft', 'double precision')
      .addColumn('location_tier', 'text')
      .addColumn('median_income', 'double precision')
      .addColumn('store_format', 'text')
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('categories')
      .addColumn('category_id', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text')
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('historical_sales')
      .addColumn('store_id', 'text', (c) => c.notNull())
      .addColumn('category_id', 'text', (c) => c.notNull())
      .addColumn('week_start_date', 'text', (c) => c.notNull())
      .addColumn('units_sold', 'double precision', (c) => c.notNull())
      .addPrimaryKeyConstraint('historical_sales_pk', ['store_id', 'category_id', 'week_start_date'])
      .$call(target.clusteredPrimaryKey)
      .execute();
    await db.schema
      .createTable('actual_sales')
      .addColumn('run_id', 'text', (c) => c.notNull().references('runs.id'))
      .addColumn('store_id', 'text', (c) => c.notNull())
      .addColumn('category_id', 'text', (c) => c.notNull())
      .addColumn('season_week', 'integer', (c) => c.notNull())
      .addColumn('units_sold', 'double precision', (c) => c.notNull())
      .addColumn('recorded_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('actual_sales_pk', ['run_id', 'season_week', 'store_id', 'category_id'])
      .$call(target.clusteredPrimaryKey)
      .execute();
    await db.schema
      .createTable('data_imports')
      .addColumn('id', 'integer', (c) => c.primaryKey())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('source', 'text', (c) => c.notNull())
      .addColumn('rows', 'integer', (c) => c.notNull())
      .addColumn('inserted', 'integer', (c) => c.notNull())
      .addColumn('updated', 'integer', (c) => c.notNull())
      .addColumn('warnings', 'text', (c) => c.notNull())
      .addColumn('imported_at', 'bigint', (c) => c.notNull())
      .execute();
  },
});

/**
 * What a sales import's figures count (units or sales value): recorded per import, so the plan and
 * its reports can say whether they are in units or money (the latest sales import decides).
 */
export const importQuantity: Migration = {
  async up(db: AnyDb) {
    await db.schema.alterTable('data_imports').addColumn('quantity', 'text').execute();
  },
};

/** Season planning's part of the database: its migrations, and its tables that hold a run's rows (pruned with the run). */
export const seasonTables: StoreModule = {
  name: 'season-planning',
  migrations: (target) => ({
    '0002_retail_tables': retailTables(target),
    '0003_plan_tables': planTables(target),
    '0004_import_quantity': importQuantity,
  }),
  runTables: ['plans', 'actual_sales'],
};
