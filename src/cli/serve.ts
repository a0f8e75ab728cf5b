/**
 * `baton serve`: the engine as a worker plus the HTTP/WebSocket server, until SIGINT/SIGTERM. Several
 * nodes may share one PostgreSQL: a node does everything, or only the API (`--no-worker`), or only
 * the runs (`--worker-only`); see docs/CLUSTER.md.
 */
import type { FastifyInstance } from 'fastify';
import { hostname } from 'node:os';
import { ActorDirectory } from '../actors/directory.js';
import { Engine } from '../engine/index.js';
import { llmSettingsFromEnv } from '../llm/index.js';
import { buildServer, coreServer } from '../server/app.js';
import { installAuth } from '../server/auth.js';
import type { ServerConfig } from '../server/config.js';
import { openModules, type WorkflowModule } from '../server/modules.js';
import { healthRoutes } from '../server/routes/health.js';
import { clusterSettingsFromEnv, type NodeRole } from './cluster-settings.js';
import { DatabaseClock, type BatonStore } from '../store/index.js';
import { retentionDaysFromEnv, startRetention } from '../store/retention.js';
import { SEASON_PLANNING } from '../workflows/season-planning/workflow.js';
import { createTelemetry, instrumentStore, metricsRoutes, watchEngine, type Telemetry } from '../telemetry/index.js';
import { WORKFLOW_MODULES } from './modules.js';
import { engineErrorLog } from './engine-log.js';
import { batonVersion } from '../version.js';

/** A machine whose clock is further than this from the database's says so in its log. */
const CLOCK_WARN_MS = 1_000;

export interface ServeOptions {
  /** The serve flags: 'api' for --no-worker, 'worker' for --worker-only; unset, BATON_NODE_ROLE (default all). */
  role?: NodeRole | undefined;
}

/** A worker-only node answers /health and /metrics (guarded as on a full node), nothing else. */
async function workerServer(store: BatonStore, config: ServerConfig, telemetry: Telemetry, nodeId: string, logger: object): Promise<FastifyInstance> {
  // The API's conventions too: its error shape (a 500 never shows the database's address), its 404 and request ids.
  const app = coreServer({ logger: logger, telemetry });
  installAuth(app, config, ActorDirectory.of(store));
  await app.register(healthRoutes(store, nodeId));
  await app.register(metricsRoutes(telemetry, { store }));
  return app;
}

export async function serve(
  database: BatonStore,
  config: ServerConfig,
  modules: readonly WorkflowModule[] = WORKFLOW_MODULES,
  options: ServeOptions = {},
): Promise<void> {
  // BATON_RETENTION_DAYS: finished runs older than that are pruned at start and daily (off when unset); checked before anything starts.
  const days = retentionDaysFromEnv();
  // BATON_NODE_ID, BATON_NODE_ROLE, BATON_LEASE_MS, BATON_POLL_MS, BATON_MAX_RUNS, BATON_NODE_HEARTBEAT_MS: checked before anything starts too.
  const cluster = clusterSettingsFromEnv(process.env, { role: options.role });
  const { nodeId, role } = cluster;
  const version = batonVersion();
  let reportEngineError = (error: unknown, context: string) => console.error(`baton engine [${nodeId}]: ${context}:`, error);
  // Said once the server's logger exists (below).
  let reportClock = (_offsetMs: number) => {};
  // Every log line names the node: several nodes write to one log collector. BATON_LOG_LEVEL: pino's levels (default info).
  const logger = { level: process.env.BATON_LOG_LEVEL || 'info', base: { pid: process.pid, hostname: hostname(), node: nodeId, role } };
  // Metrics always (GET /metrics); traces over OTLP only when OTEL_EXPORTER_OTLP_ENDPOINT is set, else the no-op tracer.
  const telemetry = await createTelemetry();
  // Before the modules and the engine take it: every commit and lease renewal is measured.
  const store = instrumentStore(database, telemetry);
  // Leases, heartbeats, deadlines and event times on the database's clock, which every node shares (a node whose own clock
  // ran ahead took other nodes' runs). Read at start and every minute; a machine far off it is said in the log.
  const clock = await DatabaseClock.start(store, {
    onOffset: (offsetMs) => reportClock(offsetMs),
    onError: (error) => reportEngineError(error, "reading the database's clock (the last reading stands)"),
  });
  // Agents that word their output with a model use the one from the environment when one is configured.
  const opened = openModules(modules, store, { llm: llmSettingsFromEnv() ?? null, env: process.env });
  const engine = new Engine({
    store,
    agents: opened.agents,
    workflows: opened.workflows,
    nodeId,
    leaseMs: cluster.leaseMs,
    pollIntervalMs: cluster.pollMs,
    maxConcurrentRuns: cluster.maxRuns,
    // Every role joins the nodes (its row in `nodes`, beaten every BATON_NODE_HEARTBEAT_MS), so /api/nodes lists API nodes and idle workers too.
    role,
    heartbeatMs: cluster.heartbeatMs,
    now: clock.now,
    ...(version === null ? {} : { version }),
    // An API node takes no run: the runs it starts or resumes are left unleased for a worker's next claim (within BATON_POLL_MS).
    drive: role !== 'api',
    // To stderr until the server's logger exists; then as its JSON lines (see below).
    onError: (error, context) => reportEngineError(error, context),
  });
  const watching = watchEngine(engine, telemetry, { onError: (error) => console.error(`baton telemetry [${nodeId}]:`, error) });
  // Every role listens (LISTEN): an API node's streams follow runs the workers drive, and a worker hears cancels.
  await engine.start();
  const app =
    role === 'worker'
      ? await workerServer(store, config, telemetry, nodeId, logger)
      : // The seeds' run-workflow call names no workflow: it means season planning.
        await buildServer({
          engine,
          store,
          modules: opened.modules,
          telemetry,
          logger,
          config: { ...config, defaultWorkflow: config.defaultWorkflow ?? SEASON_PLANNING },
        });
  reportEngineError = engineErrorLog(app.log);
  reportClock = (offsetMs) => {
    if (Math.abs(offsetMs) <= CLOCK_WARN_MS) return;
    const off = `${Math.abs(offsetMs)} ms ${offsetMs > 0 ? 'behind' : 'ahead of'} the database's`;
    app.log.warn({ clock_offset_ms: offsetMs }, `this machine's clock is ${off}: leases, heartbeats and event times use the database's; check NTP`);
  };
  reportClock(clock.offsetMs);
  // HTTP (requests in flight finish), then the engine (its agents aborted, its leases released for other nodes, its row
  // deleted), then the spans still queued. A step that fails (the database away) is logged and the others still run.
  const closeNode = async () => {
    const attempt = (what: string, work: () => Promise<void>) =>
      work().catch((error: unknown) => app.log.error({ err: error }, `shutting down: ${what} failed`));
    await attempt('closing HTTP', () => app.close());
    await attempt('closing the engine', () => engine.close());
    watching.unsubscribe();
    await attempt('flushing telemetry', () => telemetry.shutdown());
    clock.stop();
  };
  try {
    await app.listen({ port: config.port, host: config.host });
  } catch (error) {
    // The port is taken (or the address is not this machine's): this node must not stay on as a worker no one can
    // reach, nor keep the runs it may have claimed since engine.start().
    await closeNode();
    throw error;
  }
  app.log.info({ lease_ms: cluster.leaseMs, poll_ms: cluster.pollMs, heartbeat_ms: cluster.heartbeatMs, version }, `node ${nodeId} serving (${role})`);
  const retention =
    days === undefined
      ? undefined
      : startRetention(store, days, {
          pruned: (r) =>
            app.log.info(
              { runs: r.runs, rows: r.rows, freed_bytes: r.freedBytes },
              `retention: pruned ${r.runs} run(s) finished over ${days} days ago (${r.spaceNote})`,
            ),
          failed: (error) => app.log.error({ err: error }, 'retention: pruning failed; trying again tomorrow'),
        });
  // Graceful shutdown: the node's row is marked stopping (/api/nodes on other nodes says so); streams are
  // told to reconnect elsewhere (1012) and HTTP stops; then the engine stops claiming, aborts its agents
  // (SHUTDOWN) and releases its leases, so another node claims the runs at its next poll instead of
  // after the lease (the interrupted steps run again there), and deletes the node's row.
  const stop = async () => {
    app.log.info('shutting down: closing streams (1012), finishing requests in flight, releasing leases');
    await engine.beginShutdown().catch((error: unknown) => app.log.error({ err: error }, 'shutting down: marking the node stopping failed'));
    retention?.stop();
    await retention?.running;
    await closeNode();
    await store.close().catch((error: unknown) => app.log.error({ err: error }, 'shutting down: closing the database failed'));
    app.log.info('stopped');
  };
  await new Promise<void>((resolve) => {
    let stopping = false;
    const onSignal = () => {
      if (stopping) return;
      stopping = true;
      void stop().then(resolve);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}
