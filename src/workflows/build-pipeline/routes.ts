/**
 * The build pipeline's intake over HTTP: `POST /api/builds/ideas`, `GET /api/builds/ideas`, `GET /api/builds/ideas/{id}`
 * (with its builds) and `POST /api/builds/ideas/{id}/build`, which starts a build on request (an idea is never built
 * automatically): 202 with the build, 422 naming the score and the threshold when the score is 85 or less.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Engine } from '../../engine/index.js';
import { errorResponses } from '../../server/schemas.js';
import { BuildView, Idea, IdeaId, IdeaInput, StartBuild, VIABILITY_THRESHOLD } from './contracts.js';
import { BuildRecord } from './data/index.js';
import type { BuildServices } from './services.js';
import { BuildIntake } from './intake.js';

const TAGS = ['builds'];
/** How often a server checks the local target's apps against what runs. */
const RECONCILE_EVERY_MS = 30_000;

const queryInt = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d{1,9}$/, 'must be a whole number written in decimal digits')
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));

const ideaParams = z.object({ id: IdeaId });
const ideaView = Idea.meta({ id: 'BuildIdea' });
const buildView = BuildView.meta({ id: 'Build' });
const ideaWithBuilds = Idea.extend({ builds: z.array(BuildView) }).meta({ id: 'BuildIdeaWithBuilds' });
const ideaList = z.object({ ideas: z.array(Idea), total: z.number().int(), limit: z.number().int(), offset: z.number().int() });
const costRollup = z
  .object({ builds: z.array(BuildRecord), total: z.number().int(), monthly_cents: z.number().int(), limit: z.number().int(), offset: z.number().int() })
  .meta({ id: 'BuildCostRollup' });
const listQuery = z.strictObject({ limit: queryInt(1, 500).default(50), offset: queryInt(0, 1_000_000_000).default(0) });

export const buildRoutes =
  (engine: Engine, services: BuildServices): FastifyPluginAsyncZod =>
  (app) => {
    const { data } = services;
    const intake = new BuildIntake(engine, data);
    // After a restart the local target's recorded apps are matched with what runs (dead routers and slots restarted),
    // and again every RECONCILE_EVERY_MS, so a live release that dies after its watch is brought back without a
    // restart of Baton. Not awaited: a deploy the engine resumed holds its environment's lock for the whole release
    // (reconcile waits for it), and Fastify gives an onReady hook 10 s; the target's own locks order the two.
    const reconcile = () =>
      services
        .target('local')
        .reconcile()
        .then(
          (report) => {
            if (report.restarted.length + report.stopped.length > 0) app.log.info({ reconcile: report }, 'build pipeline: local target reconciled');
          },
          (error: unknown) => app.log.error({ err: error }, 'build pipeline: the local target could not be reconciled'),
        );
    let timer: NodeJS.Timeout | undefined;
    app.addHook('onReady', () => {
      void reconcile();
      timer = setInterval(() => void reconcile(), RECONCILE_EVERY_MS).unref();
      return Promise.resolve();
    });
    app.addHook('onClose', () => {
      clearInterval(timer);
      return Promise.resolve();
    });
    app.post(
      '/api/builds/ideas',
      { schema: { tags: TAGS, summary: 'Add an idea (it is not built until asked)', body: IdeaInput, response: { 201: ideaView, ...errorResponses } } },
      async (request, reply) => reply.code(201).send(await intake.addIdea(request.body, request.actor)),
    );
    app.get(
      '/api/builds/ideas',
      { schema: { tags: TAGS, summary: 'The ideas, newest first', querystring: listQuery, response: { 200: ideaList, ...errorResponses } } },
      async (request) => ({ ...(await intake.listIdeas(request.query)), ...request.query }),
    );
    app.get(
      '/api/builds/ideas/:id',
      { schema: { tags: TAGS, summary: 'An idea and its builds', params: ideaParams, response: { 200: ideaWithBuilds, ...errorResponses } } },
      async (request) => {
        const idea = await intake.idea(request.params.id);
        return { ...idea, builds: await intake.builds(idea.id) };
      },
    );
    app.post(
      '/api/builds/ideas/:id/build',
      {
        schema: {
          tags: TAGS,
          summary: `Start a build of the idea (on request; 422 when its viability score is ${VIABILITY_THRESHOLD} or less)`,
          params: ideaParams,
          // Fastify hands a missing body to validation as null.
          body: StartBuild.nullish(),
          response: { 202: buildView, ...errorResponses },
        },
      },
      async (request, reply) => reply.code(202).send(await intake.startBuild(request.params.id, request.body ?? {}, request.actor)),
    );
    app.get(
      '/api/builds/costs',
      {
        schema: {
          tags: TAGS,
          summary: 'Finished builds with their monthly cost per environment, and the sum across builds',
          querystring: listQuery,
          response: { 200: costRollup, ...errorResponses },
        },
      },
      async (request) => {
        const { records, total, monthly_cents } = await data.buildRecords(request.query);
        return { builds: records, total, monthly_cents, ...request.query };
      },
    );
    return Promise.resolve();
  };
