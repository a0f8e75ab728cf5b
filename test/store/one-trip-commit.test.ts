// A step commit's guarantees when PostgreSQL writes it in one statement: the version fence guards every part (step, events, waits, attempts, module rows), and it costs one round trip.
import pg from 'pg';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { ConflictError, NotFoundError, StaleRunError } from '../../src/errors/index.js';
import type { BatonStore, DataWrite, RunCommit } from '../../src/store/index.js';
import { describeEachStore, type TestStore } from '../support/stores.js';
import { newRun as runWith } from '../support/new-run.js';

const newRun = () => runWith({ createdAt: 1_000 });

const agentStep = (stepKey: string) => ({
  stepKey,
  phase: 'first',
  visit: 1,
  kind: 'agent' as const,
  agent: 'agent-a',
  output: { ok: true },
  committedAt: 2_000,
  agentRun: { attempt: 1, startedAt: 1_500, durationMs: 5, fromPhase: null, fromAgent: null, input: { given: true } },
});

const vote = { actor: { id: 'a1', name: 'ana', token_id: null }, role: 'lead', at: 2_500 };

const failure = { error_type: 'AGENT_EXECUTION_ERROR' as const, message: 'boom', details: {}, suggestions: [] };

interface PlansDb {
  plans: { run_id: string; kind: string; revision: number; body: string; created_at: number };
}

describeEachStore('a commit fenced on the run version', (kind) => {
  let t: TestStore;
  let store: BatonStore;
  beforeEach(async () => {
    t = await kind.create();
    store = t.store;
  });
  afterEach(() => t.dispose());

  const planWrite = (runId: string, revision: number): DataWrite =>
    store.database<PlansDb>().db.insertInto('plans').values({ run_id: runId, kind: 'forecast', revision, body: '{}', created_at: 2_000 }).compile();
  const plans = async (runId: string) =>
    (await store.database<PlansDb>().execute(store.database<PlansDb>().db.selectFrom('plans').selectAll().where('run_id', '=', runId).compile())).rows;

  it('writes every part of a step in one commit: the step, consecutive events, the wait, the failed attempt and the module rows', async () => {
    const { run } = await store.createRun(newRun(), [{ type: 'run_created', payload: {} }]);
    const result = await store.commit({
      runId: run.id,
      expectedVersion: 1,
      at: 2_000,
      patch: { phase: 'second', waitingFor: 'w1' },
      step: agentStep('first#1'),
      failedAttempt: { stepKey: 'first#1', attempt: 1, agent: 'agent-a', status: 'failed', startedAt: 1_400, durationMs: 3, error: failure },
      openWait: {
        id: `w-${run.id}`,
        stepKey: 'second#1',
        phase: 'second',
        kind: 'approval',
        role: 'lead',
        data: { q: 1 },
        deadlineAt: 9_000,
        createdAt: 2_000,
      },
      events: [
        { type: 'a', payload: { n: 1 } },
        { type: 'b', payload: { n: 2 } },
        { type: 'c', payload: { n: 3 } },
      ],
      writes: [planWrite(run.id, 1), planWrite(run.id, 2)],
    });
    expect(result.version).toBe(2);
    expect(result.events.map((e) => e.seq)).toEqual([2, 3, 4]);
    expect((await store.readEvents(run.id, 0)).map((e) => [e.seq, e.type])).toEqual([
      [1, 'run_created'],
      [2, 'a'],
      [3, 'b'],
      [4, 'c'],
    ]);
    expect(await store.getRun(run.id)).toMatchObject({ phase: 'second', waitingFor: 'w1', version: 2, lastSeq: 4 });
    expect(await store.listSteps(run.id)).toMatchObject([{ stepKey: 'first#1', version: 2, output: { ok: true } }]);
    expect((await store.listAttempts(run.id)).map((a) => [a.attempt, a.status])).toEqual([
      [1, 'failed'],
      [1, 'succeeded'],
    ]);
    expect(await store.getWait(`w-${run.id}`)).toMatchObject({ status: 'pending', role: 'lead', data: { q: 1 }, deadlineAt: 9_000 });
    expect((await plans(run.id)).length).toBe(2);
  });

  it('writes any number of events in order, with consecutive seqs, whether the statement lists them or unnests them', async () => {
    // PostgreSQL lists up to 8 events as VALUES rows and unnests more from arrays: both sides of that line, and a run created with none.
    const eventsOf = (n: number, tag: string) =>
      Array.from({ length: n }, (_, i) => ({ type: `${tag}-${i + 1}`, payload: { i, quote: `it's "${tag}"|;` }, ...(i % 2 ? { actorId: 'ana' } : {}) }));
    const { run } = await store.createRun(newRun(), eventsOf(12, 'created'));
    let version = run.version;
    for (const [n, tag] of [
      [1, 'one'],
      [8, 'eight'],
      [9, 'nine'],
      [3, 'three'],
    ] as const) {
      const result = await store.commit({ runId: run.id, expectedVersion: version, at: 2_000, patch: { phase: tag }, events: eventsOf(n, tag) });
      version = result.version;
      expect(result.events.map((e) => e.type)).toEqual(eventsOf(n, tag).map((e) => e.type));
    }
    const log = await store.readEvents(run.id, 0);
    const expected = [eventsOf(12, 'created'), eventsOf(1, 'one'), eventsOf(8, 'eight'), eventsOf(9, 'nine'), eventsOf(3, 'three')].flat();
    expect(log.map((e) => e.seq)).toEqual(expected.map((_, i) => i + 1));
    expect(log.map((e) => ({ type: e.type, payload: e.payload }))).toEqual(expected.map((e) => ({ type: e.type, payload: e.payload })));
    expect((await store.getRun(run.id))?.lastSeq).toBe(expected.length);
    const { run: bare } = await store.createRun(newRun(), []);
    expect(await store.readEvents(bare.id, 0)).toEqual([]);
    expect((await store.getRun(bare.id))?.lastSeq).toBe(0);
  });

  it("reads a commit's events back from any seq in pages of any size, PostgreSQL keeping a step's events in one row and a decision's in one each", async () => {
    const eventsOf = (n: number, tag: string, actorAt?: number) =>
      Array.from({ length: n }, (_, i) => ({ type: `${tag}-${i + 1}`, payload: { i, tag }, ...(i === actorAt ? { actorId: 'ana' } : {}) }));
    const { run } = await store.createRun(newRun(), eventsOf(1, 'created'));
    const commits = [eventsOf(3, 'step'), eventsOf(2, 'decided', 1), eventsOf(12, 'progress'), eventsOf(1, 'one')];
    let version = run.version;
    for (const events of commits) version = (await store.commit({ runId: run.id, expectedVersion: version, at: 2_000, patch: { phase: 'p' }, events })).version;
    const written = [eventsOf(1, 'created'), ...commits].flat();
    const log = await store.readEvents(run.id, 0);
    expect(log.map((e) => [e.seq, e.type, e.payload, e.at])).toEqual(written.map((e, i) => [i + 1, e.type, e.payload, i === 0 ? 1_000 : 2_000]));
    for (let after = 0; after <= written.length; after++)
      for (const limit of [1, 2, 5, 100])
        expect(await store.readEvents(run.id, after, limit), `after ${after}, ${limit} at most`).toEqual(log.slice(after, after + limit));
    // The decision is in the audit, once.
    expect((await store.listDecisions({ actorId: 'ana', limit: 10 })).map((d) => [d.seq, d.type])).toEqual([[6, 'decided-2']]);
    interface EventRows {
      events: { run_id: string; seq: number; batch: number | null };
    }
    const db = store.database<EventRows>();
    const rows = (await db.execute(db.db.selectFrom('events').select(['seq', 'batch']).where('run_id', '=', run.id).orderBy('seq').compile())).rows;
    // PostgreSQL: the run's first event, the step's three in one row, the decision's two, the twelve in one row, the last alone. SQLite: a row each.
    expect(rows.map((r) => [Number(r.seq), r.batch === null ? null : Number(r.batch)])).toEqual(
      kind.name === 'postgres'
        ? [
            [1, null],
            [4, 3],
            [5, null],
            [6, null],
            [18, 12],
            [19, null],
          ]
        : written.map((_, i) => [i + 1, null]),
    );
  });

  it('lets a stale writer commit nothing: no event, no step, no wait, no attempt, no module row, no wait closed or voted on', async () => {
    const { run } = await store.createRun(newRun(), [{ type: 'run_created', payload: {} }]);
    const waitId = `w-${run.id}`;
    await store.commit({
      runId: run.id,
      expectedVersion: 1,
      at: 2_000,
      patch: { waitingFor: waitId },
      openWait: { id: waitId, stepKey: 'first#1', phase: 'first', kind: 'approval', role: null, data: null, deadlineAt: null, createdAt: 2_000 },
      events: [{ type: 'waiting', payload: {} }],
    });
    const before = await store.getRun(run.id);
    const stale = (c: Partial<RunCommit>) => store.commit({ runId: run.id, expectedVersion: 1, at: 3_000, ...c });
    await expect(
      stale({
        patch: { phase: 'third' },
        step: agentStep('first#1'),
        failedAttempt: { stepKey: 'first#1', attempt: 1, agent: 'agent-a', status: 'failed', startedAt: 1_400, durationMs: 3, error: failure },
        openWait: { id: `other-${run.id}`, stepKey: 'x#1', phase: 'x', kind: 'approval', role: null, data: null, deadlineAt: null, createdAt: 3_000 },
        events: [{ type: 'lost', payload: {} }],
        writes: [planWrite(run.id, 1)],
      }),
    ).rejects.toBeInstanceOf(StaleRunError);
    await expect(
      stale({ closeWait: { id: waitId, status: 'resolved', resolution: { by: 'stale' } }, events: [{ type: 'lost', payload: {} }] }),
    ).rejects.toBeInstanceOf(StaleRunError);
    await expect(stale({ updateWait: { id: waitId, votes: [vote] }, events: [{ type: 'lost', payload: {} }] })).rejects.toBeInstanceOf(StaleRunError);
    // Without a patch the version does not move, but the fence still refuses a writer that read an older one.
    await expect(stale({ events: [{ type: 'lost', payload: {} }] })).rejects.toBeInstanceOf(StaleRunError);

    expect(await store.getRun(run.id)).toEqual(before);
    expect((await store.readEvents(run.id, 0)).map((e) => e.type)).toEqual(['run_created', 'waiting']);
    expect(await store.listSteps(run.id)).toEqual([]);
    expect(await store.listAttempts(run.id)).toEqual([]);
    expect((await store.listWaits(run.id)).map((w) => [w.id, w.status, w.votes])).toEqual([[waitId, 'pending', []]]);
    expect(await plans(run.id)).toEqual([]);
  });

  it('writes nothing for a run that does not exist: no event, no step, no wait, no attempt, no module row', async () => {
    // On PostgreSQL no foreign key stands behind the step rows any more (migration 0007): the fence alone must hold.
    const ghost = 'no-such-run';
    await expect(
      store.commit({
        runId: ghost,
        expectedVersion: 1,
        at: 2_000,
        patch: { phase: 'second' },
        step: agentStep('first#1'),
        failedAttempt: { stepKey: 'first#1', attempt: 1, agent: 'agent-a', status: 'failed', startedAt: 1_400, durationMs: 3, error: failure },
        openWait: {
          id: 'ghost-wait',
          stepKey: 'second#1',
          phase: 'second',
          kind: 'approval',
          role: null,
          data: {},
          deadlineAt: null,
          createdAt: 2_000,
          policy: null,
        },
        events: [{ type: 'lost', payload: {} }],
        writes: [planWrite(ghost, 1)],
      }),
    ).rejects.toBeInstanceOf(NotFoundError);
    expect(await store.readEvents(ghost, 0)).toEqual([]);
    expect(await store.listSteps(ghost)).toEqual([]);
    expect(await store.getWait('ghost-wait')).toBeUndefined();
    expect(await store.listAttempts(ghost)).toEqual([]);
    expect(await plans(ghost)).toEqual([]);
  });

  it('refuses to close a wait that is no longer pending and leaves the run, its log and the module rows as they were', async () => {
    const { run } = await store.createRun(newRun(), []);
    const waitId = `w-${run.id}`;
    await store.commit({
      runId: run.id,
      expectedVersion: 1,
      at: 2_000,
      patch: { waitingFor: waitId },
      openWait: { id: waitId, stepKey: 'first#1', phase: 'first', kind: 'approval', role: null, data: null, deadlineAt: null, createdAt: 2_000 },
    });
    await store.commit({
      runId: run.id,
      expectedVersion: 2,
      at: 2_500,
      patch: { waitingFor: null },
      closeWait: { id: waitId, status: 'resolved', resolution: {} },
    });
    const before = await store.getRun(run.id);
    const again = (c: Partial<RunCommit>) =>
      store.commit({
        runId: run.id,
        expectedVersion: 3,
        at: 3_000,
        patch: { phase: 'second' },
        events: [{ type: 'lost', payload: {} }],
        writes: [planWrite(run.id, 1)],
        ...c,
      });
    await expect(again({ closeWait: { id: waitId, status: 'resolved', resolution: { twice: true } } })).rejects.toBeInstanceOf(ConflictError);
    await expect(again({ updateWait: { id: waitId, votes: [vote] } })).rejects.toBeInstanceOf(ConflictError);
    expect(await store.getRun(run.id)).toEqual(before);
    expect(await store.readEvents(run.id, 0)).toEqual([]);
    expect(await store.getWait(waitId)).toMatchObject({ status: 'resolved', resolution: {} });
    expect(await plans(run.id)).toEqual([]);
  });

  it('refuses a second commit of the same step key as stale and writes nothing of it', async () => {
    const { run } = await store.createRun(newRun(), []);
    await store.commit({ runId: run.id, expectedVersion: 1, at: 2_000, step: agentStep('first#1'), events: [{ type: 'done', payload: {} }] });
    // The version fence passes (a commit without a patch keeps the version); the step's primary key refuses it.
    await expect(
      store.commit({ runId: run.id, expectedVersion: 1, at: 2_000, step: agentStep('first#1'), events: [{ type: 'again', payload: {} }] }),
    ).rejects.toBeInstanceOf(StaleRunError);
    expect((await store.readEvents(run.id, 0)).map((e) => e.type)).toEqual(['done']);
    expect(await store.getRun(run.id)).toMatchObject({ lastSeq: 1 });
  });

  it.skipIf(kind.name !== 'postgres')('commits a step with its events in one round trip to PostgreSQL', async () => {
    const { run } = await store.createRun(newRun(), []);
    // Every statement node-postgres sends goes through Client#query; a write alone in flight carries its own NOTIFY.
    const sent: string[] = [];
    // eslint-disable-next-line @typescript-eslint/unbound-method -- put back as it was, and called with its client as `this`
    const original = pg.Client.prototype.query;
    pg.Client.prototype.query = function (this: pg.Client, ...args: Parameters<typeof original>) {
      const first: unknown = args[0];
      const text = typeof first === 'string' ? first : (first as { text?: string }).text;
      sent.push(text ?? '?');
      return original.apply(this, args);
    } as typeof original;
    try {
      await store.commit({
        runId: run.id,
        expectedVersion: 1,
        at: 2_000,
        patch: { phase: 'second' },
        step: agentStep('first#1'),
        events: [
          { type: 'step_started', payload: {} },
          { type: 'step_completed', payload: {} },
        ],
      });
    } finally {
      pg.Client.prototype.query = original;
    }
    expect(sent).toHaveLength(1);
    expect(sent[0]).toContain('pg_notify');
  });
});
