/** Workflows: what can be run, and how their runs fare. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Engine } from '../../engine/index.js';
import { errorResponses, workflowList, workflowParams, workflowStats } from '../schemas.js';
import type { WorkflowView } from '../modules.js';
import { statsView, workflowView } from '../views.js';

export const workflowRoutes =
  (engine: Engine, views: readonly WorkflowView[] = []): FastifyPluginAsyncZod =>
  (app) => {
    // The dashboard picks a workflow's view by name; a workflow without one shows the generic event log.
    const viewOf = (name: string) => views.find((v) => v.workflow === name) ?? { view: 'generic', title: name };
    app.get('/api/workflows', { schema: { tags: ['workflows'], summary: 'Registered workflows and their phases', response: { 200: workflowList } } }, () => ({
      workflows: engine.workflowNames().map((name) => {
        const { view, title } = viewOf(name);
        return { ...workflowView(engine.workflow(name)), view, title };
      }),
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
