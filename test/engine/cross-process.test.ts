// With PostgreSQL, a run driven by one engine is followed live from another (LISTEN/NOTIFY),
// and a run orphaned by one engine is taken over by another when its lease expires.
import { afterEach, beforeEach, expect, it } from 'vitest';
import { z } from 'zod';
import { defineAgent, defineWorkflow, Engine } from '../../src/engine/index.js';
import type { EventRecord } from '../../src/store/index.js';
import { describeEachStore, type TestStore } from '../support/stores.js';

const slow = defineAgent({
  name: 'slow',
  input: z.unknown(),
  output: z.object({ ok: z.boolean() }),
  run: async ({ reportProgress }) => {
    reportProgress(50, 'half way');
    await new Promise((resolve) => setTimeout(resolve, 30));
    return { ok: true };
  },
});
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
const held = defineWorkflow({ name: 'held', parameters: z.object({}), phases: [{ name: 'hold', agent: 'stubborn' }] });
const chain = defineWorkflow({
  name: 'two-step',
  parameters: z.object({}),
  phases: [
    { name: 'one', agent: 'slow' },
    { name: 'two', agent: 'slow' },
  ],
});

describeEachStore('engines sharing a database', (kind) => {
  let t: TestStore;
  const engines: Engine[] = [];
  const engineOn = async (store = t.store, options: { leaseMs?: number } = {}) => {
    const engine = new Engine({ store, agents: [slow, stubborn], workflows: [chain, held], pollIntervalMs: 25, ...options });
    engines.push(engine);
    await engine.start();
    return engine;
  };
  beforeEach(async () => {
    t = await kind.create();
  });
  afterEach(async () => {
    await Promise.allSettled(engines.splice(0).map((e) => e.close()));
    await t.dispose();
  });

  it.runIf(kind.name === 'postgres')('streams a run executed by one process to a follower in another, live and in order', async () => {
    const runner = await engineOn();
    const watcher = await engineOn(await t.reopen('watcher'));
    const { id } = await runner.startRun('two-step', {});
    const seen: EventRecord[] = [];
    const done = new Promise<void>((resolve) => {
      void watcher.follow(id, 0, (event) => {
        seen.push(event);
        if (event.type === 'workflow_complete') resolve();
      });
    });
    await done;
    expect(seen.map((e) => e.seq)).toEqual(Array.from({ length: seen.length }, (_, i) => i + 1));
    expect(seen.filter((e) => e.type === 'progress')).toHaveLength(2);
    expect(seen.at(-1)?.type).toBe('workflow_complete');
  });

  it.runIf(kind.name === 'postgres')("stops the driving node's agent within a second when another node cancels the run", async () => {
    const driver = await engineOn();
    const other = await engineOn(await t.reopen('other'));
    const { id } = await driver.startRun('held', {});
    await new Promise<void>((resolve) => {
      void driver.follow(id, 0, (event) => {
        if (event.type === 'agent_status') resolve();
      });
    });
    aborted.at = undefined;
    const cancelledAt = Date.now();
    await other.cancelRun(id, 'changed our minds');
    for (let waited = 0; aborted.at === undefined && waited < 5_000; waited += 20) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(aborted.at, 'the agent was aborted').toBeDefined();
    expect(aborted.at! - cancelledAt).toBeLessThan(1_000);
    expect((await driver.status(id)).state).toBe('cancelled');
  });

  it('answers settled for a run driven here from its last commit, reading the store no more, and with what a read returns', async () => {
    const engine = await engineOn();
    let reads = 0;
    const getRun = t.store.getRun.bind(t.store);
    t.store.getRun = (id) => {
      reads++;
      return getRun(id);
    };
    const { id } = await engine.startRun('two-step', {});
    const settled = await engine.settled(id);
    expect(reads).toBe(0);
    expect(settled.state).toBe('completed');
    expect(settled).toEqual(await engine.status(id));
    expect(reads).toBe(1);
  });

  it.runIf(kind.name === 'postgres')('answers settled from the store once another node wrote to the run after this one', async () => {
    const driver = await engineOn();
    const other = await engineOn(await t.reopen('other'));
    const { id } = await driver.startRun('held', {});
    await driver.settled(id, ['running']);
    await other.cancelRun(id, 'changed our minds');
    const settled = await driver.settled(id, ['cancelled'], { timeoutMs: 5_000 });
    expect(settled.state).toBe('cancelled');
    expect(settled).toEqual(await other.status(id));
  });

  it('says so when another node takes a run it drives (its lease seen as lapsed), and stops the agent', async () => {
    const errors: { error: unknown; context: string }[] = [];
    const driver = new Engine({
      store: t.store,
      agents: [slow, stubborn],
      workflows: [chain, held],
      pollIntervalMs: 25,
      nodeId: 'driver',
      onError: (error, context) => errors.push({ error, context }),
    });
    engines.push(driver);
    await driver.start();
    const { id } = await driver.startRun('held', {});
    await new Promise<void>((resolve) => {
      void driver.follow(id, 0, (event) => {
        if (event.type === 'agent_status') resolve();
      });
    });
    aborted.at = undefined;
    // A node whose clock runs two minutes ahead reads the lease as lapsed, and claims the run.
    const taken = await t.store.claimRuns('ahead', Date.now() + 120_000, 10_000, 10, ['held']);
    expect(taken.map((r) => r.id)).toEqual([id]);
    for (let waited = 0; aborted.at === undefined && waited < 5_000; waited += 20) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(aborted.at, 'the agent was aborted').toBeDefined();
    // Before, nothing was said: the step ran again on the other node and no log showed why.
    const lost = errors.find((e) => e.context === `run ${id}: lease lost`);
    expect(String(lost?.error)).toMatch(/taken over by ahead while this node \(driver\) drove it/);
  });

  it('says when two processes share a node id, and one closing leaves the other’s runs leased to it', async () => {
    const errors: { error: unknown; context: string }[] = [];
    const twin = async (store = t.store) => {
      const engine = new Engine({
        store,
        agents: [slow, stubborn],
        workflows: [chain, held],
        pollIntervalMs: 25,
        nodeId: 'twin',
        heartbeatMs: 40,
        onError: (error, context) => errors.push({ error, context }),
      });
      engines.push(engine);
      await engine.start();
      return engine;
    };
    const first = await twin();
    const { id } = await first.startRun('held', {});
    await new Promise<void>((resolve) => {
      void first.follow(id, 0, (event) => {
        if (event.type === 'agent_status') resolve();
      });
    });
    await new Promise((resolve) => setTimeout(resolve, 5)); // a start of its own, a few ms later
    const second = await twin(await t.reopen('second-twin'));
    for (let waited = 0; !errors.some((e) => e.context === 'duplicate node id') && waited < 3_000; waited += 20) await new Promise((r) => setTimeout(r, 20));
    expect(String(errors.find((e) => e.context === 'duplicate node id')?.error)).toMatch(/node id twin is also used by another process/);
    // Before, closing one freed every lease of the id: the other's run was claimed elsewhere and its step ran twice.
    aborted.at = undefined;
    await second.close();
    expect(await t.store.getRun(id)).toMatchObject({ state: 'running', leaseOwner: 'twin' });
    expect(aborted.at).toBeUndefined();
    await first.cancelRun(id);
  });

  it('takes over a run whose engine died holding its lease, once the lease expires', async () => {
    // A run as a crashed engine leaves it: running, leased to a node that will never renew.
    const { run } = await t.store.createRun(
      {
        id: 'orphan',
        workflow: 'two-step',
        sessionId: null,
        idempotencyKey: null,
        parameters: {},
        state: 'running',
        phase: 'one',
        leaseOwner: 'dead-node',
        leaseExpiresAt: Date.now() + 150,
        createdAt: Date.now(),
      },
      [],
    );
    const survivor = await engineOn(await t.reopen('survivor'));
    const status = await survivor.settled(run.id, ['completed']);
    expect(status.state).toBe('completed');
    expect((await t.store.listSteps(run.id)).map((s) => s.stepKey)).toEqual(['one#1', 'two#1']);
    expect((await t.store.getRun(run.id))?.version).toBeGreaterThan(1);
  });
});
