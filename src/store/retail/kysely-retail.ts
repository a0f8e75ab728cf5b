/**
 * `RetailData` for both dialects, written once with Kysely. Imports are upserts in chunks inside
 * one transaction with their import record, so a failed import leaves nothing behind and a
 * re-import updates rows rather than duplicating them.
 */
import type { CompiledQuery, Kysely, Selectable } from 'kysely';
import type { DialectAdapter } from '../kysely-store.js';
import type { Database } from '../schema.js';
import { query, type Work } from '../unit-of-work.js';
import type { ActualSalesTable, HistoricalSalesTable, PlansTable, StoresTable } from './schema.js';
import type {
  Category,
  ImportBatch,
  ImportKind,
  ImportOutcome,
  ImportRecord,
  PlanRecord,
  RetailData,
  SalesSummary,
  SeasonActual,
  StoreProfile,
  WeeklySales,
} from './types.js';

/** Rows per INSERT: well under SQLite's 32,766 and PostgreSQL's 65,535 bound parameters. */
const CHUNK = 1000;

const chunks = <T>(rows: readonly T[]): T[][] =>
  Array.from({ length: Math.ceil(rows.length / CHUNK) }, (_, i) => rows.slice(i * CHUNK, (i + 1) * CHUNK));

type CountedTable = 'stores' | 'categories' | 'historical_sales';

const planOf = (row: Selectable<PlansTable>): PlanRecord => ({
  runId: row.run_id,
  kind: row.kind,
  revision: Number(row.revision),
  body: JSON.parse(row.body) as unknown,
  createdAt: Number(row.created_at),
});

export class KyselyRetailData implements RetailData {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly adapter: DialectAdapter,
  ) {}

  importStores(batch: ImportBatch<StoreProfile>): Promise<ImportOutcome> {
    const rows: StoresTable[] = batch.rows.map((s) => ({
      store_id: s.storeId,
      store_name: s.storeName,
      region: s.region,
      store_size_sqft: s.storeSizeSqft,
      location_tier: s.locationTier,
      median_income: s.medianIncome,
      store_format: s.storeFormat,
      updated_at: batch.at,
    }));
    const upserts = chunks(rows).map((chunk) =>
      this.db
        .insertInto('stores')
        .values(chunk)
        .onConflict((oc) =>
          oc.column('store_id').doUpdateSet((eb) => ({
            store_name: eb.ref('excluded.store_name'),
            region: eb.ref('excluded.region'),
            store_size_sqft: eb.ref('excluded.store_size_sqft'),
            location_tier: eb.ref('excluded.location_tier'),
            median_income: eb.ref('excluded.median_income'),
            store_format: eb.ref('excluded.store_format'),
            updated_at: eb.ref('excluded.updated_at'),
          })),
        )
        .compile(),
    );
    return this.runImport('stores', 'stores', batch, upserts);
  }

  importCategories(batch: ImportBatch<Category>): Promise<ImportOutcome> {
    const upserts = chunks(batch.rows.map((c) => ({ category_id: c.categoryId, name: c.name, updated_at: batch.at }))).map((chunk) =>
      this.db
        .insertInto('categories')
        .values(chunk)
        .onConflict((oc) => oc.column('category_id').doUpdateSet((eb) => ({ name: eb.ref('excluded.name'), updated_at: eb.ref('excluded.updated_at') })))
        .compile(),
    );
    return this.runImport('categories', 'categories', batch, upserts);
  }

  importSales(batch: ImportBatch<WeeklySales>): Promise<ImportOutcome> {
    const rows: HistoricalSalesTable[] = batch.rows.map((r) => ({
      store_id: r.storeId,
      category_id: r.categoryId,
      week_start_date: r.weekStartDate,
      units_sold: r.unitsSold,
    }));
    const upserts = chunks(rows).map((chunk) =>
      this.db
        .insertInto('historical_sales')
        .values(chunk)
        .onConflict((oc) =>
          oc.columns(['store_id', 'category_id', 'week_start_date']).doUpdateSet((eb) => ({ units_sold: eb.ref('excluded.units_sold') })),
        )
        .compile(),
    );
    // Sales may name stores and categories not imported (yet): they get rows with no attributes,
    // which a later stores or categories import fills in.
    const storeIds = [...new Set(batch.rows.map((r) => r.storeId))].map((store_id) => ({ store_id, updated_at: batch.at }));
    const categoryIds = [...new Set(batch.rows.map((r) => r.categoryId))].map((category_id) => ({ category_id, updated_at: batch.at }));
    const stubs = [
      ...chunks(storeIds).map((chunk) => this.db.insertInto('stores').values(chunk).onConflict((oc) => oc.column('store_id').doNothing()).compile()),
      ...chunks(categoryIds).map((chunk) => this.db.insertInto('categories').values(chunk).onConflict((oc) => oc.column('category_id').doNothing()).compile()),
    ];
    return this.runImport('sales', 'historical_sales', batch, [...stubs, ...upserts], stubs.length);
  }

  /** Runs the writes in one transaction with the import record; `before` writes run ahead of the count. */
  private runImport(kind: ImportKind, table: CountedTable, batch: ImportBatch<unknown>, writes: CompiledQuery[], before = 0): Promise<ImportOutcome> {
    const count = this.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).compile();
    const lastId = this.db.selectFrom('data_imports').select((eb) => eb.fn.max<number | null>('id').as('id')).compile();
    const db = this.db;
    function* work(): Work<ImportOutcome> {
      for (const write of writes.slice(0, before)) yield* query(write);
      const countBefore = Number((yield* query<{ n: number }>(count)).rows[0]?.n ?? 0);
      for (const write of writes.slice(before)) yield* query(write);
      const countAfter = Number((yield* query<{ n: number }>(count)).rows[0]?.n ?? 0);
      const inserted = countAfter - countBefore;
      const outcome = { rows: batch.rows.length, inserted, updated: batch.rows.length - inserted };
      const id = Number((yield* query<{ id: number | null }>(lastId)).rows[0]?.id ?? 0) + 1;
      yield* query(
        db
          .insertInto('data_imports')
          .values({ id, kind, source: batch.source, ...outcome, warnings: JSON.stringify(batch.warnings), imported_at: batch.at })
          .compile(),
      );
      return outcome;
    }
    return this.adapter.transact(work);
  }

  async listStores(): Promise<StoreProfile[]> {
    const rows = await this.all(this.db.selectFrom('stores').selectAll().orderBy('store_id').compile());
    return rows.map((r) => ({
      storeId: r.store_id,
      storeName: r.store_name,
      region: r.region,
      storeSizeSqft: r.store_size_sqft === null ? null : Number(r.store_size_sqft),
      locationTier: r.location_tier,
      medianIncome: r.median_income === null ? null : Number(r.median_income),
      storeFormat: r.store_format,
    }));
  }

  async listCategories(): Promise<Category[]> {
    const rows = await this.all(this.db.selectFrom('categories').select(['category_id', 'name']).orderBy('category_id').compile());
    return rows.map((r) => ({ categoryId: r.category_id, name: r.name }));
  }

  async listSales(): Promise<WeeklySales[]> {
    const rows = await this.all(
      this.db.selectFrom('historical_sales').selectAll().orderBy('store_id').orderBy('category_id').orderBy('week_start_date').compile(),
    );
    return rows.map((r) => ({ storeId: r.store_id, categoryId: r.category_id, weekStartDate: r.week_start_date, unitsSold: Number(r.units_sold) }));
  }

  async salesSummary(): Promise<SalesSummary> {
    const [totals] = await this.all(
      this.db
        .selectFrom('historical_sales')
        .select((eb) => [
          eb.fn.countAll<number>().as('rows'),
          eb.fn.count<number>('store_id').distinct().as('stores'),
          eb.fn.count<number>('category_id').distinct().as('categories'),
          eb.fn.count<number>('week_start_date').distinct().as('weeks'),
          eb.fn.min<string | null>('week_start_date').as('first_week'),
          eb.fn.max<string | null>('week_start_date').as('last_week'),
        ])
        .compile(),
    );
    const [series] = await this.all(
      this.db
        .selectFrom((eb) => eb.selectFrom('historical_sales').select(['store_id', 'category_id']).distinct().as('s'))
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .compile(),
    );
    return {
      rows: Number(totals?.rows ?? 0),
      stores: Number(totals?.stores ?? 0),
      categories: Number(totals?.categories ?? 0),
      weeks: Number(totals?.weeks ?? 0),
      series: Number(series?.n ?? 0),
      firstWeek: totals?.first_week ?? null,
      lastWeek: totals?.last_week ?? null,
    };
  }

  async listImports(limit = 20): Promise<ImportRecord[]> {
    const rows = await this.all(this.db.selectFrom('data_imports').selectAll().orderBy('id', 'desc').limit(limit).compile());
    return rows.map((r) => ({
      id: Number(r.id),
      kind: r.kind as ImportKind,
      source: r.source,
      rows: Number(r.rows),
      inserted: Number(r.inserted),
      updated: Number(r.updated),
      warnings: JSON.parse(r.warnings) as string[],
      importedAt: Number(r.imported_at),
    }));
  }

  async dataVersion(): Promise<number> {
    const [row] = await this.all(this.db.selectFrom('data_imports').select((eb) => eb.fn.max<number | null>('id').as('id')).compile());
    return Number(row?.id ?? 0);
  }

  savePlan(plan: PlanRecord): Promise<void> {
    const row = { run_id: plan.runId, kind: plan.kind, revision: plan.revision, body: JSON.stringify(plan.body), created_at: plan.createdAt };
    const upsert = this.db
      .insertInto('plans')
      .values(row)
      .onConflict((oc) => oc.columns(['run_id', 'kind', 'revision']).doUpdateSet((eb) => ({ body: eb.ref('excluded.body'), created_at: eb.ref('excluded.created_at') })))
      .compile();
    return this.adapter.execute(upsert).then(() => undefined);
  }

  latestPlan(runId: string, kind: string): Promise<PlanRecord | undefined> {
    return this.onePlan(runId, kind, 'desc');
  }

  firstPlan(runId: string, kind: string): Promise<PlanRecord | undefined> {
    return this.onePlan(runId, kind, 'asc');
  }

  private async onePlan(runId: string, kind: string, order: 'asc' | 'desc'): Promise<PlanRecord | undefined> {
    const [row] = await this.all(
      this.db.selectFrom('plans').selectAll().where('run_id', '=', runId).where('kind', '=', kind).orderBy('revision', order).limit(1).compile(),
    );
    return row && planOf(row);
  }

  async listPlans(runId: string, kind: string): Promise<PlanRecord[]> {
    const rows = await this.all(this.db.selectFrom('plans').selectAll().where('run_id', '=', runId).where('kind', '=', kind).orderBy('revision').compile());
    return rows.map(planOf);
  }

  saveSimulatedDemand(demand: WeeklySales[]): Promise<void> {
    const rows = demand.map((d) => ({ store_id: d.storeId, category_id: d.categoryId, week_start_date: d.weekStartDate, units: d.unitsSold }));
    const writes = [this.db.deleteFrom('simulated_demand').compile(), ...chunks(rows).map((chunk) => this.db.insertInto('simulated_demand').values(chunk).compile())];
    function* work(): Work<void> {
      for (const write of writes) yield* query(write);
    }
    return this.adapter.transact(work);
  }

  async simulatedDemand(weekStartDate: string): Promise<WeeklySales[]> {
    const rows = await this.all(this.db.selectFrom('simulated_demand').selectAll().where('week_start_date', '=', weekStartDate).orderBy('store_id').orderBy('category_id').compile());
    return rows.map((r) => ({ storeId: r.store_id, categoryId: r.category_id, weekStartDate: r.week_start_date, unitsSold: Number(r.units) }));
  }

  recordActuals(runId: string, actuals: SeasonActual[], at: number): Promise<void> {
    const upserts = this.actualsWrites(runId, actuals, at);
    function* work(): Work<void> {
      for (const upsert of upserts) yield* query(upsert);
    }
    return this.adapter.transact(work);
  }

  actualsWrites(runId: string, actuals: SeasonActual[], at: number): CompiledQuery[] {
    const rows: ActualSalesTable[] = actuals.map((a) => ({
      run_id: runId,
      store_id: a.storeId,
      category_id: a.categoryId,
      season_week: a.seasonWeek,
      units_sold: a.unitsSold,
      recorded_at: at,
    }));
    return chunks(rows).map((chunk) =>
      this.db
        .insertInto('actual_sales')
        .values(chunk)
        .onConflict((oc) =>
          oc.columns(['run_id', 'season_week', 'store_id', 'category_id']).doUpdateSet((eb) => ({
            units_sold: eb.ref('excluded.units_sold'),
            recorded_at: eb.ref('excluded.recorded_at'),
          })),
        )
        .compile(),
    );
  }

  async listActuals(runId: string): Promise<SeasonActual[]> {
    const rows = await this.all(
      this.db.selectFrom('actual_sales').selectAll().where('run_id', '=', runId).orderBy('season_week').orderBy('store_id').orderBy('category_id').compile(),
    );
    return rows.map((r) => ({ storeId: r.store_id, categoryId: r.category_id, seasonWeek: Number(r.season_week), unitsSold: Number(r.units_sold) }));
  }

  private async all<Row>(compiled: CompiledQuery<Row>): Promise<Row[]> {
    return (await this.adapter.execute(compiled)).rows;
  }
}
