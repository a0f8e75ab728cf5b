import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'csv-parse/sync';
import { beforeEach, describe, expect, it } from 'vitest';
import { runForecastCommand } from '../../../src/cli/forecast/run.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'baton-forecast-'));
});

const weekly = (id: string, weeks: number, value: (t: number) => number) =>
  Array.from({ length: weeks }, (_, t) => `${id},${new Date(Date.UTC(2021, 0, 1) + t * 7 * 86_400_000).toISOString().slice(0, 10)},${value(t)}`);

const readOutput = (path: string) => parse<Record<string, string>>(readFileSync(path), { columns: true });

describe('baton forecast', () => {
  it('forecasts every series of a long CSV with intervals, one row per step, in input order', async () => {
    const input = join(dir, 'long.csv');
    writeFileSync(input, ['series_id,date,value', ...weekly('flat', 20, () => 5), ...weekly('up', 20, (t) => 10 + t)].join('\n'));
    const output = join(dir, 'out.csv');
    await runForecastCommand({ input, output, horizon: 3, method: 'ets' });
    const rows = readOutput(output);
    expect(Object.keys(rows[0]!)).toEqual(['series_id', 'step', 'forecast', 'lo80', 'hi80', 'lo95', 'hi95']);
    expect(rows.map((r) => `${r.series_id}:${r.step}`)).toEqual(['flat:1', 'flat:2', 'flat:3', 'up:1', 'up:2', 'up:3']);
    expect(Number(rows[0]!.forecast)).toBeCloseTo(5, 4);
    expect(Number(rows[3]!.forecast)).toBeCloseTo(30, 1);
  });

  it('reads the M4 wide format (quoted values, empty padding) detected from its header', async () => {
    const input = join(dir, 'wide.csv');
    const values = Array.from({ length: 12 }, (_, t) => `"${100 + t}"`);
    writeFileSync(input, ['"V1","V2","V3","V4","V5","V6","V7","V8","V9","V10","V11","V12","V13"', `"W1",${values.join(',')}`, `"W2",${values.slice(0, 9).join(',')},"","",""`].join('\n'));
    const output = join(dir, 'out.csv');
    await runForecastCommand({ input, output, horizon: 2, method: 'naive' });
    const rows = readOutput(output);
    expect(rows.map((r) => [r.series_id, Number(r.forecast)])).toEqual([['W1', 111], ['W1', 111], ['W2', 108], ['W2', 108]]);
  });

  it('names the file and line of a bad row and writes nothing', async () => {
    const input = join(dir, 'bad.csv');
    writeFileSync(input, ['series_id,date,value', '1,2024-01-05,3', '1,2024-01-12,three'].join('\n'));
    const output = join(dir, 'out.csv');
    await expect(runForecastCommand({ input, output, horizon: 2, method: 'naive' })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
      details: { file: input, line: 3 },
      message: `${input}, line 3: value "three" is not a number`,
    });
    expect(readdirSync(dir)).toEqual(['bad.csv']);
  });

  it('rejects a date that is not YYYY-MM-DD with its line', async () => {
    const input = join(dir, 'date.csv');
    writeFileSync(input, ['series_id,date,value', 'a,05/01/2024,3'].join('\n'));
    await expect(runForecastCommand({ input, output: join(dir, 'o.csv'), horizon: 1, method: 'naive' })).rejects.toMatchObject({ details: { line: 2 } });
  });

  it('fills a missing week in long input before forecasting', async () => {
    const input = join(dir, 'gap.csv');
    const rows = weekly('g', 12, (t) => 2 * t).filter((_, t) => t !== 5);
    writeFileSync(input, ['series_id,date,value', ...rows].join('\n'));
    const output = join(dir, 'out.csv');
    await runForecastCommand({ input, output, horizon: 1, method: 'naive' });
    expect(Number(readOutput(output)[0]!.forecast)).toBe(22);
  });
});

const built = existsSync(new URL('../../../dist/cli/forecast/worker.js', import.meta.url));
if (!built) console.log('skipped: the built CLI (dist/) is absent; run `npm run build` to test `node bin/baton.js forecast`');

describe.skipIf(!built)('the built command line', () => {
  it('forecasts 100 series on worker threads and exits 0', async () => {
    const input = join(dir, 'many.csv');
    const lines = ['series_id,date,value'];
    for (let s = 0; s < 100; s++) lines.push(...weekly(`s${s}`, 30, (t) => s + t));
    writeFileSync(input, lines.join('\n'));
    const output = join(dir, 'out.csv');
    await promisify(execFile)('node', ['bin/baton.js', 'forecast', '--input', input, '--horizon', '4', '--output', output, '--method', 'arima']);
    const rows = readOutput(output);
    expect(rows).toHaveLength(400);
    expect(rows[399]).toMatchObject({ series_id: 's99', step: '4' });
    expect(Number(rows[399]!.forecast)).toBeCloseTo(99 + 33, 0);
  });

  it('exits 1 with the file and line on stderr for a bad row', async () => {
    const input = join(dir, 'bad.csv');
    writeFileSync(input, ['series_id,date,value', ',2024-01-05,3'].join('\n'));
    const result = await promisify(execFile)('node', ['bin/baton.js', 'forecast', '--input', input, '--horizon', '2', '--output', join(dir, 'o.csv')]).catch(
      (error: { code: number; stderr: string }) => error,
    );
    expect(result).toMatchObject({ code: 1 });
    expect((result as { stderr: string }).stderr).toContain(`error BAD_REQUEST: ${input}, line 2: series_id is empty`);
    expect(existsSync(join(dir, 'o.csv'))).toBe(false);
  });
});
