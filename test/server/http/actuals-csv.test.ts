// Weekly actuals as CSV over real HTTP (POST /api/runs/{id}/actuals/csv, what the dashboard's form sends): a week column
// splits the week from late rows, and bad files are refused with the line and nothing written.
import { expect, it } from 'vitest';
import { seasonData } from '../../../src/workflows/season-planning/data/index.js';
import { describeEachStore } from '../../support/stores.js';
import { loadSmallChain, season } from '../../workflows/season-planning/support.js';
import { expectError, useServers } from './harness.js';

const csv = (text: string) => ({ method: 'POST', headers: { 'content-type': 'text/csv' }, body: text });

describeEachStore('HTTP: weekly actuals as CSV', (kind) => {
  const h = useServers(kind);

  it('refuses a file above the upload limit with 413 before reading it', async () => {
    const api = await h.serve({ season: true, config: { uploadLimit: 1_000 } });
    const big = ['store_id,category_id,units_sold', ...Array.from({ length: 100 }, (_, i) => `S${i},C01,1`)].join('\n');
    expectError(await api.request('/api/runs/no-such-run/actuals/csv?week=1', csv(big)), 413, 'PAYLOAD_TOO_LARGE');
  });

  it('refuses a file of more rows than a post may hold with 413, reading no further', async () => {
    const api = await h.serve({ season: true });
    const rows = ['store_id,category_id,units_sold', ...Array.from({ length: 200_001 }, (_, i) => `S${i},C01,1`)].join('\n');
    const error = expectError(await api.request('/api/runs/no-such-run/actuals/csv?week=1&name=all.csv', csv(rows)), 413, 'PAYLOAD_TOO_LARGE');
    expect(error.message).toBe('all.csv has more than 200,000 rows');
  });

  it('takes a partial week, then a week whose earlier-week rows are late rows, and refuses a later week or a bad figure with its line', async () => {
    const api = await h.serve({ season: true });
    await loadSmallChain(api.t.store);
    const runId = await api.startRun('season-planning', { ...season(4, { actuals: 'manual' }) });
    const buy = await api.engine.settled(runId);
    await api.engine.resolveWait(runId, buy.waitingFor!.id, { action: 'accept' });
    await api.engine.settled(runId);
    const series = (await seasonData(api.t.store).listSales()).reduce((keys, s) => keys.add(`${s.storeId},${s.categoryId}`), new Set<string>());
    const [late, ...reported] = [...series];
    const path = `/api/runs/${runId}/actuals/csv`;

    const missing = expectError(
      await api.request(`${path}?week=1`, csv(['store_id,category_id,units_sold', ...reported.map((k) => `${k},4`)].join('\n'))),
      422,
      'INVALID_PARAMETERS',
    );
    expect(missing.details).toMatchObject({ missing: 1, missing_series: [late!.replace(',', ' × ')] });
    const partial = await api.request<{ waiting_for: { data: unknown } | null }>(
      `${path}?week=1&partial=true&name=w1.csv`,
      csv(['store_id,category_id,units_sold', ...reported.map((k) => `${k},4`)].join('\n')),
    );
    expect(partial.status).toBe(200);
    await api.engine.settled(runId);

    const week2 = ['week;store_id;category_id;units_sold', ...[...series].map((k) => `2;${k.replace(',', ';')};5`)];
    const after = expectError(
      await api.request(`${path}?week=2&delimiter=%3B&name=w2.csv`, csv([...week2, `3;${late!.replace(',', ';')};1`].join('\n'))),
      422,
      'INVALID_PARAMETERS',
    );
    expect(after.message).toBe(`w2.csv, line ${week2.length + 1}: week 3 is after week 2, the week posted`);
    const figure = expectError(
      await api.request(`${path}?week=2&delimiter=%3B&name=w2.csv`, csv([...week2, `1;${late!.replace(',', ';')};seven`].join('\n'))),
      422,
      'INVALID_PARAMETERS',
    );
    expect(figure.message).toContain('units_sold "seven" is not a number');
    const twice = expectError(
      await api.request(`${path}?week=2&delimiter=%3B&name=w2.csv`, csv([...week2, week2[1]!.replace(/;5$/, ';6')].join('\n'))),
      422,
      'INVALID_PARAMETERS',
    );
    expect(twice.message).toMatch(new RegExp(`^w2\\.csv, line ${week2.length + 1}: store \\S+ × category \\S+ of week 2 is already on line 2$`));
    const huge = expectError(
      await api.request(`${path}?week=2&delimiter=%3B&name=w2.csv`, csv([...week2, `1;${late!.replace(',', ';')};2000000000`].join('\n'))),
      422,
      'INVALID_PARAMETERS',
    );
    expect(huge.message).toContain('units_sold 2000000000 is beyond ±1e+9');
    const onlyLate = expectError(
      await api.request(
        `${path}?week=2&delimiter=%3B&name=late.csv`,
        csv(['week;store_id;category_id;units_sold', `1;${late!.replace(',', ';')};2`].join('\n')),
      ),
      400,
      'BAD_REQUEST',
    );
    expect(onlyLate.message).toBe('late.csv has no rows of week 2, the week posted');
    expect(await seasonData(api.t.store).listActuals(runId)).toHaveLength(reported.length);

    const posted = await api.request(`${path}?week=2&delimiter=%3B&name=w2.csv`, csv([...week2, `1;${late!.replace(',', ';')};2,5`].join('\n')));
    expect(posted.status).toBe(200);
    const actuals = await seasonData(api.t.store).listActuals(runId);
    expect(actuals.filter((a) => a.seasonWeek === 1)).toHaveLength(series.size);
    expect(actuals.find((a) => a.seasonWeek === 1 && `${a.storeId},${a.categoryId}` === late)?.unitsSold).toBe(2.5);
    expect(actuals.filter((a) => a.seasonWeek === 2)).toHaveLength(series.size);
  });
});
