/** Worker thread for `baton forecast`: forecasts its share of the units, reporting progress (series done) as it goes. */
import { parentPort, workerData } from 'node:worker_threads';
import { forecastUnit, type BatchJob, type OutputRow } from './batch.js';

const job = workerData as BatchJob;
const rows: OutputRow[][][] = [];
for (const unit of job.units) {
  rows.push(forecastUnit(unit, job));
  parentPort?.postMessage({ type: 'progress', series: unit.series.length });
}
parentPort?.postMessage({ type: 'done', rows });
