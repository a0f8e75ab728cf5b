/**
 * `npm run bench:season`: the pre-season plan (Demand forecasting every store × category series,
 * the buy approved at once, Inventory clustering and allocating) on the demo data and on the real
 * Walmart data, each in a fresh SQLite database the bench fills itself (import time reported
 * apart). Also context assembly, first (cold) and cached. Targets: demo plan < 1 s, Walmart plan
 * < 5 s, cached context < 5 ms, first context < 200 ms on the demo data.
 * Flags: --repeat K (3; plan and cold-context figures are medians of K) --json (one line per data set)
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Engine } from '../src/engine/index.js';
import { openStore, type BatonStore } from '../src/store/index.js';
import { ContextAssembler } from '../src/workflows/season-planning/context.js';
import { importCsv } from '../src/workflows/season-planning/data/csv-import.js';
import { DEFAULT_SYNTHETIC, loadSyntheticData } from '../src/workflows/season-planning/data/load-synthetic.js';
import { addDays } from '../src/workflows/season-planning/data/weeks.js';
import { PlanParameters, type PlanParametersInput } from '../src/workflows/season-planning/parameters.js';
import { SEASON_PLANNING, seasonPlanning } from '../src/workflows/season-planning/workflow.js';
import { seasonData, seasonTables } from '../src/workflows/season-planning/data/index.js';

const { values: args } = parseArgs({ options: { repeat: { type: 'string', default: '3' }, json: { type: 'boolean', default: false } } });
const repeat = Math.max(1, Number(args.repeat));
const WALMART = '../shared/data/walmart';

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
};
const round = (value: number, digits = 3) => Number(value.toFixed(digits));

function seasonAfter(lastWeek: string): PlanParametersInput {
  const start = addDays(lastWeek, 7);
  return {
    forecast_horizon_weeks: 12,
    season_start_date: start,
    season_end_date: addDays(start, 84),
    replenishment_strategy: 'weekly',
    dc_holdback_percentage: 0.15,
    markdown_checkpoint_week: 8,
    markdown_threshold: 0.6,
    actuals: 'simulated',
  };
}

/** Start → buy approved at once → allocation committed, in seconds. The run is then cancelled. */
async function planOnce(store: BatonStore, lastWeek: string): Promise<{ seconds: number; series: number }> {
  const { workflow, agents } = seasonPlanning(store);
  const engine = new Engine({ store, agents, workflows: [workflow] });
  await engine.start();
  try {
    const started = performance.now();
    const run = await engine.startRun(SEASON_PLANNING, seasonAfter(lastWeek));
    const waiting = await engine.settled(run.id);
    if (!waiting.waitingFor) throw new Error(`the run did not ask for the buy approval: ${waiting.state} ${JSON.stringify(waiting.error)}`);
    const allocated = new Promise<void>((resolve) => {
      void engine.follow(run.id, 0, (event) => {
        if (event.type === 'complete' && event.payload.phase === 'allocation') resolve();
      });
    });
    await engine.resolveWait(run.id, waiting.waitingFor.id, { action: 'accept' });
    await allocated;
    const seconds = (performance.now() - started) / 1000;
    const demand = (await store.listSteps(run.id)).find((s) => s.phase === 'demand')?.output as { series: number };
    await engine.cancelRun(run.id, 'bench: plan measured');
    return { seconds, series: demand.series };
  } finally {
    await engine.close();
  }
}

/** Context assembly needs only valid parameters; the season's dates do not change what is read. */
/** Context for the season right after the data set's history (a season years after it is refused, as it should be). */
async function contextTimes(store: BatonStore, lastWeek: string): Promise<{ firstMs: number; cachedMs: number }> {
  const PARAMETERS = PlanParameters.parse(seasonAfter(lastWeek));
  const first: number[] = [];
  for (let i = 0; i < repeat; i++) {
    const assembler = new ContextAssembler(seasonData(store));
    const t = performance.now();
    await assembler.demand(PARAMETERS);
    first.push(performance.now() - t);
  }
  const assembler = new ContextAssembler(seasonData(store));
  await assembler.demand(PARAMETERS);
  const cached: number[] = [];
  for (let i = 0; i < 50; i++) {
    const t = performance.now();
    await Promise.all([assembler.demand(PARAMETERS), assembler.inventory(PARAMETERS), assembler.pricing(PARAMETERS)]);
    cached.push(performance.now() - t);
  }
  return { firstMs: median(first), cachedMs: median(cached) };
}

async function measure(dataset: 'demo' | 'walmart', load: (store: BatonStore) => Promise<string>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), `baton-bench-season-${dataset}-`));
  const store = await openStore({ sqlitePath: join(dir, 'season.db'), origin: 'bench-season', modules: [seasonTables] });
  try {
    const importStarted = performance.now();
    const lastWeek = await load(store);
    const importSeconds = (performance.now() - importStarted) / 1000;
    const stores = (await seasonData(store).listStores()).length;
    const context = await contextTimes(store, lastWeek);
    const plans: number[] = [];
    let series = 0;
    for (let i = 0; i < repeat; i++) {
      const plan = await planOnce(store, lastWeek);
      plans.push(plan.seconds);
      series = plan.series;
    }
    const record = {
      bench: 'season',
      dataset,
      stores,
      series,
      plan_seconds: round(median(plans)),
      import_seconds: round(importSeconds),
      context_first_ms: round(context.firstMs, 2),
      context_cached_ms: round(context.cachedMs, 3),
    };
    if (args.json) console.log(JSON.stringify(record));
    else {
      console.log(
        `${dataset}: ${stores} stores, ${series} series — plan ${record.plan_seconds} s (median of ${repeat}: ${plans.map((p) => p.toFixed(2)).join(', ')}), ` +
          `import ${record.import_seconds} s, context first ${record.context_first_ms} ms / cached ${record.context_cached_ms} ms`,
      );
    }
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await measure('demo', async (store) => {
  const lastWeek = '2025-12-29';
  await loadSyntheticData(store, { ...DEFAULT_SYNTHETIC, lastWeek });
  return lastWeek;
});
if (existsSync(`${WALMART}/sales.csv`)) {
  await measure('walmart', async (store) => {
    await importCsv(seasonData(store), 'stores', { name: 'stores.csv', path: `${WALMART}/stores.csv` });
    await importCsv(seasonData(store), 'sales', { name: 'sales.csv', path: `${WALMART}/sales.csv` });
    const lastWeek = (await seasonData(store).salesSummary()).lastWeek;
    if (!lastWeek) throw new Error('the Walmart import left no sales');
    return lastWeek;
  });
} else {
  console.log(`bench:season: Walmart data set skipped (${WALMART}/sales.csv not found)`);
}
