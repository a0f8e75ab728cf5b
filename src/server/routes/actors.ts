/**
 * People and services (actors), their roles and tokens: admin-scope routes over the actors'
 * directory, and `GET /api/me`, which tells any caller who the server takes it for.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { Actor, ActorKind, ActorName, ActorRecord, ActorScope, IssuedToken, RoleName, TokenRecord } from '../../actors/contracts.js';
import type { ActorDirectory } from '../../actors/directory.js';
import { errorResponses } from '../schemas.js';

const actorParams = z.object({ actor_id: z.string().min(1).max(128).describe("the actor's id or name") });
const tokenParams = actorParams.extend({ token_id: z.string().min(1).max(64) });
const label = z.string().trim().min(1).max(100).describe('what the token is for, e.g. "laptop" or "ci"');

const newActorBody = z.strictObject({
  name: ActorName,
  kind: ActorKind.default('person'),
  scope: ActorScope.default('write'),
  roles: z.array(RoleName).max(32).default([]),
  label: label.optional(),
});
const newTokenBody = z.strictObject({ label: label.optional() }).default({});
const rolesBody = z.strictObject({ roles: z.array(RoleName).max(32) });

const actorList = z.object({ actors: z.array(ActorRecord) });
const created = z.object({
  actor: ActorRecord,
  token: IssuedToken.describe('the secret is in `token`: shown this once, stored only as a salted hash'),
});
const me = Actor.extend({
  mode: z
    .enum(['local', 'api-token', 'actor', 'anonymous'])
    .describe(
      "local: no token needed (no actor and no BATON_API_TOKEN); api-token: BATON_API_TOKEN; actor: an actor's token; anonymous: BATON_PUBLIC_READ without a token",
    ),
});

/** Only admins manage actors (installAuth reads `batonScope`). */
const admin = { batonScope: 'admin' } as const;
const TAGS = ['actors'];

export const actorRoutes =
  (actors: ActorDirectory): FastifyPluginAsyncZod =>
  (app) => {
    app.get(
      '/api/me',
      { schema: { tags: TAGS, summary: 'Who the server takes the caller for: name, roles and scope', response: { 200: me, ...errorResponses } } },
      (request) => {
        const { actor } = request;
        const mode = actor.id === 'local' ? 'local' : actor.id === 'api-token' ? 'api-token' : actor.id === 'anonymous' ? 'anonymous' : 'actor';
        return { ...actor, mode } as const;
      },
    );

    app.get(
      '/api/actors',
      {
        config: admin,
        schema: { tags: TAGS, summary: 'Actors (revoked ones too) with their tokens, never their secrets', response: { 200: actorList, ...errorResponses } },
      },
      async () => ({ actors: await actors.list() }),
    );

    app.post(
      '/api/actors',
      {
        config: admin,
        schema: {
          tags: TAGS,
          summary: 'Add an actor and mint its first token (shown once)',
          body: newActorBody,
          response: { 201: created, ...errorResponses },
        },
      },
      async (request, reply) => reply.code(201).send(await actors.add(request.body)),
    );

    app.post(
      '/api/actors/:actor_id/tokens',
      {
        config: admin,
        schema: {
          tags: TAGS,
          summary: 'Mint another token for an actor (shown once)',
          params: actorParams,
          body: newTokenBody,
          response: { 201: IssuedToken, ...errorResponses },
        },
      },
      async (request, reply) => reply.code(201).send(await actors.issueToken(request.params.actor_id, request.body.label)),
    );

    app.delete(
      '/api/actors/:actor_id',
      {
        config: admin,
        schema: { tags: TAGS, summary: 'Revoke an actor and all its tokens', params: actorParams, response: { 200: ActorRecord, ...errorResponses } },
      },
      async (request) => actors.revoke(request.params.actor_id),
    );

    app.delete(
      '/api/actors/:actor_id/tokens/:token_id',
      {
        config: admin,
        schema: { tags: TAGS, summary: "Revoke one of an actor's tokens", params: tokenParams, response: { 200: TokenRecord, ...errorResponses } },
      },
      async (request) => actors.revokeToken(request.params.token_id, request.params.actor_id),
    );

    app.put(
      '/api/actors/:actor_id/roles',
      {
        config: admin,
        schema: { tags: TAGS, summary: "Replace an actor's roles", params: actorParams, body: rolesBody, response: { 200: ActorRecord, ...errorResponses } },
      },
      async (request) => actors.setRoles(request.params.actor_id, request.body.roles),
    );
    return Promise.resolve();
  };
