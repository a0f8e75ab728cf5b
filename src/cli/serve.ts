/** `baton serve`: the engine as a worker plus the HTTP/WebSocket server, until SIGINT/SIGTERM. */
import { Engine } from '../engine/index.js';
import { llmSettingsFromEnv } from '../llm/index.js';
import { buildServer } from '../server/app.js';
import type { ServerConfig } from '../server/config.js';
import { openModules, type WorkflowModule } from '../server/modules.js';
import type { BatonStore } from '../store/index.js';
import { retentionDaysFromEnv, startRetention } from '../store/retention.js';
import { SEASON_PLANNING } from '../workflows/season-planning/workflow.js';
import { createTelemetry, instrumentStore, watchEngine } from '../telemetry/index.js';
import { WORKFLOW_MODULES } from './modules.js';

export async function serve(database: BatonStore, config: ServerConfig, modules: readonly WorkflowModule[] = WORKFLOW_MODULES): Promise<void> {
  // BATON_RETENTION_DAYS: finished runs older than that are pruned at start and daily (off when unset); checked before anything starts.
  const days = retentionDaysFromEnv();
  // Metrics always (GET /metrics); traces over OTLP only when OTEL_EXPORTER_OTLP_ENDPOINT is set, else the no-op tracer.
  const telemetry = createTelemetry();
  // Before the modules and the engine take it: every commit and lease renewal is measured.
  const store = instrumentStore(database, telemetry);
  // Agents that word their output with a model use the one from the environment when one is configured.
  const opened = openModules(modules, store, { llm: llmSettingsFromEnv() ?? null, env: process.env });
  const engine = new Engine({ store, agents: opened.agents, workflows: opened.workflows });
  const watching = watchEngine(engine, telemetry, { onError: (error) => console.error('baton telemetry:', error) });
  await engine.start();
  // The seeds' run-workflow call names no workflow: it means season planning.
  const app = await buildServer({
    engine,
    store,
    modules: opened.modules,
    telemetry,
    config: { ...config, defaultWorkflow: config.defaultWorkflow ?? SEASON_PLANNING },
  });
  await app.listen({ port: config.port, host: config.host });
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
  const stop = async () => {
    app.log.info('shutting down');
    retention?.stop();
    await retention?.running;
    await app.close();
    await engine.close();
    watching.unsubscribe();
    // Sends the spans still queued.
    await telemetry.shutdown();
    await store.close();
  };
  await new Promise<void>((resolve) => {
    process.once('SIGINT', () => void stop().then(resolve));
    process.once('SIGTERM', () => void stop().then(resolve));
  });
}
