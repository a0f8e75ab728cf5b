/**
 * Checkpoints the WAL from a worker thread. A checkpoint fsyncs; done on the committing thread
 * it cost ~27% of the engine's time in a 10-step chain (a 10 ms stall every few hundred commits).
 * PASSIVE checkpoints never block the writer, so commits stay on the fast path.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

// An eval'd CommonJS worker needs no build step and runs the same under tsx, vitest and dist/.
// Node's own SQLite (node:sqlite, Node >= 22.13) where there is one: better-sqlite3 12 inside a
// worker thread aborts Node 24 at the worker's teardown (a Statement destructor asserts once the
// thread's environment is gone: WiseLibs/better-sqlite3#1515, fixed only in 13, which needs Node 22).
// Node 20 has no node:sqlite and no such abort, so it keeps better-sqlite3.
const WORKER_SOURCE = `
const { workerData, parentPort } = require('node:worker_threads');
let run;
let close;
try {
  const { DatabaseSync } = require('node:sqlite');
  const db = new DatabaseSync(workerData.path);
  run = (sql) => db.exec(sql);
  close = () => db.close();
} catch {
  const Database = require(workerData.driver);
  const db = new Database(workerData.path);
  run = (sql) => db.exec(sql);
  close = () => db.close();
}
run('PRAGMA busy_timeout = 1000');
const checkpoint = (mode) => { try { run('PRAGMA wal_checkpoint(' + mode + ')'); } catch { /* busy: next time */ } };
const timer = setInterval(() => checkpoint('PASSIVE'), workerData.intervalMs);
parentPort.on('message', () => {
  clearInterval(timer);
  checkpoint('PASSIVE');
  close();
  parentPort.postMessage('closed');
});
`;

export interface Checkpointer {
  stop(): Promise<void>;
}

export function startCheckpointer(path: string, intervalMs = 250): Checkpointer {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { path, driver, intervalMs } });
  worker.unref();
  let stopping: Promise<void> | undefined;
  return {
    // Closing twice must not wait for a reply from a worker that is already gone.
    stop: () =>
      (stopping ??= new Promise<void>((resolve) => {
        worker.once('message', () => void worker.terminate().then(() => resolve()));
        worker.once('error', () => resolve());
        worker.postMessage('stop');
      })),
  };
}
