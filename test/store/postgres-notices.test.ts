// Other processes hear every commit: a write alone in flight NOTIFYs inside its own statement, overlapping ones through the coalescing notifier.
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { StaleRunError } from '../../src/errors/index.js';
import type { BatonStore, EventNotice } from '../../src/store/index.js';
import { newRun } from '../support/new-run.js';
import { storeKinds, type TestStore } from '../support/stores.js';
import { until } from '../support/until.js';

const postgres = storeKinds.find((k) => k.name === 'postgres');

/** A run of its own id, in `sessionId` (none by default). */
const runOf = (id: string, sessionId: string | null = null) => newRun({ id, sessionId, workflow: 'w', phase: 'a' });

/** Runs `work` counting the statements this process sends that NOTIFY notices only (the notifier's; not the listeners' hellos). */
async function countingNotifierSends(work: () => Promise<void>): Promise<number> {
  let sends = 0;
  // eslint-disable-next-line @typescript-eslint/unbound-method -- put back as it was, and called with its client as `this`
  const original = pg.Client.prototype.query;
  pg.Client.prototype.query = function (this: pg.Client, ...args: Parameters<typeof original>) {
    const first: unknown = args[0];
    const text = typeof first === 'string' ? first : (first as { text?: string }).text;
    const values: unknown = typeof first === 'string' ? args[1] : (first as { values?: unknown }).values;
    const hello = Array.isArray(values) && typeof values[1] === 'string' && /^hello\??\|/.test(values[1]);
    if (text?.startsWith('select set_config') && !hello) sends++;
    return original.apply(this, args);
  } as typeof original;
  try {
    await work();
  } finally {
    pg.Client.prototype.query = original;
  }
  return sends;
}

describe.skipIf(!postgres)('notices of commits on PostgreSQL', () => {
  let t: TestStore;
  let listening: BatonStore;
  let writer: BatonStore;
  let notices: EventNotice[];
  let stop: () => Promise<void>;
  const heard = (runId: string, seq: number) => notices.some((n) => n.runId === runId && n.seq >= seq);

  afterEach(async () => {
    await stop();
    await t.dispose();
  });

  async function start(): Promise<void> {
    t = await postgres!.create();
    listening = await t.reopen('listener');
    writer = await t.reopen('writer');
    notices = [];
    stop = await listening.listen((notice) => notices.push(notice));
  }

  it('announces a lone write from inside its statement, with the new run’s session, each commit’s last seq and whether the run waits for a claim', async () => {
    await start();
    const sends = await countingNotifierSends(async () => {
      // Created unleased (as an API node starts a run): a worker should claim it.
      await writer.createRun(runOf('alone', 'session-a|b;c'), [{ type: 'run_created', payload: {} }]);
      // Taken by a node: nothing to claim.
      await writer.commit({
        runId: 'alone',
        expectedVersion: 1,
        at: Date.now(),
        patch: { leaseOwner: 'worker-1', leaseExpiresAt: Date.now() + 10_000 },
        events: [
          { type: 'one', payload: {} },
          { type: 'two', payload: {} },
        ],
      });
      // Resumed running with its lease let go (as an API node resumes an approved run): to be claimed again.
      await writer.commit({
        runId: 'alone',
        expectedVersion: 2,
        at: Date.now(),
        patch: { state: 'running', leaseOwner: null, leaseExpiresAt: null },
        events: [{ type: 'three', payload: {} }],
      });
    });
    await until(() => heard('alone', 4));
    expect(sends).toBe(0);
    expect(notices.filter((n) => n.runId === 'alone')).toEqual([
      { origin: 'writer', runId: 'alone', seq: 1, sessionId: 'session-a|b;c', unclaimed: true },
      { origin: 'writer', runId: 'alone', seq: 3 },
      { origin: 'writer', runId: 'alone', seq: 4, unclaimed: true },
    ]);
  });

  it('announces nothing for a commit the version fence refused', async () => {
    await start();
    await writer.createRun(runOf('fenced'), [{ type: 'run_created', payload: {} }]);
    await expect(writer.commit({ runId: 'fenced', expectedVersion: 7, at: Date.now(), events: [{ type: 'lost', payload: {} }] })).rejects.toBeInstanceOf(
      StaleRunError,
    );
    await writer.commit({ runId: 'fenced', expectedVersion: 1, at: Date.now(), events: [{ type: 'kept', payload: {} }] });
    await until(() => heard('fenced', 2));
    expect(notices.filter((n) => n.runId === 'fenced').map((n) => n.seq)).toEqual([1, 2]);
  });

  it('announces overlapping writes through the notifier, every run up to its last seq', async () => {
    await start();
    const ids = Array.from({ length: 30 }, (_, i) => `overlap-${i}`);
    const sends = await countingNotifierSends(async () => {
      await Promise.all(ids.map((id) => writer.createRun(runOf(id, 'together'), [{ type: 'run_created', payload: {} }])));
      await Promise.all(ids.map((id) => writer.commit({ runId: id, expectedVersion: 1, at: Date.now(), events: [{ type: 'step', payload: {} }] })));
    });
    await until(() => ids.every((id) => heard(id, 2)));
    expect(sends).toBeGreaterThan(0);
    // Each new run is announced with its session, whichever way its notice went.
    for (const id of ids) expect(notices.find((n) => n.runId === id && n.sessionId !== undefined)?.sessionId).toBe('together');
  });
});

describe.skipIf(!postgres)('a listening process alone on PostgreSQL', () => {
  let t: TestStore;
  let observer: pg.Client;
  /** Notices seen by a bare LISTEN session, which says no hello: it watches without counting as a peer. */
  let seen: string[];
  const stops: (() => Promise<void>)[] = [];
  const noticesOf = (runId: string) => seen.filter((payload) => payload.split(';').some((part) => part.split('|')[1] === runId));
  const settle = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  async function start(): Promise<BatonStore> {
    t = await postgres!.create();
    observer = new pg.Client({ connectionString: t.connection.databaseUrl });
    await observer.connect();
    seen = [];
    observer.on('notification', (message) => seen.push(message.payload ?? ''));
    await observer.query('LISTEN baton_events');
    return t.reopen('alone');
  }

  afterEach(async () => {
    for (const stop of stops.splice(0)) await stop();
    await observer.end();
    await t.dispose();
  });

  // Events alone leave the run's version as it is.
  const step = (store: BatonStore, runId: string, n: number) =>
    store.commit({ runId, expectedVersion: 1, at: Date.now(), events: [{ type: `step-${n}`, payload: {} }] });

  it('notifies nobody once no other listener answered, and sends what it held the moment a newcomer asks', async () => {
    const alone = await start();
    stops.push(await alone.listen(() => undefined));
    // Past the wait for answers to its own question (peers.ts: ANSWER_WITHIN_MS).
    await settle(400);
    await alone.createRun(runOf('quiet', 'the-session'), [{ type: 'run_created', payload: {} }]);
    await step(alone, 'quiet', 1);
    await step(alone, 'quiet', 2);
    await settle(200);
    expect(noticesOf('quiet')).toEqual([]);

    const newcomer = await t.reopen('newcomer');
    const heard: EventNotice[] = [];
    stops.push(await newcomer.listen((notice) => heard.push(notice)));
    // The held notice: the run's last seq, keeping its session so session streams learn of the run, and (written
    // unleased, taken by no one since) its request to be claimed, so a worker joining takes it at once.
    await until(() => heard.some((n) => n.runId === 'quiet'), 2_000);
    expect(heard.filter((n) => n.runId === 'quiet')).toEqual([{ origin: 'alone', runId: 'quiet', seq: 3, sessionId: 'the-session', unclaimed: true }]);
    // From now on each commit is announced as it lands.
    await step(alone, 'quiet', 3);
    await until(() => heard.some((n) => n.runId === 'quiet' && n.seq === 4), 2_000);
  });

  it('keeps notifying while one of its own listeners follows its commits', async () => {
    const alone = await start();
    const own: EventNotice[] = [];
    stops.push(await alone.listen((notice) => own.push(notice), undefined, { ownNotices: true }));
    await settle(400);
    await alone.createRun(runOf('followed'), [{ type: 'run_created', payload: {} }]);
    await step(alone, 'followed', 1);
    await until(() => own.some((n) => n.runId === 'followed' && n.seq === 2), 2_000);
    expect(noticesOf('followed').length).toBeGreaterThan(0);
  });

  it('notifies while it does not listen, having no way to hear whether anyone else does', async () => {
    const writer = await start();
    await settle(400);
    await writer.createRun(runOf('unheard'), [{ type: 'run_created', payload: {} }]);
    await until(() => noticesOf('unheard').length > 0, 2_000);
  });
});
