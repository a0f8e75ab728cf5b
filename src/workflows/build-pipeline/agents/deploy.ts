/**
 * Stage 9's agent, once per environment: the infrastructure's commit released to the build's target (local by
 * default). The target brings it up beside what serves, checks and switches, or rolls back; every step it takes is
 * streamed into the run's log as a `deploy_<step>` event so the dashboard shows health attempts, switches and rollbacks live.
 */
import { z } from 'zod';
import { defineAgent } from '../../../engine/index.js';
import { AppManifest } from '../app/contracts.js';
import { ArchitectureSpec, Environment } from '../contracts.js';
import { DeployOutcome, TargetName } from '../deploy/contracts.js';
import type { BuildServices } from '../services.js';
import { RepositoryResult } from '../stages/contracts.js';

export const DEPLOY_AGENT = 'build_deployer';

export const DeployInput = z.object({
  environment: Environment,
  target: TargetName,
  spec: ArchitectureSpec,
  repository: RepositoryResult,
  /** main after the infrastructure stage: what every environment runs. */
  commit: z.string(),
  manifest: AppManifest,
});

export function deployAgent(services: BuildServices) {
  return defineAgent({
    name: DEPLOY_AGENT,
    description: 'Releases the commit to an environment: backup, migrate, start the new slot, health, smoke tests, switch, watch; rolls back on any failure',
    input: DeployInput,
    output: DeployOutcome,
    timeoutMs: 15 * 60_000,
    // A release that failed was rolled back and said why; repeating it would fail the same way. Crashes are recovered by re-running the step, which the target answers by deployment name.
    retry: { maxAttempts: 1 },
    run: async ({ input, signal, emit, reportProgress }) => {
      const plan = input.spec.skus[input.environment].find((s) => s.service === 'app-service-plan');
      const appName = input.repository.app_name;
      const target = services.target(input.target);
      reportProgress(5, `releasing ${input.commit.slice(0, 12)} to ${input.environment} (${input.target})`);
      return target.deploy(
        {
          // Every build of an idea is a release of the same app: it replaces what that app's environment serves.
          build_id: appName,
          app_name: appName,
          environment: input.environment,
          commit: input.commit,
          origin: input.repository.origin_dir,
          manifest: input.manifest,
          sku: plan?.sku ?? 'B1',
          instances: plan?.instances ?? 1,
          api_key: services.apiKeyFor(appName, input.environment),
        },
        {
          signal,
          onProgress: (progress) => emit(`deploy_${progress.type}`, { ...progress.payload, environment: input.environment }),
        },
      );
    },
  });
}
