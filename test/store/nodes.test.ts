// Node membership rows: a heartbeat inserts or refreshes a node's row in one statement, a shutdown marks and then deletes it, and rows silent for long are forgotten.
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { NodeBeat } from '../../src/store/index.js';
import { describeEachStore, type TestStore } from '../support/stores.js';

const beat = (overrides: Partial<NodeBeat> = {}): NodeBeat => ({
  id: 'node-a',
  role: 'all',
  version: '0.1.0',
  startedAt: 1_000,
  heartbeatAt: 1_000,
  ...overrides,
});

describeEachStore('store: node membership', (kind) => {
  let t: TestStore;
  beforeEach(async () => {
    t = await kind.create();
  });
  afterEach(() => t.dispose());

  it('inserts a node at its first beat and refreshes only its heartbeat at the next ones, listing nodes by id', async () => {
    const { store } = t;
    expect(await store.listNodes()).toEqual([]);
    await store.beatNode(beat({ id: 'node-b', role: 'api', version: null }));
    await store.beatNode(beat());
    await store.beatNode(beat({ heartbeatAt: 4_300 }));
    expect(await store.listNodes()).toEqual([
      { id: 'node-a', role: 'all', version: '0.1.0', startedAt: 1_000, heartbeatAt: 4_300, stoppingAt: null },
      { id: 'node-b', role: 'api', version: null, startedAt: 1_000, heartbeatAt: 1_000, stoppingAt: null },
    ]);
  });

  it('keeps a node marked stopping against a beat that lands after the mark, and clears the mark when the node starts again under the same id', async () => {
    const { store } = t;
    await store.beatNode(beat());
    // Only the row of the process that started at 1_000: another under the same id is left alone.
    await store.markNodeStopping('node-a', 7_777, 5_000);
    expect(await store.listNodes()).toMatchObject([{ id: 'node-a', stoppingAt: null }]);
    await store.markNodeStopping('node-a', 1_000, 5_000);
    // The beat that was in flight when the shutdown began.
    await store.beatNode(beat({ heartbeatAt: 5_001 }));
    expect(await store.listNodes()).toMatchObject([{ id: 'node-a', heartbeatAt: 5_001, stoppingAt: 5_000 }]);
    // Killed while stopping, then started again with the same BATON_NODE_ID: a new start, not a shutdown.
    await store.beatNode(beat({ role: 'worker', version: '0.2.0', startedAt: 9_000, heartbeatAt: 9_000 }));
    expect(await store.listNodes()).toEqual([{ id: 'node-a', role: 'worker', version: '0.2.0', startedAt: 9_000, heartbeatAt: 9_000, stoppingAt: null }]);
  });

  it('removes a node’s row, and forgets only the nodes whose last beat is older than the cutoff', async () => {
    const { store } = t;
    await store.beatNode(beat({ id: 'stopped' }));
    await store.beatNode(beat({ id: 'died-long-ago', heartbeatAt: 100 }));
    await store.beatNode(beat({ id: 'died-lately', heartbeatAt: 2_000 }));
    await store.removeNode('stopped', 7_777); // another process's start under the id: not this row
    expect((await store.listNodes()).map((n) => n.id)).toContain('stopped');
    await store.removeNode('stopped', 1_000);
    await store.removeNode('never-there', 1_000);
    expect(await store.forgetNodes(1_000)).toBe(1);
    expect((await store.listNodes()).map((n) => n.id)).toEqual(['died-lately']);
    expect(await store.forgetNodes(1_000)).toBe(0);
  });

  it('sees the rows another process on the same database wrote', async () => {
    const other = await t.reopen('other-node');
    await other.beatNode(beat({ id: 'node-z', role: 'worker' }));
    expect(await t.store.listNodes()).toMatchObject([{ id: 'node-z', role: 'worker' }]);
  });
});
