// Racing intakes over real HTTP on two nodes of one database: of two posts answering the same wait, exactly one is stored and the loser writes nothing.
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterEach, expect, it } from 'vitest';
import { Engine } from '../../../src/engine/index.js';
import { buildServer } from '../../../src/server/app.js';
import { parseServerConfig } from '../../../src/server/config.js';
import type { BatonStore } from '../../../src/store/index.js';
import { openModules } from '../../../src/server/modules.js';
import { seasonPlanningModule } from '../../../src/workflows/season-planning/module.js';
import { softwareDeliveryModule } from '../../../src/workflows/software-delivery/module.js';
import { describeEachStore, type TestStore } from '../../support/stores.js';
import { loadSmallChain, season } from '../../workflows/season-planning/support.js';
import { CHANGE, OUTPUTS } from '../../workflows/software-delivery/support.js';
import { expectError, type ErrorView, type Reply } from './harness.js';
import { seasonData } from '../../../src/workflows/season-planning/data/index.js';

interface Node {
  engine: Engine;
  app: FastifyInstance;
  post<T = unknown>(path: string, body: unknown): Promise<Reply<T>>;
  get<T = unknown>(path: string): Promise<Reply<T>>;
}

interface RunView {
  state: string;
  phase: string | null;
  waiting_for: { approval_id: string; kind: string; data: { week?: number } } | null;
}

describeEachStore('HTTP: racing intakes on two nodes', (kind) => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  /** A server of its own (engine, store, port) on the test's database, as another `baton serve` would be. */
  async function node(t: TestStore, name: string): Promise<Node> {
    const store: BatonStore = await t.reopen(name);
    const { modules, agents, workflows } = openModules([seasonPlanningModule, softwareDeliveryModule], store, { llm: null });
    const engine = new Engine({ store, nodeId: name, agents, workflows, pollIntervalMs: 50 });
    // Listening for the other node's commits, as `baton serve` does.
    await engine.start();
    const app = await buildServer({ engine, config: parseServerConfig({ port: 0 }), logger: false, llm: null, store, modules, webRoot: null });
    await app.listen({ port: 0, host: '127.0.0.1' });
    cleanups.push(async () => {
      await app.close();
      await engine.close();
    });
    const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    const call = async <T>(path: string, init: RequestInit = {}): Promise<Reply<T>> => {
      const response = await fetch(`${base}${path}`, init);
      const text = await response.text();
      return { status: response.status, headers: response.headers, body: (text ? JSON.parse(text) : text) as T };
    };
    return {
      engine,
      app,
      post: (path, body) => call(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
      get: (path) => call(path),
    };
  }

  async function twoNodes(): Promise<{ t: TestStore; a: Node; b: Node }> {
    const t = await kind.create();
    cleanups.push(() => t.dispose());
    return { t, a: await node(t, 'node-a'), b: await node(t, 'node-b') };
  }

  /** A manual 4-week season on the small chain, its buy accepted, waiting for week 1's actuals. */
  async function manualSeasonAwaitingWeekOne(t: TestStore, a: Node, session: string) {
    await loadSmallChain(t.store);
    const started = await a.post<{ run_id: string }>('/api/orchestrator/run-workflow', {
      session_id: session,
      workflow: 'season-planning',
      parameters: season(4, { actuals: 'manual' }),
    });
    expect(started.status, JSON.stringify(started.body)).toBe(202);
    const runId = started.body.run_id;
    const buy = await a.engine.settled(runId);
    await a.post(`/api/runs/${runId}/approvals/${buy.waitingFor!.id}`, { action: 'accept' });
    return { runId, waiting: await a.engine.settled(runId) };
  }

  it('stores only the winning post when the same week is posted to two nodes at once, and the loser gets 409', async () => {
    const { t, a, b } = await twoNodes();
    await loadSmallChain(t.store);
    const stores = (await seasonData(t.store).listStores()).map((s) => s.storeId);
    const categories = (await seasonData(t.store).listCategories()).map((c) => c.categoryId);
    const week = (units: number) => stores.flatMap((store_id) => categories.map((category_id) => ({ store_id, category_id, units_sold: units })));
    const started = await a.post<{ run_id: string }>('/api/orchestrator/run-workflow', {
      session_id: 'race',
      workflow: 'season-planning',
      parameters: season(4, { actuals: 'manual' }),
    });
    expect(started.status, JSON.stringify(started.body)).toBe(202);
    const runId = started.body.run_id;
    const buy = await a.engine.settled(runId);
    await a.post(`/api/runs/${runId}/approvals/${buy.waitingFor!.id}`, { action: 'accept' });

    let largeWins = 0;
    for (let n = 1; n <= 4; n++) {
      await a.engine.settled(runId);
      const [small, large] = await Promise.all([
        // Two figures a week can plausibly hold (about half and twice the forecast), told apart by what is stored.
        a.post<RunView>(`/api/runs/${runId}/actuals`, { week: n, sales: week(15) }),
        b.post<RunView>(`/api/runs/${runId}/actuals`, { week: n, sales: week(70) }),
      ]);
      const statuses = [small.status, large.status].sort();
      expect(statuses, JSON.stringify([small.body, large.body])).toEqual([200, 409]);
      const winner = small.status === 200 ? 15 : 70;
      if (winner === 70) largeWins++;
      expectError(small.status === 409 ? small : large, 409, 'CONFLICT');
      const stored = (await seasonData(t.store).listActuals(runId)).filter((r) => r.seasonWeek === n);
      expect(stored).toHaveLength(stores.length * categories.length);
      expect(new Set(stored.map((r) => r.unitsSold))).toEqual(new Set([winner]));
    }
    // Which node wins is chance; each week's stored figures are always the ones answered 200.
    console.info(`[${kind.name}] the 70-unit post won ${largeWins} of 4 weeks`);
    const done = await a.engine.settled(runId);
    const monitored = (await a.engine.readEvents(runId)).filter((e) => e.type === 'complete' && e.payload.phase === 'monitor');
    expect(monitored.length).toBeGreaterThanOrEqual(4);
    expect(done.state).toBe('completed');
  });

  it('refuses a week that lists a store and category twice with 422 naming both places, storing nothing', async () => {
    const { t, a } = await twoNodes();
    const { runId } = await manualSeasonAwaitingWeekOne(t, a, 'dup');
    const [store] = await seasonData(t.store).listStores();
    const [category] = await seasonData(t.store).listCategories();
    const row = { store_id: store!.storeId, category_id: category!.categoryId };
    const reply = await a.post<ErrorView>(`/api/runs/${runId}/actuals`, {
      week: 1,
      sales: [
        { ...row, units_sold: 3 },
        { ...row, units_sold: 9 },
      ],
    });
    const error = expectError(reply, 422, 'INVALID_PARAMETERS');
    expect(error.details.issues).toEqual([{ path: 'sales.1', message: `store ${row.store_id} × category ${row.category_id} is already at sales.0` }]);
    expect(await seasonData(t.store).listActuals(runId)).toEqual([]);
    expect((await a.get<RunView>(`/api/runs/${runId}`)).body.waiting_for).toMatchObject({ kind: 'actuals', data: { week: 1 } });
  });

  it('refuses actuals far outside any week (1e308 units) with 422, storing nothing', async () => {
    const { t, a } = await twoNodes();
    const { runId } = await manualSeasonAwaitingWeekOne(t, a, 'huge');
    const [store] = await seasonData(t.store).listStores();
    const [category] = await seasonData(t.store).listCategories();
    for (const units of [1e308, -1e308, 2 ** 53]) {
      const reply = await a.post<ErrorView>(`/api/runs/${runId}/actuals`, {
        week: 1,
        sales: [{ store_id: store!.storeId, category_id: category!.categoryId, units_sold: units }],
      });
      expectError(reply, 422, 'INVALID_PARAMETERS');
    }
    expect(await seasonData(t.store).listActuals(runId)).toEqual([]);
  });

  it("refuses to resolve a week's actuals through the approvals route, so its checks cannot be bypassed", async () => {
    const { t, a } = await twoNodes();
    const { runId, waiting } = await manualSeasonAwaitingWeekOne(t, a, 'bypass');
    expect(waiting.waitingFor).toMatchObject({ kind: 'actuals', data: { week: 1 } });
    for (const body of [{ data: { week: 7 } }, { data: { week: 1 } }, { action: 'accept' }]) {
      const error = expectError(await a.post(`/api/runs/${runId}/approvals/${waiting.waitingFor!.id}`, body), 409, 'CONFLICT');
      expect(error.message).toContain('POST /api/runs/{run_id}/actuals');
    }
    const after = await a.get<RunView>(`/api/runs/${runId}`);
    expect(after.body.waiting_for).toMatchObject({ kind: 'actuals', data: { week: 1 } });
    expect((await a.engine.readEvents(runId)).filter((e) => e.payload.phase === 'monitor')).toEqual([]);
  });

  it('applies a doubled delivery submission once: the repeat is 409, and the change stays at the next state', async () => {
    const { a, b } = await twoNodes();
    const started = await a.post<{ run_id: string }>('/api/delivery/runs', { project: 'tides', change: CHANGE });
    expect(started.status, JSON.stringify(started.body)).toBe(202);
    const runId = started.body.run_id;
    await a.engine.settled(runId);
    const discovery = { role: 'Q_ASSISTANT', output: OUTPUTS.DISCOVERY };
    // In a row (a client's retry after a lost answer), then at once on two nodes.
    const first = await a.post<{ state: string }>(`/api/delivery/runs/${runId}/advance`, discovery);
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    const repeat = await b.post<ErrorView>(`/api/delivery/runs/${runId}/advance`, discovery);
    const error = expectError(repeat, 409, 'CONFLICT');
    expect(error.details).toMatchObject({ already_applied_to: 'DISCOVERY' });
    const status = await a.get<{ state: string }>(`/api/delivery/runs/${runId}`);
    expect(status.body.state).toBe('PLANNING');
    const history = await a.get<{ trail: { to_state?: string; action?: string }[] }>(`/api/delivery/runs/${runId}/history`);
    expect(JSON.stringify(history.body)).not.toContain('IMPLEMENTATION');
  });

  it('applies one of two identical delivery submissions sent to two nodes at once', async () => {
    const { a, b } = await twoNodes();
    for (let trial = 0; trial < 3; trial++) {
      const started = await a.post<{ run_id: string }>('/api/delivery/runs', { project: `p${trial}`, change: CHANGE });
      expect(started.status, JSON.stringify(started.body)).toBe(202);
      const runId = started.body.run_id;
      await a.engine.settled(runId);
      const discovery = { role: 'Q_ASSISTANT', output: OUTPUTS.DISCOVERY };
      const replies = await Promise.all([a.post(`/api/delivery/runs/${runId}/advance`, discovery), b.post(`/api/delivery/runs/${runId}/advance`, discovery)]);
      expect(replies.map((r) => r.status).sort(), JSON.stringify(replies.map((r) => r.body))).toEqual([200, 409]);
      const status = await a.get<{ state: string }>(`/api/delivery/runs/${runId}`);
      expect(status.body.state).toBe('PLANNING');
    }
  });

  it('refuses a submission that names the state or wait it answers when the run stands elsewhere', async () => {
    const { a } = await twoNodes();
    const started = await a.post<{ run_id: string }>('/api/delivery/runs', { project: 'named', change: CHANGE });
    expect(started.status, JSON.stringify(started.body)).toBe(202);
    const runId = started.body.run_id;
    const waiting = await a.get<{ waiting_for: { wait_id: string } }>(`/api/delivery/runs/${runId}`);
    await a.engine.settled(runId);
    const wrongState = await a.post<ErrorView>(`/api/delivery/runs/${runId}/advance`, {
      role: 'Q_ASSISTANT',
      output: OUTPUTS.DISCOVERY,
      from_state: 'PLANNING',
    });
    expect(expectError(wrongState, 409, 'CONFLICT').details).toMatchObject({ from_state: 'PLANNING', state: 'DISCOVERY' });
    const wrongWait = await a.post<ErrorView>(`/api/delivery/runs/${runId}/advance`, {
      role: 'Q_ASSISTANT',
      output: OUTPUTS.DISCOVERY,
      wait_id: 'not-this-one',
    });
    expect(expectError(wrongWait, 409, 'CONFLICT').details).toMatchObject({ wait_id: 'not-this-one' });
    const waitId = (await a.get<{ waiting_for: { wait_id: string } }>(`/api/delivery/runs/${runId}`)).body.waiting_for.wait_id;
    expect(waiting.status).toBe(200);
    const right = await a.post<{ state: string }>(`/api/delivery/runs/${runId}/advance`, {
      role: 'Q_ASSISTANT',
      output: OUTPUTS.DISCOVERY,
      from_state: 'DISCOVERY',
      wait_id: waitId,
    });
    expect(right.status, JSON.stringify(right.body)).toBe(200);
    const again = await a.post<ErrorView>(`/api/delivery/runs/${runId}/advance`, {
      role: 'Q_ASSISTANT',
      output: OUTPUTS.DISCOVERY,
      from_state: 'DISCOVERY',
      wait_id: waitId,
    });
    expectError(again, 409, 'CONFLICT');
  });
});
