/**
 * `npm run eval:walmart`: WAPE of every method on Walmart weekly sales (one series per store and
 * department), holding out the last 26 weeks, and its ratio to seasonal naive (the retail benchmark).
 * Each method runs twice: series by series (`forecast`), and as a panel grouped by department
 * (`forecastPanel`, the stores of a department pooled), which is how the Demand agent calls it.
 * Flags: --holdout N (26) --origin N (train on the first N weeks, then score the next --holdout; default: 117 − holdout)
 * --methods a,b,c --runs N (timed runs of the panel ensemble; the median is printed)
 * --plain (no calendar: a year back is 52 weeks; by default the last training week's date is passed as `lastDay`,
 * so the seasonal anchor lines up Christmas and Easter)
 */
import { parseArgs } from 'node:util';
import { forecast, forecastPanel, METHODS, prepareSeries, type Method } from '../src/forecasting/index.js';
import { loadWalmart, requireData, WALMART_SALES_PATH, walmartWeeks } from './eval-data.js';

requireData(WALMART_SALES_PATH);
const { values: args } = parseArgs({
  options: {
    holdout: { type: 'string', default: '26' },
    origin: { type: 'string' },
    methods: { type: 'string', default: METHODS.filter((m) => m !== 'naive2').join(',') },
    runs: { type: 'string', default: '3' },
    plain: { type: 'boolean', default: false },
  },
});
const horizon = Number(args.holdout);
const methods = args.methods.split(',') as Method[];
const all = loadWalmart();
const weeks = all[0]?.values.length ?? 0;
const origin = args.origin === undefined ? weeks - horizon : Number(args.origin);
// Walmart dates are the Fridays that end each week: the last training week's date is the last day the history covers.
const lastDay = args.plain ? undefined : walmartWeeks()[origin - 1];

// Missing weeks in the scored window count as zero sales (the department sold nothing that week).
const cases = all.map(({ id, values }) => ({
  id,
  group: id.split('_')[1]!,
  history: values.slice(0, origin),
  actual: values.slice(origin, origin + horizon).map((v) => v ?? 0),
}));

function wapeOfForecasts(forecasts: readonly (readonly number[])[]): number {
  let error = 0;
  let volume = 0;
  cases.forEach(({ actual }, i) => {
    actual.forEach((a, h) => {
      error += Math.abs(a - forecasts[i]![h]!);
      volume += Math.abs(a);
    });
  });
  return error / volume;
}

function perSeries(method: Method): { wape: number; ms: number } {
  const started = performance.now();
  const forecasts = cases.map(({ history }) => forecast(history, { horizon, method, seasonPeriod: 52, lastDay }).forecast);
  return { ms: performance.now() - started, wape: wapeOfForecasts(forecasts) };
}

function panel(method: Method): { wape: number; ms: number } {
  const started = performance.now();
  const results = forecastPanel(
    cases.map(({ id, group, history }) => ({ id, group, values: history })),
    { horizon, method, seasonPeriod: 52, lastDay },
  );
  return { ms: performance.now() - started, wape: wapeOfForecasts(results.map((r) => r.forecast)) };
}

const usable = cases.filter((c) => prepareSeries(c.history).values.length > 0).length;
console.log(
  `Walmart, ${cases.length} store×department series (${usable} with history), trained on weeks 1–${origin}, scored on the next ${horizon}` +
    (lastDay === undefined ? ' (no calendar)' : ` (calendar: history ends ${lastDay})`),
);
const benchmark = perSeries('snaive');
console.log('method     per series: WAPE  ratio    time   | panel by department: WAPE  ratio    time');
const rows: { method: Method; single: number; pooled: number }[] = [];
for (const method of methods) {
  const single = method === 'snaive' ? benchmark : perSeries(method);
  const pooled = panel(method);
  rows.push({ method, single: single.wape, pooled: pooled.wape });
  const cell = (r: { wape: number; ms: number }) => `${r.wape.toFixed(4)}  ${(r.wape / benchmark.wape).toFixed(4)}  ${(r.ms / 1000).toFixed(2).padStart(5)} s`;
  console.log(`${method.padEnd(9)}             ${cell(single)}   |                      ${cell(pooled)}`);
}

/** Which member is best, and whether the ensemble is at least as good (the requirement for the combination). */
function verdict(label: string, pick: (r: (typeof rows)[number]) => number): void {
  const ensemble = rows.find((r) => r.method === 'ensemble');
  const members = rows.filter((r) => r.method !== 'ensemble');
  if (ensemble === undefined || members.length === 0) return;
  const best = members.reduce((a, b) => (pick(b) < pick(a) ? b : a));
  const holds = pick(ensemble) <= pick(best);
  console.log(
    `${label}: best member ${best.method} ${(pick(best) / benchmark.wape).toFixed(6)} × seasonal naive; ensemble ${(pick(ensemble) / benchmark.wape).toFixed(6)}` +
      ` — ensemble at least as good as its best member: ${holds ? 'yes' : 'NO'}`,
  );
}
verdict('per series', (r) => r.single);
verdict('panel     ', (r) => r.pooled);

if (methods.includes('ensemble')) {
  const times = Array.from({ length: Number(args.runs) }, () => panel('ensemble').ms).sort((a, b) => a - b);
  console.log(
    `panel ensemble, all ${cases.length} series: ${times.map((t) => (t / 1000).toFixed(2)).join(', ')} s (median ${(times[(times.length - 1) >> 1]! / 1000).toFixed(2)} s)`,
  );
}
