// The database's clock, which nodes on one PostgreSQL share: a node whose own clock is off counts leases and
// heartbeats on the server's, so it neither takes other nodes' runs nor loses its own. SQLite's clock is the machine's.
import { afterEach, beforeEach, expect, it } from 'vitest';
import { z } from 'zod';
import { defineAgent, defineWorkflow, Engine } from '../../src/engine/index.js';
import { DatabaseClock } from '../../src/store/index.js';
import { describeEachStore, type TestStore } from '../support/stores.js';

const AHEAD_MS = 120_000;
const skewed = () => Date.now() + AHEAD_MS;

const hold = defineAgent({
  name: 'hold',
  input: z.unknown(),
  output: z.object({ ok: z.boolean() }),
  timeoutMs: 60_000,
  run: ({ signal }) => new Promise<{ ok: boolean }>((_, reject) => signal.addEventListener('abort', () => reject(signal.reason as Error))),
});
const held = defineWorkflow({ name: 'held', parameters: z.object({}), phases: [{ name: 'hold', agent: 'hold' }] });

describeEachStore('the database clock', (kind) => {
  let t: TestStore;
  const engines: Engine[] = [];
  const clocks: DatabaseClock[] = [];
  beforeEach(async () => {
    t = await kind.create();
  });
  afterEach(async () => {
    for (const clock of clocks.splice(0)) clock.stop();
    await Promise.allSettled(engines.splice(0).map((e) => e.close()));
    await t.dispose();
  });

  it('reads the server’s time as an offset from a clock that is off (PostgreSQL), and is the machine’s own on SQLite', async () => {
    const clock = await DatabaseClock.start(t.store, { local: skewed });
    clocks.push(clock);
    if (kind.name === 'postgres') {
      // The server runs on this machine: its clock is the real one, two minutes behind the skewed local clock.
      expect(Math.abs(clock.offsetMs + AHEAD_MS)).toBeLessThan(1_000);
      expect(Math.abs(clock.now() - Date.now())).toBeLessThan(1_000);
      // On the same clock the offset is none, not a round trip's noise (nodes on one machine must agree exactly).
      const same = await DatabaseClock.start(t.store);
      clocks.push(same);
      expect(same.offsetMs).toBe(0);
    } else {
      expect(clock.offsetMs).toBe(0);
      expect(Math.abs(clock.now() - skewed())).toBeLessThan(1_000);
    }
  });

  it.runIf(kind.name === 'postgres')('keeps a node whose clock runs two minutes ahead from taking another node’s run', async () => {
    const driver = new Engine({ store: t.store, agents: [hold], workflows: [held], pollIntervalMs: 400, leaseMs: 2_000, nodeId: 'on-time' });
    engines.push(driver);
    await driver.start();
    const { id } = await driver.startRun('held', {});
    const clock = await DatabaseClock.start(await t.reopen('ahead'), { local: skewed });
    clocks.push(clock);
    // On its own clock (now: skewed) it read the lease as lapsed and claimed the run at its first poll.
    const ahead = new Engine({
      store: await t.reopen('ahead-engine'),
      agents: [hold],
      workflows: [held],
      pollIntervalMs: 25,
      leaseMs: 2_000,
      nodeId: 'ahead',
      now: clock.now,
    });
    engines.push(ahead);
    await ahead.start();
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await t.store.getRun(id)).toMatchObject({ state: 'running', leaseOwner: 'on-time' });
    await driver.cancelRun(id);
  });
});
