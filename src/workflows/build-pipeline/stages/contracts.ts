/**
 * What each build stage records as its step output (the run's `results[phase]`), for the later stages, the approvers,
 * the routes and the dashboard. Pure zod: the dashboard imports it. Stages not listed here record the contract of their
 * own folder: codegen → CodegenResult, quality_gate → GateReport, deploy_<env> → DeployOutcome.
 */
import { z } from 'zod';
import { Environment } from '../contracts.js';
import { GateReport } from '../gate/contracts.js';

/** Repository: the working repository, its protected origin and the scaffold commit on main. */
export const RepositoryResult = z.object({
  app_name: z.string(),
  repo_dir: z.string(),
  origin_dir: z.string(),
  scaffold_commit: z.string(),
  /** Whether this step made the repository (false: a re-run found it). */
  created: z.boolean(),
  files: z.array(z.string()),
});
export type RepositoryResult = z.infer<typeof RepositoryResult>;

/** Merge: main fast-forwarded through the protected origin to the gated commit, with the check recorded for its SHA. */
export const MergeStageResult = z.object({
  branch: z.string(),
  commit: z.string(),
  moved: z.boolean(),
  check: z.object({ name: z.string(), passed: z.boolean(), summary: z.string() }),
});
export type MergeStageResult = z.infer<typeof MergeStageResult>;

export const CostLineView = z.object({
  type: z.string(),
  name: z.string(),
  sku: z.string().nullable(),
  instances: z.number().int(),
  monthly_cents: z.number().int(),
});

export const EnvironmentCostView = z.object({
  environment: Environment,
  monthly_cents: z.number().int(),
  lines: z.array(CostLineView),
  /** The same environment's monthly cost in the build that serves it now (null: nothing deployed before). */
  previous_cents: z.number().int().nullable(),
  change_cents: z.number().int(),
});
export type EnvironmentCostView = z.infer<typeof EnvironmentCostView>;

export const PlannedChangeView = z.object({
  change: z.enum(['create', 'modify', 'delete', 'no-change']),
  type: z.string(),
  name: z.string(),
  differences: z.array(z.object({ path: z.string(), before: z.unknown(), after: z.unknown() })),
});
export type PlannedChangeView = z.infer<typeof PlannedChangeView>;

/** Infrastructure: ARM (validated offline) and Bicep per environment, committed and merged; the monthly cost; the planned changes. */
export const InfrastructureResult = z.object({
  /** main after the infrastructure commit: what is deployed. */
  commit: z.string(),
  files: z.array(z.string()),
  validation: z.object({ passed: z.literal(true), summary: z.string() }),
  costs: z.object({ dev: EnvironmentCostView, staging: EnvironmentCostView, prod: EnvironmentCostView }),
  monthly_cents: z.number().int(),
  currency: z.string(),
  prices_taken_on: z.string(),
  changes: z.object({ dev: z.array(PlannedChangeView), staging: z.array(PlannedChangeView), prod: z.array(PlannedChangeView) }),
});
export type InfrastructureResult = z.infer<typeof InfrastructureResult>;

/** What the production approvers are shown (the approval wait's data). */
export const ApprovalPacket = z.object({
  environment: Environment,
  commit: z.string(),
  gate: GateReport,
  changes: z.array(PlannedChangeView),
  cost: EnvironmentCostView,
  rollback_plan: z.string(),
  /** The roles needed, one approval each from different people. */
  roles: z.array(z.string()),
});
export type ApprovalPacket = z.infer<typeof ApprovalPacket>;

/** Handoff: the docs committed, the build record completed, the team notified once. */
export const HandoffResult = z.object({
  commit: z.string(),
  files: z.array(z.string()),
  urls: z.record(z.string(), z.string()),
  monthly_cents: z.number().int(),
  notification: z.object({
    key: z.string(),
    /** `sent` now, `already_sent` by an earlier attempt, `pending` when the webhook failed (retried by the next handoff), `no_webhook` with none configured. */
    status: z.enum(['sent', 'already_sent', 'pending', 'no_webhook']),
    attempts: z.number().int(),
    error: z.string().optional(),
  }),
});
export type HandoffResult = z.infer<typeof HandoffResult>;
