// Nodes of one database in their roles: an API engine (drive: false) leaves its runs to workers, and a
// worker stops the agent of a run cancelled elsewhere at its next poll even when no notice reaches it.
import { afterEach, beforeEach, expect, it } from 'vitest';
import { z } from 'zod';
import { defineAgent, defineWorkflow, Engine, type EngineOptions } from '../../src/engine/index.js';
import { describeEachStore, type TestStore } from '../support/stores.js';

const quick = defineAgent({ name: 'quick', input: z.unknown(), output: z.object({ ok: z.boolean() }), run: () => ({ ok: true }) });
/** Holds until its signal aborts, noting when. */
const aborted: { at: number | undefined } = { at: undefined };
const stubborn = defineAgent({
  name: 'stubborn',
  input: z.unknown(),
  output: z.object({ ok: z.boolean() }),
  timeoutMs: 60_000,
  run: ({ signal }) =>
    new Promise<{ ok: boolean }>((_, reject) => {
      signal.addEventListener('abort', () => {
        aborted.at = Date.now();
        reject(signal.reason as Error);
      });
    }),
});
const quickFlow = defineWorkflow({
  name: 'quick-approve',
  parameters: z.object({}),
  phases: [
    { name: 'one', agent: 'quick' },
    { name: 'ok', wait: { kind: 'approval' } },
    { name: 'two', agent: 'quick' },
  ],
});
const held = defineWorkflow({ name: 'held', parameters: z.object({}), phases: [{ name: 'hold', agent: 'stubborn' }] });

describeEachStore('nodes in their roles', (kind) => {
  let t: TestStore;
  const engines: Engine[] = [];
  const engineOn = async (name: string, options: Partial<EngineOptions> = {}) => {
    const engine = new Engine({
      store: await t.reopen(name),
      nodeId: name,
      agents: [quick, stubborn],
      workflows: [quickFlow, held],
      pollIntervalMs: 50,
      ...options,
    });
    engines.push(engine);
    return engine;
  };
  /** Reads the run's status until it is in `state`: on SQLite no notice of another engine's commits reaches this one's followers. */
  const reached = async (engine: Engine, runId: string, state: string) => {
    for (let waited = 0; waited < 10_000; waited += 20) {
      const status = await engine.status(runId);
      if (status.state === state) return status;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error(`run ${runId} never ${state}`);
  };
  beforeEach(async () => {
    t = await kind.create();
  });
  afterEach(async () => {
    for (const engine of engines.splice(0)) await engine.close();
    await t.dispose();
  });

  it('leaves the runs an API engine starts and resumes unleased, and a worker drives them', async () => {
    const api = await engineOn('api', { drive: false });
    await api.start();
    const run = await api.startRun('quick-approve', {});
    expect((await t.store.getRun(run.id))?.leaseOwner).toBeNull();
    const worker = await engineOn('worker');
    await worker.start();
    const waiting = await reached(api, run.id, 'waiting');
    await api.resolveWait(run.id, waiting.waitingFor!.id, { action: 'accept' });
    expect((await t.store.getRun(run.id))?.leaseOwner).not.toBe('api');
    await reached(api, run.id, 'completed');
    const steps = await api.steps(run.id);
    expect(steps.filter((s) => s.phase !== 'ok')).toHaveLength(2);
  });

  it.runIf(kind.name === 'postgres')(
    'has a worker take the runs an API engine starts and resumes at once, through their notices, not at its next poll',
    async () => {
      // A poll a minute away, begun before the run exists: only the notices can bring the worker to claim the run, twice.
      const worker = await engineOn('worker', { pollIntervalMs: 60_000 });
      await worker.start();
      const api = await engineOn('api', { drive: false, pollIntervalMs: 60_000 });
      await api.start();
      const run = await api.startRun('quick-approve', {});
      const waiting = await reached(api, run.id, 'waiting');
      await api.resolveWait(run.id, waiting.waitingFor!.id, { action: 'accept' });
      await reached(api, run.id, 'completed');
      expect((await api.steps(run.id)).map((s) => s.phase)).toEqual(['one', 'ok', 'two']);
    },
  );

  it.runIf(kind.name === 'sqlite')("stops the driving node's agent at its next poll when the cancel's notice never reaches it", async () => {
    // On SQLite no notice crosses store handles: only the worker's periodic check of its leases can see the cancel.
    const driver = await engineOn('driver');
    await driver.start();
    const other = await engineOn('other');
    const { id } = await driver.startRun('held', {});
    await new Promise<void>((resolve) => {
      void driver.follow(id, 0, (event) => {
        if (event.type === 'agent_status') resolve();
      });
    });
    aborted.at = undefined;
    const cancelledAt = Date.now();
    await other.cancelRun(id, 'changed our minds');
    for (let waited = 0; aborted.at === undefined && waited < 3_000; waited += 20) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(aborted.at, 'the agent was aborted').toBeDefined();
    expect(aborted.at! - cancelledAt).toBeLessThan(1_000);
  });
});
