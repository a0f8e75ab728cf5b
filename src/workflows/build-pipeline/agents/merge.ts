/**
 * Stages 6 and 7: the gated commit merged into main through the protected origin (its check recorded for the SHA),
 * then the infrastructure as code for the template — ARM validated offline and Bicep, a parameter file per
 * environment — committed and merged the same way, with the monthly cost per environment and the planned changes
 * against what the app's previous build deployed.
 */
import { z } from 'zod';
import { defineAgent } from '../../../engine/index.js';
import { ConflictError } from '../../../errors/index.js';
import { CodegenResult } from '../codegen/contracts.js';
import { ArchitectureSpec, ENVIRONMENTS, type Environment } from '../contracts.js';
import { GateReport } from '../gate/contracts.js';
import {
  armFiles,
  assertValidArm,
  costOfResources,
  defaultSpec,
  infraArtefacts,
  planChanges,
  PRICES_CURRENCY,
  PRICES_TAKEN_ON,
  type ResolvedResource,
} from '../infra/index.js';
import { commitFiles, mergeThroughOrigin } from '../repository/index.js';
import type { BuildServices } from '../services.js';
import { ensureBranchFromMain, headOf, stageDate } from '../stages/git-steps.js';
import { InfrastructureResult, MergeStageResult, RepositoryResult, type EnvironmentCostView } from '../stages/contracts.js';

export const MERGE_AGENT = 'build_merge';
export const INFRASTRUCTURE_AGENT = 'build_infrastructure';
export const INFRA_BRANCH = 'build/infrastructure';

export const MergeInput = z.object({ codegen: CodegenResult, gate: GateReport, repository: RepositoryResult });

export function mergeAgent() {
  return defineAgent({
    name: MERGE_AGENT,
    description: 'Pushes the feature branch, records the passing check for its SHA and fast-forwards main through the protected origin',
    input: MergeInput,
    output: MergeStageResult,
    timeoutMs: 60_000,
    run: async ({ input }) => {
      const { codegen, gate, repository } = input;
      if (!gate.passed || gate.commit !== codegen.commit)
        throw new ConflictError('only the commit the quality gate passed may be merged', {
          gate_commit: gate.commit,
          passed: gate.passed,
          commit: codegen.commit,
        });
      const head = await headOf(repository.repo_dir, codegen.branch);
      if (head !== codegen.commit) throw new ConflictError(`${codegen.branch} moved on from the gated commit`, { gated: codegen.commit, head });
      const check = { name: 'quality-gate', passed: true as const, summary: gate.summary };
      const merged = await mergeThroughOrigin(repository.repo_dir, repository.origin_dir, codegen.branch, check);
      return { branch: codegen.branch, commit: merged.sha, moved: merged.moved, check };
    },
  });
}

export const InfrastructureInput = z.object({
  build_id: z.string(),
  idea_id: z.string(),
  spec: ArchitectureSpec,
  started_at: z.iso.datetime(),
  repository: RepositoryResult,
});

const costView = (environment: Environment, resources: readonly ResolvedResource[], previousCents: number | null): EnvironmentCostView => {
  const cost = costOfResources(environment, resources);
  return {
    environment,
    monthly_cents: cost.monthlyCents,
    lines: cost.lines.map((l) => ({ type: l.type, name: l.name, sku: l.sku, instances: l.instances, monthly_cents: l.monthlyCents })),
    previous_cents: previousCents,
    change_cents: cost.monthlyCents - (previousCents ?? 0),
  };
};

export function infrastructureAgent(services: BuildServices) {
  return defineAgent({
    name: INFRASTRUCTURE_AGENT,
    description: 'Writes ARM JSON and Bicep with a parameter file per environment, validates them offline, costs each environment and plans the changes',
    input: InfrastructureInput,
    output: InfrastructureResult,
    timeoutMs: 60_000,
    run: async ({ input }) => {
      const { repository } = input;
      const infra = defaultSpec(input.spec.template, repository.app_name);
      const files = infraArtefacts(infra);
      const arm = armFiles(infra);
      // Throws INVALID_PARAMETERS naming each issue: an invalid template is never committed.
      const resources = Object.fromEntries(ENVIRONMENTS.map((env) => [env, assertValidArm(arm.template, arm.parameters[env], env)])) as Record<
        Environment,
        ResolvedResource[]
      >;
      const previous = await services.data.latestRecordOf(repository.app_name, input.build_id);
      const costs = Object.fromEntries(ENVIRONMENTS.map((env) => [env, costView(env, resources[env], previous?.costs[env] ?? null)])) as Record<
        Environment,
        EnvironmentCostView
      >;
      const changes = Object.fromEntries(
        ENVIRONMENTS.map((env) => [
          env,
          planChanges(
            resources[env],
            (previous?.resources[env] ?? []).map(({ sku, ...r }) => (sku === null ? r : { ...r, sku })),
          ),
        ]),
      ) as InfrastructureResult['changes'];

      await ensureBranchFromMain(repository.repo_dir, INFRA_BRANCH);
      await commitFiles(repository.repo_dir, files, {
        branch: INFRA_BRANCH,
        message: `Infrastructure as code for ${repository.app_name} (${input.spec.template}: ARM, Bicep, dev/staging/prod parameters)`,
        date: stageDate(input.started_at, 'infrastructure'),
      });
      const summary = `ARM template valid offline in dev, staging and prod (${resources.prod.length} resources; types, API versions, dependsOn, references, SKUs per environment)`;
      const merged = await mergeThroughOrigin(repository.repo_dir, repository.origin_dir, INFRA_BRANCH, { name: 'arm-validation', passed: true, summary });
      const monthly = ENVIRONMENTS.reduce((sum, env) => sum + costs[env].monthly_cents, 0);
      return {
        commit: merged.sha,
        files: Object.keys(files).sort(),
        validation: { passed: true as const, summary },
        costs,
        monthly_cents: monthly,
        currency: PRICES_CURRENCY,
        prices_taken_on: PRICES_TAKEN_ON,
        changes,
      };
    },
  });
}
