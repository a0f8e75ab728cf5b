import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'csv-parse/sync';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runForecastCommand } from '../../../src/cli/forecast/run.js';
import { forecastPanel } from '../../../src/forecasting/index.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'baton-forecast-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

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
    writeFileSync(
      input,
      [
        '"V1","V2","V3","V4","V5","V6","V7","V8","V9","V10","V11","V12","V13"',
        `"W1",${values.join(',')}`,
        `"W2",${values.slice(0, 9).join(',')},"","",""`,
      ].join('\n'),
    );
    const output = join(dir, 'out.csv');
    await runForecastCommand({ input, output, horizon: 2, method: 'naive' });
    const rows = readOutput(output);
    expect(rows.map((r) => [r.series_id, Number(r.forecast)])).toEqual([
      ['W1', 111],
      ['W1', 111],
      ['W2', 108],
      ['W2', 108],
    ]);
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

  it('refuses an output it cannot write before forecasting, and leaves nothing behind', async () => {
    const input = join(dir, 'long.csv');
    writeFileSync(input, ['series_id,date,value', ...weekly('flat', 20, () => 5)].join('\n'));
    const missingFolder = join(dir, 'no-such-folder', 'out.csv');
    await expect(runForecastCommand({ input, output: missingFolder, horizon: 2, method: 'naive' })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
      message: `--output ${missingFolder}: its folder ${join(dir, 'no-such-folder')} does not exist`,
    });
    await expect(runForecastCommand({ input, output: dir, horizon: 2, method: 'naive' })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
      message: `--output ${dir}: is a folder, not a file`,
    });
    expect(readdirSync(dir)).toEqual(['long.csv']);
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

  // Four stores of one department (a shared yearly shape at their own levels, with noise) and one series alone.
  const shape = (t: number) => 1 + 0.4 * Math.sin((2 * Math.PI * t) / 52) + (t % 52 === 40 ? 1 : 0);
  const noise = (s: number, t: number) => Math.sin(12.9898 * (t + 1) * (s + 3)) * 8;
  const store = (s: number, t: number) => Math.round(100 * (s + 1) * shape(t) + noise(s, t));

  it('forecasts the series of a group (4th column) together as one panel, in input order', async () => {
    const input = join(dir, 'grouped.csv');
    const lines = ['series_id,date,value,group'];
    for (let s = 0; s < 4; s++) lines.push(...weekly(`d1_s${s}`, 70, (t) => store(s, t)).map((row) => `${row},dept1`));
    lines.push(...weekly('alone', 70, (t) => 50 + t).map((row) => `${row},`));
    writeFileSync(input, lines.join('\n'));
    const output = join(dir, 'out.csv');
    await runForecastCommand({ input, output, horizon: 4, method: 'ensemble' });
    const rows = readOutput(output);
    expect([...new Set(rows.map((r) => r.series_id))]).toEqual(['d1_s0', 'd1_s1', 'd1_s2', 'd1_s3', 'alone']);
    // The dates are Fridays of 2021-01-01 onwards, read as the last day of each week.
    const lastDay = new Date(Date.UTC(2021, 0, 1) + 69 * 7 * 86_400_000).toISOString().slice(0, 10);
    const panel = forecastPanel(
      [0, 1, 2, 3].map((s) => ({ id: `d1_s${s}`, group: 'dept1', values: Array.from({ length: 70 }, (_, t) => store(s, t)) })),
      { horizon: 4, method: 'ensemble', lastDay },
    );
    panel.forEach((result, s) => {
      expect(rows.slice(4 * s, 4 * s + 4).map((r) => Number(r.forecast))).toEqual(result.forecast);
      expect(result.notes.join(' ')).toMatch(/pooled with 3 other series/);
    });
  });

  it('puts a group on one grid: a series that stops early is missing its last weeks', async () => {
    const input = join(dir, 'ragged.csv');
    const lines = ['series_id,date,value,group'];
    for (let s = 0; s < 4; s++) lines.push(...weekly(`s${s}`, s === 3 ? 68 : 70, (t) => store(s, t)).map((row) => `${row},g`));
    writeFileSync(input, lines.join('\n'));
    const output = join(dir, 'out.csv');
    await runForecastCommand({ input, output, horizon: 3, method: 'seasonal' });
    const lastDay = new Date(Date.UTC(2021, 0, 1) + 69 * 7 * 86_400_000).toISOString().slice(0, 10);
    const panel = forecastPanel(
      [0, 1, 2, 3].map((s) => ({ id: `s${s}`, group: 'g', values: Array.from({ length: 70 }, (_, t) => (s === 3 && t >= 68 ? null : store(s, t))) })),
      { horizon: 3, method: 'seasonal', lastDay },
    );
    expect(readOutput(output).map((r) => Number(r.forecast))).toEqual(panel.flatMap((r) => r.forecast));
  });

  it('names the line where a series changes group', async () => {
    const input = join(dir, 'groups.csv');
    writeFileSync(input, ['series_id,date,value,group', 'a,2024-01-05,3,x', 'a,2024-01-12,4,y'].join('\n'));
    await expect(runForecastCommand({ input, output: join(dir, 'o.csv'), horizon: 1, method: 'naive' })).rejects.toMatchObject({
      details: { line: 3 },
      message: `${input}, line 3: series a is in group "y" here but in "x" on line 2`,
    });
  });

  it('lines up Easter with last year from the dates (week-ending by default, --week-dates start for week starts)', async () => {
    // Fridays from 2010-02-05 to 2011-12-30 with a peak in the weeks before Easter Sunday (4 April 2010, 24 April 2011).
    const fridays = Array.from({ length: 100 }, (_, t) => new Date(Date.UTC(2010, 1, 5) + t * 7 * 86_400_000).toISOString().slice(0, 10));
    const file = (name: string, peaks: string[]) => {
      const path = join(dir, name);
      writeFileSync(path, ['series_id,date,value', ...fridays.map((d) => `e,${d},${peaks.includes(d) ? 300 : 100}`)].join('\n'));
      return path;
    };
    const output = join(dir, 'out.csv');
    // Read as week endings, those weeks end on Good Friday; the 2012 one ends on 6 April, step 14.
    await runForecastCommand({ input: file('ending.csv', ['2010-04-02', '2011-04-22']), output, horizon: 16, method: 'seasonal' });
    expect(readOutput(output).map((r) => Number(r.forecast))[13]).toBeCloseTo(300, 6);
    expect(readOutput(output).map((r) => Number(r.forecast))[15]).toBeCloseTo(100, 6);
    // Read as week starts (Friday to Thursday), they start eight days before Easter; in 2012 on 30 March, step 13.
    await runForecastCommand({ input: file('starting.csv', ['2010-03-26', '2011-04-15']), output, horizon: 16, method: 'seasonal', weekDates: 'start' });
    expect(readOutput(output).map((r) => Number(r.forecast))[12]).toBeCloseTo(300, 6);
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

  it('forecasts grouped series on worker threads as panels, the same as in-process', async () => {
    const input = join(dir, 'groups.csv');
    const lines = ['series_id,date,value,group'];
    for (let s = 0; s < 80; s++) lines.push(...weekly(`s${s}`, 60, (t) => (s % 5) + 10 + ((t * (s + 1)) % 7)).map((row) => `${row},g${s % 8}`));
    writeFileSync(input, lines.join('\n'));
    const [viaWorkers, inProcess] = [join(dir, 'w.csv'), join(dir, 'p.csv')];
    await promisify(execFile)('node', ['bin/baton.js', 'forecast', '--input', input, '--horizon', '3', '--output', viaWorkers]);
    await runForecastCommand({ input, output: inProcess, horizon: 3, method: 'ensemble' });
    expect(readFileSync(viaWorkers, 'utf8')).toBe(readFileSync(inProcess, 'utf8'));
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
