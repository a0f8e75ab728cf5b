/**
 * The build pipeline as a workflow module: its tables (ideas, build records, outbox), its agents on the build
 * services (data, workspace, deploy targets, settings), the routes under /api/builds/… and its dashboard view.
 */
import type { WorkflowModule } from '../../server/modules.js';
import { buildData, buildTables } from './data/index.js';
import type { DeployTarget, TargetName } from './deploy/contracts.js';
import { AzureTarget } from './deploy/azure/index.js';
import { LocalTarget } from './deploy/local/target.js';
import { buildRoutes } from './routes.js';
import { apiKeys, type BuildServices } from './services.js';
import { buildSettings } from './settings.js';
import { buildWorkspace } from './workspace.js';
import { BUILD_PIPELINE, buildPipeline } from './workflow.js';

/** The services of one opened module: one local target per build directory, so its state has one writer in this process. */
export function buildServices(host: Parameters<WorkflowModule['open']>[0], options: Parameters<WorkflowModule['open']>[1]): BuildServices {
  const env = options.env ?? {};
  const settings = buildSettings(env);
  const workspace = buildWorkspace(settings.BATON_BUILD_DIR);
  const targets = new Map<TargetName, DeployTarget>();
  const target = (name: TargetName): DeployTarget => {
    const known = targets.get(name);
    if (known) return known;
    const made: DeployTarget =
      name === 'local'
        ? new LocalTarget({
            stateDir: workspace.targetDir,
            portBase: settings.BATON_LOCAL_TARGET_PORT,
            watchMs: settings.BATON_DEPLOY_WATCH_MS,
            healthTries: settings.BATON_DEPLOY_HEALTH_TRIES,
            healthIntervalMs: settings.BATON_DEPLOY_HEALTH_INTERVAL_MS,
          })
        : new AzureTarget({ stateDir: `${workspace.root}/targets/azure`, env: { ...process.env, ...env } });
    targets.set(name, made);
    return made;
  };
  return { data: buildData(host), llm: options.llm ?? undefined, workspace, settings, target, apiKeyFor: apiKeys(workspace, settings.BATON_BUILD_SECRET) };
}

export const buildPipelineModule: WorkflowModule = {
  name: BUILD_PIPELINE,
  tables: buildTables,
  open(host, options) {
    const services = buildServices(host, options);
    // The architect asks the model when one is configured (its answer checked against the catalogue).
    const { workflow, agents } = buildPipeline(services);
    return {
      name: BUILD_PIPELINE,
      workflows: [workflow],
      agents,
      views: [{ workflow: BUILD_PIPELINE, view: 'build-pipeline', title: 'Build pipeline' }],
      routes: (engine) => buildRoutes(engine, services),
    };
  },
};
