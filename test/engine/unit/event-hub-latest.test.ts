// EventHub.latest answers with a run as this process last committed it only while no later event of it is known here.
import { afterEach, beforeEach, expect, it } from 'vitest';
import { EventHub } from '../../../src/engine/event-hub.js';
import type { EventRecord } from '../../../src/store/index.js';
import { newRun } from '../../support/new-run.js';
import { describeEachStore, type TestStore } from '../../support/stores.js';
import { until } from '../../support/until.js';

describeEachStore('the hub’s latest record of a run', (kind) => {
  let t: TestStore;
  beforeEach(async () => {
    t = await kind.create();
  });
  afterEach(() => t.dispose());

  it('stops answering once a follower reads a later event from the store that no publish or notice brought', async () => {
    const hub = new EventHub(t.store);
    const { run, events } = await t.store.createRun(newRun(), [{ type: 'run_created', payload: {} }]);
    hub.publish(events, run);
    expect(hub.latest(run.id)).toEqual(run);
    const seen: EventRecord[] = [];
    const following = hub.follow(run.id, run.lastSeq, (event) => seen.push(event));
    // Another node cancels the run, and its notice never arrives here (lost, or not yet sent).
    await t.store.commit({
      runId: run.id,
      expectedVersion: run.version,
      at: Date.now(),
      patch: { state: 'cancelled' },
      events: [{ type: 'run_state', payload: { to: 'cancelled' } }],
    });
    expect(hub.latest(run.id), 'nothing here knows of the cancel yet').toEqual(run);
    hub.resync(); // the periodic re-read
    await until(() => seen.length === 1);
    expect(hub.latest(run.id), 'the follower read the cancel: the record as committed here is stale').toBeUndefined();
    following.unsubscribe();
  });

  it('keeps a later notice in force when this process publishes an earlier commit after it', async () => {
    // The driver's commit returned, another node's cancel was committed and its notice heard, then the driver's publish ran.
    const hub = new EventHub(t.store);
    const { run, events } = await t.store.createRun(newRun(), [{ type: 'run_created', payload: {} }]);
    const flushed = await t.store.commit({ runId: run.id, expectedVersion: run.version, at: Date.now(), events: [{ type: 'agent_status', payload: {} }] });
    hub.publish(events, run);
    hub.notice({ origin: 'elsewhere', runId: run.id, seq: 4 });
    hub.publish(flushed.events, { ...run, lastSeq: 2 });
    expect(hub.latest(run.id), 'the record as committed here is older than the notice').toBeUndefined();
  });

  it('stops answering once another process’s notice says the log grew', async () => {
    const hub = new EventHub(t.store);
    const { run, events } = await t.store.createRun(newRun(), [{ type: 'run_created', payload: {} }]);
    hub.publish(events, run);
    hub.notice({ origin: 'elsewhere', runId: run.id, seq: run.lastSeq + 1 });
    expect(hub.latest(run.id)).toBeUndefined();
  });
});
