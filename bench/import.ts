/**
 * `npm run bench:import`: a 35 MB sales CSV (1.5 M rows: 45 stores × 99 departments × 340
 * weeks) posted to `POST /api/data/sales` of a real server while `/health` is probed every 50 ms
 * (latency p50/p99/max; target: max < 100 ms), with the import's time and the process's peak RSS;
 * then thousands of imports with row counts cycling 1–1,000 (RSS before and after, and the
 * statement cache: the set of statement shapes must stay small).
 * Flags: --json (one line) --imports N (4000) --postgres URL (default: a fresh SQLite file)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { parseArgs } from 'node:util';
import { Engine } from '../src/engine/index.js';
import { buildServer } from '../src/server/app.js';
import { seasonPlanningModule } from '../src/workflows/season-planning/module.js';
import { parseServerConfig } from '../src/server/config.js';
import { openStore, type BatonStore } from '../src/store/index.js';
import { statementCacheStats } from '../src/store/sqlite/statement-cache.js';
import { importCsv } from '../src/workflows/season-planning/data/csv-import.js';
import { salesCsv } from '../test/support/sales-csv.js';
import { seasonData, seasonTables } from '../src/workflows/season-planning/data/index.js';

const { values: args } = parseArgs({
  options: { json: { type: 'boolean', default: false }, imports: { type: 'string', default: '4000' }, postgres: { type: 'string' } },
});

const quantile = (sorted: number[], q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
const mb = (bytes: number): number => Math.round(bytes / 1_048_576);
const gc = (): void => (globalThis as { gc?: () => void }).gc?.();

/** Posts a body streamed from `chunks` (so the client never holds the file) and returns status and text. */
function post(url: string, chunks: Iterable<string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { 'content-type': 'text/csv' } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    Readable.from(chunks).pipe(req);
  });
}

async function open(dir: string): Promise<BatonStore> {
  return openStore(
    args.postgres
      ? { databaseUrl: args.postgres, origin: 'bench-import', modules: [seasonTables] }
      : { sqlitePath: join(dir, 'baton.db'), origin: 'bench-import', modules: [seasonTables] },
  );
}

async function bigImport(dir: string) {
  const store = await open(dir);
  const engine = new Engine({ store, agents: [], workflows: [] });
  await engine.start();
  const app = await buildServer({
    engine,
    store,
    modules: [seasonPlanningModule.open(store, { llm: null })],
    config: parseServerConfig({ port: 0 }),
    logger: false,
    llm: null,
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  try {
    const csv = salesCsv({ stores: 45, departments: 99, weeks: 340 });
    gc();
    const rssBefore = process.memoryUsage().rss;
    let peak = rssBefore;
    const latencies: number[] = [];
    let importing = true;
    const probing = (async () => {
      while (importing) {
        const started = performance.now();
        const reply = await fetch(`${base}/health`);
        await reply.arrayBuffer();
        latencies.push(performance.now() - started);
        peak = Math.max(peak, process.memoryUsage().rss);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    })();
    const started = performance.now();
    const reply = await post(`${base}/api/data/sales?name=big.csv`, csv.chunks());
    const seconds = (performance.now() - started) / 1000;
    importing = false;
    await probing;
    if (reply.status !== 200) throw new Error(`import answered ${reply.status}: ${reply.body.slice(0, 500)}`);
    const report = JSON.parse(reply.body) as { rows: number };
    if (report.rows !== csv.rows) throw new Error(`imported ${report.rows} rows of ${csv.rows}`);
    const sorted = [...latencies].sort((a, b) => a - b);
    return {
      mb: Number((csv.bytes / 1_048_576).toFixed(1)),
      rows: csv.rows,
      seconds: Number(seconds.toFixed(2)),
      rows_per_second: Math.round(csv.rows / seconds),
      health_probes: latencies.length,
      health_p50_ms: Number(quantile(sorted, 0.5).toFixed(1)),
      health_p99_ms: Number(quantile(sorted, 0.99).toFixed(1)),
      health_max_ms: Number((sorted.at(-1) ?? 0).toFixed(1)),
      rss_before_mb: mb(rssBefore),
      rss_peak_mb: mb(peak),
    };
  } finally {
    await app.close();
    await engine.close();
    await store.close();
  }
}

/** Imports of 1, 2, …, 1,000 rows, over and over: each size was a statement shape of its own before. */
async function manyImports(dir: string, count: number) {
  const store = await open(dir);
  try {
    const content = (rows: number): string => {
      const lines = ['Store,Dept,Date,Weekly_Sales'];
      for (let i = 0; i < rows; i++) lines.push(`${1 + (i % 45)},${1 + Math.floor(i / 45)},2012-01-06,${i}`);
      return lines.join('\n');
    };
    // Warm up (the first imports prepare the shapes), then measure.
    for (let n = 1; n <= 50; n++) await importCsv(seasonData(store), 'sales', { name: 'warm.csv', content: content(n) });
    gc();
    const before = process.memoryUsage().rss;
    const statementsBefore = statementCacheStats();
    const started = performance.now();
    for (let i = 0; i < count; i++) await importCsv(seasonData(store), 'sales', { name: 'cycle.csv', content: content(1 + (i % 1000)) });
    const seconds = (performance.now() - started) / 1000;
    gc();
    const after = process.memoryUsage().rss;
    const statements = statementCacheStats();
    return {
      imports: count,
      seconds: Number(seconds.toFixed(1)),
      rss_before_mb: mb(before),
      rss_after_mb: mb(after),
      statements_prepared: statements.prepared - statementsBefore.prepared,
      statements_cached: statements.cached,
      statements_evicted: statements.evicted,
    };
  } finally {
    await store.close();
  }
}

const dir = mkdtempSync(join(tmpdir(), 'baton-bench-import-'));
try {
  const big = await bigImport(dir);
  const many = await manyImports(dir, Math.max(1, Number(args.imports)));
  const database = args.postgres ? 'postgres' : 'sqlite';
  if (args.json) console.log(JSON.stringify({ database, node: process.versions.node, big, many }));
  else {
    console.log(`bench:import on ${database}, Node ${process.versions.node}`);
    console.log(
      `  35 MB upload: ${big.rows.toLocaleString('en-US')} rows (${big.mb} MB) in ${big.seconds} s (${big.rows_per_second.toLocaleString('en-US')} rows/s); ` +
        `/health during it (${big.health_probes} probes): p50 ${big.health_p50_ms} ms, p99 ${big.health_p99_ms} ms, max ${big.health_max_ms} ms (target < 100 ms); ` +
        `RSS ${big.rss_before_mb} → peak ${big.rss_peak_mb} MB`,
    );
    console.log(
      `  ${many.imports} imports of 1–1,000 rows: ${many.seconds} s; RSS ${many.rss_before_mb} → ${many.rss_after_mb} MB; ` +
        `statements prepared ${many.statements_prepared}, cached ${many.statements_cached}, evicted ${many.statements_evicted}`,
    );
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
