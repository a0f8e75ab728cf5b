/**
 * Checkpoints the WAL from a worker thread. A checkpoint fsyncs; done on the committing thread
 * it cost ~27% of the engine's time in a 10-step chain (a 10 ms stall every few hundred commits).
 * PASSIVE checkpoints never block the writer, so commits stay on the fast path.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

// An eval'd CommonJS worker needs no build step and runs the same under tsx, vitest and dist/. It
// uses better-sqlite3, the same SQLite library as the main thread: a second copy of SQLite in one
// process (Node's own node:sqlite) does not share the first one's POSIX lock bookkeeping, so its close
// drops the main connection's locks (sqlite.org/howtocorrupt.html §2.2) — seen as a sporadic
// "disk I/O error" in the suite on Node 24. See `canCheckpointAside` for where the worker runs.
const WORKER_SOURCE = `
const { workerData, parentPort } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.path);
const run = (sql) => db.exec(sql);
const close = () => db.close();
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

/**
 * Whether checkpoints can run in a worker here. better-sqlite3 12 inside a worker thread aborts Node ≥ 22
 * at the worker's teardown (a Statement destructor asserts once the thread's environment is gone:
 * WiseLibs/better-sqlite3#1515, fixed only in 13, which needs Node 22), and another SQLite library
 * would break the locks (above). There the committing connection checkpoints itself (SQLite's default
 * autocheckpoint): slower commits (the stall the worker saves), never a lost lock.
 */
export const canCheckpointAside = (nodeVersion = process.versions.node): boolean => Number(nodeVersion.split('.')[0]) < 22;

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
