/** Liveness plus database reachability, naming the node that answers (several nodes may share the database). */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { RunStore } from '../../store/index.js';
import { health } from '../schemas.js';

/** The answer with the node's id: behind a load balancer, says which node answered. */
const nodeHealth = health.extend({ node: z.string().optional() });

export const healthRoutes =
  (store: RunStore, nodeId?: string): FastifyPluginAsyncZod =>
  (app) => {
    const node = nodeId === undefined ? {} : { node: nodeId };
    app.get(
      '/health',
      { schema: { tags: ['health'], summary: 'Liveness and database reachability', response: { 200: nodeHealth, 503: nodeHealth } } },
      async (request, reply) => {
        try {
          await store.ping();
          return { status: 'ok' as const, database: 'ok' as const, store: store.dialect, ...node };
        } catch (error) {
          request.log.error({ err: error }, 'database unreachable');
          return reply.code(503).send({ status: 'degraded', database: 'unreachable', store: store.dialect, ...node });
        }
      },
    );
    return Promise.resolve();
  };
