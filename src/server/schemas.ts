/**
 * The API's shapes as zod schemas: the single source of request validation, response
 * serialisation, TypeScript types and the OpenAPI document. Field names are snake_case.
 * Pure (zod and the contract modules only): the dashboard imports it to check what it reads.
 */
import { z } from 'zod';
import { ActorRef } from '../actors/contracts.js';
import { RUN_STATES, MAX_EVENT_SEQ, WaitPolicy, WaitVote, wireEvent } from '../engine/contracts.js';
import { ERROR_CODES } from '../errors/index.js';
import { ExtractionMode, ExtractionResult, MAX_TEXT_LENGTH } from '../llm/contracts.js';

const json = z.unknown();
/** Ids in paths and bodies: runs, waits, sessions, workflows. Longer ones name nothing here; 422 says so. */
export const MAX_ID_LENGTH = 200;
const id = () => z.string().min(1).max(MAX_ID_LENGTH);
/** Free text a request may carry (comments, reasons); longer is refused, not cut. */
const MAX_TEXT = 10_000;
/**
 * A whole number from a query string within [min, max]: zod's coerce would read "1e308", "0x10"
 * and " 5 " as numbers, so the text must be plain decimal digits first.
 */
const queryInt = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d{1,16}$/, 'must be a whole number written in decimal digits')
    // The bounds in the OpenAPI document: a query value is a string there, so they are said in words.
    .describe(`a whole number from ${min} to ${max}`)
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));
/** Beyond this an offset skips every run there could be; a bound keeps it an exact integer in SQL. */
const MAX_OFFSET = 1_000_000_000;
const isoTime = z.string().describe('ISO 8601 time');

export const errorBody = z
  .object({
    error_type: z.enum(Object.keys(ERROR_CODES) as [keyof typeof ERROR_CODES, ...(keyof typeof ERROR_CODES)[]]),
    message: z.string(),
    details: z.record(z.string(), json),
    suggestions: z.array(z.string()),
    request_id: z.string(),
  })
  .meta({ id: 'Error' });

export const runIdParams = z.object({ run_id: id() });

export const waitingFor = z.object({
  approval_id: z.string().describe('The id to resolve it with (for every kind of wait)'),
  kind: z.string(),
  role: z
    .string()
    .nullable()
    .describe('the role whose holder submits this wait (a delivery hand-off); approvals by role say so in `policy` and `still_needed`'),
  phase: z.string(),
  data: json,
  deadline_at: isoTime.nullable(),
  policy: WaitPolicy.nullable().describe('who may decide beyond `role`: a quorum of roles (one approval each, from different people), actors it may not be'),
  votes: z.array(WaitVote).describe("a quorum's approvals so far (`at` in epoch milliseconds)"),
  still_needed: z.array(z.string()).describe("the quorum's roles nobody has approved in yet; empty without a quorum"),
});

export const runStatus = z
  .object({
    run_id: z.string(),
    workflow: z.string(),
    session_id: z.string().nullable(),
    state: z.enum(RUN_STATES),
    phase: z.string().nullable(),
    percent: z.number().min(0).max(100),
    completed_phases: z.array(z.string()),
    waiting_for: waitingFor.nullable(),
    driven_by: z
      .string()
      .nullable()
      .describe("the node driving a running run (its lease's holder); null while a running run waits for a worker with a free slot, and when not running"),
    started_by: ActorRef.nullable().describe('who started the run (null: started without a person, e.g. by the engine API)'),
    parameters: json,
    result: json,
    error: z.object({ error_type: z.string(), message: z.string(), details: z.record(z.string(), json), suggestions: z.array(z.string()) }).nullable(),
    last_seq: z.number().int(),
    created_at: isoTime,
    updated_at: isoTime,
    finished_at: isoTime.nullable(),
  })
  .meta({ id: 'RunStatus' });

export const runWorkflowBody = z.strictObject({
  session_id: id(),
  parameters: z.record(z.string().max(MAX_ID_LENGTH), json),
  workflow: id().optional(),
  idempotency_key: id()
    .optional()
    .describe('The same key from the same caller returns the run it started (same parameters) instead of starting another; a key another caller used is 409'),
});

export const extractParametersBody = z.strictObject({
  strategy_description: z.string().min(1).max(MAX_TEXT_LENGTH).describe('The season in plain words'),
  reference_date: z.iso.date().optional().describe('The day relative dates count from (default: today, UTC)'),
  mode: ExtractionMode.optional().describe('rules (offline), llm or hybrid; default: hybrid when a model is configured, else rules'),
});

export const extractedParameters = ExtractionResult.meta({ id: 'ExtractedParameters' });

/** `workflow_id` is the run id under the seed specification's name, for its clients. */
export const runStarted = z.object({
  run_id: z.string(),
  workflow_id: z.string().describe("the run id (the seed specification's name for it)"),
  status: z.enum(RUN_STATES),
});

export const runListQuery = z.strictObject({
  workflow: id().optional(),
  state: z.enum(RUN_STATES).optional(),
  session_id: id().optional(),
  limit: queryInt(1, 500).default(50),
  offset: queryInt(0, MAX_OFFSET).default(0),
});

export const runList = z.object({ runs: z.array(runStatus), total: z.number().int(), limit: z.number().int(), offset: z.number().int() });

export const eventsQuery = z.strictObject({
  since: queryInt(0, MAX_EVENT_SEQ).default(0),
  limit: queryInt(1, 10_000).default(1000),
});

/** One event of a run's log, as HTTP returns it and the WebSocket sends it. */
export const eventMessage = wireEvent.meta({ id: 'Event' });

export const eventList = z.object({ events: z.array(eventMessage) });

/** The stream's own failure (not an event: no run_id, no seq), sent before it closes; heartbeats are `{ type: 'heartbeat', timestamp }`. */
export const streamError = z.object({ type: z.literal('error'), error_type: z.string(), error_message: z.string() });
export type StreamError = z.infer<typeof streamError>;

export const handoffList = z.object({
  handoffs: z.array(
    z.object({
      step: z.string(),
      from_phase: z.string().nullable(),
      from_agent: z.string().nullable(),
      to_phase: z.string(),
      to_agent: z.string(),
      passed: json.describe('the context the receiving agent was given'),
      at: isoTime,
      abandoned: z.boolean().describe('on a timeline a rollback left (kept in history, no longer what the phases see)'),
    }),
  ),
});

// Fastify hands a missing body to validation as null.
export const cancelBody = z.strictObject({ reason: z.string().max(2000).optional() }).nullish();
export const rollbackBody = z.strictObject({ to_phase: id(), reason: z.string().max(2000).optional() });

export const approvalParams = z.object({ run_id: id(), approval_id: id() });
export const approvalBody = z.strictObject({
  action: z.enum(['accept', 'modify', 'reject']).optional().describe('required for approvals; other waits take data'),
  data: json.optional(),
  comment: z.string().max(MAX_TEXT).optional(),
  role: id().optional().describe('the submitting role, for waits that name one'),
});

export const workflowList = z.object({
  workflows: z.array(
    z.object({
      name: z.string(),
      description: z.string(),
      view: z.string().describe("the dashboard's view for its runs (e.g. season-planning, software-delivery; generic: the event log alone)"),
      title: z.string(),
      phases: z.array(z.object({ name: z.string(), agent: z.string().nullable(), wait: z.string().nullable() })),
    }),
  ),
});

export const workflowParams = z.object({ name: id() });
export const workflowStats = z.object({
  workflow: z.string(),
  total: z.number().int(),
  by_state: z.record(z.string(), z.number().int()),
  success_rate: z.number().nullable(),
  mean_duration_ms: z.number().nullable(),
  failures_by_phase: z.array(z.object({ phase: z.string(), count: z.number().int() })),
});

export const health = z.object({ status: z.enum(['ok', 'degraded']), database: z.enum(['ok', 'unreachable']), store: z.string() });

/** Standard error responses every route may give. */
export const errorResponses = {
  400: errorBody,
  401: errorBody,
  403: errorBody,
  404: errorBody,
  409: errorBody,
  413: errorBody,
  422: errorBody,
  500: errorBody,
  503: errorBody,
} as const;
