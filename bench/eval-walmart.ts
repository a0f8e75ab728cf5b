/**
 * `npm run eval:walmart`: WAPE of every method on Walmart weekly sales (one series per store and
 * department), holding out the last 26 weeks, and its ratio to seasonal naive (the retail benchmark).
 * Flags: --holdout N (26) --origin N (train on the first N weeks, then score the next --holdout; default: 117 − holdout)
 * --methods a,b,c
 */
import { parseArgs } from 'node:util';
import { forecast, METHODS, prepareSeries, type Method } from '../src/forecasting/index.js';
import { loadWalmart, requireData, WALMART_SALES_PATH } from './eval-data.js';

requireData(WALMART_SALES_PATH);
const { values: args } = parseArgs({
  options: {
    holdout: { type: 'string', default: '26' },
    origin: { type: 'string' },
    methods: { type: 'string', default: METHODS.filter((m) => m !== 'naive2').join(',') },
  },
});
const horizon = Number(args.holdout);
const methods = args.methods.split(',') as Method[];
const all = loadWalmart();
const weeks = all[0]?.values.length ?? 0;
const origin = args.origin === undefined ? weeks - horizon : Number(args.origin);

// Missing weeks in the scored window count as zero sales (the department sold nothing that week).
const cases = all.map(({ id, values }) => ({
  id,
  history: values.slice(0, origin),
  actual: values.slice(origin, origin + horizon).map((v) => v ?? 0),
}));

function wapeOf(method: Method): { wape: number; ms: number } {
  let error = 0;
  let volume = 0;
  const started = performance.now();
  for (const { history, actual } of cases) {
    const result = forecast(history, { horizon, method, seasonPeriod: 52 });
    actual.forEach((a, h) => {
      error += Math.abs(a - result.forecast[h]!);
      volume += Math.abs(a);
    });
  }
  return { wape: error / volume, ms: performance.now() - started };
}

const usable = cases.filter((c) => prepareSeries(c.history).values.length > 0).length;
console.log(`Walmart, ${cases.length} store×department series (${usable} with history), trained on weeks 1–${origin}, scored on the next ${horizon}`);
const benchmark = wapeOf('snaive');
console.log('method     WAPE    ratio to seasonal naive  time');
for (const method of methods) {
  const r = method === 'snaive' ? benchmark : wapeOf(method);
  console.log(`${method.padEnd(9)} ${r.wape.toFixed(4)}  ${(r.wape / benchmark.wape).toFixed(4).padStart(10)}              ${(r.ms / 1000).toFixed(2)} s`);
}
