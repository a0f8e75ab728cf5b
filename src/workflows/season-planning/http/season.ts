/** Season planning's routes: weekly actuals into a run, and the plans its agents wrote (the seeds' read endpoints). */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Engine } from '../../../engine/index.js';
import { BatonError } from '../../../errors/index.js';
import { inputError } from '../../../errors/zod-issues.js';
import { weeklyActuals, postActuals } from '../actuals-intake.js';
import { parseActualsCsv } from '../actuals-csv.js';
import { DELIMITERS } from '../data/csv-conventions.js';
import { clusterSnapshotStores } from '../clusters.js';
import type { ContextAssembler } from '../context.js';
import type { SeasonData } from '../data/index.js';
import { SEASON_PLANNING } from '../workflow.js';
import { allocationReport, forecastReport, markdownReport, varianceReport } from '../reports.js';
import { errorResponses, runIdParams, runStatus } from '../../../server/schemas.js';
import { runView } from '../../../server/views.js';

/** Plans are documents whose fields the docs list; the API passes them through as the agents wrote them. */
const planDocument = (id: string, description: string) => z.object({ run_id: z.string() }).loose().describe(description).meta({ id });

const ACTUALS_CSV_LIMIT = 16 * 1_048_576;

const actualsCsvQuery = z.strictObject({
  week: z.coerce.number().int().min(1).max(52).describe('The season week posted (the one the run waits for)'),
  partial: z
    .enum(['true', 'false'])
    .optional()
    .transform((value) => value === 'true')
    .describe("true: the file lacks some planned series (stores that have not reported): they are left out of the week's comparison"),
  confirm_unusual: z
    .enum(['true', 'false'])
    .optional()
    .transform((value) => value === 'true')
    .describe('true: post a week 10× its forecast or more, or with sales a twentieth or less (refused otherwise as another measure or another file)'),
  corrections: z
    .enum(['true', 'false'])
    .optional()
    .transform((value) => value === 'true')
    .describe("true: the rows of earlier weeks correct figures their week holds (each replaces its week's figure) instead of adding late series"),
  delimiter: z.enum(DELIMITERS).optional().describe('What separates the fields: , (default), ; (figures may then use decimal commas) or tab'),
  name: z.string().max(200).optional().describe('The file name to show in errors'),
});

export const seasonRoutes =
  (engine: Engine, data: SeasonData, assembler: ContextAssembler, uploadLimit: number): FastifyPluginAsyncZod =>
  (app) => {
    // A week's file is read whole, unlike the history's streamed uploads: a few megabytes at most (200,000 rows of
    // short ids), so it is held to 16 MiB whatever larger limit the history's uploads have.
    const csvLimit = Math.min(uploadLimit, ACTUALS_CSV_LIMIT);
    app.addContentTypeParser(['text/csv', 'text/plain'], { parseAs: 'string', bodyLimit: csvLimit }, (_request, body, done) => done(null, body));
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
    app.post(
      '/api/runs/:run_id/actuals/csv',
      {
        bodyLimit: csvLimit,
        schema: {
          tags: ['season planning'],
          summary:
            "A week's actual sales as CSV (store_id,category_id,units_sold; Content-Type: text/csv); a week column adds late rows of earlier weeks (series they were posted without), or with corrections=true corrects figures they hold",
          params: runIdParams,
          querystring: actualsCsvQuery,
          consumes: ['text/csv', 'text/plain'],
          body: z.string().meta({ type: 'string', description: 'CSV text (Content-Type: text/csv)' }),
          response: { 200: runStatus, ...errorResponses },
        },
      },
      async (request) => {
        const { week, partial, confirm_unusual: confirmUnusual, corrections, delimiter, name } = request.query;
        const { sales, late: earlier, measure } = parseActualsCsv(request.body, name ?? 'actuals.csv', week, delimiter);
        const body = {
          week,
          sales,
          ...(measure ? { measure } : {}),
          ...(partial ? { partial } : {}),
          ...(confirmUnusual ? { confirm_unusual: true } : {}),
          ...(earlier.length > 0 ? (corrections ? { corrections: earlier } : { late: earlier }) : {}),
        };
        const parsed = weeklyActuals.safeParse(body);
        if (!parsed.success) throw inputError('the weekly actuals', body, parsed.error);
        return runView(await postActuals(engine, data, request.params.run_id, parsed.data, request.actor));
      },
    );

    const read = (path: string, summary: string, id: string, report: (runId: string) => Promise<{ run_id: string }>) =>
      app.get(
        path,
        { schema: { tags: ['season planning'], summary, params: runIdParams, response: { 200: planDocument(id, summary), ...errorResponses } } },
        async (request) => {
          // A run that does not exist, or is not a season, is said as such, not as a plan still to come.
          const run = await engine.getRun(request.params.run_id);
          if (run.workflow !== SEASON_PLANNING) {
            throw new BatonError('NOT_FOUND', `run "${run.id}" is a ${run.workflow} run: only season-planning runs have plans`, {
              details: { run_id: run.id, workflow: run.workflow },
              suggestions: ['name a season-planning run (GET /api/runs?workflow=season-planning)'],
            });
          }
          return report(run.id);
        },
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
        const clustering = await clusterSnapshotStores(await assembler.snapshot());
        return { ...clustering, silhouette_by_k: clustering.silhouetteByK };
      },
    );
    return Promise.resolve();
  };
