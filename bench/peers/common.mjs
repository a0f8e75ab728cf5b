// Shared helpers for the peer benchmarks: argument parsing and timing of sequential/concurrent batches.
import { parseArgs } from 'node:util';

/** Parses --steps N --runs R --concurrent C (defaults 10/200/200) plus any extra string options. */
export function benchArgs(extra = {}) {
  const { values } = parseArgs({
    options: {
      steps: { type: 'string', default: '10' },
      runs: { type: 'string', default: '200' },
      concurrent: { type: 'string', default: '200' },
      warmup: { type: 'string', default: '20' },
      ...extra,
    },
    strict: true,
  });
  const num = (name) => {
    const n = Number(values[name]);
    if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} must be a non-negative integer, got ${values[name]}`);
    return n;
  };
  return { ...values, steps: num('steps'), runs: num('runs'), concurrent: num('concurrent'), warmup: num('warmup') };
}

/**
 * Warms up (one after another, then up to 50 at once), then times `runs` workflows one after another and `concurrent` workflows launched at once;
 * prints one JSON line per mode. runOne(i) must run one whole workflow and resolve when it is done.
 */
export async function measure({ system, store, steps, runs, concurrent, warmup, extra = {} }, runOne) {
  for (let i = 0; i < warmup; i++) await runOne();
  // A concurrent warm-up too, so the timed concurrent batch does not pay for opening the pool's connections.
  if (warmup > 0) await Promise.all(Array.from({ length: Math.min(concurrent, 50) }, () => runOne()));
  const report = (mode, count, ms) => {
    if (count === 0) return;
    console.log(JSON.stringify({
      bench: 'peer', system, store, mode, steps, runs: count,
      ms_per_workflow: round(ms / count), steps_per_s: round((count * steps) / (ms / 1000)), ...extra,
    }));
  };
  let t0 = performance.now();
  for (let i = 0; i < runs; i++) await runOne();
  report('sequential', runs, performance.now() - t0);
  t0 = performance.now();
  await Promise.all(Array.from({ length: concurrent }, () => runOne()));
  report('concurrent', concurrent, performance.now() - t0);
}

const round = (x) => Math.round(x * 100) / 100;
