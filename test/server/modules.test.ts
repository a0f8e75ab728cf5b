// Workflow modules side by side on one database, on both databases: a process that registers some of them starts, ticks and
// completes its own runs while another workflow's runs sit in the database, and the demo and a serve-style start do not fail on them.
import type { AddressInfo } from 'node:net';
import { afterEach, expect, it } from 'vitest';
import { runDemo } from '../../src/cli/demo.js';
import { Engine } from '../../src/engine/index.js';
import { buildServer } from '../../src/server/app.js';
import { parseServerConfig } from '../../src/server/config.js';
import { openModules, type WorkflowModule } from '../../src/server/modules.js';
import type { BatonStore } from '../../src/store/index.js';
import { SEASON_PLANNING } from '../../src/workflows/season-planning/workflow.js';
import { seasonPlanningModule } from '../../src/workflows/season-planning/module.js';
import { DeliveryService, ROLES, SOFTWARE_DELIVERY } from '../../src/workflows/software-delivery/index.js';
import { softwareDeliveryModule } from '../../src/workflows/software-delivery/module.js';
import { describeEachStore, type TestStore } from '../support/stores.js';
import { driveToEnd, loadSmallChain, season } from '../workflows/season-planning/support.js';
import { CHANGE } from '../workflows/software-delivery/support.js';

/** A run another process left running (its node stopped: the lease expired long ago), of a workflow this process may not know. */
async function leftRunning(store: BatonStore, workflow: string, id: string): Promise<void> {
  await store.createRun(
    {
      id,
      workflow,
      sessionId: null,
      idempotencyKey: null,
      parameters: {},
      state: 'running',
      phase: 'a-phase',
      leaseOwner: 'a-stopped-node',
      leaseExpiresAt: 1,
      createdAt: Date.now(),
    },
    [{ type: 'run_created', payload: { workflow } }],
  );
}

describeEachStore('workflow modules side by side on one database', (kind) => {
  let t: TestStore | undefined;
  const closing: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const close of closing.splice(0).reverse()) await close();
    await t?.dispose();
    t = undefined;
  });

  /** An engine that registers only `modules`, as a `baton serve` built with that list would. */
  function node(store: BatonStore, modules: readonly WorkflowModule[], errors: unknown[]): Engine {
    const { agents, workflows } = openModules(modules, store, { llm: null });
    const engine = new Engine({ store, agents, workflows, pollIntervalMs: 50, leaseMs: 2_000, onError: (error) => errors.push(error) });
    closing.push(() => engine.close());
    return engine;
  }

  it('a process with only the delivery module starts, ticks and completes its own runs while a season run waits in the database untouched', async () => {
    t = await kind.create();
    await leftRunning(t.store, SEASON_PLANNING, 'season-left-running');
    const errors: unknown[] = [];
    const engine = node(t.store, [softwareDeliveryModule], errors);
    await engine.start();
    const delivery = new DeliveryService(engine);
    const { run_id: id } = await delivery.start({ project: 'acme', change: CHANGE, automatic_roles: [...ROLES] });
    expect(await delivery.settled(id)).toMatchObject({ state: 'COMPLETE', run_state: 'completed' });
    // Poll rounds went by while the change moved along: none of them claimed the season run.
    expect(await t.store.getRun('season-left-running')).toMatchObject({ state: 'running', leaseOwner: 'a-stopped-node', version: 1 });
    expect(errors).toEqual([]);
  });

  it('a process with only the season-planning module starts, ticks and completes its own runs while a delivery run waits in the database untouched', async () => {
    t = await kind.create();
    await loadSmallChain(t.store);
    await leftRunning(t.store, SOFTWARE_DELIVERY, 'delivery-left-running');
    const errors: unknown[] = [];
    const engine = node(t.store, [seasonPlanningModule], errors);
    await engine.start();
    const run = await engine.startRun(SEASON_PLANNING, season(4));
    expect(await driveToEnd(engine, run.id)).toMatchObject({ state: 'completed' });
    expect(await t.store.getRun('delivery-left-running')).toMatchObject({ state: 'running', leaseOwner: 'a-stopped-node', version: 1 });
    expect(errors).toEqual([]);
  });

  it("runs the demo and starts a server with some modules on a database holding another workflow's running runs", async () => {
    t = await kind.create();
    await leftRunning(t.store, SOFTWARE_DELIVERY, 'delivery-left-running');
    await leftRunning(t.store, 'a-workflow-nobody-registers', 'ghost-left-running');
    const lines: string[] = [];
    await runDemo(t.store, (line) => lines.push(line));
    expect(lines.join('\n')).toMatch(/final state: completed/);

    const errors: unknown[] = [];
    const opened = openModules([seasonPlanningModule], t.store, { llm: null });
    const engine = node(t.store, [seasonPlanningModule], errors);
    await engine.start();
    const app = await buildServer({
      engine,
      store: t.store,
      modules: opened.modules,
      config: parseServerConfig({ port: 0 }),
      logger: false,
      llm: null,
      webRoot: null,
    });
    closing.push(() => app.close());
    await app.listen({ port: 0, host: '127.0.0.1' });
    const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    expect((await fetch(`${base}/health`)).status).toBe(200);
    // Only the served module's routes: season planning's data summary answers, delivery's routes are not there.
    expect((await fetch(`${base}/api/data`)).status).toBe(200);
    expect((await fetch(`${base}/api/delivery/projects/acme/stats`)).status).toBe(404);
    expect(await t.store.getRun('delivery-left-running')).toMatchObject({ state: 'running', version: 1 });
    expect(errors).toEqual([]);
  });
});
