// What `baton runs show` prints as a season's headline figures: the plan's own quantity (units or sales value) on each.
import { describe, expect, it } from 'vitest';
import type { EventView } from '../../../src/cli/runs/backend.js';
import { headlineFigures } from '../../../src/cli/runs/format.js';

const complete = (seq: number, phase: string, result: Record<string, unknown>) => ({ type: 'complete', seq, phase, result }) as unknown as EventView;

const season = (quantity?: 'units' | 'sales_value') => [
  complete(1, 'demand', {
    season_total: 570_912_290,
    weeks_planned: 12,
    manufacturing_quantity: 592_198_106,
    safety_stock: 21_285_816,
    ...(quantity ? { quantity } : {}),
    by_category: [
      { category_id: '10', name: null, total: 3 },
      { category_id: '2', name: null, total: 2 },
      { category_id: '1', name: null, total: 1 },
    ],
  }),
  complete(2, 'allocation', { store_units: 503_368_390, stores: 45, dc_units: 88_829_716 }),
  complete(3, 'season_close', { markdown: 0.3, variance_alerts: 2, reforecasts: 1, units_sold: 475_600_000, sell_through: 0.8, revenue: 400_000_000 }),
];

describe('a season’s headline figures', () => {
  it('says "in sales value", never "units", for a season planned on money, and lists categories in number order', () => {
    const lines = headlineFigures(season('sales_value'));
    expect(lines).toEqual([
      'forecast: 570,912,290 in sales value over 12 weeks (1 1, 2 2, 10 3)',
      'buy: 592,198,106 in sales value (safety stock 21,285,816)',
      'allocation: 503,368,390 in sales value to 45 stores, 88,829,716 held at the DC',
      'markdown: 30%; variance alerts 2, re-forecasts 1',
      'sold 475,600,000 in sales value (80.0% sell-through), revenue 400,000,000',
    ]);
  });

  it('says units for a season of units, and for one recorded before the quantity was', () => {
    for (const quantity of ['units', undefined] as const) {
      const [forecast, buy] = headlineFigures(season(quantity));
      expect(forecast).toMatch(/^forecast: 570,912,290 units over 12 weeks/);
      expect(buy).toBe('buy: 592,198,106 units (safety stock 21,285,816)');
    }
  });
});
