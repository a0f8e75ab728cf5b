// The one storage suite, run against every configured database (SQLite always, PostgreSQL when set).
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { ConflictError, StaleRunError } from '../../src/errors/index.js';
import type { NewRun, RunCommit, BatonStore } from '../../src/store/index.js';
import { describeEachStore, type TestStore } from '../support/stores.js';

const newRun = (overrides: Partial<NewRun> = {}): NewRun => ({
  id: randomUUID(),
  workflow: 'wf',
  sessionId: null,
  idempotencyKey: null,
  parameters: { a: 1 },
  state: 'running',
  phase: 'first',
  leaseOwner: null,
  leaseExpiresAt: null,
  createdAt: 1_000,
  ...overrides,
});

const agentStep = (stepKey: string, output: unknown) => ({
  stepKey,
  phase: stepKey.split('#')[0] ?? stepKey,
  visit: 1,
  kind: 'agent' as const,
  agent: 'agent-a',
  output,
  committedAt: 2_000,
  agentRun: { attempt: 2, startedAt: 1_500, durationMs: 5, fromPhase: null, fromAgent: null, input: { given: true } },
});

describeEachStore('store', (kind) => {
  let t: TestStore;
  let store: BatonStore;
  beforeEach(async () => {
    t = await kind.create();
    store = t.store;
  });
  afterEach(() => t.dispose());

  const commit = (c: Omit<RunCommit, 'at'>) => store.commit({ at: 2_000, ...c });

  it('migrates idempotently', async () => {
    await store.migrate();
    await store.migrate();
    await store.ping();
  });

  it('creates a run with its first events and reads it back', async () => {
    const run = newRun({ sessionId: 's1' });
    const created = await store.createRun(run, [{ type: 'run_created', payload: { x: 1 } }]);
    expect(created.created).toBe(true);
    expect(created.events).toEqual([{ runId: run.id, seq: 1, type: 'run_created', payload: { x: 1 }, at: 1_000 }]);
    const read = await store.getRun(run.id);
    expect(read).toMatchObject({ id: run.id, workflow: 'wf', sessionId: 's1', parameters: { a: 1 }, state: 'running', phase: 'first' });
    expect(read).toMatchObject({ visits: {}, completedPhases: [], version: 1, lastSeq: 1, error: null, finishedAt: null });
    expect(await store.getRun('missing')).toBeUndefined();
  });

  it('returns the existing run for a repeated idempotency key', async () => {
    const first = await store.createRun(newRun({ idempotencyKey: 'k1' }), []);
    const second = await store.createRun(newRun({ idempotencyKey: 'k1' }), [{ type: 'run_created', payload: {} }]);
    expect(second.created).toBe(false);
    expect(second.run.id).toBe(first.run.id);
    expect((await store.listRuns({})).total).toBe(1);
  });

  it('commits a step, its events and the run change together, with contiguous sequence numbers', async () => {
    const { run } = await store.createRun(newRun(), [{ type: 'run_created', payload: {} }]);
    const result = await commit({
      runId: run.id,
      expectedVersion: 1,
      patch: { phase: 'second', visits: { first: 1 }, completedPhases: ['first'] },
      step: agentStep('first#1', { n: 1 }),
      events: [
        { type: 'agent_status', payload: { status: 'running' } },
        { type: 'complete', payload: { result: 1 } },
      ],
    });
    expect(result.version).toBe(2);
    expect(result.events.map((e) => e.seq)).toEqual([2, 3]);
    expect(await store.getRun(run.id)).toMatchObject({ phase: 'second', visits: { first: 1 }, completedPhases: ['first'], version: 2, lastSeq: 3 });
    const steps = await store.listSteps(run.id);
    expect(steps).toHaveLength(1);
    expect(steps[0]).toMatchObject({ stepKey: 'first#1', output: { n: 1 }, version: 2, agentRun: { attempt: 2, input: { given: true } } });
    expect((await store.readEvents(run.id, 1)).map((e) => e.type)).toEqual(['agent_status', 'complete']);
    expect(await store.readEvents(run.id, 3)).toEqual([]);
  });

  it('appends events without a patch and leaves the version alone', async () => {
    const { run } = await store.createRun(newRun(), []);
    const result = await commit({ runId: run.id, expectedVersion: 1, events: [{ type: 'progress', payload: { p: 5 } }] });
    expect(result.version).toBe(1);
    expect(result.events[0]?.seq).toBe(1);
  });

  it('refuses a commit fenced on an old version and writes nothing', async () => {
    const { run } = await store.createRun(newRun(), []);
    await commit({ runId: run.id, expectedVersion: 1, patch: { phase: 'second' } });
    const stale = commit({ runId: run.id, expectedVersion: 1, patch: { phase: 'third' }, step: agentStep('first#1', 1), events: [{ type: 'x', payload: {} }] });
    await expect(stale).rejects.toBeInstanceOf(StaleRunError);
    await expect(stale).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(await store.getRun(run.id)).toMatchObject({ phase: 'second', version: 2, lastSeq: 0 });
    expect(await store.listSteps(run.id)).toEqual([]);
    expect(await store.readEvents(run.id, 0)).toEqual([]);
  });

  it('never commits the same step twice, and rolls back the whole commit that tried', async () => {
    const { run } = await store.createRun(newRun(), []);
    await commit({ runId: run.id, expectedVersion: 1, patch: { phase: 'second' }, step: agentStep('first#1', 'once') });
    const again = commit({
      runId: run.id,
      expectedVersion: 2,
      patch: { phase: 'third' },
      step: agentStep('first#1', 'twice'),
      events: [{ type: 'x', payload: {} }],
    });
    await expect(again).rejects.toBeInstanceOf(StaleRunError);
    expect(await store.getRun(run.id)).toMatchObject({ phase: 'second', version: 2, lastSeq: 0 });
    expect((await store.listSteps(run.id)).map((s) => s.output)).toEqual(['once']);
  });

  it('keeps concurrent commits apart: one that fails rolls back alone', async () => {
    const runs = await Promise.all([1, 2, 3].map(() => store.createRun(newRun(), [])));
    const [good, stale, alsoGood] = runs.map((r) => r.run.id) as [string, string, string];
    const outcomes = await Promise.allSettled([
      commit({ runId: good, expectedVersion: 1, patch: { phase: 'second' }, step: agentStep('first#1', 'a'), events: [{ type: 'complete', payload: {} }] }),
      commit({ runId: stale, expectedVersion: 7, patch: { phase: 'second' }, step: agentStep('first#1', 'b'), events: [{ type: 'complete', payload: {} }] }),
      commit({ runId: alsoGood, expectedVersion: 1, patch: { phase: 'second' }, step: agentStep('first#1', 'c'), events: [{ type: 'complete', payload: {} }] }),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(await store.getRun(stale)).toMatchObject({ phase: 'first', version: 1, lastSeq: 0 });
    expect(await store.listSteps(stale)).toEqual([]);
    for (const id of [good, alsoGood]) {
      expect(await store.getRun(id)).toMatchObject({ phase: 'second', version: 2, lastSeq: 1 });
      expect(await store.listSteps(id)).toHaveLength(1);
    }
  });

  it('opens a wait, resolves it once, and refuses to resolve it again', async () => {
    const { run } = await store.createRun(newRun(), []);
    const wait = {
      id: randomUUID(),
      stepKey: 'approve#1',
      phase: 'approve',
      kind: 'approval',
      role: null,
      data: { qty: 5 },
      deadlineAt: 5_000,
      createdAt: 2_000,
    };
    await commit({ runId: run.id, expectedVersion: 1, patch: { state: 'waiting', waitingFor: wait.id }, openWait: wait });
    expect(await store.getWait(wait.id)).toMatchObject({ ...wait, runId: run.id, status: 'pending', resolution: null });
    expect((await store.dueWaits(4_999, 10, ['wf'])).map((w) => w.id)).toEqual([]);
    expect((await store.dueWaits(5_000, 10, ['wf'])).map((w) => w.id)).toEqual([wait.id]);
    await commit({
      runId: run.id,
      expectedVersion: 2,
      patch: { state: 'running', waitingFor: null },
      closeWait: { id: wait.id, status: 'resolved', resolution: { action: 'accept' } },
    });
    expect(await store.getWait(wait.id)).toMatchObject({ status: 'resolved', resolution: { action: 'accept' }, resolvedAt: 2_000 });
    const twice = commit({ runId: run.id, expectedVersion: 3, patch: { state: 'completed' }, closeWait: { id: wait.id, status: 'resolved', resolution: {} } });
    await expect(twice).rejects.toBeInstanceOf(ConflictError);
    expect(await store.getRun(run.id)).toMatchObject({ state: 'running', version: 3 });
    expect(await store.listWaits(run.id)).toHaveLength(1);
  });

  it('lists failed attempts with the successful one, and handoffs from agent steps', async () => {
    const { run } = await store.createRun(newRun(), []);
    const error = { error_type: 'AGENT_EXECUTION_ERROR' as const, message: 'boom', details: {}, suggestions: [] };
    await commit({
      runId: run.id,
      expectedVersion: 1,
      failedAttempt: { stepKey: 'first#1', attempt: 1, agent: 'agent-a', status: 'failed', startedAt: 1_100, durationMs: 3, error },
    });
    await commit({ runId: run.id, expectedVersion: 1, patch: { phase: 'second' }, step: agentStep('first#1', 'ok') });
    const attempts = await store.listAttempts(run.id);
    expect(attempts.map((a) => [a.attempt, a.status, a.error?.message ?? null])).toEqual([
      [1, 'failed', 'boom'],
      [2, 'succeeded', null],
    ]);
    expect(await store.lastAttempt(run.id, 'first#1')).toBe(1);
    expect(await store.lastAttempt(run.id, 'second#1')).toBe(0);
    expect(await store.listHandoffs(run.id)).toEqual([
      { runId: run.id, stepKey: 'first#1', fromPhase: null, fromAgent: null, toPhase: 'first', toAgent: 'agent-a', payload: { given: true }, at: 2_000 },
    ]);
  });

  it('claims runs nobody holds, not waiting ones, and takes over expired leases only', async () => {
    const free = (await store.createRun(newRun(), [])).run;
    const held = (await store.createRun(newRun({ leaseOwner: 'other', leaseExpiresAt: 10_000 }), [])).run;
    const expired = (await store.createRun(newRun({ leaseOwner: 'dead', leaseExpiresAt: 4_000 }), [])).run;
    const waiting = (await store.createRun(newRun({ state: 'waiting' }), [])).run;
    const claimed = await store.claimRuns('me', 5_000, 1_000, 10, ['wf']);
    expect(claimed.map((r) => r.id).sort()).toEqual([free.id, expired.id].sort());
    for (const run of claimed) expect(run).toMatchObject({ leaseOwner: 'me', leaseExpiresAt: 6_000, version: 2 });
    expect(await store.getRun(held.id)).toMatchObject({ leaseOwner: 'other', version: 1 });
    expect(await store.getRun(waiting.id)).toMatchObject({ leaseOwner: null });
    expect(await store.claimRuns('someone', 5_500, 1_000, 10, ['wf'])).toEqual([]);

    await store.renewLeases('me', [free.id], 9_000);
    expect((await store.getRun(free.id))?.leaseExpiresAt).toBe(9_000);
    // Only the runs named: another process under the same owner id keeps the leases of the runs it drives.
    await store.releaseLeases('me', [free.id]);
    expect(await store.getRun(free.id)).toMatchObject({ leaseOwner: null, leaseExpiresAt: null });
    expect(await store.getRun(expired.id)).toMatchObject({ leaseOwner: 'me' });
    await store.releaseLeases('me', []);
    expect(await store.getRun(expired.id)).toMatchObject({ leaseOwner: 'me' });
  });

  it('claims only runs of the workflows the claimer names', async () => {
    const mine = (await store.createRun(newRun({ workflow: 'wf' }), [])).run;
    const theirs = (await store.createRun(newRun({ workflow: 'other' }), [])).run;
    expect((await store.claimRuns('me', 5_000, 1_000, 10, ['wf'])).map((r) => r.id)).toEqual([mine.id]);
    expect(await store.getRun(theirs.id)).toMatchObject({ leaseOwner: null, version: 1 });
    expect(await store.claimRuns('me', 5_000, 1_000, 10, [])).toEqual([]);
    expect((await store.claimRuns('you', 5_000, 1_000, 10, ['other', 'wf'])).map((r) => r.id)).toEqual([theirs.id]);
  });

  it('claims no more runs than asked, the longest unchanged first, leaving the rest for the next claim', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) ids.push((await store.createRun(newRun({ workflow: 'wf', createdAt: 1_000 + i }), [])).run.id);
    expect((await store.claimRuns('me', 5_000, 1_000, 1, ['wf'])).map((r) => r.id)).toEqual([ids[0]]);
    expect((await store.claimRuns('me', 5_000, 1_000, 2, ['wf'])).map((r) => r.id).sort()).toEqual([ids[1], ids[2]].sort());
    expect(await Promise.all(ids.map(async (id) => (await store.getRun(id))?.leaseOwner ?? null))).toEqual(['me', 'me', 'me', null]);
    expect((await store.claimRuns('you', 5_000, 1_000, 5, ['wf'])).map((r) => r.id)).toEqual([ids[3]]);
  });

  it("lists only the overdue waits of the workflows the caller names, so that another workflow's cannot crowd them out", async () => {
    const overdue = async (workflow: string, deadlineAt: number) => {
      const { run } = await store.createRun(newRun({ workflow }), []);
      const wait = { id: randomUUID(), stepKey: 'approve#1', phase: 'approve', kind: 'approval', role: null, data: null, deadlineAt, createdAt: 1_000 };
      await commit({ runId: run.id, expectedVersion: 1, patch: { state: 'waiting', waitingFor: wait.id }, openWait: wait });
      return wait.id;
    };
    // The other workflow's waits fell due first: a limit of 2 over every workflow would return only them.
    const theirs = [await overdue('other', 2_000), await overdue('other', 2_500)];
    const mine = await overdue('wf', 3_000);
    expect((await store.dueWaits(5_000, 2, ['wf'])).map((w) => w.id)).toEqual([mine]);
    expect((await store.dueWaits(5_000, 2, ['other'])).map((w) => w.id)).toEqual(theirs);
    expect((await store.dueWaits(5_000, 10, ['other', 'wf'])).map((w) => w.id)).toEqual([...theirs, mine]);
    expect(await store.dueWaits(5_000, 10, [])).toEqual([]);
  });

  it('never hands one run to two claimers at once', async () => {
    for (let i = 0; i < 40; i++) await store.createRun(newRun(), []);
    const other = await t.reopen();
    const [a, b] = await Promise.all([store.claimRuns('a', 5_000, 1_000, 25, ['wf']), other.claimRuns('b', 5_000, 1_000, 25, ['wf'])]);
    const ids = [...a, ...b].map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBe(40);
  });

  it('lists runs by workflow, state and session, newest first, a page at a time', async () => {
    for (let i = 0; i < 5; i++) await store.createRun(newRun({ workflow: 'a', sessionId: 's', createdAt: 1_000 + i }), []);
    await store.createRun(newRun({ workflow: 'b', state: 'waiting' }), []);
    const page = await store.listRuns({ workflow: 'a', limit: 2, offset: 1 });
    expect(page.total).toBe(5);
    expect(page.runs.map((r) => r.createdAt)).toEqual([1_003, 1_002]);
    expect((await store.listRuns({ state: 'waiting' })).runs.map((r) => r.workflow)).toEqual(['b']);
    expect((await store.listRuns({ sessionId: 's' })).total).toBe(5);
  });

  it('reports per-workflow counts, mean duration and where runs fail', async () => {
    const finish = async (state: 'completed' | 'failed', phase: string, duration: number) => {
      const { run } = await store.createRun(newRun({ workflow: 'stats', createdAt: 1_000 }), []);
      await commit({ runId: run.id, expectedVersion: 1, patch: { state, phase, finishedAt: 1_000 + duration } });
    };
    await finish('completed', 'end', 100);
    await finish('completed', 'end', 300);
    await finish('failed', 'allocate', 50);
    await finish('failed', 'allocate', 50);
    await finish('failed', 'forecast', 50);
    const stats = await store.workflowStats('stats');
    expect(stats.byState).toEqual({ completed: 2, failed: 3 });
    expect(stats.meanDurationMs).toBe(200);
    expect(stats.failuresByPhase).toEqual([
      { phase: 'allocate', count: 2 },
      { phase: 'forecast', count: 1 },
    ]);
  });

  it.runIf(kind.name === 'postgres')('tells other processes that a run log grew', async () => {
    const other = await t.reopen('other-process');
    const heard: { runId: string; seq: number }[] = [];
    const stop = await other.listen((notice) => heard.push(notice));
    const { run } = await store.createRun(newRun(), [{ type: 'run_created', payload: {} }]);
    await commit({
      runId: run.id,
      expectedVersion: 1,
      events: [
        { type: 'a', payload: {} },
        { type: 'b', payload: {} },
      ],
    });
    await expect.poll(() => heard.filter((n) => n.runId === run.id).map((n) => n.seq)).toEqual([1, 3]);
    await stop();
  });
});
