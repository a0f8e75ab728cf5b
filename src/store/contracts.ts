/** The run store's constants and stored shapes the API and the dashboard share: pure, so the browser may bundle it. */
import { z } from 'zod';

import { ActorRef } from '../actors/contracts.js';

export const RUN_STATES = ['running', 'waiting', 'completed', 'failed', 'cancelled', 'rejected', 'expired'] as const;

/** Event sequence numbers are 32-bit integers in PostgreSQL: a larger `since` is bad input, not a query to run. */
export const MAX_EVENT_SEQ = 2_147_483_647;

/**
 * Who may resolve a wait beyond its `role`, fixed when the wait opens (kept with it): a quorum of
 * roles, each filled by a different actor, and the actors who may not resolve it at all.
 */
export const WaitPolicy = z.object({
  /** One approval per listed role, each from a different actor (e.g. ['lead-builder', 'champion']); absent or empty: one resolution suffices. */
  quorum: z.array(z.string()).optional(),
  /** The actor who started the run may not resolve it. */
  not_starter: z.boolean().optional(),
  /** The actors who resolved these phases' waits (submitted the work) may not resolve it. */
  not_submitter_of: z.array(z.string()).optional(),
});
export type WaitPolicy = z.infer<typeof WaitPolicy>;

/** One actor's approval toward a quorum: the role it fills. */
export const WaitVote = z.object({
  actor: ActorRef,
  role: z.string(),
  at: z.number(),
  /** The quorum's roles the actor held when voting: a later approver may move this vote to another of them, so its only role stays free. */
  holds: z.array(z.string()).optional(),
  /** What the approver said with the vote. */
  comment: z.string().optional(),
});
export type WaitVote = z.infer<typeof WaitVote>;
