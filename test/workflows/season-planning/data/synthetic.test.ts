import { describe, expect, it } from 'vitest';
import { generateRetailData } from '../../../../src/workflows/season-planning/data/synthetic.js';
import { addDays, weekday } from '../../../../src/workflows/season-planning/data/weeks.js';

const options = { stores: 12, categories: 3, weeks: 156, seed: 7, lastWeek: '2025-12-29' };
const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;

describe('synthetic retail data', () => {
  it('gives the same data for the same seed and different data for another', () => {
    const a = generateRetailData(options);
    const b = generateRetailData(options);
    const c = generateRetailData({ ...options, seed: 8 });
    expect(b.sales).toEqual(a.sales);
    expect(b.stores).toEqual(a.stores);
    expect(c.sales.map((s) => s.unitsSold)).not.toEqual(a.sales.map((s) => s.unitsSold));
  });

  it('has one row per store, category and week, on Mondays ending at the last week', () => {
    const data = generateRetailData(options);
    expect(data.sales).toHaveLength(12 * 3 * 156);
    const weeks = [...new Set(data.sales.map((s) => s.weekStartDate))].sort();
    expect(weeks).toHaveLength(156);
    expect(weeks.at(-1)).toBe('2025-12-29');
    expect(weeks[0]).toBe(addDays('2025-12-29', -7 * 155));
    expect(weeks.every((w) => weekday(w) === 0)).toBe(true);
    expect(data.sales.every((s) => Number.isInteger(s.unitsSold) && s.unitsSold >= 0)).toBe(true);
  });

  it('describes every store with the attributes clustering uses', () => {
    for (const store of generateRetailData(options).stores) {
      expect(store.storeSizeSqft).toBeGreaterThan(0);
      expect(['urban', 'suburban', 'rural']).toContain(store.locationTier);
      expect(store.medianIncome).toBeGreaterThan(0);
      expect(store.region).toBeTruthy();
      expect(store.storeFormat).toBeTruthy();
    }
  });

  it('sells more in Black Friday week than in a typical week', () => {
    const data = generateRetailData(options);
    const totalByWeek = new Map<string, number>();
    for (const s of data.sales) totalByWeek.set(s.weekStartDate, (totalByWeek.get(s.weekStartDate) ?? 0) + s.unitsSold);
    const blackFriday = totalByWeek.get('2025-11-24') ?? 0; // the Monday of the week with 28 Nov 2025
    expect(blackFriday).toBeGreaterThan(1.4 * median([...totalByWeek.values()]));
  });

  it('makes bigger stores sell more on average', () => {
    const data = generateRetailData({ ...options, stores: 40 });
    const totals = new Map<string, number>();
    for (const s of data.sales) totals.set(s.storeId, (totals.get(s.storeId) ?? 0) + s.unitsSold);
    const bySize = [...data.stores].sort((a, b) => (a.storeSizeSqft ?? 0) - (b.storeSizeSqft ?? 0));
    const mean = (ids: string[]) => ids.reduce((sum, id) => sum + (totals.get(id) ?? 0), 0) / ids.length;
    expect(mean(bySize.slice(-10).map((s) => s.storeId))).toBeGreaterThan(mean(bySize.slice(0, 10).map((s) => s.storeId)));
  });

  it('shifts the first category’s in-season demand from the configured week on', () => {
    const plain = generateRetailData(options);
    const shifted = generateRetailData({ ...options, inSeasonShift: { factor: 1.5, fromWeek: 3 } });
    const week = (n: number) => addDays('2025-12-29', 7 * n);
    const total = (data: typeof plain, category: string, n: number) => data.stores.reduce((sum, s) => sum + data.trueDemand(s.storeId, category, week(n)), 0);
    expect(total(shifted, 'C01', 2)).toBe(total(plain, 'C01', 2));
    expect(total(shifted, 'C01', 4) / total(plain, 'C01', 4)).toBeCloseTo(1.5, 1);
    expect(total(shifted, 'C02', 4)).toBe(total(plain, 'C02', 4));
  });
});
