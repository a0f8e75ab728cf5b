// Listing runs: each waiting run shows what it waits for, read for the whole page at once (no read per run).
import { expect, it } from 'vitest';
import { z } from 'zod';
import { defineWorkflow } from '../../../src/engine/index.js';
import type { RunStore } from '../../../src/store/index.js';
import { describeEachStore } from '../../support/stores.js';
import { agent, useHarness } from './harness.js';

describeEachStore('engine runs: listing', (kind) => {
  const h = useHarness(kind);

  it("lists every waiting run with its wait, reading the page's waits once instead of once per run", async () => {
    const workflow = defineWorkflow({
      name: 'ask',
      parameters: z.object({ n: z.number() }),
      phases: [
        { name: 'prepare', agent: 'prepare' },
        { name: 'approve', wait: { kind: 'approval', data: ({ parameters }) => ({ n: parameters.n }) } },
      ],
    });
    const calls = { getWait: 0, getWaits: 0 };
    // Counts the store's wait reads, passing everything through (as the telemetry decorator does).
    const counted = new Proxy(h.t.store, {
      get(target, key) {
        if (key === 'getWait' || key === 'getWaits') calls[key]++;
        const value: unknown = Reflect.get(target, key, target);
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    }) as RunStore;
    const engine = h.engine({ store: counted, agents: [agent('prepare', () => ({ ok: true }))], workflows: [workflow] });
    const ids = [];
    for (let n = 1; n <= 5; n++) ids.push((await engine.startRun('ask', { n })).id);
    for (const id of ids) await engine.settled(id);
    const finished = (await engine.startRun('ask', { n: 6 })).id;
    await engine.settled(finished);
    await engine.cancelRun(finished);

    calls.getWait = 0;
    calls.getWaits = 0;
    const { runs, total } = await engine.listRuns({ workflow: 'ask' });
    expect(total).toBe(6);
    expect(calls).toEqual({ getWait: 0, getWaits: 1 });
    const waiting = runs.filter((r) => r.state === 'waiting');
    expect(waiting).toHaveLength(5);
    expect(waiting.map((r) => (r.waitingFor?.data as { n: number }).n).sort()).toEqual([1, 2, 3, 4, 5]);
    expect(waiting.every((r) => r.waitingFor?.phase === 'approve')).toBe(true);
    expect(runs.find((r) => r.id === finished)?.waitingFor).toBeNull();
  });
});
