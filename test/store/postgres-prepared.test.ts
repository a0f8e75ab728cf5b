// PostgreSQL runs the statements the store keeps sending (the step commit above all) as prepared statements, parsed and planned once per connection; one-off statements stay unnamed. A new run is one statement too.
import { randomUUID } from 'node:crypto';
import { CompiledQuery } from 'kysely';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { StaleRunError } from '../../src/errors/index.js';
import type { BatonStore } from '../../src/store/index.js';
import { newRunRow } from '../../src/store/hot-queries.js';
import { createRunStatement } from '../../src/store/postgres/commit-statement.js';
import { createPostgresStore } from '../../src/store/postgres/postgres-store.js';
import { StatementNames } from '../../src/store/postgres/prepared.js';
import { postgresUrl, storeKinds, type TestStore } from '../support/stores.js';
import { newRun as runWith } from '../support/new-run.js';

describe('statement names', () => {
  it('names a statement from its third execution on, the same name for the same text', () => {
    const names = new StatementNames();
    expect(names.nameOf('select 1')).toBeUndefined();
    expect(names.nameOf('select 1')).toBeUndefined();
    const name = names.nameOf('select 1');
    expect(name).toMatch(/^baton_\d+$/);
    expect(names.nameOf('select 1')).toBe(name);
    for (let i = 0; i < 3; i++) names.nameOf('select 2');
    expect(names.nameOf('select 2')).not.toBe(name);
  });

  it('prepares at most 200 statements, however many texts keep coming', () => {
    const names = new StatementNames();
    const prepared = new Set<string>();
    for (let text = 0; text < 1_000; text++) for (let i = 0; i < 3; i++) prepared.add(names.nameOf(`select ${text}`) ?? '');
    prepared.delete('');
    expect(prepared.size).toBe(200);
    expect(names.nameOf('select 999')).toBeUndefined();
  });
});

const newRun = () => runWith({ phase: 'p', createdAt: 1_000 });

const postgres = storeKinds.find((k) => k.name === 'postgres');

describe.skipIf(!postgresUrl || !postgres)('prepared statements on PostgreSQL', () => {
  let t: TestStore;
  let store: BatonStore | undefined;
  afterEach(async () => {
    await store?.close();
    await t.dispose();
  });

  it('runs the step commit prepared on its connection after a few steps, and its fence still refuses a stale writer', async () => {
    t = await postgres!.create();
    // One pooled connection: the query of pg_prepared_statements below sees the session the commits ran in.
    store = createPostgresStore({ url: t.connection.databaseUrl!, maxConnections: 1, origin: 'prepared-test' });
    const { run } = await store.createRun(newRun(), []);
    let version = run.version;
    for (let visit = 1; visit <= 5; visit++) {
      ({ version } = await store.commit({
        runId: run.id,
        expectedVersion: version,
        at: 2_000 + visit,
        patch: { phase: 'p' },
        step: { stepKey: `p#${visit}`, phase: 'p', visit, kind: 'skip', agent: null, output: null, committedAt: 2_000, agentRun: null },
        events: [{ type: 'phase_skipped', payload: { visit } }],
      }));
    }
    const prepared = CompiledQuery.raw('select name, statement from pg_prepared_statements') as CompiledQuery<{ name: string; statement: string }>;
    const { rows } = await store.database().execute(prepared);
    const commit = rows.find((r) => r.statement.startsWith('with fence as (update "runs"'));
    expect(commit?.name).toMatch(/^baton_\d+$/);
    expect(rows.some((r) => r.statement.startsWith('select name, statement from pg_prepared_statements'))).toBe(false);
    // The prepared fence is the same fence: a writer holding an old version writes nothing.
    await expect(
      store.commit({ runId: run.id, expectedVersion: version - 1, at: 3_000, patch: { phase: 'p' }, events: [{ type: 'late', payload: {} }] }),
    ).rejects.toBeInstanceOf(StaleRunError);
    expect((await store.readEvents(run.id, 0)).map((e) => e.type)).not.toContain('late');
    expect(await store.listSteps(run.id)).toHaveLength(5);
  });
});

describe.skipIf(!postgresUrl || !postgres)('a run created in one statement on PostgreSQL', () => {
  let t: TestStore;
  afterEach(() => t.dispose());

  it('writes the same run row and numbered events as the transaction of one insert each, and refuses a taken idempotency key', async () => {
    t = await postgres!.create();
    const events = [
      { type: 'run_created', payload: { workflow: 'wf' }, actorId: 'u1' },
      { type: 'second', payload: { n: 2 } },
    ];
    const byTransaction = { ...newRun(), idempotencyKey: `k-${randomUUID()}` };
    await t.store.createRun(byTransaction, events);
    const byStatement = { ...newRun(), idempotencyKey: `k-${randomUUID()}` };
    await t.store.database().execute(createRunStatement(newRunRow(byStatement, events.length), events));

    const same = { id: 'one', idempotencyKey: 'key' };
    expect({ ...(await t.store.getRun(byStatement.id)), ...same }).toEqual({ ...(await t.store.getRun(byTransaction.id)), ...same });
    const logged = async (runId: string) => (await t.store.readEvents(runId, 0)).map((e) => ({ ...e, runId: 'one' }));
    expect(await logged(byStatement.id)).toEqual(await logged(byTransaction.id));
    const decisions = await t.store.listDecisions({ actorId: 'u1', limit: 10 });
    expect(decisions.map((d) => d.runId).sort()).toEqual([byTransaction.id, byStatement.id].sort());

    const again = { ...newRun(), idempotencyKey: byStatement.idempotencyKey };
    const refused = t.store.database().execute(createRunStatement(newRunRow(again, 1), events.slice(0, 1)));
    await expect(refused).rejects.toMatchObject({ code: '23505' });
    expect(await t.store.getRun(again.id)).toBeUndefined();
  });

  it('creates a run with its first events in one round trip', async () => {
    t = await postgres!.create();
    const sent: string[] = [];
    // eslint-disable-next-line @typescript-eslint/unbound-method -- put back as it was, and called with its client as `this`
    const original = pg.Client.prototype.query;
    pg.Client.prototype.query = function (this: pg.Client, ...args: Parameters<typeof original>) {
      const first: unknown = args[0];
      const text = typeof first === 'string' ? first : (first as { text?: string }).text;
      sent.push(text ?? '?');
      return original.apply(this, args);
    } as typeof original;
    const run = newRun();
    try {
      await t.store.createRun(run, [
        { type: 'run_created', payload: {} },
        { type: 'second', payload: {} },
      ]);
    } finally {
      pg.Client.prototype.query = original;
    }
    // The only write in flight: it carries its own NOTIFY.
    expect(sent).toHaveLength(1);
    expect(sent[0]).toContain('pg_notify');
    expect((await t.store.readEvents(run.id, 0)).map((e) => e.seq)).toEqual([1, 2]);
  });
});
