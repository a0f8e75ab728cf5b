/**
 * `SeasonData` for both dialects, written once with Kysely on the database handle the store gives
 * the module (its statements, the store's transactions). Imports are upserts in chunks of a
 * few fixed sizes (bulk-insert.ts), written with their import record, so a re-import updates rows
 * rather than duplicating them; how the chunks are grouped into transactions is below.
 */
import type { CompiledQuery, Kysely, Selectable } from 'kysely';
import { query, type Dialect, type ModuleDatabase, type Work } from '../../../store/index.js';
import { chunkSizes, CHUNK, multiRowInsert, shapedChunks } from './bulk-insert.js';
import type { ActualSalesTable, CategoriesTable, HistoricalSalesTable, PlansTable, SeasonTables, StoresTable } from './schema.js';
import type {
  Category,
  ImportBatch,
  ImportKind,
  ImportOutcome,
  ImportRecord,
  PlanRecord,
  SeasonData,
  SalesQuantity,
  SalesSummary,
  SeasonActual,
  StoreProfile,
  WeeklySales,
} from './types.js';

/** Multi-row writes in chunks of a few fixed sizes, so the statement cache holds a few shapes per table. */
const chunks = shapedChunks;

/**
 * How an import's chunks are grouped into transactions. PostgreSQL: one transaction for the whole
 * import, driven asynchronously (the event loop runs between statements, other connections keep
 * writing, readers see the import at its commit), so a failure or a crash anywhere leaves nothing.
 * SQLite: every statement runs synchronously on the one connection the engine commits through, so
 * one transaction spanning event-loop turns would hold every engine commit (lease renewals,
 * heartbeats) for the whole import (1.5 M rows: several seconds), and one synchronous transaction
 * would stall the process as long. Imports there commit in slices of about SLICE_MS, yielding to
 * the event loop between slices; the import record goes with the last slice. The CSV importer
 * checks every row before the first write (a bad row anywhere writes nothing), and an import that
 * fits in one slice (tens of thousands of rows) is still one transaction. What is given up, on
 * SQLite and for larger imports only: a crash or a write error between slices leaves the rows of
 * the committed slices without an import record (the data version does not move, so no cache
 * keeps them; importing the file again completes it), and a reader in between may see part of it.
 * Staging into a temporary table first was measured against this and rejected: moving the staged
 * rows into place is itself one long statement.
 */
const SLICED: Record<Dialect, boolean> = { sqlite: true, postgres: false };
export const SLICE_MS = 20;

const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** An import's two statements per chunk: insert the new rows (counted), then update the existing ones. */
interface ImportWrites<Row> {
  fresh: (rows: readonly Row[]) => CompiledQuery;
  upsert: (rows: readonly Row[]) => CompiledQuery;
}

const planOf = (row: Selectable<PlansTable>): PlanRecord => ({
  runId: row.run_id,
  kind: row.kind,
  revision: Number(row.revision),
  body: JSON.parse(row.body) as unknown,
  createdAt: Number(row.created_at),
});

const STORE_COLUMNS = ['store_id', 'store_name', 'region', 'store_size_sqft', 'location_tier', 'median_income', 'store_format', 'updated_at'] as const;
const CATEGORY_COLUMNS = ['category_id', 'name', 'updated_at'] as const;
const SALES_COLUMNS = ['store_id', 'category_id', 'week_start_date', 'units_sold'] as const;

export class KyselySeasonData implements SeasonData {
  private readonly stores: ImportWrites<StoresTable>;
  private readonly categories: ImportWrites<CategoriesTable>;
  private readonly sales: ImportWrites<HistoricalSalesTable>;
  private readonly storeStubs: (rows: readonly Pick<StoresTable, 'store_id' | 'updated_at'>[]) => CompiledQuery;
  private readonly categoryStubs: (rows: readonly Pick<CategoriesTable, 'category_id' | 'updated_at'>[]) => CompiledQuery;

  constructor(
    private readonly adapter: ModuleDatabase<SeasonTables>,
    private readonly db: Kysely<SeasonTables> = adapter.db,
  ) {
    // Two statements per chunk: ON CONFLICT DO NOTHING reports how many rows were new (both
    // databases count only inserted rows), then the upsert updates the rows that existed.
    this.stores = {
      fresh: multiRowInsert<StoresTable>(STORE_COLUMNS, (rows) =>
        db
          .insertInto('stores')
          .values(rows)
          .onConflict((oc) => oc.column('store_id').doNothing()),
      ),
      upsert: multiRowInsert<StoresTable>(STORE_COLUMNS, (rows) =>
        db
          .insertInto('stores')
          .values(rows)
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
          ),
      ),
    };
    this.categories = {
      fresh: multiRowInsert<CategoriesTable>(CATEGORY_COLUMNS, (rows) =>
        db
          .insertInto('categories')
          .values(rows)
          .onConflict((oc) => oc.column('category_id').doNothing()),
      ),
      upsert: multiRowInsert<CategoriesTable>(CATEGORY_COLUMNS, (rows) =>
        db
          .insertInto('categories')
          .values(rows)
          .onConflict((oc) => oc.column('category_id').doUpdateSet((eb) => ({ name: eb.ref('excluded.name'), updated_at: eb.ref('excluded.updated_at') }))),
      ),
    };
    this.sales = {
      fresh: multiRowInsert<HistoricalSalesTable>(SALES_COLUMNS, (rows) =>
        db
          .insertInto('historical_sales')
          .values(rows)
          .onConflict((oc) => oc.columns(['store_id', 'category_id', 'week_start_date']).doNothing()),
      ),
      // Only rows whose units changed are written again: the rows just inserted match and are skipped.
      upsert: multiRowInsert<HistoricalSalesTable>(SALES_COLUMNS, (rows) =>
        db
          .insertInto('historical_sales')
          .values(rows)
          .onConflict((oc) =>
            oc
              .columns(['store_id', 'category_id', 'week_start_date'])
              .doUpdateSet((eb) => ({ units_sold: eb.ref('excluded.units_sold') }))
              .where((eb) => eb('historical_sales.units_sold', '<>', eb.ref('excluded.units_sold'))),
          ),
      ),
    };
    this.storeStubs = multiRowInsert<Pick<StoresTable, 'store_id' | 'updated_at'>>(['store_id', 'updated_at'], (rows) =>
      db
        .insertInto('stores')
        .values(rows)
        .onConflict((oc) => oc.column('store_id').doNothing()),
    );
    this.categoryStubs = multiRowInsert<Pick<CategoriesTable, 'category_id' | 'updated_at'>>(['category_id', 'updated_at'], (rows) =>
      db
        .insertInto('categories')
        .values(rows)
        .onConflict((oc) => oc.column('category_id').doNothing()),
    );
  }

  importStores(batch: ImportBatch<StoreProfile>): Promise<ImportOutcome> {
    return this.runImport('stores', batch, this.stores, (s) => ({
      store_id: s.storeId,
      store_name: s.storeName,
      region: s.region,
      store_size_sqft: s.storeSizeSqft,
      location_tier: s.locationTier,
      median_income: s.medianIncome,
      store_format: s.storeFormat,
      updated_at: batch.at,
    }));
  }

  importCategories(batch: ImportBatch<Category>): Promise<ImportOutcome> {
    return this.runImport('categories', batch, this.categories, (c) => ({ category_id: c.categoryId, name: c.name, updated_at: batch.at }));
  }

  importSales(batch: ImportBatch<WeeklySales>): Promise<ImportOutcome> {
    // Sales may name stores and categories not imported (yet): they get rows with no attributes,
    // which a later stores or categories import fills in.
    const storeIds = new Set<string>();
    const categoryIds = new Set<string>();
    const stubs = (): CompiledQuery[] => [
      ...chunks([...storeIds].map((store_id) => ({ store_id, updated_at: batch.at }))).map((chunk) => this.storeStubs(chunk)),
      ...chunks([...categoryIds].map((category_id) => ({ category_id, updated_at: batch.at }))).map((chunk) => this.categoryStubs(chunk)),
    ];
    return this.runImport(
      'sales',
      batch,
      this.sales,
      (r) => {
        storeIds.add(r.storeId);
        categoryIds.add(r.categoryId);
        return { store_id: r.storeId, category_id: r.categoryId, week_start_date: r.weekStartDate, units_sold: r.unitsSold };
      },
      stubs,
    );
  }

  /**
   * Writes the batch's rows chunk by chunk as they are drawn from it (a large import is never
   * held as rows twice), then `after`, then the import record; transactions as SLICED says.
   */
  private async runImport<In, Row>(
    kind: ImportKind,
    batch: ImportBatch<In>,
    writes: ImportWrites<Row>,
    toRow: (row: In) => Row,
    after: () => CompiledQuery[] = () => [],
  ): Promise<ImportOutcome> {
    // A replaced history is deleted and written in one transaction: sliced, a failure would leave it half replaced.
    const sliced = SLICED[this.adapter.dialect] && batch.replace !== true;
    const clear = batch.replace === true ? this.db.deleteFrom('historical_sales').compile() : undefined;
    const source = batch.rows[Symbol.iterator]();
    let drawn: Row[] = [];
    let exhausted = false;
    const nextChunk = (): Row[] | undefined => {
      if (drawn.length === 0 && !exhausted) {
        while (drawn.length < CHUNK) {
          const next = source.next();
          if (next.done) {
            exhausted = true;
            break;
          }
          drawn.push(toRow(next.value));
        }
      }
      if (drawn.length === 0) return undefined;
      const size = chunkSizes(drawn.length)[0] ?? drawn.length;
      const chunk = drawn.length === size ? drawn : drawn.slice(0, size);
      drawn = drawn.length === size ? [] : drawn.slice(size);
      return chunk;
    };
    let rows = 0;
    let inserted = 0;
    const lastId = this.db
      .selectFrom('data_imports')
      .select((eb) => eb.fn.max<number | null>('id').as('id'))
      .compile();
    const db = this.db;
    function* slice(): Work<boolean> {
      const started = performance.now();
      if (clear) yield* query(clear);
      for (let chunk = nextChunk(); chunk !== undefined; chunk = nextChunk()) {
        rows += chunk.length;
        const fresh = Number((yield* query(writes.fresh(chunk))).numAffectedRows ?? 0n);
        inserted += fresh;
        // All new (a first import): nothing to update.
        if (fresh < chunk.length) yield* query(writes.upsert(chunk));
        if (sliced && performance.now() - started > SLICE_MS) return false;
      }
      for (const write of after()) yield* query(write);
      const id = Number((yield* query<{ id: number | null }>(lastId)).rows[0]?.id ?? 0) + 1;
      yield* query(
        db
          .insertInto('data_imports')
          .values({
            id,
            kind,
            source: batch.source,
            rows,
            inserted,
            updated: rows - inserted,
            warnings: JSON.stringify(batch.warnings),
            imported_at: batch.at,
            quantity: kind === 'sales' ? (batch.quantity ?? 'units') : null,
          })
          .compile(),
      );
      return true;
    }
    while (!(await this.adapter.transact(slice))) await yieldToEventLoop();
    return { rows, inserted, updated: rows - inserted };
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

  async firstHistoryWeek(): Promise<string | null> {
    const [row] = await this.all(
      this.db
        .selectFrom('historical_sales')
        .select((eb) => eb.fn.min<string | null>('week_start_date').as('first'))
        .compile(),
    );
    return row?.first ?? null;
  }

  async historyWeeks(): Promise<string[]> {
    const rows = await this.all(this.db.selectFrom('historical_sales').select('week_start_date').distinct().orderBy('week_start_date').compile());
    return rows.map((r) => r.week_start_date);
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
      quantity: r.quantity === 'units' || r.quantity === 'sales_value' ? r.quantity : r.kind === 'sales' ? 'units' : null,
    }));
  }

  async salesQuantity(): Promise<SalesQuantity | null> {
    const [row] = await this.all(this.db.selectFrom('data_imports').select('quantity').where('kind', '=', 'sales').orderBy('id', 'desc').limit(1).compile());
    if (row === undefined) return null;
    return row.quantity === 'sales_value' ? 'sales_value' : 'units';
  }

  async dataVersion(): Promise<number> {
    const [row] = await this.all(
      this.db
        .selectFrom('data_imports')
        .select((eb) => eb.fn.max<number | null>('id').as('id'))
        .compile(),
    );
    return Number(row?.id ?? 0);
  }

  savePlan(plan: PlanRecord): Promise<void> {
    const row = { run_id: plan.runId, kind: plan.kind, revision: plan.revision, body: JSON.stringify(plan.body), created_at: plan.createdAt };
    const upsert = this.db
      .insertInto('plans')
      .values(row)
      .onConflict((oc) =>
        oc.columns(['run_id', 'kind', 'revision']).doUpdateSet((eb) => ({ body: eb.ref('excluded.body'), created_at: eb.ref('excluded.created_at') })),
      )
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
    const writes = [
      this.db.deleteFrom('simulated_demand').compile(),
      ...chunks(rows).map((chunk) => this.db.insertInto('simulated_demand').values(chunk).compile()),
    ];
    function* work(): Work<void> {
      for (const write of writes) yield* query(write);
    }
    return this.adapter.transact(work);
  }

  async simulatedDemand(weekStartDate: string): Promise<WeeklySales[]> {
    const rows = await this.all(
      this.db.selectFrom('simulated_demand').selectAll().where('week_start_date', '=', weekStartDate).orderBy('store_id').orderBy('category_id').compile(),
    );
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
