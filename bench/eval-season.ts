/**
 * `npm run eval:season`: a season planned from inside the Walmart history and played back through the real
 * engine. The history up to an origin (default 2011-10-28, so Christmas is in the season) is loaded into a fresh
 * SQLite database; a 26-week season is planned (buy accepted as proposed, weekly replenishment, 15% at the DC),
 * then the real weeks after the origin are posted as manual actuals (`postActuals`, the route's own intake) and the
 * run goes on to its close. Printed beside the baseline "last year's buy, allocated by last year's store shares":
 * forecast WAPE and bias (store × department and chain), buy against demand, lost sales, leftover, 80% band
 * coverage (series and chain), the alerts and whether each re-forecast cut the remaining error, and each phase's
 * wall time. Flags: --origin YYYY-MM-DD (a Walmart Friday) --weeks N (26) --json (one line).
 * Honest about the data: Walmart's `Weekly_Sales` is sales in dollars, not units, so every "unit" here is a dollar
 * of sales; its `Date` is the Friday that ends the week, so a week is loaded as starting the Saturday before.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parse } from 'csv-parse/sync';
import { Engine, type RunStatus } from '../src/engine/index.js';
import { openStore } from '../src/store/index.js';
import type { WeeklySales } from '../src/workflows/season-planning/data/index.js';
import { postActuals } from '../src/workflows/season-planning/actuals-intake.js';
import type { DemandOutput, ForecastPlan } from '../src/workflows/season-planning/agents/demand.js';
import type { MonitorOutput } from '../src/workflows/season-planning/agents/monitor.js';
import { addDays } from '../src/workflows/season-planning/data/weeks.js';
import { stockPosition } from '../src/workflows/season-planning/ledger.js';
import { SEASON_PLANNING, seasonPlanning } from '../src/workflows/season-planning/workflow.js';
import { requireData, WALMART_SALES_PATH } from './eval-data.js';
import { seasonData, seasonTables } from '../src/workflows/season-planning/data/index.js';

const WALMART_STORES_PATH = new URL('../../shared/data/walmart/stores.csv', import.meta.url);
requireData(WALMART_SALES_PATH);
const { values: args } = parseArgs({
  options: { origin: { type: 'string', default: '2011-10-28' }, weeks: { type: 'string', default: '26' }, json: { type: 'boolean', default: false } },
});
const seasonWeeks = Number(args.weeks);
const log = (line: string) => {
  if (!args.json) console.log(line);
};
const timings: Record<string, number> = {};
async function timed<T>(phase: string, work: () => Promise<T>): Promise<T> {
  const started = performance.now();
  try {
    return await work();
  } finally {
    timings[phase] = Math.round(performance.now() - started) / 1000;
  }
}

// ---- the data: history before the origin, the real weeks after it ----
type Row = { store: string; dept: string; date: string; sales: number };
const rows: Row[] = parse<Record<string, string>>(readFileSync(WALMART_SALES_PATH), { columns: true }).map((r) => ({
  store: r.Store!,
  dept: r.Dept!,
  date: r.Date!,
  sales: Number(r.Weekly_Sales),
}));
const dates = [...new Set(rows.map((r) => r.date))].sort();
const originIndex = dates.indexOf(args.origin);
if (originIndex < 0 || originIndex + seasonWeeks >= dates.length) {
  console.error(`--origin must be a Walmart week-ending Friday with ${seasonWeeks} weeks after it in the data (${dates[0]} … ${dates.at(-1 - seasonWeeks)})`);
  process.exit(2);
}
const seasonDates = dates.slice(originIndex + 1, originIndex + 1 + seasonWeeks);
const weekOf = new Map(seasonDates.map((d, i) => [d, i]));
const key = (store: string, dept: string) => `${store}|${dept}`;
const actual = new Map<string, number[]>();
const lastYear = new Map<string, number[]>();
const lastYearOf = new Map(seasonDates.map((d, i) => [dates[dates.indexOf(d) - 52]!, i]));
for (const r of rows) {
  for (const [target, index] of [
    [actual, weekOf.get(r.date)],
    [lastYear, lastYearOf.get(r.date)],
  ] as const) {
    if (index === undefined) continue;
    const k = key(r.store, r.dept);
    const weeks = target.get(k) ?? new Array<number>(seasonWeeks).fill(0);
    weeks[index]! += r.sales;
    target.set(k, weeks);
  }
}
const history: WeeklySales[] = rows
  .filter((r) => r.date <= args.origin)
  .map((r) => ({ storeId: r.store, categoryId: r.dept, weekStartDate: addDays(r.date, -6), unitsSold: r.sales }));
const storeRows = parse<Record<string, string>>(readFileSync(WALMART_STORES_PATH, 'utf8').replace(/\r\n?/g, '\n'), { columns: true });

const sum = (values: Iterable<number>) => {
  let total = 0;
  for (const v of values) total += v;
  return total;
};
const round = (value: number, digits = 4) => Number(value.toFixed(digits));
const wapeBias = (pairs: Iterable<[number, number]>) => {
  let error = 0;
  let signed = 0;
  let volume = 0;
  for (const [a, f] of pairs) {
    error += Math.abs(a - f);
    signed += f - a;
    volume += Math.abs(a);
  }
  return { wape: round(error / volume), bias: round(signed / volume) };
};

const dir = mkdtempSync(join(tmpdir(), 'baton-eval-season-'));
const store = await openStore({ sqlitePath: join(dir, 'baton.db'), origin: 'eval-season', modules: [seasonTables] });
const { workflow, agents } = seasonPlanning(store);
const engine = new Engine({ store, agents, workflows: [workflow], pollIntervalMs: 10 });
try {
  await timed('load_history', async () => {
    const at = Date.now();
    const source = `walmart sales.csv up to ${args.origin} (Weekly_Sales dollars as units; week = Date − 6 … Date)`;
    await seasonData(store).importStores({
      source,
      rows: storeRows.map((s) => ({
        storeId: s.Store!,
        storeName: null,
        region: null,
        storeSizeSqft: Number(s.Size),
        locationTier: null,
        medianIncome: null,
        storeFormat: s.Type ?? null,
      })),
      warnings: [],
      at,
    });
    await seasonData(store).importCategories({
      source,
      rows: [...new Set(rows.map((r) => r.dept))].map((d) => ({ categoryId: d, name: `Dept ${d}` })),
      warnings: [],
      at,
    });
    await seasonData(store).importSales({ source, rows: history, warnings: [], at });
  });
  await engine.start();
  const seasonStart = addDays(args.origin, 1);
  const parameters = {
    forecast_horizon_weeks: seasonWeeks,
    season_start_date: seasonStart,
    season_end_date: addDays(seasonStart, 7 * seasonWeeks),
    replenishment_strategy: 'weekly' as const,
    dc_holdback_percentage: 0.15,
    markdown_checkpoint_week: null,
    markdown_threshold: null,
    actuals: 'manual' as const,
  };
  const run = await engine.startRun(SEASON_PLANNING, parameters);
  const expectWaiting = (status: RunStatus, kind: string) => {
    if (status.state !== 'waiting' || status.waitingFor?.kind !== kind)
      throw new Error(`expected the run to wait for ${kind}; it is ${status.state} ${JSON.stringify(status.error ?? status.waitingFor)}`);
    return status.waitingFor;
  };
  const buyWait = await timed('plan_demand', async () => expectWaiting(await engine.settled(run.id, undefined, { timeoutMs: 600_000 }), 'approval'));
  let status = await timed('allocation', async () => {
    await engine.resolveWait(run.id, buyWait.id, { action: 'accept' });
    return engine.settled(run.id, undefined, { timeoutMs: 600_000 });
  });
  const firstPlan = (await seasonData(store).firstPlan(run.id, 'forecast'))!.body as ForecastPlan;
  const planned = new Set(firstPlan.series.map((s) => key(s.store_id, s.category_id)));
  let unplannedRows = 0;
  await timed('season_weeks', async () => {
    for (let week = 1; week <= seasonWeeks; week++) {
      expectWaiting(status, 'actuals');
      const sales = firstPlan.series.map((s) => ({
        store_id: s.store_id,
        category_id: s.category_id,
        units_sold: round(actual.get(key(s.store_id, s.category_id))?.[week - 1] ?? 0, 2),
      }));
      for (const [k, weeks] of actual) if (!planned.has(k) && weeks[week - 1] !== 0) unplannedRows++;
      await postActuals(engine, seasonData(store), run.id, { week, sales });
      status = await engine.settled(run.id, undefined, { timeoutMs: 600_000 });
    }
  });
  if (status.state !== 'completed') throw new Error(`the run ended ${status.state}: ${JSON.stringify(status.error)}`);

  // ---- scoring ----
  const events = await engine.readEvents(run.id);
  const demand = events.find((e) => e.type === 'complete' && e.payload.phase === 'demand')!.payload.result as DemandOutput;
  const seriesPairs = function* (plan: ForecastPlan, fromWeek = plan.from_week): Generator<[number, number]> {
    for (const s of plan.series) {
      const a = actual.get(key(s.store_id, s.category_id));
      for (let w = fromWeek; w <= seasonWeeks; w++) yield [a?.[w - 1] ?? 0, s.forecast[w - plan.from_week] ?? 0];
    }
  };
  const chainActual = Array.from({ length: seasonWeeks }, (_, w) => sum([...actual.values()].map((a) => a[w]!)));
  const chainLastYear = Array.from({ length: seasonWeeks }, (_, w) => sum([...lastYear.values()].map((a) => a[w]!)));
  const chainPlan = demand.weekly_curve.map((p) => p.forecast);
  const demandTotal = sum(chainActual);
  let seriesInside = 0;
  let seriesCount = 0;
  for (const s of firstPlan.series) {
    const a = actual.get(key(s.store_id, s.category_id));
    s.forecast.forEach((_, w) => {
      const v = a?.[w] ?? 0;
      seriesCount++;
      if (v >= s.lo80[w]! && v <= s.hi80[w]!) seriesInside++;
    });
  }
  const chainInside = demand.weekly_curve.filter((p, w) => chainActual[w]! >= p.lo80 && chainActual[w]! <= p.hi80).length;
  const position = await stockPosition(seasonData(store), run.id);
  const leftover = sum([...position.stores.values()].map((p) => Math.max(0, p.onHand))) + position.dcUnits;

  // Baseline: last year's season bought again, split by each store's share of it; a store sells what it holds.
  const lastYearByStore = new Map<string, number>();
  const demandByStore = new Map<string, number>();
  for (const [k, weeks] of lastYear) lastYearByStore.set(k.split('|')[0]!, (lastYearByStore.get(k.split('|')[0]!) ?? 0) + sum(weeks));
  for (const [k, weeks] of actual) demandByStore.set(k.split('|')[0]!, (demandByStore.get(k.split('|')[0]!) ?? 0) + sum(weeks));
  const baselineBuy = sum(lastYearByStore.values());
  let baselineLost = 0;
  let baselineLeft = 0;
  for (const storeId of new Set([...lastYearByStore.keys(), ...demandByStore.keys()])) {
    const held = lastYearByStore.get(storeId) ?? 0;
    const wanted = demandByStore.get(storeId) ?? 0;
    baselineLost += Math.max(0, wanted - held);
    baselineLeft += Math.max(0, held - wanted);
  }
  const baselineSeries = function* (): Generator<[number, number]> {
    for (const k of new Set([...actual.keys(), ...lastYear.keys()])) {
      for (let w = 0; w < seasonWeeks; w++) yield [actual.get(k)?.[w] ?? 0, lastYear.get(k)?.[w] ?? 0];
    }
  };

  // Alerts, and whether each re-forecast cut the error of the weeks it re-planned.
  // Each alert: the chain's variance, whether the chain or categories raised it (with their share of the week), what was re-planned.
  const monitors = events.filter((e) => e.type === 'complete' && e.payload.phase === 'monitor').map((e) => e.payload.result as MonitorOutput);
  const alerts = events
    .filter((e) => e.type === 'variance_alert')
    .map((e) => {
      const week = e.payload.week as number;
      const monitor = monitors.find((m) => m.week === week);
      const categories = (e.payload.categories as { category_id: string; variance: number | null; z?: number | null }[] | undefined) ?? [];
      return {
        week,
        variance: e.payload.variance as number | null,
        chain_alert: e.payload.chain_alert === true,
        categories: categories.map((c) => ({
          category_id: c.category_id,
          variance: c.variance,
          z: c.z ?? null,
          share:
            monitor && monitor.forecast > 0
              ? round((monitor.by_category.find((b) => b.category_id === c.category_id)?.forecast ?? 0) / monitor.forecast)
              : null,
        })),
        replan: (e.payload.replan_categories as string[] | null | undefined) ?? null,
      };
    });
  // Weeks a category was off plan for a first week (watched) and did not alert the week after: spikes held back.
  const watched = monitors.reduce((n, m) => n + m.watch.length, 0);
  const replans = events
    .filter((e) => e.type === 'complete' && e.payload.phase === 'reforecast')
    .map((e) => {
      const before = [...events].reverse().find((p) => p.seq < e.seq && p.type === 'complete' && p.payload.phase === 'monitor');
      const result = e.payload.result as DemandOutput;
      return {
        from_week: result.from_week,
        series_replanned: result.series_replanned,
        series: result.series,
        seconds: before ? round((e.at - before.at) / 1000) : null,
      };
    });
  // Each revision's payoff as its last monitor scored it: its re-planned departments' WAPE against the previous revision's over the weeks it ran.
  const payoffs = new Map<number, NonNullable<MonitorOutput['reforecast_paid']>>();
  for (const m of monitors) if (m.reforecast_paid) payoffs.set(m.reforecast_paid.revision, m.reforecast_paid);
  const paid = [...payoffs.values()];
  const plans = (await seasonData(store).listPlans(run.id, 'forecast')).map((p) => p.body as ForecastPlan).sort((a, b) => a.revision - b.revision);
  const reforecasts = plans.slice(1).map((plan, i) => {
    const before = wapeBias(seriesPairs(plans[i]!, plan.from_week)).wape;
    const after = wapeBias(seriesPairs(plan, plan.from_week)).wape;
    return { from_week: plan.from_week, wape_before: before, wape_after: after, reduced: after < before };
  });

  const result = {
    origin: args.origin,
    season: `${seasonDates[0]} … ${seasonDates.at(-1)} (${seasonWeeks} weeks ending Fridays)`,
    series: firstPlan.series.length,
    quantity: 'Weekly_Sales (dollars) read as units',
    forecast: {
      plan: { series: wapeBias(seriesPairs(firstPlan)), chain: wapeBias(chainActual.map((a, w) => [a, chainPlan[w]!] as [number, number])) },
      last_year: { series: wapeBias(baselineSeries()), chain: wapeBias(chainActual.map((a, w) => [a, chainLastYear[w]!] as [number, number])) },
    },
    coverage80: { series: round(seriesInside / seriesCount), chain_weeks: `${chainInside} of ${seasonWeeks}` },
    uncertainty: demand.uncertainty,
    buy: {
      plan: {
        buy: demand.manufacturing_quantity,
        safety_stock: demand.safety_stock,
        demand: Math.round(demandTotal),
        buy_vs_demand: round(demand.manufacturing_quantity / demandTotal - 1),
        lost_sales: Math.round(position.unmetToDate),
        leftover: Math.round(leftover),
      },
      last_year: {
        buy: Math.round(baselineBuy),
        demand: Math.round(demandTotal),
        buy_vs_demand: round(baselineBuy / demandTotal - 1),
        lost_sales: Math.round(baselineLost),
        leftover: Math.round(baselineLeft),
      },
    },
    unplanned_series_weeks: unplannedRows,
    alerts,
    watched_category_weeks: watched,
    reforecasts,
    replans,
    reforecast_paid: paid,
    seconds: timings,
  };
  if (args.json) {
    console.log(JSON.stringify(result));
  } else {
    const pct = (v: number) => `${(100 * v).toFixed(1)}%`;
    const f = result.forecast;
    log(
      `Walmart season from ${result.origin}: ${result.season}, ${result.series} store × department series; ${result.quantity}; weeks start the Saturday before each Date`,
    );
    log(`forecast        WAPE series  bias    | WAPE chain  bias`);
    log(
      `  plan          ${pct(f.plan.series.wape).padStart(11)} ${pct(f.plan.series.bias).padStart(6)}  | ${pct(f.plan.chain.wape).padStart(10)} ${pct(f.plan.chain.bias).padStart(6)}`,
    );
    log(
      `  last year     ${pct(f.last_year.series.wape).padStart(11)} ${pct(f.last_year.series.bias).padStart(6)}  | ${pct(f.last_year.chain.wape).padStart(10)} ${pct(f.last_year.chain.bias).padStart(6)}`,
    );
    log(`80% bands: series ${pct(result.coverage80.series)} of store × department weeks inside; chain ${result.coverage80.chain_weeks} weeks inside`);
    log(`chain total's uncertainty: ${JSON.stringify(result.uncertainty)}`);
    const b = result.buy;
    const money = (v: number) => Math.round(v).toLocaleString('en-US');
    log(`buy             buy            demand         buy−demand  lost sales     leftover`);
    log(
      `  plan          ${money(b.plan.buy).padEnd(14)} ${money(b.plan.demand).padEnd(14)} ${pct(b.plan.buy_vs_demand).padStart(9)}   ${money(b.plan.lost_sales).padEnd(14)} ${money(b.plan.leftover)}  (safety stock ${money(b.plan.safety_stock)})`,
    );
    log(
      `  last year     ${money(b.last_year.buy).padEnd(14)} ${money(b.last_year.demand).padEnd(14)} ${pct(b.last_year.buy_vs_demand).padStart(9)}   ${money(b.last_year.lost_sales).padEnd(14)} ${money(b.last_year.leftover)}`,
    );
    log(
      `alerts: ${alerts.length}${alerts.length ? ` (weeks ${alerts.map((a) => a.week).join(', ')})` : ''}; re-forecasts: ${reforecasts.map((r) => `week ${r.from_week}: remaining WAPE ${pct(r.wape_before)} → ${pct(r.wape_after)} ${r.reduced ? '(reduced)' : '(not reduced)'}`).join('; ') || 'none'}`,
    );
    for (const a of alerts) {
      const what = a.chain_alert
        ? 'the chain'
        : a.categories
            .map(
              (c) =>
                `dept ${c.category_id} ${c.variance === null ? 'n/a' : pct(c.variance)} (z ${c.z ?? 'n/a'}, ${c.share === null ? '?' : pct(c.share)} of the week)`,
            )
            .join(', ');
      log(
        `  alert week ${a.week}: chain ${a.variance === null ? 'n/a' : pct(a.variance)}; raised by ${what}; re-planned ${a.replan === null ? 'every department' : a.replan.join(', ')}`,
      );
    }
    log(`  ${watched} department-weeks off plan for a first week only were watched, not re-forecast`);
    for (const r of replans) log(`  re-forecast from week ${r.from_week}: ${r.series_replanned} of ${r.series} series re-planned in ${r.seconds}s`);
    for (const p of paid)
      log(
        `  revision ${p.revision} (${p.categories?.join(', ') ?? 'all'}) on weeks ${p.weeks[0]}–${p.weeks.at(-1)}: WAPE ${p.error === null ? 'n/a' : pct(p.error)} against ${p.previous_error === null ? 'n/a' : pct(p.previous_error)} for revision ${p.previous_revision}: ${p.paid ? 'paid' : 'did not pay'}`,
      );
    if (unplannedRows > 0) log(`${unplannedRows} store × department weeks sold in series the plan did not have (counted in the chain demand, not posted)`);
    log(
      `seconds: ${Object.entries(timings)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')}`,
    );
  }
} finally {
  await engine.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}
