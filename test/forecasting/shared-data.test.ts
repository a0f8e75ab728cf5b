import { existsSync, readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { forecast, mase, smape } from '../../src/forecasting/index.js';

const M4_PATH = new URL('../../../shared/data/m4-weekly/Weekly-train.csv', import.meta.url);
const present = existsSync(M4_PATH);
if (!present) console.log(`skipped: ${M4_PATH.pathname} is absent (shared data sets live outside the repository)`);

describe.skipIf(!present)('on a slice of the M4 weekly series', () => {
  it('the ensemble beats naive on the last 13 values of the first 40 series', () => {
    const rows: string[][] = parse(readFileSync(M4_PATH), { relax_column_count: true });
    const series = rows.slice(1, 41).map((r) =>
      r
        .slice(1)
        .filter((v) => v !== '')
        .map(Number),
    );
    let ensemble = 0;
    let naive = 0;
    for (const values of series) {
      const insample = values.slice(0, -13);
      const actual = values.slice(-13);
      const score = (f: number[]) => 0.5 * (smape(actual, f) / 10 + mase(insample, actual, f));
      ensemble += score(forecast(insample, { horizon: 13 }).forecast);
      naive += score(forecast(insample, { horizon: 13, method: 'naive' }).forecast);
    }
    expect(ensemble).toBeLessThan(naive);
  });
});
