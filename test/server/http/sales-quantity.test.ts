// Sales uploads over real HTTP say what their figures count (?quantity=) and where their dates sit in the week (?week_dates=).
import { expect, it } from 'vitest';
import { describeEachStore } from '../../support/stores.js';
import { useServers, type ErrorView } from './harness.js';

const csv = (text: string) => ({ method: 'POST', headers: { 'content-type': 'text/csv' }, body: text });
const WALMART = 'Store,Dept,Date,Weekly_Sales,IsHoliday\n1,1,2012-02-10,24924.50,FALSE\n1,1,2012-02-17,46039.49,TRUE\n';

describeEachStore('HTTP: sales quantity and week dates', (kind) => {
  const h = useServers(kind);

  it('imports Walmart weeks ending Friday as weeks from the Saturday before, recorded as sales value', async () => {
    const api = await h.serve({ season: true });
    const reply = await api.request<{ quantity: string; week_dates: string; warnings: string[] }>(
      '/api/data/sales?name=walmart.csv&quantity=sales_value&week_dates=end',
      csv(WALMART),
    );
    expect(reply).toMatchObject({ status: 200, body: { table: 'sales', rows: 2, quantity: 'sales_value', week_dates: 'end' } });
    expect(reply.body.warnings.filter((w) => /sales value|week-dates/.test(w))).toEqual([]);
    const summary = await api.get<{ quantity: string; first_week: string; last_week: string; imports: { kind: string; quantity: string | null }[] }>(
      '/api/data',
    );
    expect(summary.body).toMatchObject({ quantity: 'sales_value', first_week: '2012-02-04', last_week: '2012-02-11' });
    expect(summary.body.imports[0]).toMatchObject({ kind: 'sales', quantity: 'sales_value' });
  });

  it('says a Weekly_Sales upload without ?quantity= was read as sales value, and takes ?quantity=units', async () => {
    const api = await h.serve({ season: true });
    const guessed = await api.request<{ quantity: string; week_dates: string; warnings: string[] }>('/api/data/sales', csv(WALMART));
    expect(guessed.body).toMatchObject({ quantity: 'sales_value', week_dates: 'start' });
    expect(guessed.body.warnings[0]).toContain('read as sales value (money), not units');
    expect(guessed.body.warnings[1]).toContain('?week_dates=end');
    const units = await api.request<{ quantity: string }>('/api/data/sales?quantity=units', csv(WALMART));
    expect(units.body.quantity).toBe('units');
    expect((await api.get<{ quantity: string }>('/api/data')).body.quantity).toBe('units');
  });

  it('refuses a quantity or week dates it does not know with 422 naming the parameter, importing nothing', async () => {
    const api = await h.serve({ season: true });
    const quantity = await api.request<ErrorView>('/api/data/sales?quantity=kilograms', csv(WALMART));
    expect(quantity).toMatchObject({ status: 422, body: { error_type: 'INVALID_PARAMETERS' } });
    expect(JSON.stringify(quantity.body)).toContain('quantity');
    const dates = await api.request<ErrorView>('/api/data/sales?week_dates=middle', csv(WALMART));
    expect(dates).toMatchObject({ status: 422, body: { error_type: 'INVALID_PARAMETERS' } });
    expect(JSON.stringify(dates.body)).toContain('week_dates');
    expect((await api.get<{ sales_rows: number }>('/api/data')).body.sales_rows).toBe(0);
  });

  it('answers 409 to week ends added to a history of week starts, and replaces the history with ?replace=true', async () => {
    const api = await h.serve({ season: true });
    await api.request('/api/data/sales', csv(WALMART));
    const added = await api.request<ErrorView>('/api/data/sales?week_dates=end', csv(WALMART));
    expect(added).toMatchObject({ status: 409, body: { error_type: 'CONFLICT' } });
    expect(added.body.suggestions).toContain('to replace the history with this file, import it with --replace (?replace=true)');
    const replaced = await api.request<{ rows: number; warnings: string[] }>('/api/data/sales?week_dates=end&replace=true', csv(WALMART));
    expect(replaced).toMatchObject({ status: 200, body: { rows: 2 } });
    const summary = await api.get<{ sales_rows: number; first_week: string; last_week: string }>('/api/data');
    expect(summary.body).toMatchObject({ sales_rows: 2, first_week: '2012-02-04', last_week: '2012-02-11' });
  });
});
