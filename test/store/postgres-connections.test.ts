// PostgreSQL connections that drop under a running store: the LISTEN session comes back (and says notices may be lost), an idle pooled connection's loss is not fatal.
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore, type EventNotice } from '../../src/store/index.js';
import { storeKinds, type TestStore } from '../support/stores.js';
import { until } from '../support/until.js';

const postgres = storeKinds.find((k) => k.name === 'postgres');

describe.skipIf(!postgres)('PostgreSQL connections that drop', () => {
  let t: TestStore;
  const admin = async <T extends pg.QueryResultRow>(text: string): Promise<T[]> => {
    const client = new pg.Client({ connectionString: t.connection.databaseUrl });
    await client.connect();
    try {
      return (await client.query<T>(text)).rows;
    } finally {
      await client.end();
    }
  };
  afterEach(async () => {
    await t.dispose();
  });

  it('re-establishes LISTEN after its connection is terminated, asks for a resync, and hears the next commit', async () => {
    t = await postgres!.create();
    const listening = await t.reopen('listener');
    const writer = await t.reopen('writer');
    const notices: EventNotice[] = [];
    let resyncs = 0;
    const stop = await listening.listen(
      (notice) => notices.push(notice),
      () => resyncs++,
    );
    const killed = await admin<{ n: number }>(
      "select count(pg_terminate_backend(pid))::int as n from pg_stat_activity where datname = current_database() and application_name = 'baton-listen'",
    );
    expect(killed[0]!.n).toBeGreaterThanOrEqual(1);
    await until(() => resyncs === 1);
    const { run } = await writer.createRun(
      {
        id: 'after-drop',
        workflow: 'w',
        sessionId: null,
        idempotencyKey: null,
        parameters: {},
        state: 'running',
        phase: 'a',
        leaseOwner: null,
        leaseExpiresAt: null,
        createdAt: Date.now(),
      },
      [{ type: 'run_created', payload: {} }],
    );
    await until(() => notices.some((n) => n.runId === run.id));
    await stop();
  });

  it('keeps working when idle pooled connections are terminated under it', async () => {
    t = await postgres!.create();
    // Named, so that only this store's connections are terminated (not the test harness's own).
    const url = new URL(t.connection.databaseUrl!);
    url.searchParams.set('application_name', 'baton-pool-under-test');
    const store = await openStore({ databaseUrl: url.toString(), origin: 'pooled' });
    await Promise.all([store.ping(), store.ping(), store.ping()]);
    const killed = await admin<{ n: number }>(
      "select count(pg_terminate_backend(pid))::int as n from pg_stat_activity where application_name = 'baton-pool-under-test' and state = 'idle'",
    );
    expect(killed[0]!.n).toBeGreaterThanOrEqual(1);
    // The pool drops the dead connections (its 'error' event is handled) and opens new ones.
    await new Promise((resolve) => setTimeout(resolve, 100));
    let answered = false;
    for (let attempt = 0; attempt < 5 && !answered; attempt++) {
      answered = await store.ping().then(
        () => true,
        () => false,
      );
    }
    expect(answered).toBe(true);
    await store.close();
  });
});
