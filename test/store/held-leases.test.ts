// heldLeases: of the runs a worker drives, those still running under its lease (its periodic check for cancels and takeovers whose notice was lost).
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { NewRun } from '../../src/store/index.js';
import { describeEachStore, type TestStore } from '../support/stores.js';
import { newRun as runWith } from '../support/new-run.js';

const newRun = (overrides: Partial<NewRun> = {}) => runWith({ leaseOwner: 'me', leaseExpiresAt: 10_000, createdAt: 1_000, ...overrides });

describeEachStore('store: leases still held', (kind) => {
  let t: TestStore;
  beforeEach(async () => {
    t = await kind.create();
  });
  afterEach(() => t.dispose());

  it('names only the runs still running under the owner’s lease, not cancelled, released or taken ones', async () => {
    const { store } = t;
    const mine = (await store.createRun(newRun(), [])).run;
    const cancelled = (await store.createRun(newRun({ state: 'cancelled', leaseOwner: null, leaseExpiresAt: null }), [])).run;
    const taken = (await store.createRun(newRun({ leaseOwner: 'other' }), [])).run;
    const released = (await store.createRun(newRun({ leaseOwner: null, leaseExpiresAt: null }), [])).run;
    const waiting = (await store.createRun(newRun({ state: 'waiting' }), [])).run;
    const ids = [mine, cancelled, taken, released, waiting].map((r) => r.id);
    expect(await store.heldLeases('me', ids)).toEqual([mine.id]);
    expect(await store.heldLeases('me', [])).toEqual([]);
    expect(await store.heldLeases('other', ids)).toEqual([taken.id]);
  });
});
