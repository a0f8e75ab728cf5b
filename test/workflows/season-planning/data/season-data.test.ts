// Season planning's tables through SeasonData, on every configured database: imports are upserts, all or nothing, logged.
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { BatonStore } from '../../../../src/store/index.js';
import { seasonData, type StoreProfile, type WeeklySales } from '../../../../src/workflows/season-planning/data/index.js';
import { describeEachStore, type TestStore } from '../../../support/stores.js';

const profile = (storeId: string, overrides: Partial<StoreProfile> = {}): StoreProfile => ({
  storeId,
  storeName: `Store ${storeId}`,
  region: null,
  storeSizeSqft: 100_000,
  locationTier: null,
  medianIncome: null,
  storeFormat: 'A',
  ...overrides,
});

const sales = (storeId: string, categoryId: string, weeks: string[], units: number): WeeklySales[] =>
  weeks.map((weekStartDate) => ({ storeId, categoryId, weekStartDate, unitsSold: units }));

describeEachStore('retail data', (kind) => {
  let t: TestStore;
  let store: BatonStore;
  beforeEach(async () => {
    t = await kind.create();
    store = t.store;
  });
  afterEach(() => t.dispose());

  it('imports stores and updates them on re-import instead of duplicating', async () => {
    const first = await seasonData(store).importStores({ source: 'a.csv', rows: [profile('1'), profile('2')], warnings: [], at: 1 });
    expect(first).toEqual({ rows: 2, inserted: 2, updated: 0 });
    const again = await seasonData(store).importStores({ source: 'a.csv', rows: [profile('2', { storeFormat: 'B' }), profile('3')], warnings: ['w'], at: 2 });
    expect(again).toEqual({ rows: 2, inserted: 1, updated: 1 });
    const stores = await seasonData(store).listStores();
    expect(stores.map((s) => [s.storeId, s.storeFormat])).toEqual([
      ['1', 'A'],
      ['2', 'B'],
      ['3', 'A'],
    ]);
    expect(stores[0]).toEqual(profile('1'));
  });

  it('keeps negative sales and summarises the history', async () => {
    const weeks = ['2024-01-05', '2024-01-12', '2024-01-19'];
    await seasonData(store).importSales({ source: 's.csv', rows: [...sales('1', '7', weeks, 10), ...sales('2', '7', weeks.slice(1), -3)], warnings: [], at: 1 });
    const rows = await seasonData(store).listSales();
    expect(rows).toHaveLength(5);
    expect(rows.filter((r) => r.unitsSold < 0)).toHaveLength(2);
    expect(await seasonData(store).salesSummary()).toEqual({
      rows: 5,
      stores: 2,
      categories: 1,
      series: 2,
      weeks: 3,
      firstWeek: '2024-01-05',
      lastWeek: '2024-01-19',
    });
  });

  it('imports thousands of sales rows in one transaction and re-imports them as updates', async () => {
    const weeks = Array.from({ length: 150 }, (_, i) => new Date(Date.UTC(2022, 0, 7 + 7 * i)).toISOString().slice(0, 10));
    const rows = Array.from({ length: 20 }, (_, s) => sales(String(s), 'c', weeks, s)).flat();
    expect(await seasonData(store).importSales({ source: 'big', rows, warnings: [], at: 1 })).toEqual({ rows: 3000, inserted: 3000, updated: 0 });
    expect(await seasonData(store).importSales({ source: 'big', rows, warnings: [], at: 2 })).toEqual({ rows: 3000, inserted: 0, updated: 3000 });
    expect((await seasonData(store).salesSummary()).rows).toBe(3000);
  });

  it('writes nothing when a row of an import fails', async () => {
    const bad = { storeId: '1', categoryId: 'c', weekStartDate: '2024-01-05', unitsSold: null as unknown as number };
    await expect(seasonData(store).importSales({ source: 'bad', rows: [...sales('1', 'c', ['2024-01-12'], 1), bad], warnings: [], at: 1 })).rejects.toThrow();
    expect(await seasonData(store).listSales()).toEqual([]);
    expect(await seasonData(store).listImports()).toEqual([]);
    expect(await seasonData(store).dataVersion()).toBe(0);
  });

  it('logs each import with its warnings and moves the data version', async () => {
    await seasonData(store).importCategories({ source: 'c.csv', rows: [{ categoryId: '1', name: 'Dresses' }], warnings: [], at: 5 });
    const v1 = await seasonData(store).dataVersion();
    await seasonData(store).importStores({ source: 's.csv', rows: [profile('9')], warnings: ['row 3: size missing'], at: 6 });
    expect(await seasonData(store).dataVersion()).toBeGreaterThan(v1);
    const [latest, earlier] = await seasonData(store).listImports();
    expect(latest).toMatchObject({ kind: 'stores', source: 's.csv', rows: 1, inserted: 1, warnings: ['row 3: size missing'], importedAt: 6 });
    expect(earlier).toMatchObject({ kind: 'categories', source: 'c.csv' });
    expect(await seasonData(store).listCategories()).toEqual([{ categoryId: '1', name: 'Dresses' }]);
  });

  it('records in-season actuals per run and replaces a repeated week', async () => {
    const runId = randomUUID();
    await store.createRun(
      {
        id: runId,
        workflow: 'wf',
        sessionId: null,
        idempotencyKey: null,
        parameters: {},
        state: 'running',
        phase: 'p',
        leaseOwner: null,
        leaseExpiresAt: null,
        createdAt: 1,
      },
      [{ type: 'run_created', payload: {} }],
    );
    await seasonData(store).recordActuals(
      runId,
      [
        { storeId: '1', categoryId: 'c', seasonWeek: 1, unitsSold: 5 },
        { storeId: '2', categoryId: 'c', seasonWeek: 1, unitsSold: 7 },
      ],
      10,
    );
    await seasonData(store).recordActuals(runId, [{ storeId: '1', categoryId: 'c', seasonWeek: 1, unitsSold: 6 }], 11);
    expect(await seasonData(store).listActuals(runId)).toEqual([
      { storeId: '1', categoryId: 'c', seasonWeek: 1, unitsSold: 6 },
      { storeId: '2', categoryId: 'c', seasonWeek: 1, unitsSold: 7 },
    ]);
  });
  it('saves plans by revision, replaces a retried revision and reads the latest', async () => {
    const runId = randomUUID();
    await store.createRun(
      {
        id: runId,
        workflow: 'wf',
        sessionId: null,
        idempotencyKey: null,
        parameters: {},
        state: 'running',
        phase: 'p',
        leaseOwner: null,
        leaseExpiresAt: null,
        createdAt: 1,
      },
      [{ type: 'run_created', payload: {} }],
    );
    await seasonData(store).savePlan({ runId, kind: 'forecast', revision: 1, body: { total: 10 }, createdAt: 1 });
    await seasonData(store).savePlan({ runId, kind: 'forecast', revision: 1, body: { total: 11 }, createdAt: 2 });
    await seasonData(store).savePlan({ runId, kind: 'forecast', revision: 2, body: { total: 12 }, createdAt: 3 });
    expect((await seasonData(store).latestPlan(runId, 'forecast'))?.body).toEqual({ total: 12 });
    expect((await seasonData(store).listPlans(runId, 'forecast')).map((p) => p.body)).toEqual([{ total: 11 }, { total: 12 }]);
    expect(await seasonData(store).latestPlan(runId, 'allocation')).toBeUndefined();
  });

  it('replaces the hidden simulated demand and reads it by week', async () => {
    await seasonData(store).saveSimulatedDemand(sales('1', 'c', ['2025-01-06', '2025-01-13'], 4));
    await seasonData(store).saveSimulatedDemand(sales('2', 'c', ['2025-01-06'], 5));
    expect(await seasonData(store).simulatedDemand('2025-01-06')).toEqual([{ storeId: '2', categoryId: 'c', weekStartDate: '2025-01-06', unitsSold: 5 }]);
    expect(await seasonData(store).simulatedDemand('2025-01-13')).toEqual([]);
  });
});
