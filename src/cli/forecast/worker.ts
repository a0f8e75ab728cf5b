/** Worker thread for `baton forecast`: forecasts its share of the series, reporting progress as it goes. */
import { parentPort, workerData } from 'node:worker_threads';
import { forecastOne, type BatchJob, type OutputRow } from './batch.js';

const job = workerData as BatchJob;
const rows: OutputRow[][] = [];
for (const series of job.series) {
  rows.push(forecastOne(series, job.horizon, job.method));
  parentPort?.postMessage({ type: 'progress' });
}
parentPort?.postMessage({ type: 'done', rows });
