/** The audit: who decided what across runs (starts, approvals and votes, submissions, actuals, cancels, retries, rollbacks). */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ActorDirectory } from '../../actors/directory.js';
import { Decision } from '../../engine/contracts.js';
import type { Engine } from '../../engine/index.js';
import { MAX_DECISIONS } from '../../engine/decisions.js';
import { NotFoundError } from '../../errors/index.js';
import { errorResponses } from '../schemas.js';

// An offset is allowed ('2027-01-04T09:00:00+01:00'): people paste times from where they are.
const instant = z.iso.datetime({ offset: true }).or(z.iso.date());

const auditQuery = z.strictObject({
  actor: z.string().min(1).max(128).optional().describe("only this actor's decisions: an actor's name or id (also `local`, `api-token`, `os:<user>`)"),
  since: instant.optional().describe('from this time on, included (ISO 8601 date or time)'),
  until: instant.optional().describe('before this time'),
  limit: z.coerce.number().int().min(1).max(MAX_DECISIONS).default(100),
});

const auditAnswer = z.object({
  decisions: z.array(Decision),
  /** Set when `limit` cut the list: ask again with `since` = this time for the next ones (decisions at that very time come again). */
  next_since: z.string().nullable(),
});

export const auditRoutes =
  (engine: Engine, actors: ActorDirectory): FastifyPluginAsyncZod =>
  (app) => {
    app.get(
      '/api/audit',
      {
        schema: {
          tags: ['audit'],
          summary: 'Decisions across runs, oldest first: who started, approved, submitted, cancelled, retried or rolled back what',
          querystring: auditQuery,
          response: { 200: auditAnswer, ...errorResponses },
        },
      },
      async (request) => {
        const { actor, since, until, limit } = request.query;
        const decisions = await engine.decisions({
          ...(actor === undefined ? {} : { actorId: await actorIdOf(actors, actor) }),
          ...(since === undefined ? {} : { since: new Date(since) }),
          ...(until === undefined ? {} : { until: new Date(until) }),
          limit,
        });
        return { decisions, next_since: decisions.length === limit ? (decisions.at(-1)?.at ?? null) : null };
      },
    );
    return Promise.resolve();
  };

/** A name is what people type; decisions record ids. Ids outside the directory (local, api-token, os:<user>) are taken as given. */
async function actorIdOf(actors: ActorDirectory, key: string): Promise<string> {
  try {
    return (await actors.get(key)).id;
  } catch (error) {
    if (error instanceof NotFoundError) return key;
    throw error;
  }
}
