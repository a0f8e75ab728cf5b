/**
 * The process the crash test kills: starts (or resumes) a batch of runs of a multi-step
 * workflow and reports every step commit on stdout as `C <run> <step> <token>` after it commits
 * (and `READY` once the engine runs, so kills can be timed from there rather than from start-up).
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { defineAgent, defineWorkflow, Engine } from '../../../src/engine/index.js';
import { openStore } from '../../../src/store/index.js';

const runs = Number(process.env.CRASH_RUNS ?? 20);
const steps = Number(process.env.CRASH_STEPS ?? 8);

const work = defineAgent({
  name: 'work',
  input: z.object({ step: z.number() }),
  output: z.object({ step: z.number(), token: z.string() }),
  // Real work takes time: a random pause makes kills land mid-agent as well as mid-commit.
  run: async ({ input, signal }) => {
    await new Promise((resolve) => setTimeout(resolve, Math.random() * 40));
    signal.throwIfAborted();
    return { step: input.step, token: randomUUID() };
  },
});

const crashChain = defineWorkflow({
  name: 'crash-chain',
  parameters: z.object({ n: z.number() }),
  phases: Array.from({ length: steps }, (_, i) => ({ name: `s${i + 1}`, agent: 'work', input: () => ({ step: i + 1 }) })),
});

const store = await openStore({
  databaseUrl: process.env.CRASH_DATABASE_URL,
  sqlitePath: process.env.CRASH_SQLITE_PATH ?? '',
  origin: `crash-${process.pid}`,
});
// Few runs at a time, so the work spans several lifetimes of this process.
const engine = new Engine({ store, agents: [work], workflows: [crashChain], leaseMs: 250, pollIntervalMs: 50, maxConcurrentRuns: 3 });
engine.watch((event) => {
  if (event.type === 'complete') {
    const { phase, result } = event.payload as { phase: string; result: { token: string } };
    process.stdout.write(`C ${event.runId} ${phase}#1 ${result.token}\n`);
  }
});
await engine.start();
process.stdout.write('READY\n');
for (let i = 0; i < runs; i++) await engine.startRun('crash-chain', { n: i }, { idempotencyKey: `crash-${i}` });

for (;;) {
  const [running, waiting] = await Promise.all([store.listRuns({ state: 'running', limit: 1 }), store.listRuns({ state: 'waiting', limit: 1 })]);
  if (running.total + waiting.total === 0 && (await store.listRuns({ limit: 1 })).total === runs) break;
  await new Promise((resolve) => setTimeout(resolve, 50));
}
process.stdout.write('DONE\n');
await engine.close();
await store.close();
