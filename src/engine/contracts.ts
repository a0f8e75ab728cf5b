/**
 * The engine's wire contracts as zod schemas: run states, wait resolutions and the payload of every
 * core event a run writes to its log. Pure (zod only), so the server, the workflows and the dashboard
 * read events through the same declarations instead of re-parsing fields by hand.
 */
import { z } from 'zod';

import { ActorRef } from '../actors/contracts.js';
import { RUN_STATES, WaitPolicy, WaitVote } from '../store/contracts.js';

// Declared once, with the run store (the states it keeps, the bound of its event numbers).
export { MAX_EVENT_SEQ, RUN_STATES } from '../store/contracts.js';
export const RunState = z.enum(RUN_STATES);
export type RunState = z.infer<typeof RunState>;

// Kept with the wait by the store; declared there once.
export { WaitPolicy, WaitVote } from '../store/contracts.js';

export const WAIT_ACTIONS = ['accept', 'modify', 'reject', 'submit', 'signal', 'expired'] as const;
/** How a wait was closed: a person's answer, an intake's submission, or its deadline. */
export const WaitResolution = z.object({
  action: z.enum(WAIT_ACTIONS),
  data: z.unknown().optional(),
  comment: z.string().optional(),
  role: z.string().optional(),
  /** Set when the deadline, not a person, resolved the wait (onDeadline 'accept' | 'reject'). */
  expired: z.literal(true).optional(),
  /** Who resolved it (absent: the deadline, or a caller the engine was given no actor for). */
  by: ActorRef.optional(),
  /** A quorum's approvals, the last one included. */
  votes: z.array(WaitVote).optional(),
});
export type WaitResolution = z.infer<typeof WaitResolution>;

/** What a skipped phase's step records as its output (and so what the run's results hold for it until it runs). */
export const SkippedStep = z.object({ skipped: z.literal(true), reason: z.string() });
export type SkippedStep = z.infer<typeof SkippedStep>;
export const isSkipped = (value: unknown): value is SkippedStep => SkippedStep.safeParse(value).success;

export const AGENT_STATUSES = ['running', 'retrying', 'failed', 'completed'] as const;
export const AgentStatus = z.enum(AGENT_STATUSES);
export type AgentStatus = z.infer<typeof AgentStatus>;

/** A deadline in milliseconds since the epoch, as the engine's clock counts; null: none. */
const deadline = z.number().nullable();

/** The payload of each core event type (the fields beside `type`, `run_id`, `seq` and `timestamp` on the wire). */
export const CORE_EVENT_PAYLOADS = {
  run_created: z.object({ workflow: z.string(), parameters: z.unknown(), session_id: z.string().nullable(), actor: ActorRef.optional() }),
  /** A person's cancel, retry or rollback names its actor. */
  run_state: z.object({ from: RunState, to: RunState, reason: z.string().optional(), actor: ActorRef.optional() }),
  agent_status: z.object({ agent_name: z.string(), phase: z.string(), status: AgentStatus, attempt: z.number().int() }),
  progress: z.object({ agent_name: z.string(), progress: z.number(), message: z.string() }),
  complete: z.object({ agent_name: z.string(), phase: z.string(), result: z.unknown() }),
  error: z.object({
    agent_name: z.string().optional(),
    error_type: z.string(),
    error_message: z.string(),
    details: z.record(z.string(), z.unknown()),
    suggestions: z.array(z.string()),
  }),
  phase_skipped: z.object({ phase: z.string(), reason: z.string() }),
  phase_transition: z.object({
    from_phase: z.string(),
    to_phase: z.string(),
    reason: z.string(),
    /** A rollback's transition: the timeline it starts and the steps (phase#visit) it abandoned. */
    timeline: z.number().int().optional(),
    abandoned_steps: z.array(z.string()).optional(),
    actor: ActorRef.optional(),
  }),
  approval_required: z.object({
    approval_id: z.string(),
    kind: z.literal('approval'),
    phase: z.string(),
    data: z.unknown(),
    deadline_at: deadline,
    role: z.string().nullable(),
    policy: WaitPolicy.optional(),
  }),
  /** One approval toward a quorum that is not complete yet: who gave it, the role it filled, the roles still needed. */
  approval_vote: z.object({
    approval_id: z.string(),
    kind: z.string(),
    phase: z.string(),
    actor: ActorRef,
    role: z.string(),
    remaining: z.array(z.string()),
    comment: z.string().optional(),
  }),
  approval_resolved: z.object({ approval_id: z.string(), kind: z.literal('approval'), resolution: WaitResolution }),
  wait_required: z.object({
    wait_id: z.string(),
    kind: z.string(),
    phase: z.string(),
    data: z.unknown(),
    deadline_at: deadline,
    role: z.string().nullable(),
    policy: WaitPolicy.optional(),
  }),
  wait_resolved: z.object({ wait_id: z.string(), kind: z.string(), resolution: WaitResolution }),
  workflow_complete: z.object({ state: RunState, result: z.unknown() }),
} as const;

export type CoreEventType = keyof typeof CORE_EVENT_PAYLOADS;
export const CORE_EVENT_TYPES = Object.keys(CORE_EVENT_PAYLOADS) as CoreEventType[];
export type CoreEventPayload<T extends CoreEventType> = z.infer<(typeof CORE_EVENT_PAYLOADS)[T]>;

/** What a person decided, as the audit lists it: started, answered a wait (or voted toward its quorum), cancelled, retried, rolled back. */
export const DECISION_ACTIONS = ['start', 'accept', 'modify', 'reject', 'submit', 'signal', 'cancel', 'retry', 'rollback'] as const;
export const DecisionAction = z.enum(DECISION_ACTIONS);
export type DecisionAction = z.infer<typeof DecisionAction>;

/** One decision across runs: the event that records it, who made it, and what it was (the audit's rows, oldest first). */
export const Decision = z.object({
  run_id: z.string(),
  workflow: z.string(),
  /** The event's number in the run's log. */
  seq: z.number().int(),
  /** The event type: run_created, run_state, phase_transition, approval_vote, approval_resolved or wait_resolved. */
  type: z.string(),
  at: z.string().describe('ISO 8601 time'),
  actor: ActorRef,
  /** The phase decided on (a wait's phase; a rollback's target). */
  phase: z.string().optional(),
  action: DecisionAction.optional(),
  /** The approval or wait answered. */
  wait_id: z.string().optional(),
  /** The role the actor acted in (a submission's role; the quorum role a vote filled). */
  role: z.string().optional(),
  /** The comment or reason given. */
  reason: z.string().optional(),
});
export type Decision = z.infer<typeof Decision>;

/** Every event's envelope, as HTTP returns it and the WebSocket sends it. */
export const eventEnvelope = z.object({ type: z.string(), run_id: z.string(), seq: z.number().int(), timestamp: z.string().describe('ISO 8601 time') });
export type EventEnvelope = z.infer<typeof eventEnvelope>;

/** One event on the wire, envelope and payload flat; unknown types (an agent's own) keep their fields unchecked. */
export const wireEvent = eventEnvelope.catchall(z.unknown());
export type WireEvent = z.infer<typeof wireEvent>;

const envelopeShape = eventEnvelope.omit({ type: true }).shape;

const P = CORE_EVENT_PAYLOADS;
/** A core event on the wire, discriminated by `type`. */
export const coreWireEvent = z.discriminatedUnion('type', [
  P.run_created.extend({ ...envelopeShape, type: z.literal('run_created') }),
  P.run_state.extend({ ...envelopeShape, type: z.literal('run_state') }),
  P.agent_status.extend({ ...envelopeShape, type: z.literal('agent_status') }),
  P.progress.extend({ ...envelopeShape, type: z.literal('progress') }),
  P.complete.extend({ ...envelopeShape, type: z.literal('complete') }),
  P.error.extend({ ...envelopeShape, type: z.literal('error') }),
  P.phase_skipped.extend({ ...envelopeShape, type: z.literal('phase_skipped') }),
  P.phase_transition.extend({ ...envelopeShape, type: z.literal('phase_transition') }),
  P.approval_required.extend({ ...envelopeShape, type: z.literal('approval_required') }),
  P.approval_vote.extend({ ...envelopeShape, type: z.literal('approval_vote') }),
  P.approval_resolved.extend({ ...envelopeShape, type: z.literal('approval_resolved') }),
  P.wait_required.extend({ ...envelopeShape, type: z.literal('wait_required') }),
  P.wait_resolved.extend({ ...envelopeShape, type: z.literal('wait_resolved') }),
  P.workflow_complete.extend({ ...envelopeShape, type: z.literal('workflow_complete') }),
]);
export type CoreWireEvent = z.infer<typeof coreWireEvent>;

export const isCoreEventType = (type: string): type is CoreEventType => Object.hasOwn(CORE_EVENT_PAYLOADS, type);
