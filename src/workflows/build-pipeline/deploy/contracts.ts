/**
 * Stage 9's contract: a deploy target takes a release (one commit of one build to one environment) and either
 * leaves it serving behind the environment's stable address, or rolls back to what served before and says why.
 * The local target (blue/green child processes behind a router on this machine) is the default; the Azure target
 * does the same through the `az` CLI. The pipeline knows only this interface.
 */
import { z } from 'zod';
import { Environment } from '../contracts.js';
import { AppManifest } from '../app/contracts.js';

export const TARGETS = ['local', 'azure'] as const;
export const TargetName = z.enum(TARGETS);
export type TargetName = z.infer<typeof TargetName>;

export const Slot = z.enum(['blue', 'green']);
export type Slot = z.infer<typeof Slot>;

export const Release = z.object({
  build_id: z.string().min(1),
  app_name: z.string().min(1),
  environment: Environment,
  /** The full commit SHA: what is checked out from the origin, and the version `/health` must report. */
  commit: z.string().regex(/^[0-9a-f]{40}$/),
  /** The bare origin repository the commit is exported from. */
  origin: z.string().min(1),
  manifest: AppManifest,
  /** From the environment's SKU: P1v2 runs two instances behind the router. */
  sku: z.string(),
  instances: z.number().int().min(1).max(10),
  /** The key the app is started with and the smoke tests send. */
  api_key: z.string().min(16),
});
export type Release = z.infer<typeof Release>;

/** Where a release failed, when it was rolled back. */
export const FAILURE_STAGES = ['checkout', 'build', 'provision', 'backup', 'migrate', 'start', 'health', 'smoke', 'switch', 'watch'] as const;
export const FailureStage = z.enum(FAILURE_STAGES);
export type FailureStage = z.infer<typeof FailureStage>;

export const SmokeResult = z.object({ name: z.string(), passed: z.boolean(), detail: z.string() });
export type SmokeResult = z.infer<typeof SmokeResult>;

export const DeployOutcome = z.object({
  /** The deployment's unique, deterministic name (build, environment, commit): a re-run finds it instead of deploying again. */
  deployment: z.string(),
  target: TargetName,
  environment: Environment,
  commit: z.string(),
  /** What served before (null: the first release of this environment). */
  previous_commit: z.string().nullable(),
  /** `live`: this release serves; `rolled_back`: the previous one serves again (or nothing, on a first release); `already_live`: it served already. */
  status: z.enum(['live', 'rolled_back', 'already_live']),
  /** The stable address clients use (the router's, or the Azure site's). */
  url: z.string(),
  slot: Slot,
  instances: z.number().int(),
  health_attempts: z.number().int(),
  smoke: z.array(SmokeResult),
  switched: z.boolean(),
  rollback: z
    .object({
      stage: FailureStage,
      reason: z.string(),
      /** From the failure to the previous release serving again with its database restored. */
      seconds: z.number(),
      database_restored: z.boolean(),
    })
    .nullable(),
  /** Milliseconds per step of the release (backup, migrate, start, healthy, smoke, switch, watch). */
  timings: z.record(z.string(), z.number()),
  seconds: z.number(),
});
export type DeployOutcome = z.infer<typeof DeployOutcome>;

/** What an environment runs now, as the target has recorded it (and reconciled with what is really running). */
export const EnvironmentStatus = z.object({
  build_id: z.string(),
  environment: Environment,
  url: z.string(),
  live_commit: z.string().nullable(),
  live_slot: Slot.nullable(),
  /** Process ids per slot instance that are alive (local target). */
  processes: z.array(z.object({ slot: Slot, instance: z.number().int(), pid: z.number().int(), port: z.number().int(), alive: z.boolean() })),
  healthy: z.boolean(),
});
export type EnvironmentStatus = z.infer<typeof EnvironmentStatus>;

export const ReconcileReport = z.object({
  environments: z.number().int(),
  /** Recorded processes found dead and restarted (or marked stopped), and processes running that the record no longer wanted, stopped. */
  restarted: z.array(z.string()),
  stopped: z.array(z.string()),
  healthy: z.array(z.string()),
});
export type ReconcileReport = z.infer<typeof ReconcileReport>;

/** A step of a release as it happens (streamed into the run's log as `deploy_<type>` events). */
export interface DeployProgress {
  type:
    'checkout' | 'provision' | 'what_if' | 'backup' | 'migrate' | 'slot_started' | 'health_attempt' | 'smoke' | 'switch' | 'watch' | 'rollback' | 'restored';
  payload: Record<string, unknown>;
}

export interface DeployOptions {
  signal?: AbortSignal;
  onProgress?: (progress: DeployProgress) => void;
}

export interface DeployTarget {
  readonly name: TargetName;
  /** Deploys the release (or answers `already_live` when its deployment already serves); rolls back on any failure. Never throws for the release's own failure. */
  deploy(release: Release, options?: DeployOptions): Promise<DeployOutcome>;
  status(buildId: string, environment: Environment): Promise<EnvironmentStatus | null>;
  /** After a Baton restart: compares the recorded state with what runs, restarts or stops to match, and reports. */
  reconcile(): Promise<ReconcileReport>;
  /** Stops every process of a build (all environments, or one) and forgets it. */
  teardown(buildId: string, environment?: Environment): Promise<void>;
}
