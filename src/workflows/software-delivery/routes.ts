/**
 * Software delivery over HTTP, under /api/delivery/: start a change for a project, advance it,
 * send work back, roll back, and read status, audit trail and project stats. 409 names the
 * allowed next states, 403 the role that owns the current state. Live events: the run and
 * session streams as for every run (session `delivery:<project>`).
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Engine } from '../../engine/index.js';
import type { MarkedAuditEntry } from './rollback.js';
import { ProjectName } from './parameters.js';
import { AdvanceRequest, RetryRequest, RollbackRequest, StartDelivery } from './requests.js';
import type { AuditEntryView } from './contracts.js';
import { DeliveryHistoryView, DeliveryStatusView } from './contracts.js';
import { DeliveryService } from './service.js';
import { DELIVERY_STATES } from './states.js';
import type { DeliveryStatus } from './status.js';
import { errorResponses } from '../../server/schemas.js';

const TAGS = ['software delivery'];
const iso = (ms: number): string => new Date(ms).toISOString();
const state = z.enum(DELIVERY_STATES);

const runParams = z.object({ run_id: z.string().min(1) });
const projectParams = z.object({ project: ProjectName });

// The answers' shapes are the contracts' (the dashboard reads the same declarations).
const deliveryStatus = DeliveryStatusView.meta({ id: 'DeliveryStatus' });
const deliveryHistory = DeliveryHistoryView.meta({ id: 'DeliveryHistory' });

const stateCounts = z.array(z.object({ state, count: z.number().int() }));
const projectStats = z
  .object({
    project: z.string(),
    runs: z.number().int(),
    by_state: z.record(z.string(), z.number().int()),
    completed: z.number().int(),
    failed: z.number().int(),
    cancelled: z.number().int(),
    in_progress: z.number().int(),
    success_rate: z.number().nullable(),
    mean_duration_ms: z.number().nullable(),
    failures_by_state: stateCounts,
    retries_by_state: stateCounts,
    rollbacks_by_state: stateCounts,
  })
  .meta({ id: 'DeliveryProjectStats' });

const statusView = (s: DeliveryStatus): z.output<typeof deliveryStatus> => ({
  ...s,
  created_at: iso(s.created_at),
  updated_at: iso(s.updated_at),
  finished_at: s.finished_at === null ? null : iso(s.finished_at),
});
const entryView = (e: MarkedAuditEntry): AuditEntryView => ({ ...e, at: iso(e.at) });

export const deliveryRoutes =
  (engine: Engine): FastifyPluginAsyncZod =>
  (app) => {
    const delivery = new DeliveryService(engine);
    const failures = errorResponses;

    app.post(
      '/api/delivery/runs',
      { schema: { tags: TAGS, summary: 'Start a change for a project at DISCOVERY', body: StartDelivery, response: { 202: deliveryStatus, ...failures } } },
      async (request, reply) => reply.code(202).send(statusView(await delivery.start(request.body))),
    );

    app.get(
      '/api/delivery/runs/:run_id',
      {
        schema: {
          tags: TAGS,
          summary: 'State, owner, progress, completed states and what is expected next',
          params: runParams,
          response: { 200: deliveryStatus, ...failures },
        },
      },
      async (request) => statusView(await delivery.status(request.params.run_id)),
    );

    app.post(
      '/api/delivery/runs/:run_id/advance',
      {
        schema: {
          tags: TAGS,
          summary: "The owning role hands in the current state's output (409: not allowed from this state, naming the allowed ones; 403: another role owns it)",
          params: runParams,
          body: AdvanceRequest,
          response: { 200: deliveryStatus, ...failures },
        },
      },
      async (request) => statusView(await delivery.advance(request.params.run_id, request.body)),
    );

    app.post(
      '/api/delivery/runs/:run_id/request-retry',
      {
        schema: {
          tags: TAGS,
          summary: 'The owning role sends the work back with reasons (TESTING or VERIFICATION → IMPLEMENTATION)',
          params: runParams,
          body: RetryRequest,
          response: { 200: deliveryStatus, ...failures },
        },
      },
      async (request) => statusView(await delivery.requestRetry(request.params.run_id, request.body)),
    );

    app.post(
      '/api/delivery/runs/:run_id/rollback',
      {
        schema: {
          tags: TAGS,
          summary: 'Send the run back to the previous state or a named earlier one (from ERROR: the failed state or earlier), with an audit event',
          params: runParams,
          // Fastify hands a missing body to validation as null.
          body: RollbackRequest.nullish(),
          response: { 200: deliveryStatus, ...failures },
        },
      },
      async (request) => statusView(await delivery.rollback(request.params.run_id, request.body ?? {})),
    );

    app.get(
      '/api/delivery/runs/:run_id/history',
      {
        schema: {
          tags: TAGS,
          summary: 'The audit trail: every handoff, submission, retry, failure and rollback, in order',
          params: runParams,
          response: { 200: deliveryHistory, ...failures },
        },
      },
      async (request) => {
        const history = await delivery.history(request.params.run_id);
        return { ...history, trail: history.trail.map(entryView) };
      },
    );

    app.get(
      '/api/delivery/projects/:project/stats',
      {
        schema: {
          tags: TAGS,
          summary: "A project's runs: by state, success rate, mean duration, where runs fail, go back or are rolled back most",
          params: projectParams,
          response: { 200: projectStats, ...failures },
        },
      },
      async (request): Promise<z.output<typeof projectStats>> => delivery.projectStats(request.params.project),
    );
    return Promise.resolve();
  };
