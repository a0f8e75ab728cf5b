// Who decided what, as the store keeps it: who started a run, a wait's policy and quorum votes, and decision events found by actor and time, on every database.
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { ConflictError, StaleRunError } from '../../src/errors/index.js';
import type { BatonStore, NewRun, NewWait } from '../../src/store/index.js';
import { describeEachStore, type TestStore } from '../support/stores.js';
import { newRun as runWith } from '../support/new-run.js';

const alice = { id: 'a-1', name: 'alice', token_id: 't-1' };
const bob = { id: 'b-1', name: 'bob', token_id: 't-2' };

const newRun = (overrides: Partial<NewRun> = {}) => runWith({ phase: 'approve', createdAt: 1_000, ...overrides });

const quorumWait = (): NewWait => ({
  id: randomUUID(),
  stepKey: 'approve#1',
  phase: 'approve',
  kind: 'approval',
  role: null,
  data: null,
  deadlineAt: null,
  createdAt: 2_000,
  policy: { quorum: ['lead-builder', 'champion'], not_starter: true },
});

describeEachStore('store: actors and decisions', (kind) => {
  let t: TestStore;
  let store: BatonStore;
  beforeEach(async () => {
    t = await kind.create();
    store = t.store;
  });
  afterEach(() => t.dispose());

  it('keeps who started a run, and null when nobody was named', async () => {
    const { run } = await store.createRun(newRun({ startedBy: alice }), []);
    expect(run.startedBy).toEqual(alice);
    expect((await store.getRun(run.id))?.startedBy).toEqual(alice);
    const { run: anonymous } = await store.createRun(newRun(), []);
    expect((await store.getRun(anonymous.id))?.startedBy).toBeNull();
  });

  it("keeps a wait's policy, records votes on it while it stays pending, and refuses votes once it is closed", async () => {
    const { run } = await store.createRun(newRun(), []);
    const wait = quorumWait();
    await store.commit({ runId: run.id, expectedVersion: 1, patch: { state: 'waiting', waitingFor: wait.id }, openWait: wait, at: 2_000 });
    expect(await store.getWait(wait.id)).toMatchObject({ policy: { quorum: ['lead-builder', 'champion'], not_starter: true }, votes: [] });

    const votes = [{ actor: alice, role: 'lead-builder', at: 3_000 }];
    const voted = await store.commit({
      runId: run.id,
      expectedVersion: 2,
      updateWait: { id: wait.id, votes },
      events: [{ type: 'approval_vote', payload: { approval_id: wait.id }, actorId: alice.id }],
      at: 3_000,
    });
    // A vote changes the run (its version moves) so a second voter who read the old version is fenced off.
    expect(voted.version).toBe(3);
    expect((await store.getWait(wait.id))?.votes).toEqual(votes);
    expect(await store.getWait(wait.id)).toMatchObject({ status: 'pending' });

    // A second voter who read the run before that vote: fenced on the version it saw, its stale list of votes is refused.
    const stale = store.commit({ runId: run.id, expectedVersion: 2, updateWait: { id: wait.id, votes: [] }, at: 3_500 });
    await expect(stale).rejects.toBeInstanceOf(StaleRunError);

    await store.commit({
      runId: run.id,
      expectedVersion: 3,
      patch: { state: 'running', waitingFor: null },
      closeWait: { id: wait.id, status: 'resolved', resolution: { action: 'accept' } },
      at: 4_000,
    });
    const late = store.commit({
      runId: run.id,
      expectedVersion: 4,
      updateWait: { id: wait.id, votes: [...votes, { actor: bob, role: 'champion', at: 5_000 }] },
      at: 5_000,
    });
    await expect(late).rejects.toBeInstanceOf(ConflictError);
    expect((await store.getWait(wait.id))?.votes).toEqual(votes);
  });

  it('lists decision events across runs, oldest first, with their workflow, by actor and time window, and no event without an actor', async () => {
    const first = await store.createRun(newRun({ workflow: 'delivery', createdAt: 1_000, startedBy: alice }), [
      { type: 'run_created', payload: { workflow: 'delivery' }, actorId: alice.id },
    ]);
    const second = await store.createRun(newRun({ workflow: 'build', createdAt: 2_000 }), [{ type: 'run_created', payload: { workflow: 'build' } }]);
    await store.commit({
      runId: second.run.id,
      expectedVersion: 1,
      events: [
        { type: 'progress', payload: { progress: 10 } },
        { type: 'run_state', payload: { from: 'running', to: 'cancelled', actor: bob }, actorId: bob.id },
      ],
      at: 3_000,
    });
    await store.commit({
      runId: first.run.id,
      expectedVersion: 1,
      events: [{ type: 'run_state', payload: { to: 'cancelled' }, actorId: alice.id }],
      at: 4_000,
    });

    const all = await store.listDecisions({ limit: 10 });
    expect(all.map((d) => [d.workflow, d.type, d.actorId, d.at])).toEqual([
      ['delivery', 'run_created', alice.id, 1_000],
      ['build', 'run_state', bob.id, 3_000],
      ['delivery', 'run_state', alice.id, 4_000],
    ]);
    expect(all[1]).toMatchObject({ runId: second.run.id, seq: 3, payload: { actor: bob } });
    expect((await store.listDecisions({ actorId: alice.id, limit: 10 })).map((d) => d.at)).toEqual([1_000, 4_000]);
    expect((await store.listDecisions({ since: 3_000, limit: 10 })).map((d) => d.at)).toEqual([3_000, 4_000]);
    expect((await store.listDecisions({ since: 1_000, until: 4_000, limit: 10 })).map((d) => d.at)).toEqual([1_000, 3_000]);
    expect((await store.listDecisions({ limit: 2 })).map((d) => d.at)).toEqual([1_000, 3_000]);
    expect(await store.listDecisions({ actorId: 'nobody', limit: 10 })).toEqual([]);
  });
});
