/** The build pipeline as a workflow module: its ideas table, its agents on `BuildData`, the intake routes under /api/builds/… and its view. */
import type { WorkflowModule } from '../../server/modules.js';
import { buildData, buildTables } from './data/index.js';
import { buildRoutes } from './routes.js';
import { BUILD_PIPELINE, buildPipeline } from './workflow.js';

export const buildPipelineModule: WorkflowModule = {
  name: BUILD_PIPELINE,
  tables: buildTables,
  open(host, { llm }) {
    const data = buildData(host);
    // The architect asks the model when one is configured (its answer checked against the catalogue).
    const { workflow, agents } = buildPipeline(data, llm ?? undefined);
    return {
      name: BUILD_PIPELINE,
      workflows: [workflow],
      agents,
      // The dashboard has no build view yet: the generic one shows the event log.
      views: [{ workflow: BUILD_PIPELINE, view: 'generic', title: 'Build pipeline' }],
      routes: (engine) => buildRoutes(engine, data),
    };
  },
};
