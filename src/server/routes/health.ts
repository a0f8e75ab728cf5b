/** Liveness plus database reachability. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { RunStore } from '../../store/index.js';
import { health } from '../schemas.js';

export const healthRoutes =
  (store: RunStore): FastifyPluginAsyncZod =>
  (app) => {
    app.get(
      '/health',
      { schema: { tags: ['health'], summary: 'Liveness and database reachability', response: { 200: health, 503: health } } },
      async (request, reply) => {
        try {
          await store.ping();
          return { status: 'ok' as const, database: 'ok' as const, store: store.dialect };
        } catch (error) {
          request.log.error({ err: error }, 'database unreachable');
          return reply.code(503).send({ status: 'degraded', database: 'unreachable', store: store.dialect });
        }
      },
    );
    return Promise.resolve();
  };
