/** The seeds' orchestrator routes: extract season parameters from words; start a workflow for a session (it proceeds in the background). */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Engine } from '../../engine/index.js';
import { BatonError } from '../../errors/index.js';
import { extractParameters, type LlmSettings } from '../../llm/index.js';
import { errorResponses, extractedParameters, extractParametersBody, runStarted, runWorkflowBody } from '../schemas.js';

export const orchestratorRoutes =
  (engine: Engine, defaultWorkflow: string | undefined, llm: LlmSettings | null): FastifyPluginAsyncZod =>
  (app) => {
    app.post(
      '/api/orchestrator/extract-parameters',
      {
        schema: {
          tags: ['orchestrator'],
          summary: 'Season parameters from plain words: 400 when something is missing, 422 when out of range, 503 when the language model is unavailable',
          body: extractParametersBody,
          response: { 200: extractedParameters, ...errorResponses },
        },
      },
      (request) =>
        extractParameters(request.body.strategy_description, {
          llm,
          ...(request.body.reference_date === undefined ? {} : { referenceDate: request.body.reference_date }),
          ...(request.body.mode === undefined ? {} : { mode: request.body.mode }),
        }),
    );

    app.post(
      '/api/orchestrator/run-workflow',
      {
        schema: {
          tags: ['orchestrator'],
          summary: 'Start a run for a session; returns at once, the run streams to the session',
          body: runWorkflowBody,
          response: { 202: runStarted, ...errorResponses },
        },
      },
      async (request, reply) => {
        const workflow = request.body.workflow ?? defaultWorkflow ?? (engine.workflowNames().length === 1 ? engine.workflowNames()[0] : undefined);
        if (workflow === undefined) {
          throw new BatonError('INCOMPLETE_INPUT', 'name the workflow to run', {
            details: { issues: [{ path: 'body.workflow', message: 'is required' }] },
            suggestions: [`workflows: ${engine.workflowNames().join(', ')}`],
          });
        }
        const run = await engine.startRun(workflow, request.body.parameters, {
          sessionId: request.body.session_id,
          actor: request.actor,
          ...(request.body.idempotency_key === undefined ? {} : { idempotencyKey: request.body.idempotency_key }),
        });
        return reply.code(202).send({ run_id: run.id, workflow_id: run.id, status: run.state });
      },
    );
    return Promise.resolve();
  };
