/**
 * The local target's recorded state: per (build, environment) the router (port, pid, token), the two slots with
 * their release and processes, what is live, the deployment in progress and the outcomes of finished ones. It is
 * the target's memory across Baton restarts, so every change is written atomically (temp file, then rename).
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';
import { Environment } from '../../contracts.js';
import { AppCommand } from '../../app/contracts.js';
import { DeployOutcome, Slot } from '../contracts.js';

export const InstanceRecord = z.object({ instance: z.number().int(), pid: z.number().int(), port: z.number().int() });
export type InstanceRecord = z.infer<typeof InstanceRecord>;

export const SlotRecord = z.object({
  commit: z.string(),
  deployment: z.string(),
  release_dir: z.string(),
  /** What reconcile needs to start an instance again after its process died. */
  start: AppCommand,
  api_key: z.string(),
  instances: z.array(InstanceRecord),
});
export type SlotRecord = z.infer<typeof SlotRecord>;

export const LiveRecord = z.object({ slot: Slot, commit: z.string(), deployment: z.string() });
export type LiveRecord = z.infer<typeof LiveRecord>;

export const EnvRecord = z.object({
  build_id: z.string(),
  environment: Environment,
  app_name: z.string(),
  dir: z.string(),
  database_file: z.string(),
  router: z.object({ port: z.number().int(), pid: z.number().int().nullable(), token: z.string() }),
  generation: z.number().int(),
  live: LiveRecord.nullable(),
  slots: z.object({ blue: SlotRecord.nullable(), green: SlotRecord.nullable() }),
  /** Slot starts by deploys (a re-run that finds its slot alive reuses it: the Proof counts one per release). */
  slot_starts: z.number().int(),
  /** Instances reconcile started again after their process died. */
  instance_restarts: z.number().int(),
  /** The deployment under way (a kill -9 leaves it here; a re-run of the same deployment resumes it). */
  pending: z
    .object({
      deployment: z.string(),
      commit: z.string(),
      slot: Slot,
      previous: LiveRecord.nullable(),
      backup: z.object({ file: z.string(), existed: z.boolean() }).nullable(),
      switched: z.boolean(),
    })
    .nullable(),
  /** Finished deployments that did not go live: a re-run answers the recorded outcome instead of trying again. */
  rolled_back: z.record(z.string(), DeployOutcome),
});
export type EnvRecord = z.infer<typeof EnvRecord>;

export const TargetState = z.object({ version: z.literal(1), environments: z.record(z.string(), EnvRecord) });
export type TargetState = z.infer<typeof TargetState>;

export async function readState(file: string): Promise<TargetState> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return { version: 1, environments: {} };
  }
  return TargetState.parse(JSON.parse(text));
}

let sequence = 0;

/** Writes `value` as JSON to `file` atomically: a reader (or a restart after kill -9) sees the old or the new file, never half. */
export async function writeJsonAtomic(file: string, value: unknown): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.${++sequence}.tmp`;
  // 0600: the state holds the apps' API keys and the routers' control tokens.
  await writeFile(temp, JSON.stringify(value, null, 2), { mode: 0o600 });
  await rename(temp, file);
}
