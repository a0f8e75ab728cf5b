/**
 * Who acts on Baton: people and services (actors) with roles and a scope, and the reference a
 * decision records of them. Pure (zod only): the engine, the server and the dashboard share it.
 */
import { z } from 'zod';

/** read: runs and streams only; write: also start runs and decide; admin: also manage actors. */
export const ACTOR_SCOPES = ['read', 'write', 'admin'] as const;
export const ActorScope = z.enum(ACTOR_SCOPES);
export type ActorScope = z.infer<typeof ActorScope>;

export const ACTOR_KINDS = ['person', 'service'] as const;
export const ActorKind = z.enum(ACTOR_KINDS);
export type ActorKind = z.infer<typeof ActorKind>;

/** A role name as waits require it (e.g. `buyer`, `developer`, `lead-builder`). */
export const RoleName = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[a-z][a-z0-9_-]*$/, 'lower-case letters, digits, - and _, starting with a letter');

/** Who made a decision, as runs' events, waits, history and the audit name them. */
export const ActorRef = z.object({
  id: z.string(),
  name: z.string(),
  /** The token the request carried (its id, never the secret); null in local single-user mode. */
  token_id: z.string().nullable(),
});
export type ActorRef = z.infer<typeof ActorRef>;

/** The caller a request was authenticated as. */
export const Actor = ActorRef.extend({
  kind: ActorKind,
  scope: ActorScope,
  roles: z.array(z.string()),
  /** Holds every role: the local single-user mode and the BATON_API_TOKEN admin, so setups from before actors keep working. */
  any_role: z.boolean(),
});
export type Actor = z.infer<typeof Actor>;

/** With no actor and no BATON_API_TOKEN configured: the one local user, as before actors existed. */
export const LOCAL_ACTOR: Actor = { id: 'local', name: 'local', token_id: null, kind: 'person', scope: 'admin', roles: [], any_role: true };

/** BATON_API_TOKEN: one admin holding every role, so today's setups do not break. */
export const API_TOKEN_ACTOR: Actor = {
  id: 'api-token',
  name: 'BATON_API_TOKEN',
  token_id: 'env',
  kind: 'service',
  scope: 'admin',
  roles: [],
  any_role: true,
};

export const refOf = (actor: Actor): ActorRef => ({ id: actor.id, name: actor.name, token_id: actor.token_id });
export const holdsRole = (actor: Actor, role: string): boolean => actor.any_role || actor.roles.includes(role);

/** A caller without a token where BATON_PUBLIC_READ opens reads: reads only, no role. */
export const ANONYMOUS_READER: Actor = { id: 'anonymous', name: 'anonymous', token_id: null, kind: 'person', scope: 'read', roles: [], any_role: false };

/** An actor's name as `baton actors` and the admin API take it: one word a shell needs no quotes for. */
export const ActorName = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._@-]*$/, 'letters, digits, ".", "_", "@" and "-", starting with a letter or digit');

/** One of an actor's tokens as listed: its id and label, never the secret nor its hash. */
export const TokenRecord = z.object({
  id: z.string(),
  label: z.string().nullable(),
  created_at: z.string().describe('ISO 8601 time'),
  revoked_at: z.string().nullable().describe('ISO 8601 time'),
});
export type TokenRecord = z.infer<typeof TokenRecord>;

/** An actor as the admin API and `baton actors list` show it. */
export const ActorRecord = z.object({
  id: z.string(),
  name: z.string(),
  kind: ActorKind,
  scope: ActorScope,
  roles: z.array(z.string()),
  created_at: z.string().describe('ISO 8601 time'),
  revoked_at: z.string().nullable().describe('ISO 8601 time'),
  tokens: z.array(TokenRecord),
});
export type ActorRecord = z.infer<typeof ActorRecord>;

/** A token just minted: `token` is the secret, shown this once and stored only as a salted hash. */
export const IssuedToken = TokenRecord.extend({ token: z.string() });
export type IssuedToken = z.infer<typeof IssuedToken>;
