// Kill -9 the engine at random moments while runs execute; after restarts every run completes,
// every step it reported committed is still there with the same output, and none is committed twice.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { describeEachStore, type TestStore } from '../../support/stores.js';

const WORKER = fileURLToPath(new URL('./worker.ts', import.meta.url));
const RUNS = 40;
const STEPS = 10;
const KILLS = 10;

interface Outcome {
  commits: Map<string, string>;
  done: boolean;
  /** Lifetimes that committed something and were then killed: the kills that interrupted work. */
  interrupted: number;
}

/** Runs the worker until it says DONE, or kills it `killAfterMs` after it says READY. */
function runWorker(env: NodeJS.ProcessEnv, killAfterMs: number | undefined, outcome: Outcome): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', WORKER], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let pending = '';
    let stderr = '';
    let committed = false;
    child.stdout.on('data', (chunk: Buffer) => {
      pending += chunk.toString();
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        const [tag, runId, stepKey, token] = line.split(' ');
        if (tag === 'C' && runId && stepKey && token) {
          outcome.commits.set(`${runId} ${stepKey}`, token);
          committed = true;
        }
        if (tag === 'DONE') outcome.done = true;
        if (tag === 'READY' && killAfterMs !== undefined) timer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
      }
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    let timer: NodeJS.Timeout | undefined;
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (signal === 'SIGKILL' && committed && !outcome.done) outcome.interrupted++;
      if (signal === 'SIGKILL' || code === 0) resolve();
      else reject(new Error(`worker exited with ${code}: ${stderr}`));
    });
  });
}

describeEachStore('crash recovery', (kind) => {
  let t: TestStore;
  beforeEach(async () => {
    t = await kind.create();
  });
  afterEach(() => t.dispose());

  it('completes every run after repeated SIGKILLs, losing and duplicating no committed step', { timeout: 120_000 }, async () => {
    const env = {
      CRASH_RUNS: String(RUNS),
      CRASH_STEPS: String(STEPS),
      ...(t.connection.databaseUrl ? { CRASH_DATABASE_URL: t.connection.databaseUrl } : { CRASH_SQLITE_PATH: t.connection.sqlitePath }),
    };
    const outcome: Outcome = { commits: new Map(), done: false, interrupted: 0 };
    // Kills land anywhere once the engine runs: during run creation, claims, agents, commits.
    for (let i = 0; i < KILLS && !outcome.done; i++) await runWorker(env, 150 + Math.random() * 600, outcome);
    if (!outcome.done) await runWorker(env, undefined, outcome);
    expect(outcome.done).toBe(true);
    expect(outcome.interrupted).toBeGreaterThanOrEqual(4);

    const { store } = t;
    const { runs, total } = await store.listRuns({ limit: 1000 });
    expect(total).toBe(RUNS);
    expect(outcome.commits.size).toBeGreaterThan(0);
    for (const run of runs) {
      expect(run.state).toBe('completed');
      const steps = await store.listSteps(run.id);
      // Exactly one commit per phase: a re-run after a crash never committed a step again.
      expect(steps.map((s) => s.stepKey)).toEqual(Array.from({ length: STEPS }, (_, i) => `s${i + 1}#1`));
      const events = await store.readEvents(run.id, 0);
      expect(events.map((e) => e.seq)).toEqual(Array.from({ length: events.length }, (_, i) => i + 1));
      expect(events.filter((e) => e.type === 'complete')).toHaveLength(STEPS);
      expect(events.filter((e) => e.type === 'workflow_complete')).toHaveLength(1);
      // Every commit a worker saw is still there with the very output it reported.
      for (const step of steps) {
        const seen = outcome.commits.get(`${run.id} ${step.stepKey}`);
        if (seen !== undefined) expect((step.output as { token: string }).token).toBe(seen);
      }
    }
    const stored = new Set(runs.flatMap((r) => Array.from({ length: STEPS }, (_, i) => `${r.id} s${i + 1}#1`)));
    for (const key of outcome.commits.keys()) expect(stored.has(key)).toBe(true);
  });
});
