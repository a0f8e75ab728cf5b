/**
 * Software delivery over HTTP, in two route families sharing one implementation: the
 * specification's `/api/workflows/…` (a run is a `workflow_id`, a project a `project_id`) and
 * Baton's `/api/delivery/…` (`run_id`). Start a change for a project, advance it, send work back,
 * roll back, and read status, audit trail and project stats. 409 names the allowed next states,
 * 403 the role that owns the current state (or the role the caller does not hold). Every call
 * acts as `request.actor`, the authenticated caller. Live events: the run and session streams as
 * for every run (session `delivery:<project>`).
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Engine } from '../../engine/index.js';
import type { MarkedAuditEntry } from './rollback.js';
import { ProjectName } from './parameters.js';
import { AdvanceRequest, RetryRequest, RollbackRequest, StartDelivery, StartWorkflow } from './requests.js';
import type { AuditEntryView } from './contracts.js';
import { DeliveryHistoryView, DeliveryStatusView } from './contracts.js';
import { DeliveryService } from './service.js';
import { DELIVERY_STATES } from './states.js';
import type { DeliveryStatus } from './status.js';
import { errorResponses } from '../../server/schemas.js';
import { InvalidParametersError } from '../../errors/index.js';

const TAGS = ['software delivery'];
const iso = (ms: number): string => new Date(ms).toISOString();
const state = z.enum(DELIVERY_STATES);

const runParams = z.object({ run_id: z.string().min(1) });
const projectParams = z.object({ project: ProjectName });
// The specification's names for the same things.
const workflowParams = z.object({ workflow_id: z.string().min(1) });
const specProjectParams = z.object({ project_id: ProjectName });

// The answers' shapes are the contracts' (the dashboard reads the same declarations).
const deliveryStatus = DeliveryStatusView.meta({ id: 'DeliveryStatus' });
const deliveryHistory = DeliveryHistoryView.meta({ id: 'DeliveryHistory' });

const stateCounts = z.array(z.object({ state, count: z.number().int() }));
const projectStats = z
  .object({
    project: z.string(),
    project_id: z.string().describe('the project again, as the specification names it'),
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

const ADVANCE_SUMMARY =
  "The owning role hands in the current state's output (409: not allowed from this state, naming the allowed ones; 403: another role owns it, or the caller does not hold the role; 422 from TESTING: a test case handed over is not accounted for)";
const RETRY_SUMMARY =
  "The owning role sends the work back to the previous role's state (or another earlier one its state allows), with reasons recorded in the audit trail";
const ROLLBACK_SUMMARY = 'Send the run back to the previous state or a named earlier one (from ERROR: the failed state or earlier), with an audit event';
const HISTORY_SUMMARY = 'The audit trail: every handoff, submission, retry, failure and rollback, in order, each naming who triggered it';
const STATUS_SUMMARY = 'State, owner, progress, completed states and what is expected next';
const STATS_SUMMARY = "A project's runs: by state, success rate, mean duration, where runs fail, go back or are rolled back most";

export const deliveryRoutes =
  (engine: Engine): FastifyPluginAsyncZod =>
  (app) => {
    const delivery = new DeliveryService(engine);
    const failures = errorResponses;
    const history = async (runId: string): Promise<z.output<typeof deliveryHistory>> => {
      const h = await delivery.history(runId);
      return { ...h, trail: h.trail.map(entryView) };
    };
    const stats = async (project: string): Promise<z.output<typeof projectStats>> => ({ ...(await delivery.projectStats(project)), project_id: project });

    // ---- /api/delivery/… ------------------------------------------------------------------

    app.post(
      '/api/delivery/runs',
      { schema: { tags: TAGS, summary: 'Start a change for a project at DISCOVERY', body: StartDelivery, response: { 202: deliveryStatus, ...failures } } },
      async (request, reply) => reply.code(202).send(statusView(await delivery.start(request.body, { actor: request.actor }))),
    );

    app.get(
      '/api/delivery/runs/:run_id',
      { schema: { tags: TAGS, summary: STATUS_SUMMARY, params: runParams, response: { 200: deliveryStatus, ...failures } } },
      async (request) => statusView(await delivery.status(request.params.run_id)),
    );

    app.post(
      '/api/delivery/runs/:run_id/advance',
      { schema: { tags: TAGS, summary: ADVANCE_SUMMARY, params: runParams, body: AdvanceRequest, response: { 200: deliveryStatus, ...failures } } },
      async (request) => statusView(await delivery.advance(request.params.run_id, request.body, { actor: request.actor })),
    );

    app.post(
      '/api/delivery/runs/:run_id/request-retry',
      { schema: { tags: TAGS, summary: RETRY_SUMMARY, params: runParams, body: RetryRequest, response: { 200: deliveryStatus, ...failures } } },
      async (request) => statusView(await delivery.requestRetry(request.params.run_id, request.body, { actor: request.actor })),
    );

    app.post(
      '/api/delivery/runs/:run_id/rollback',
      {
        // Fastify hands a missing body to validation as null.
        schema: { tags: TAGS, summary: ROLLBACK_SUMMARY, params: runParams, body: RollbackRequest.nullish(), response: { 200: deliveryStatus, ...failures } },
      },
      async (request) => statusView(await delivery.rollback(request.params.run_id, request.body ?? {}, { actor: request.actor })),
    );

    app.get(
      '/api/delivery/runs/:run_id/history',
      { schema: { tags: TAGS, summary: HISTORY_SUMMARY, params: runParams, response: { 200: deliveryHistory, ...failures } } },
      async (request) => history(request.params.run_id),
    );

    app.get(
      '/api/delivery/projects/:project/stats',
      { schema: { tags: TAGS, summary: STATS_SUMMARY, params: projectParams, response: { 200: projectStats, ...failures } } },
      async (request) => stats(request.params.project),
    );

    // ---- the specification's /api/workflows/… ----------------------------------------------
    // Beside the server's GET /api/workflows, GET /api/workflows/{name}/stats and the stream at
    // /api/workflows/{workflow_id}/stream: the router tells them apart by their last segment
    // (and the static `project` before a parameter), so none of them moves.

    app.post(
      '/api/workflows/:project_id/start',
      {
        schema: {
          tags: TAGS,
          summary: "Start a change for a project at DISCOVERY (the specification's path; the same as POST /api/delivery/runs)",
          params: specProjectParams,
          body: StartWorkflow,
          response: { 202: deliveryStatus, ...failures },
        },
      },
      async (request, reply) => {
        const project = request.params.project_id;
        if (request.body.project !== undefined && request.body.project !== project) {
          throw new InvalidParametersError('the request names two projects', [
            { path: 'body.project', message: `is "${request.body.project}", but the path's project is "${project}": send one, or the same` },
          ]);
        }
        return reply.code(202).send(statusView(await delivery.start({ ...request.body, project }, { actor: request.actor })));
      },
    );

    app.post(
      '/api/workflows/:workflow_id/advance',
      { schema: { tags: TAGS, summary: ADVANCE_SUMMARY, params: workflowParams, body: AdvanceRequest, response: { 200: deliveryStatus, ...failures } } },
      async (request) => statusView(await delivery.advance(request.params.workflow_id, request.body, { actor: request.actor })),
    );

    app.get(
      '/api/workflows/:workflow_id/status',
      { schema: { tags: TAGS, summary: STATUS_SUMMARY, params: workflowParams, response: { 200: deliveryStatus, ...failures } } },
      async (request) => statusView(await delivery.status(request.params.workflow_id)),
    );

    app.post(
      '/api/workflows/:workflow_id/request-retry',
      { schema: { tags: TAGS, summary: RETRY_SUMMARY, params: workflowParams, body: RetryRequest, response: { 200: deliveryStatus, ...failures } } },
      async (request) => statusView(await delivery.requestRetry(request.params.workflow_id, request.body, { actor: request.actor })),
    );

    app.get(
      '/api/workflows/:workflow_id/history',
      { schema: { tags: TAGS, summary: HISTORY_SUMMARY, params: workflowParams, response: { 200: deliveryHistory, ...failures } } },
      async (request) => history(request.params.workflow_id),
    );

    app.get(
      '/api/workflows/project/:project_id/stats',
      { schema: { tags: TAGS, summary: STATS_SUMMARY, params: specProjectParams, response: { 200: projectStats, ...failures } } },
      async (request) => stats(request.params.project_id),
    );

    app.post(
      '/api/workflows/:workflow_id/rollback',
      {
        schema: {
          tags: TAGS,
          summary: ROLLBACK_SUMMARY,
          params: workflowParams,
          body: RollbackRequest.nullish(),
          response: { 200: deliveryStatus, ...failures },
        },
      },
      async (request) => statusView(await delivery.rollback(request.params.workflow_id, request.body ?? {}, { actor: request.actor })),
    );
    return Promise.resolve();
  };
