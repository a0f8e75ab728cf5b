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

/** A page's end as an opaque token: the last decision's time, run and seq, so the next page starts strictly after it. */
const cursorOf = (d: Decision): string => Buffer.from(JSON.stringify([Date.parse(d.at), d.run_id, d.seq])).toString('base64url');
const CursorParts = z.tuple([z.number().int().nonnegative(), z.string().min(1).max(200), z.number().int().nonnegative()]);
const cursor = z
  .string()
  .max(400)
  .transform((token, ctx) => {
    try {
      const parts = CursorParts.parse(JSON.parse(Buffer.from(token, 'base64url').toString('utf8')));
      return { at: parts[0], runId: parts[1], seq: parts[2] };
    } catch {
      ctx.addIssue({ code: 'custom', message: "is not a cursor this API gave (use a page's `next`)" });
      return z.NEVER;
    }
  });

const auditQuery = z.strictObject({
  actor: z.string().min(1).max(128).optional().describe("only this actor's decisions: an actor's name or id (also `local`, `api-token`, `os:<user>`)"),
  since: instant.optional().describe('from this time on, included (ISO 8601 date or time)'),
  until: instant.optional().describe('before this time'),
  after: cursor.optional().describe("the decisions after this cursor: the previous page's `next`"),
  limit: z.coerce.number().int().min(1).max(MAX_DECISIONS).default(100),
});

const auditAnswer = z.object({
  decisions: z.array(Decision),
  /** Set when `limit` cut the list: ask again with `after` = this (and the same filters) for the next page; each decision comes once. */
  next: z.string().nullable(),
  /** The last decision's time when `limit` cut the list. Kept for older clients: `since` includes it, so that decision comes again; use `next`. */
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
        const { actor, since, until, after, limit } = request.query;
        const decisions = await engine.decisions({
          ...(actor === undefined ? {} : { actorId: await actorIdOf(actors, actor) }),
          ...(since === undefined ? {} : { since: new Date(since) }),
          ...(until === undefined ? {} : { until: new Date(until) }),
          ...(after === undefined ? {} : { after }),
          limit,
        });
        const last = decisions.length === limit ? decisions.at(-1) : undefined;
        return { decisions, next: last ? cursorOf(last) : null, next_since: last?.at ?? null };
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
