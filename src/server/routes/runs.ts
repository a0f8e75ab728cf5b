/** Runs: list, status, events, handoff history, cancel, retry, rollback, and resolving what a run waits for. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Engine } from '../../engine/index.js';
import {
  approvalBody,
  approvalParams,
  cancelBody,
  errorResponses,
  eventList,
  eventsQuery,
  handoffList,
  rollbackBody,
  runIdParams,
  runList,
  runListQuery,
  runStatus,
} from '../schemas.js';
import { eventView, handoffView, runView } from '../views.js';

export const runRoutes =
  (engine: Engine): FastifyPluginAsyncZod =>
  (app) => {
    app.get(
      '/api/runs',
      { schema: { tags: ['runs'], summary: 'List runs', querystring: runListQuery, response: { 200: runList, ...errorResponses } } },
      async (request) => {
        const { workflow, state, session_id, limit, offset } = request.query;
        const { runs, total } = await engine.listRuns({
          ...(workflow === undefined ? {} : { workflow }),
          ...(state === undefined ? {} : { state }),
          ...(session_id === undefined ? {} : { sessionId: session_id }),
          limit,
          offset,
        });
        return { runs: runs.map(runView), total, limit, offset };
      },
    );

    app.get(
      '/api/runs/:run_id',
      { schema: { tags: ['runs'], summary: 'Status of a run', params: runIdParams, response: { 200: runStatus, ...errorResponses } } },
      async (request) => runView(await engine.status(request.params.run_id)),
    );

    app.get(
      '/api/runs/:run_id/events',
      {
        schema: {
          tags: ['runs'],
          summary: 'Events of a run after `since`',
          params: runIdParams,
          querystring: eventsQuery,
          response: { 200: eventList, ...errorResponses },
        },
      },
      async (request) => ({ events: (await engine.readEvents(request.params.run_id, request.query.since, request.query.limit)).map(eventView) }),
    );

    app.get(
      '/api/runs/:run_id/history',
      {
        schema: {
          tags: ['runs'],
          summary: 'Handoffs: which agent passed what to which',
          params: runIdParams,
          response: { 200: handoffList, ...errorResponses },
        },
      },
      async (request) => ({ handoffs: (await engine.history(request.params.run_id)).map(handoffView) }),
    );

    app.post(
      '/api/runs/:run_id/cancel',
      {
        schema: {
          tags: ['runs'],
          summary: 'Cancel a running or waiting run',
          params: runIdParams,
          body: cancelBody,
          response: { 200: runStatus, ...errorResponses },
        },
      },
      async (request) => runView(await engine.cancelRun(request.params.run_id, request.body?.reason, { actor: request.actor })),
    );

    app.post(
      '/api/runs/:run_id/retry',
      { schema: { tags: ['runs'], summary: 'Retry a failed run from its failed step', params: runIdParams, response: { 200: runStatus, ...errorResponses } } },
      async (request) => runView(await engine.retryRun(request.params.run_id, { actor: request.actor })),
    );

    app.post(
      '/api/runs/:run_id/rollback',
      {
        schema: {
          tags: ['runs'],
          summary: 'Send a run back to an earlier phase',
          params: runIdParams,
          body: rollbackBody,
          response: { 200: runStatus, ...errorResponses },
        },
      },
      async (request) => runView(await engine.rollbackRun(request.params.run_id, request.body.to_phase, request.body.reason, { actor: request.actor })),
    );

    app.post(
      '/api/runs/:run_id/approvals/:approval_id',
      {
        schema: {
          tags: ['runs'],
          summary: 'Resolve what a run waits for: accept | modify (with data) | reject an approval, or submit data',
          params: approvalParams,
          body: approvalBody,
          response: { 200: runStatus, ...errorResponses },
        },
      },
      async (request) => runView(await engine.resolveWait(request.params.run_id, request.params.approval_id, request.body, { actor: request.actor })),
    );
    return Promise.resolve();
  };
