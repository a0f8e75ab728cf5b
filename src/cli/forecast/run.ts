/**
 * `baton forecast`: reads the input, forecasts every series (on worker threads when there are many, to use
 * every core; the series of a `group` together as one panel), and writes the output CSV through a temporary
 * file renamed at the end, so a failure leaves nothing behind.
 */
import { existsSync, statSync } from 'node:fs';
import { rename, rm, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { SingleBar, Presets } from 'cli-progress';
import { stringify } from 'csv-stringify/sync';
import type { Method } from '../../forecasting/index.js';
import { ForecastOutputError } from './errors.js';
import { forecastUnit, unitsOf, type ForecastUnit, type OutputRow, type WeekDates } from './batch.js';
import { readForecastInput, type InputSeries } from './input.js';

export interface ForecastCommandOptions {
  input: string;
  output: string;
  horizon: number;
  method: Method;
  /** What each long-CSV date marks: the last day of its week (default) or the first. */
  weekDates?: WeekDates;
}

/** Below this many series a worker's start-up costs more than it saves. */
const WORKER_THRESHOLD = 64;

/** The compiled worker (dist/cli/forecast/worker.js); absent when running from TypeScript sources, then work stays in-process. */
function workerScript(): string | null {
  const path = fileURLToPath(new URL('./worker.js', import.meta.url));
  return existsSync(path) ? path : null;
}

function runWorker(script: string, units: ForecastUnit[], options: ForecastCommandOptions, tick: (series: number) => void): Promise<OutputRow[][][]> {
  return new Promise((resolve, reject) => {
    const job = { units, horizon: options.horizon, method: options.method, weekDates: options.weekDates ?? 'end' };
    const worker = new Worker(script, { workerData: job });
    worker.on('message', (message: { type: 'progress'; series: number } | { type: 'done'; rows: OutputRow[][][] }) => {
      if (message.type === 'progress') tick(message.series);
      else resolve(message.rows);
    });
    worker.on('error', reject);
    worker.on('exit', (code) => {
      if (code !== 0) reject(new Error(`forecast worker exited with code ${code}`));
    });
  });
}

async function forecastAll(series: InputSeries[], options: ForecastCommandOptions, tick: (series: number) => void): Promise<OutputRow[]> {
  const batch = { horizon: options.horizon, method: options.method, weekDates: options.weekDates ?? 'end' };
  const units = unitsOf(series);
  const bySeries = new Array<OutputRow[]>(series.length);
  const place = (unit: ForecastUnit, rows: OutputRow[][]) => unit.indices.forEach((index, k) => (bySeries[index] = rows[k]!));
  const script = workerScript();
  const threads = Math.min(availableParallelism(), 8, units.length);
  if (script === null || threads < 2 || series.length < WORKER_THRESHOLD) {
    for (const unit of units) {
      place(unit, forecastUnit(unit, batch));
      tick(unit.series.length);
    }
  } else {
    // Interleaved shares balance long and short series (or small and large groups) between the threads.
    const shares = Array.from({ length: threads }, (_, w) => units.filter((_, i) => i % threads === w));
    const results = await Promise.all(shares.map((share) => runWorker(script, share, options, tick)));
    results.forEach((rows, w) => shares[w]!.forEach((unit, k) => place(unit, rows[k]!)));
  }
  return bySeries.flat();
}

/**
 * Creates the output's temporary file before any work: a path that cannot be written (no such folder, no
 * permission, a folder's name) fails at once, not after minutes of forecasting.
 */
async function claimOutput(output: string): Promise<string> {
  if (statSync(output, { throwIfNoEntry: false })?.isDirectory()) throw new ForecastOutputError(output, 'is a folder, not a file');
  const temporary = `${output}.${process.pid}.tmp`;
  try {
    await writeFile(temporary, '');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ForecastOutputError(
      output,
      code === 'ENOENT'
        ? `its folder ${dirname(output)} does not exist`
        : code === 'EACCES' || code === 'EPERM' || code === 'EROFS'
          ? 'permission denied'
          : `cannot be written (${code ?? String(error)})`,
    );
  }
  return temporary;
}

export async function runForecastCommand(options: ForecastCommandOptions): Promise<{ series: number; rows: number }> {
  const series = await readForecastInput(options.input);
  const temporary = await claimOutput(options.output);
  try {
    const bar = process.stderr.isTTY
      ? new SingleBar({ format: 'forecasting [{bar}] {value}/{total} series', stream: process.stderr }, Presets.shades_classic)
      : null;
    bar?.start(series.length, 0);
    let rows: OutputRow[];
    try {
      rows = await forecastAll(series, options, (count) => bar?.increment(count));
    } finally {
      bar?.stop();
    }
    const csv = stringify(rows, { header: true, columns: ['series_id', 'step', 'forecast', 'lo80', 'hi80', 'lo95', 'hi95'] });
    await writeFile(temporary, csv);
    await rename(temporary, options.output);
    return { series: series.length, rows: rows.length };
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}
