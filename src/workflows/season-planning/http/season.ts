/** Season planning's routes: weekly actuals into a run, and the plans its agents wrote (the seeds' read endpoints). */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Engine } from '../../../engine/index.js';
import { weeklyActuals, postActuals } from '../actuals-intake.js';
import { clusterSnapshotStores } from '../clusters.js';
import type { ContextAssembler } from '../context.js';
import type { SeasonData } from '../data/index.js';
import { allocationReport, forecastReport, markdownReport, varianceReport } from '../reports.js';
import { errorResponses, runIdParams, runStatus } from '../../../server/schemas.js';
import { runView } from '../../../server/views.js';

/** Plans are documents whose fields the docs list; the API passes them through as the agents wrote them. */
const planDocument = (id: string, description: string) => z.object({ run_id: z.string() }).loose().describe(description).meta({ id });

export const seasonRoutes =
  (engine: Engine, data: SeasonData, assembler: ContextAssembler): FastifyPluginAsyncZod =>
  (app) => {
    app.post(
      '/api/runs/:run_id/actuals',
      {
        schema: {
          tags: ['season planning'],
          summary: "A week's actual sales for a season-planning run waiting for them (409 for another week or when it is not waiting)",
          params: runIdParams,
          body: weeklyActuals,
          response: { 200: runStatus, ...errorResponses },
        },
      },
      async (request) => runView(await postActuals(engine, data, request.params.run_id, request.body, request.actor)),
    );

    const read = (path: string, summary: string, id: string, report: (runId: string) => Promise<{ run_id: string }>) =>
      app.get(
        path,
        { schema: { tags: ['season planning'], summary, params: runIdParams, response: { 200: planDocument(id, summary), ...errorResponses } } },
        (request) => report(request.params.run_id),
      );
    read('/api/forecasts/:run_id', 'The latest forecast of every store × category series, with intervals and earlier revisions', 'ForecastPlan', (id) =>
      forecastReport(data, id),
    );
    read('/api/allocations/:run_id', 'Units per store (with cluster, received, sold, on hand) and at the DC', 'AllocationPlan', (id) =>
      allocationReport(data, id),
    );
    read('/api/variance/:run_id', 'Weekly actuals against the forecast they were judged by', 'VarianceReport', (id) => varianceReport(data, id));
    read('/api/markdowns/:run_id', 'Markdown decisions: recommendation, revenue with and without, what was chosen', 'MarkdownDecisions', (id) =>
      markdownReport(data, id),
    );

    app.get(
      '/api/stores/clusters',
      {
        schema: {
          tags: ['season planning'],
          summary: 'Stores clustered by their attributes and sales profile (k by silhouette), from the current data',
          response: { 200: z.object({ k: z.number().int(), silhouette: z.number().nullable() }).loose().meta({ id: 'StoreClusters' }), ...errorResponses },
        },
      },
      async () => {
        const clustering = clusterSnapshotStores(await assembler.snapshot());
        return { ...clustering, silhouette_by_k: clustering.silhouetteByK };
      },
    );
    return Promise.resolve();
  };
