/**
 * Software delivery's contracts as zod schemas, declared once: its states and roles, what each role
 * hands in, the submission stored as a phase's result (an agent's output, or a person's wait
 * resolution), and the delivery endpoints' answers. Pure (zod only): the workflow reads stored
 * submissions through these, and the dashboard parses the status and audit trail with them.
 */
import { z } from 'zod';
import { ActorRef } from '../../actors/contracts.js';
import { WaitResolution } from '../../engine/contracts.js';

export const DELIVERY_STATES = [
  'DISCOVERY',
  'PLANNING',
  'HANDOFF_TO_CODER',
  'IMPLEMENTATION',
  'HANDOFF_TO_TESTER',
  'TESTING',
  'HANDOFF_TO_VERIFIER',
  'VERIFICATION',
  'HANDOFF_TO_RELEASER',
  'DEPLOYMENT',
  'COMPLETE',
  'ERROR',
] as const;
export const DeliveryState = z.enum(DELIVERY_STATES);
export type DeliveryState = z.infer<typeof DeliveryState>;

export const ROLES = ['Q_ASSISTANT', 'CODE_WRITER', 'TEST_AUDITOR', 'VERIFICATION_OVERSEER', 'RELEASE_MANAGER'] as const;
export const Role = z.enum(ROLES);
export type Role = z.infer<typeof Role>;

/** The states where a role does work (by a person's submission or an agent); the others are the system's. */
export const ROLE_STATES = ['DISCOVERY', 'PLANNING', 'IMPLEMENTATION', 'TESTING', 'VERIFICATION', 'DEPLOYMENT'] as const satisfies readonly DeliveryState[];
export const RoleState = z.enum(ROLE_STATES);
export type RoleState = z.infer<typeof RoleState>;

const text = z.string().trim().min(1).max(10_000);
const list = z.array(text).max(200);

export const Requirements = z.object({
  summary: text,
  requirements: list.min(1),
  acceptance_criteria: list.min(1),
  open_questions: list.default([]),
});

export const Plan = z.object({
  steps: list.min(1),
  risks: list.default([]),
  estimate_hours: z.number().positive().max(10_000).optional(),
});

export const TestCase = z.object({ name: text, checks: text });
export const Implementation = z.object({
  code_summary: text,
  files_changed: list.min(1),
  test_cases: z.array(TestCase).min(1).max(500),
});

/**
 * One handed-over test case as the test auditor accounts for it: it passed, it failed, or it was not
 * run and the message explains why. The testing gate (outputs.ts `unaccountedTests`) requires one per
 * test case IMPLEMENTATION handed over; reports stored before the gate carry none.
 */
export const TestResult = z
  .object({
    test: text.describe('the test case name, as IMPLEMENTATION handed it over'),
    outcome: z.enum(['passed', 'failed', 'explained']),
    message: z.string().trim().max(10_000).optional().describe('what went wrong (failed), or why the test case was not run (explained)'),
  })
  .refine((r) => r.outcome !== 'explained' || (r.message ?? '') !== '', { message: 'an explained test case needs a message saying why', path: ['message'] });

export const TestReport = z
  .object({
    passed: z.number().int().min(0),
    failed: z.number().int().min(0),
    failures: z
      .array(z.object({ test: text, message: text }))
      .max(500)
      .default([]),
    results: z.array(TestResult).max(500).default([]).describe('every test case handed over: passed, failed or explained'),
    notes: z.string().max(10_000).default(''),
  })
  .refine((r) => r.failures.length <= r.failed, { message: 'more failures listed than failed tests', path: ['failures'] });

export const ReviewVerdict = z.object({
  verdict: z.enum(['approve', 'changes_requested']),
  findings: list.default([]),
  notes: z.string().max(10_000).default(''),
});

export const DeploymentResult = z.object({
  status: z.enum(['succeeded', 'failed']),
  environment: text,
  version: text,
  notes: z.string().max(10_000).default(''),
});

/** The output schema of each role state. */
export const ROLE_OUTPUTS = {
  DISCOVERY: Requirements,
  PLANNING: Plan,
  IMPLEMENTATION: Implementation,
  TESTING: TestReport,
  VERIFICATION: ReviewVerdict,
  DEPLOYMENT: DeploymentResult,
} as const satisfies Record<RoleState, z.ZodType>;
export type RoleOutput<S extends RoleState> = z.output<(typeof ROLE_OUTPUTS)[S]>;

/**
 * A submission as stored, for a role state: `advance` hands in the role's output (or, to ERROR, a
 * reason), `retry` sends the work back with reasons; `at` orders submissions across states. The
 * rules on which moves are allowed are checked when it is made (outputs.ts); stored ones passed them.
 */
export const storedSubmission = <S extends RoleState>(state: S) =>
  z.discriminatedUnion('action', [
    z.object({
      action: z.literal('advance'),
      to_state: DeliveryState,
      output: ROLE_OUTPUTS[state].optional(),
      reason: z.string().max(10_000).optional(),
      at: z.number(),
      by: z.string().max(200).optional(),
      actor: ActorRef.optional(),
    }),
    z.object({
      action: z.literal('retry'),
      to_state: DeliveryState,
      reasons: list.min(1),
      at: z.number(),
      by: z.string().max(200).optional(),
      actor: ActorRef.optional(),
    }),
  ]);
export type StoredSubmission<S extends RoleState = RoleState> = z.output<ReturnType<typeof storedSubmission<S>>>;

/** A person's submission, as the role state's wait stores it: the resolution `submit` carrying the submission. */
export const submittedResolution = <S extends RoleState>(state: S) => WaitResolution.extend({ action: z.literal('submit'), data: storedSubmission(state) });

// ---------------------------------------------------------------------------------------------
// Endpoints (GET /api/delivery/runs/{run_id} and …/history; the same answers at
// /api/workflows/{workflow_id}/status and …/history, where the run is the specification's workflow)

const isoTime = z.string().describe('ISO 8601 time');

export const DeliveryStatusView = z.object({
  run_id: z.string(),
  workflow_id: z.string().describe('the run id, as the specification names it'),
  user_id: z.string().nullable().describe('who started the change: the starting actor (or the user a trusted client named)'),
  build_id: z.string().nullable().describe('the build the change belongs to, when the client named one'),
  project: z.string(),
  change: z.object({ title: z.string(), description: z.string() }),
  automatic_roles: z.array(Role),
  state: DeliveryState,
  description: z.string(),
  owner: Role.nullable(),
  run_state: z.string(),
  percent: z.number().min(0).max(100),
  completed_states: z.array(DeliveryState),
  failed_state: DeliveryState.nullable(),
  waiting_for: z
    .object({
      wait_id: z.string(),
      role: Role.nullable(),
      state: DeliveryState,
      context: z.unknown().describe('what the role is given: the change, earlier outputs, feedback'),
    })
    .nullable(),
  expected_next: z.object({
    action: z.enum(['advance', 'agent', 'rollback', 'none']),
    role: Role.nullable(),
    states: z.array(DeliveryState),
    retry_to: z.array(DeliveryState),
  }),
  error: z.object({ error_type: z.string(), message: z.string(), details: z.record(z.string(), z.unknown()), suggestions: z.array(z.string()) }).nullable(),
  session_id: z.string().nullable(),
  last_seq: z.number().int(),
  created_at: isoTime,
  updated_at: isoTime,
  finished_at: isoTime.nullable(),
});
export type DeliveryStatusView = z.infer<typeof DeliveryStatusView>;

export const AuditEntryView = z.object({
  seq: z.number().int(),
  at: isoTime,
  move: z.enum(['forward', 'retry', 'error', 'rollback', 'cancel']),
  from_state: DeliveryState,
  to_state: DeliveryState,
  from_role: Role.nullable(),
  to_role: Role.nullable(),
  by: z.string(),
  triggered_by: ActorRef.nullable().describe('who: the person (actor) who decided, the agent, or the system; null where the record predates actors'),
  transferred: z.unknown(),
  reason: z.string().nullable(),
  abandoned: z.boolean().describe('a later rollback abandoned this move (kept for the record)'),
});
export type AuditEntryView = z.infer<typeof AuditEntryView>;

export const DeliveryHistoryView = z.object({
  run_id: z.string(),
  workflow_id: z.string(),
  project: z.string(),
  state: DeliveryState,
  trail: z.array(AuditEntryView),
});
export type DeliveryHistoryView = z.infer<typeof DeliveryHistoryView>;
