/** Retail records as the season-planning code sees them, and the `SeasonData` interface over its tables (all its agents and routes see of the database). */
import type { CompiledQuery } from 'kysely';

export interface StoreProfile {
  storeId: string;
  storeName: string | null;
  region: string | null;
  storeSizeSqft: number | null;
  locationTier: string | null;
  medianIncome: number | null;
  storeFormat: string | null;
}

export interface Category {
  categoryId: string;
  name: string | null;
}

export interface WeeklySales {
  storeId: string;
  categoryId: string;
  /** YYYY-MM-DD */
  weekStartDate: string;
  unitsSold: number;
}

export interface SeasonActual {
  storeId: string;
  categoryId: string;
  seasonWeek: number;
  unitsSold: number;
}

export type ImportKind = 'stores' | 'categories' | 'sales';

/** What sales figures count: units sold, or sales value (money, e.g. Walmart's Weekly_Sales dollars). */
export type SalesQuantity = 'units' | 'sales_value';

export interface ImportRecord {
  id: number;
  kind: ImportKind;
  source: string;
  rows: number;
  inserted: number;
  updated: number;
  warnings: string[];
  importedAt: number;
  /** Sales imports: what the figures count (null for stores and categories). */
  quantity: SalesQuantity | null;
}

export interface ImportOutcome {
  rows: number;
  inserted: number;
  updated: number;
}

/** A batch of rows for a table, written with its import record (see `SeasonData.importSales`). */
export interface ImportBatch<Row> {
  source: string;
  /** Unique by the table's key; drawn a chunk at a time while writing, so a large import can be a generator. */
  rows: Iterable<Row>;
  warnings: string[];
  at: number;
  /** Sales batches: what the figures count (default units). */
  quantity?: SalesQuantity;
  /** Sales batches: the rows replace the whole history instead of adding to it, in one transaction (on SQLite too). */
  replace?: boolean;
}

export interface SalesSummary {
  stores: number;
  categories: number;
  series: number;
  rows: number;
  firstWeek: string | null;
  lastWeek: string | null;
  /** Distinct weeks with any sales row. */
  weeks: number;
}

export interface PlanRecord {
  runId: string;
  kind: string;
  revision: number;
  body: unknown;
  createdAt: number;
}

export interface SeasonData {
  /**
   * Imports: each row inserted or, when its key exists, updated; the import record written last.
   * All or nothing on PostgreSQL and, on SQLite, for imports small enough for one slice of
   * writes; larger SQLite imports commit in slices (see kysely-retail.ts), so callers check every
   * row before importing.
   */
  importStores(batch: ImportBatch<StoreProfile>): Promise<ImportOutcome>;
  importCategories(batch: ImportBatch<Category>): Promise<ImportOutcome>;
  importSales(batch: ImportBatch<WeeklySales>): Promise<ImportOutcome>;

  listStores(): Promise<StoreProfile[]>;
  listCategories(): Promise<Category[]>;
  /** Every history row, ordered by store, category and week. */
  listSales(): Promise<WeeklySales[]>;
  salesSummary(): Promise<SalesSummary>;
  /** The history's first week (null with no history): every week of a history starts on its weekday. */
  firstHistoryWeek(): Promise<string | null>;
  /** The distinct weeks the history holds, in order: the grid's span and weekdays without reading every row. */
  historyWeeks(): Promise<string[]>;
  listImports(limit?: number): Promise<ImportRecord[]>;
  /** What the sales history counts: the latest sales import's quantity (null before any sales import; units for imports older than the record). */
  salesQuantity(): Promise<SalesQuantity | null>;
  /** Changes whenever data is imported (here or on another node): a cache key. */
  dataVersion(): Promise<number>;

  /** Saves a plan; saving the same run, kind and revision again replaces it (an agent retried). */
  savePlan(plan: PlanRecord): Promise<void>;
  /** The latest revision of a run's plan of this kind. */
  latestPlan(runId: string, kind: string): Promise<PlanRecord | undefined>;
  /** The earliest revision of a run's plan of this kind (the plan the season started with). */
  firstPlan(runId: string, kind: string): Promise<PlanRecord | undefined>;
  /** Every revision of a run's plans of this kind, oldest first. */
  listPlans(runId: string, kind: string): Promise<PlanRecord[]>;

  /** Replaces the hidden in-season demand of synthetic data. */
  saveSimulatedDemand(rows: WeeklySales[]): Promise<void>;
  /** Hidden demand for one week, if the data has any. */
  simulatedDemand(weekStartDate: string): Promise<WeeklySales[]>;

  /** Records a run's actuals for one or more season weeks; a repeated week replaces the earlier figures. */
  recordActuals(runId: string, rows: SeasonActual[], at: number): Promise<void>;
  /** The same writes, for a run commit to make in its own transaction (so a resolution that loses writes none). */
  actualsWrites(runId: string, rows: SeasonActual[], at: number): CompiledQuery[];
  listActuals(runId: string): Promise<SeasonActual[]>;
}
