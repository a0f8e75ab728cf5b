// GET /api/data/history: weekly units per category over all stores, the latest weeks of the loaded data.
import { expect, it } from 'vitest';
import { describeEachStore } from '../../support/stores.js';
import { LAST_WEEK, loadSmallChain } from '../../workflows/season-planning/support.js';
import { useServers, type ErrorView } from './harness.js';
import { seasonData } from '../../../src/workflows/season-planning/data/index.js';

interface History {
  weeks: string[];
  categories: { category_id: string; name: string | null; units: number[] }[];
}

describeEachStore('HTTP: sales history for the dashboard', (kind) => {
  const h = useServers(kind);

  it('sums every store per category and week, for the latest weeks asked', async () => {
    const api = await h.serve({ season: true });
    await loadSmallChain(api.t.store);
    const reply = await api.get<History>('/api/data/history?weeks=13');
    expect(reply.status).toBe(200);
    expect(reply.body.weeks).toHaveLength(13);
    expect(reply.body.weeks.at(-1)).toBe(LAST_WEEK);
    expect(reply.body.categories).toHaveLength(2);
    // The same totals straight from the sales table.
    const sales = await seasonData(api.t.store).listSales();
    for (const category of reply.body.categories) {
      expect(category.units).toHaveLength(13);
      reply.body.weeks.forEach((week, i) => {
        const expected = sales.filter((s) => s.categoryId === category.category_id && s.weekStartDate === week).reduce((sum, s) => sum + s.unitsSold, 0);
        expect(category.units[i], `${category.category_id} ${week}`).toBeCloseTo(expected, 6);
      });
    }
    expect((await api.get<History>('/api/data/history')).body.weeks).toHaveLength(52);
  });

  it('refuses a bad number of weeks and says when there is no history', async () => {
    const api = await h.serve({ season: true });
    expect((await api.get<ErrorView>('/api/data/history?weeks=0')).body.error_type).toBe('INVALID_PARAMETERS');
    const empty = await api.get<ErrorView>('/api/data/history');
    expect(empty.status).toBe(404);
    expect(empty.body.error_type).toBe('DATA_NOT_FOUND');
  });
});
