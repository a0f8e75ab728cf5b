// Where `baton runs` is pointed in the tests: a real SQLite file, a real PostgreSQL schema, or a real server over HTTP/WebSocket.
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { Engine } from '../../../src/engine/index.js';
import { runRunsCli } from '../../../src/cli/runs/index.js';
import { buildServer } from '../../../src/server/app.js';
import { parseServerConfig } from '../../../src/server/config.js';
import type { RunState, BatonStore } from '../../../src/store/index.js';
import { openModules } from '../../../src/server/modules.js';
import { engineDemoModule } from '../../../src/workflows/engine-demo/module.js';
import { seasonPlanningModule } from '../../../src/workflows/season-planning/module.js';
import { storeKinds, type TestStore } from '../../support/stores.js';

export const TOKEN = 'runs-cli-test-token';

export interface Output {
  code: number;
  stdout: string;
  stderr: string;
  lines: string[];
}

export interface Target {
  name: string;
  t: TestStore;
  /** A worker on the same database (as `baton serve` would be), with the workflows the CLI knows. */
  engine: Engine;
  store: BatonStore;
  /** The server, for the server target. */
  app?: FastifyInstance;
  base?: string;
  /** Runs `baton runs <args…>` in this process against the target; returns exit code and output. */
  cli(...args: string[]): Promise<Output>;
  /** The target options as a child process would pass them, and its environment. */
  childArgs: string[];
  childEnv: Record<string, string>;
  close(): Promise<void>;
}

/** Polls the database until the run is in one of `states` (another store's commits reach no hub here). */
export async function until(store: BatonStore, runId: string, states: RunState[], timeoutMs = 20_000): Promise<RunState> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const run = await store.getRun(runId);
    if (run && states.includes(run.state)) return run.state;
    if (Date.now() > end) throw new Error(`run ${runId} is ${run?.state}, not ${states.join('|')}, after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

export async function runCli(args: string[], env: Record<string, string | undefined> = {}): Promise<Output> {
  let stdout = '';
  let stderr = '';
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete process.env[k];
  try {
    const code = await runRunsCli(['runs', ...args], { out: (text) => (stdout += text), err: (text) => (stderr += text) });
    return { code, stdout, stderr, lines: stdout.split('\n').filter((l) => l !== '') };
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

function workerEngine(store: BatonStore) {
  const opened = openModules([seasonPlanningModule, engineDemoModule], store, { llm: null });
  const engine = new Engine({ store, agents: opened.agents, workflows: opened.workflows, pollIntervalMs: 50, leaseMs: 3000 });
  return { engine, modules: opened.modules };
}

export async function startServer(store: BatonStore, port = 0): Promise<{ engine: Engine; app: FastifyInstance; base: string }> {
  const { engine, modules } = workerEngine(store);
  await engine.start();
  const app = await buildServer({ engine, config: parseServerConfig({ port, apiToken: TOKEN }), logger: false, llm: null, store, modules });
  await app.listen({ port, host: '127.0.0.1' });
  return { engine, app, base: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}` };
}

/** The three targets: SQLite and PostgreSQL directly (PostgreSQL when configured), and a server on SQLite. */
export const targetKinds: { name: string; create(): Promise<Target> }[] = [
  ...storeKinds.map((kind) => ({
    name: kind.name,
    async create(): Promise<Target> {
      const t = await kind.create();
      const { engine } = workerEngine(t.store);
      await engine.start();
      const args = t.connection.sqlitePath ? ['--db', t.connection.sqlitePath] : [];
      const env = { DATABASE_URL: t.connection.databaseUrl };
      return {
        name: kind.name,
        t,
        engine,
        store: t.store,
        cli: (...more) => runCli([...more, ...args], env),
        childArgs: args,
        childEnv: t.connection.databaseUrl ? { DATABASE_URL: t.connection.databaseUrl } : {},
        async close() {
          await engine.close();
          await t.dispose();
        },
      };
    },
  })),
  {
    name: 'server',
    async create(): Promise<Target> {
      const t = await storeKinds[0]!.create();
      const { engine, app, base } = await startServer(t.store);
      const args = ['--url', base, '--token', TOKEN];
      return {
        name: 'server',
        t,
        engine,
        store: t.store,
        app,
        base,
        cli: (...more) => runCli([...more, ...args], { DATABASE_URL: undefined }),
        childArgs: args,
        childEnv: {},
        async close() {
          await app.close();
          await engine.close();
          await t.dispose();
        },
      };
    },
  },
];
