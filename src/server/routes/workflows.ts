/** Workflows: what can be run, and how their runs fare. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Engine } from '../../engine/index.js';
import { errorResponses, workflowList, workflowParams, workflowStats } from '../schemas.js';
import { statsView, workflowView } from '../views.js';

export const workflowRoutes =
  (engine: Engine): FastifyPluginAsyncZod =>
  (app) => {
    app.get('/api/workflows', { schema: { tags: ['workflows'], summary: 'Registered workflows and their phases', response: { 200: workflowList } } }, () => ({
      workflows: engine.workflowNames().map((name) => workflowView(engine.workflow(name))),
    }));

    app.get(
      '/api/workflows/:name/stats',
      {
        schema: {
          tags: ['workflows'],
          summary: 'Counts by state, success rate, mean duration, where runs fail',
          params: workflowParams,
          response: { 200: workflowStats, ...errorResponses },
        },
      },
      async (request) => statsView(await engine.stats(request.params.name)),
    );
    return Promise.resolve();
  };
