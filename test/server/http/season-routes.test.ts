// Season planning over real HTTP: CSV uploads, a season fed with posted weekly actuals, and the plan read endpoints.
import { expect, it } from 'vitest';
import { describeEachStore } from '../../support/stores.js';
import { loadSmallChain, season } from '../../workflows/season-planning/support.js';
import { useServers, type ErrorView } from './harness.js';

interface Status {
  state: string;
  phase: string | null;
  waiting_for: { approval_id: string; kind: string; data: { week?: number } } | null;
}

const csv = (text: string, headers: Record<string, string> = {}) => ({ method: 'POST', headers: { 'content-type': 'text/csv', ...headers }, body: text });

describeEachStore('HTTP: season planning', (kind) => {
  const h = useServers(kind);

  it('imports CSV uploads all or nothing and summarises the data', async () => {
    const api = await h.serve({ season: true });
    const stores = await api.request('/api/data/stores?name=stores.csv', csv('Store,Type,Size\r1,A,151315\r2,B,202307\r'));
    expect(stores).toMatchObject({ status: 200, body: { table: 'stores', rows: 2, inserted: 2 } });
    const bad = await api.request<ErrorView>('/api/data/sales?name=sales.csv', csv('Store,Dept,Date,Weekly_Sales\n1,1,2012-01-06,10\n1,1,someday,5\n'));
    expect(bad.status).toBe(422);
    expect(bad.body.suggestions).toEqual(['fix sales.csv line 3 (week_start_date), then import the file again']);
    expect(bad.body.details).toMatchObject({ problems: [{ line: 3, field: 'week_start_date', message: '"someday" is not a date (YYYY-MM-DD or M/D/YYYY)' }] });
    const missing = await api.request<ErrorView>('/api/data/sales', csv('Shop,Dept,Date,Weekly_Sales\n1,1,2012-01-06,10\n'));
    expect(missing).toMatchObject({ status: 400, body: { error_type: 'INCOMPLETE_INPUT', details: { missing: ['store_id'] } } });
    const sales = await api.request(
      '/api/data/sales?map=Shop=store_id&quantity=units&week_dates=start',
      csv('Shop,Dept,Date,Weekly_Sales\n1,1,2012-01-06,10\n2,1,2012-01-06,-3\n'),
    );
    expect(sales).toMatchObject({
      status: 200,
      body: {
        rows: 2,
        inserted: 2,
        quantity: 'units',
        week_dates: 'start',
        warnings: ['1 row with negative units (returns exceeding sales): kept as they are'],
      },
    });
    const summary = await api.get<{ stores: number; sales_rows: number; imports: { kind: string }[] }>('/api/data');
    expect(summary.body).toMatchObject({ stores: 2, sales_rows: 2, first_week: '2012-01-06' });
    expect(summary.body.imports.map((i) => i.kind)).toEqual(['sales', 'stores']);
  });

  it('answers DATA_NOT_FOUND with suggestions when clusters are asked of an empty database', async () => {
    const api = await h.serve({ season: true });
    const reply = await api.get<ErrorView>('/api/stores/clusters');
    expect(reply.status).toBe(404);
    expect(reply.body.error_type).toBe('DATA_NOT_FOUND');
    expect(reply.body.suggestions.join(' ')).toContain('baton data generate');
  });

  it('runs a season on posted weekly actuals and serves its forecast, allocation and variance', async () => {
    const api = await h.serve({ season: true });
    await loadSmallChain(api.t.store);
    const started = await api.post<{ run_id: string }>('/api/orchestrator/run-workflow', {
      session_id: 's1',
      workflow: 'season-planning',
      parameters: season(4, { actuals: 'manual' }),
    });
    expect(started.status).toBe(202);
    const runId = started.body.run_id;
    const status = await api.engine.settled(runId);
    expect(status.waitingFor?.phase).toBe('manufacturing_approval');
    await api.post(`/api/runs/${runId}/approvals/${status.waitingFor!.id}`, { action: 'accept' });

    const forecast = await api.get<{ series: { store_id: string; category_id: string; forecast: number[] }[]; weeks: string[] }>(`/api/forecasts/${runId}`);
    expect(forecast.status).toBe(200);
    expect(forecast.body.weeks).toEqual(['2026-01-05', '2026-01-12', '2026-01-19', '2026-01-26']);
    expect(forecast.body.series).toHaveLength(16);

    for (let week = 1; week <= 4; week++) {
      await api.engine.settled(runId);
      const view = (await api.get<Status>(`/api/runs/${runId}`)).body;
      expect(view.waiting_for).toMatchObject({ kind: 'actuals', data: { week } });
      const sales = forecast.body.series.map((s) => ({ store_id: s.store_id, category_id: s.category_id, units_sold: Math.round(s.forecast[week - 1]!) }));
      const early = await api.post<ErrorView>(`/api/runs/${runId}/actuals`, { week: week + 1, sales });
      expect(early.status).toBe(409);
      expect(early.body.suggestions).toEqual([`send week ${week}`]);
      const posted = await api.post<Status>(`/api/runs/${runId}/actuals`, { week, sales });
      expect(posted.status).toBe(200);
    }
    expect((await api.engine.settled(runId)).state).toBe('completed');
    expect(
      (await api.post<ErrorView>(`/api/runs/${runId}/actuals`, { week: 4, sales: [{ store_id: 'S001', category_id: 'C01', units_sold: 1 }] })).status,
    ).toBe(409);

    const allocation = await api.get<{ approved_quantity: number; dc_units: number; stores: { allocated: number; sold: number }[] }>(
      `/api/allocations/${runId}`,
    );
    expect(allocation.body.stores.reduce((a, s) => a + s.allocated, 0) + allocation.body.dc_units).toBe(allocation.body.approved_quantity);
    const variance = await api.get<{ weeks: { week: number; variance: number }[] }>(`/api/variance/${runId}`);
    expect(variance.body.weeks.map((w) => w.week)).toEqual([1, 2, 3, 4]);
    // Actuals were the rounded forecast: every week is within rounding of plan.
    for (const w of variance.body.weeks) expect(Math.abs(w.variance)).toBeLessThan(0.01);
    expect((await api.get<ErrorView>(`/api/markdowns/${runId}`)).status).toBe(404);
    const clusters = await api.get<{ k: number; assignments: Record<string, number> }>('/api/stores/clusters');
    expect(clusters.status).toBe(200);
    expect(Object.keys(clusters.body.assignments)).toHaveLength(8);
  });

  it('refuses actuals for a run that does not take them', async () => {
    const api = await h.serve({ season: true });
    const run = await api.startRun('review', { topic: 't' });
    const reply = await api.post<ErrorView>(`/api/runs/${run}/actuals`, { week: 1, sales: [{ store_id: 'a', category_id: 'b', units_sold: 1 }] });
    expect(reply).toMatchObject({ status: 422, body: { error_type: 'INVALID_PARAMETERS' } });
    // Not "has no forecast yet", as if one were coming: the run does not exist, or is not a season.
    const unknown = await api.get<ErrorView>('/api/forecasts/nope');
    expect(unknown.status).toBe(404);
    expect(unknown.body.message).toContain('run "nope" does not exist');
    const other = await api.get<ErrorView>(`/api/variance/${run}`);
    expect(other.status).toBe(404);
    expect(other.body.message).toBe(`run "${run}" is a review run: only season-planning runs have plans`);
  });
});
