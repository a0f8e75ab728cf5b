// Upload errors stay small whatever the file holds: a value is quoted once and cut, the problems listed are capped, a runaway record is refused.
import { expect, it } from 'vitest';
import { MAX_QUOTED } from '../../../src/workflows/season-planning/data/columns.js';
import { MAX_LISTED_PROBLEMS } from '../../../src/workflows/season-planning/data/csv-import.js';
import { describeEachStore } from '../../support/stores.js';
import { useServers, type ErrorView } from './harness.js';
import { seasonData } from '../../../src/workflows/season-planning/data/index.js';

const upload = (body: string) => ({ method: 'POST', headers: { 'content-type': 'text/csv' }, body });
const occurrences = (text: string, part: string): number => text.split(part).length - 1;

describeEachStore('HTTP: CSV import errors are bounded', (kind) => {
  const h = useServers(kind);

  it('quotes a long bad value once, cut to 80 characters, in a small 422', async () => {
    const api = await h.serve({ season: true });
    const cell = `x${'9'.repeat(60_000)}`;
    const reply = await api.request<ErrorView>(
      '/api/data/sales?name=bad.csv',
      upload(`Store,Dept,Date,Weekly_Sales\n1,1,2012-01-06,10\n1,1,2012-01-13,${cell}\n`),
    );
    const text = JSON.stringify(reply.body);
    expect(reply.status).toBe(422);
    expect(text.length).toBeLessThan(2_000);
    expect(occurrences(text, cell.slice(0, MAX_QUOTED))).toBe(1);
    expect(reply.body.details).toMatchObject({
      problem_count: 1,
      problems: [{ line: 3, field: 'units_sold', message: `"${cell.slice(0, MAX_QUOTED)}…" (60,001 characters) is not a number` }],
    });
    expect(await seasonData(api.t.store).listSales()).toEqual([]);
  });

  it('counts every bad row but lists only the first ones', async () => {
    const api = await h.serve({ season: true });
    const rows = Array.from({ length: 5_000 }, (_, i) => `1,1,not-a-date-${'z'.repeat(200)}-${i},5`);
    const reply = await api.request<ErrorView>('/api/data/sales', upload(['Store,Dept,Date,Weekly_Sales', ...rows].join('\n')));
    expect(reply.status).toBe(422);
    expect(reply.body.message).toBe('sales.csv: 5000 rows are invalid; nothing was imported');
    expect(reply.body.details).toMatchObject({ problem_count: 5_000 });
    expect((reply.body.details as { problems: unknown[] }).problems).toHaveLength(MAX_LISTED_PROBLEMS);
    expect(JSON.stringify(reply.body).length).toBeLessThan(8_000);
  });

  it('refuses a record longer than the CSV limit with a small 413 (a 30 MiB cell)', async () => {
    const api = await h.serve({ season: true });
    const cell = 'y'.repeat(30 * 1_048_576);
    const reply = await api.request<ErrorView>('/api/data/sales?name=huge.csv', upload(`Store,Dept,Date,Weekly_Sales\n1,1,2012-01-06,${cell}\n`));
    expect(reply.status).toBe(413);
    // Refused mid-upload: the connection ends with the answer, so the client stops sending 30 MiB no one reads.
    expect(reply.headers.get('connection')).toBe('close');
    expect(reply.body).toMatchObject({ error_type: 'PAYLOAD_TOO_LARGE', details: { source: 'huge.csv', max_record_size: 65_536 } });
    expect(JSON.stringify(reply.body).length).toBeLessThan(2_000);
    expect(await seasonData(api.t.store).listSales()).toEqual([]);
  });

  it('refuses an upload over the size limit, named by its length or counted as it streams', async () => {
    const api = await h.serve({ season: true, config: { uploadLimit: 1_000 } });
    const body = `Store,Dept,Date,Weekly_Sales\n${'1,1,2012-01-06,10\n'.repeat(200)}`;
    const declared = await api.request<ErrorView>('/api/data/sales', upload(body));
    expect(declared).toMatchObject({ status: 413, body: { error_type: 'PAYLOAD_TOO_LARGE' } });
    expect(declared.headers.get('connection')).toBe('close');
    const chunked = await api.request<ErrorView>('/api/data/sales', {
      method: 'POST',
      headers: { 'content-type': 'text/csv' },
      body: new Blob([body]).stream(),
      duplex: 'half',
    });
    expect(chunked).toMatchObject({ status: 413, body: { error_type: 'PAYLOAD_TOO_LARGE', details: { limit: 1_000 } } });
    expect(await seasonData(api.t.store).listSales()).toEqual([]);
  });

  it('refuses a body that is not CSV text', async () => {
    const api = await h.serve({ season: true });
    const reply = await api.post<ErrorView>('/api/data/sales', { rows: [] });
    expect(reply.status).toBeGreaterThanOrEqual(400);
    expect(reply.status).toBeLessThan(500);
    expect(reply.body.request_id).toBeTruthy();
  });
});
