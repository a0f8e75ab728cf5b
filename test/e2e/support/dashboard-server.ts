/**
 * What `baton serve` runs, on an ephemeral port: a fresh SQLite database with small generated data
 * (8 stores × 2 categories × 104 weeks to 2025-12-29), the engine with every workflow, the HTTP and
 * WebSocket API and the dashboard built for this test.
 */
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { Engine, type EngineOptions } from '../../../src/engine/index.js';
import { buildServer } from '../../../src/server/app.js';
import { parseServerConfig } from '../../../src/server/config.js';
import { WORKFLOW_MODULES } from '../../../src/cli/modules.js';
import { openModules } from '../../../src/server/modules.js';
import { loadSyntheticData } from '../../../src/workflows/season-planning/data/load-synthetic.js';
import { SEASON_PLANNING } from '../../../src/workflows/season-planning/workflow.js';
import { storeKinds } from '../../support/stores.js';

export const LAST_HISTORY_WEEK = '2025-12-29';

export interface DashboardServer {
  url: string;
  engine: Engine;
  app: FastifyInstance;
  close(): Promise<void>;
}

export interface DashboardServerOptions {
  apiToken?: string;
  /** The settings the workflow modules read, as `baton serve` passes its environment (e.g. BATON_BUY_APPROVERS). */
  env?: Readonly<Record<string, string>>;
  /** The engine's slots (`BATON_MAX_RUNS`; default the engine's). */
  maxConcurrentRuns?: number;
  /** A test's own agents and workflows, beside every module's. */
  extra?: Pick<EngineOptions, 'agents' | 'workflows'>;
}

export async function startDashboardServer({
  webRoot,
  apiToken,
  env = {},
  maxConcurrentRuns,
  extra,
}: DashboardServerOptions & { webRoot: string }): Promise<DashboardServer> {
  const sqlite = storeKinds.find((k) => k.name === 'sqlite');
  if (!sqlite) throw new Error('no SQLite store kind');
  const database = await sqlite.create();
  const store = database.store;
  await loadSyntheticData(store, { stores: 8, categories: 2, weeks: 104, seed: 7, lastWeek: LAST_HISTORY_WEEK });
  // Every workflow `baton serve` runs, opened as it opens them.
  const opened = openModules(WORKFLOW_MODULES, store, { llm: null, env });
  const engine = new Engine({
    store,
    agents: [...opened.agents, ...(extra?.agents ?? [])],
    workflows: [...opened.workflows, ...(extra?.workflows ?? [])],
    pollIntervalMs: 50,
    ...(maxConcurrentRuns === undefined ? {} : { maxConcurrentRuns }),
  });
  await engine.start();
  const config = parseServerConfig({ port: 0, host: '127.0.0.1', defaultWorkflow: SEASON_PLANNING, ...(apiToken ? { apiToken } : {}) });
  const app = await buildServer({ engine, store, modules: opened.modules, config, logger: false, llm: null, webRoot });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    engine,
    app,
    async close() {
      await app.close();
      await engine.close();
      await database.dispose();
    },
  };
}
