// A 35 MB sales upload (1.5 M rows) through the real route while /health is probed: the server keeps answering and every row lands.
import { Readable } from 'node:stream';
import { expect, it } from 'vitest';
import { describeEachStore } from '../../support/stores.js';
import { salesCsv } from '../../support/sales-csv.js';
import { useServers } from './harness.js';
import { seasonData } from '../../../src/workflows/season-planning/data/index.js';

/**
 * The target is 100 ms (bench:import measures it: see README); on a busy 2-core machine running
 * other suites a probe can wait for the CPU itself, so the test's bound is looser. Before the
 * import streamed, /health waited as long as the import (30 s).
 */
const HEALTH_BOUND_MS = 1000;

describeEachStore('HTTP: a large CSV import', (kind) => {
  const h = useServers(kind);

  it('keeps /health answering while 1.5 million sales rows are imported, and imports them all', async () => {
    const api = await h.serve({ season: true });
    // SQLite (the default, where the import stalled the server): the full 35 MB. PostgreSQL
    // writes from one asynchronous transaction and takes ~2.5× as long on this machine, so it
    // gets a fifth of the weeks to keep the suite's time in bounds.
    const weeks = kind.name === 'sqlite' ? 340 : 68;
    const csv = salesCsv({ stores: 45, departments: 99, weeks });
    expect(csv.rows).toBe(45 * 99 * weeks);

    const latencies: number[] = [];
    let importing = true;
    const probing = (async () => {
      while (importing) {
        const started = performance.now();
        const reply = await fetch(`${api.base}/health`);
        await reply.arrayBuffer();
        latencies.push(performance.now() - started);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    })();
    const started = performance.now();
    const reply = await api.request<{ rows: number; inserted: number }>('/api/data/sales?name=big.csv', {
      method: 'POST',
      headers: { 'content-type': 'text/csv' },
      body: Readable.toWeb(Readable.from(csv.chunks())) as ReadableStream,
      duplex: 'half',
    });
    const seconds = (performance.now() - started) / 1000;
    importing = false;
    await probing;

    const max = Math.max(...latencies);
    console.log(
      `[${kind.name}] ${csv.rows} rows (${(csv.bytes / 1e6).toFixed(1)} MB) in ${seconds.toFixed(1)} s; /health: ${latencies.length} probes, max ${max.toFixed(0)} ms`,
    );
    expect(reply.status, JSON.stringify(reply.body).slice(0, 500)).toBe(200);
    expect(reply.body).toMatchObject({ rows: csv.rows, inserted: csv.rows });
    expect(latencies.length).toBeGreaterThan(10);
    expect(max).toBeLessThan(HEALTH_BOUND_MS);
    const summary = await seasonData(api.t.store).salesSummary();
    expect(summary).toMatchObject({ rows: csv.rows, stores: 45, categories: 99, weeks, series: 45 * 99 });
  }, 120_000);
});
