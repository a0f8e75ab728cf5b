/**
 * What the Azure target remembers between runs and across Baton restarts: per build and environment, the site, the
 * release that serves and every deployment it ran (name, commit, what-if changes, result), in one small JSON file
 * written whole (temporary file, then rename) so a crash leaves the old file or the new one, never half of one.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { Environment } from '../../contracts.js';
import { Slot } from '../contracts.js';

/** One resource change `az deployment group what-if` announced. */
export const WhatIfChange = z.object({ resource_id: z.string(), change_type: z.string() });
export type WhatIfChange = z.infer<typeof WhatIfChange>;

export const AzureDeploymentRecord = z.object({
  name: z.string(),
  commit: z.string(),
  /** Whether this target ran `az deployment group create` for it (false: it existed already when the release came). */
  created: z.boolean(),
  what_if: z.array(WhatIfChange),
  status: z.enum(['provisioned', 'live', 'rolled_back']),
  reason: z.string().nullable(),
  at: z.iso.datetime(),
});
export type AzureDeploymentRecord = z.infer<typeof AzureDeploymentRecord>;

export const AzureEnvironmentRecord = z.object({
  build_id: z.string(),
  environment: Environment,
  site: z.string(),
  url: z.string().nullable(),
  live_commit: z.string().nullable(),
  live_deployment: z.string().nullable(),
  /** A label that alternates per release, so the contract's blue/green reads the same on both targets (Azure's slots are staging and production). */
  live_slot: Slot.nullable(),
  deployments: z.array(AzureDeploymentRecord),
});
export type AzureEnvironmentRecord = z.infer<typeof AzureEnvironmentRecord>;

const AzureStateFile = z.object({ version: z.literal(1), environments: z.record(z.string(), AzureEnvironmentRecord) });
type AzureStateFile = z.infer<typeof AzureStateFile>;

export const environmentKey = (buildId: string, environment: Environment) => `${buildId}/${environment}`;

export class AzureStateStore {
  readonly file: string;
  constructor(stateDir: string) {
    this.file = join(stateDir, 'azure-target.json');
  }

  async read(): Promise<AzureStateFile> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, environments: {} };
      throw error;
    }
    return AzureStateFile.parse(JSON.parse(text));
  }

  async get(buildId: string, environment: Environment): Promise<AzureEnvironmentRecord | undefined> {
    return (await this.read()).environments[environmentKey(buildId, environment)];
  }

  async put(record: AzureEnvironmentRecord): Promise<void> {
    const state = await this.read();
    state.environments[environmentKey(record.build_id, record.environment)] = AzureEnvironmentRecord.parse(record);
    await this.write(state);
  }

  async remove(buildId: string, environment?: Environment): Promise<void> {
    const state = await this.read();
    for (const [key, record] of Object.entries(state.environments)) {
      if (record.build_id === buildId && (environment === undefined || record.environment === environment)) delete state.environments[key];
    }
    await this.write(state);
  }

  private async write(state: AzureStateFile): Promise<void> {
    await mkdir(join(this.file, '..'), { recursive: true });
    const temporary = `${this.file}.${process.pid}.tmp`;
    await writeFile(temporary, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
    await rename(temporary, this.file);
  }
}
