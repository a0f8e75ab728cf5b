/** Season planning as a workflow module: its tables, its agents on `SeasonData`, its routes (actuals, plans, data uploads, history) and its dashboard view. */
import type { WorkflowModule } from '../../server/modules.js';
import { seasonData, seasonTables } from './data/index.js';
import { dataRoutes } from './http/data.js';
import { salesHistoryRoutes } from './http/sales-history.js';
import { seasonRoutes } from './http/season.js';
import { approversFromEnv } from './approvers.js';
import { SEASON_PLANNING, seasonPlanning } from './workflow.js';

export const seasonPlanningModule: WorkflowModule = {
  name: SEASON_PLANNING,
  tables: seasonTables,
  open(host, { llm, env = {} }) {
    const data = seasonData(host);
    // One context assembler for the agents and the routes, so both use one cache.
    const { workflow, agents, assembler } = seasonPlanning(host, { llm, approvers: approversFromEnv(env) });
    return {
      name: SEASON_PLANNING,
      workflows: [workflow],
      agents,
      views: [{ workflow: SEASON_PLANNING, view: 'season-planning', title: 'Season planning' }],
      // Each its own plugin: the CSV body parser of the uploads stays with the upload routes.
      routes: (engine, config) => async (app) => {
        await app.register(seasonRoutes(engine, data, assembler, config.uploadLimit));
        await app.register(dataRoutes(data, config.uploadLimit, { maxRecordSize: config.csvMaxRecordSize }));
        await app.register(salesHistoryRoutes(assembler));
      },
    };
  },
};
