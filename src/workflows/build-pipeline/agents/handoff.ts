/**
 * Stage 10's agent: the repository's README gets the deployment's status, URLs and architecture, a technical
 * specification is added (both merged through the protected origin after a check that only documentation changed),
 * the build record is completed with its resources and monthly cost, and the team is notified through the outbox once.
 */
import { z } from 'zod';
import { defineAgent } from '../../../engine/index.js';
import { ConflictError } from '../../../errors/index.js';
import { CodegenResult } from '../codegen/contracts.js';
import { ArchitectureDecision, ENVIRONMENTS, Idea, type Environment } from '../contracts.js';
import { DeployOutcome } from '../deploy/contracts.js';
import { GateReport } from '../gate/contracts.js';
import { formatUsd } from '../infra/index.js';
import { commitFiles, mergeThroughOrigin, runGit } from '../repository/index.js';
import type { BuildServices } from '../services.js';
import { changedFiles, ensureBranchFromMain, stageDate } from '../stages/git-steps.js';
import { HandoffResult, InfrastructureResult, RepositoryResult } from '../stages/contracts.js';
import { deliver, flushPending } from '../handoff/outbox.js';

export const HANDOFF_AGENT = 'build_handoff';
export const DOCS_BRANCH = 'build/docs';
export const SPECIFICATION_FILE = 'docs/SPECIFICATION.md';
const DOC_FILES = ['README.md', SPECIFICATION_FILE];
const README_MARK = { start: '<!-- baton:deployment -->', end: '<!-- /baton:deployment -->' };

export const HandoffInput = z.object({
  run_id: z.string(),
  idea: Idea,
  started_at: z.iso.datetime(),
  architecture: ArchitectureDecision,
  repository: RepositoryResult,
  codegen: CodegenResult,
  gate: GateReport,
  infrastructure: InfrastructureResult,
  deployments: z.array(DeployOutcome),
});
type HandoffInput = z.infer<typeof HandoffInput>;

const pct = (value: number | null) => (value === null ? 'n/a' : `${value.toFixed(1)}%`);

function deploymentSection(input: HandoffInput): string {
  const { spec } = input.architecture;
  const rows = input.deployments.map(
    (d) =>
      `| ${d.environment} | ${d.status} | ${d.url} | \`${d.commit.slice(0, 12)}\` | ${d.instances} | ${formatUsd(input.infrastructure.costs[d.environment].monthly_cents)} |`,
  );
  return [
    README_MARK.start,
    '## Deployment',
    '',
    '| Environment | Status | URL | Commit | Instances | Monthly cost |',
    '| --- | --- | --- | --- | --- | --- |',
    ...rows,
    '',
    `Architecture: ${spec.stack} on the \`${spec.template}\` template (${spec.services.map((s) => s.kind).join(', ')}); auth by API key in the \`x-api-key\` header.`,
    `Quality gate: tests passed, line coverage ${pct(input.gate.coverage?.lines.pct ?? null)}, branches ${pct(input.gate.coverage?.branches.pct ?? null)}, functions ${pct(input.gate.coverage?.functions.pct ?? null)}.`,
    `See [the technical specification](${SPECIFICATION_FILE}).`,
    README_MARK.end,
    '',
  ].join('\n');
}

/** The README with its deployment section replaced (or appended the first time). */
export function readmeWithDeployment(readme: string, section: string): string {
  const start = readme.indexOf(README_MARK.start);
  const end = readme.indexOf(README_MARK.end);
  if (start >= 0 && end > start) return `${readme.slice(0, start)}${section}${readme.slice(end + README_MARK.end.length).replace(/^\n/, '')}`;
  return `${readme.trimEnd()}\n\n${section}`;
}

function specification(input: HandoffInput): string {
  const { spec } = input.architecture;
  const lines = [
    `# ${input.repository.app_name}: technical specification`,
    '',
    input.idea.description,
    '',
    '## Architecture',
    '',
    `- Stack: ${spec.stack}; template: ${spec.template}; decided by ${input.architecture.decided_by}.`,
    `- Services: ${spec.services.map((s) => `${s.kind} (${s.resource_type}): ${s.purpose}`).join('; ')}.`,
    `- Auth: ${spec.auth_pattern}, compared timing-safe; \`/health\` is open and reports the deployed commit.`,
    '',
    '### Rationale',
    '',
    ...spec.rationale.map((r) => `- **${r.topic}**: ${r.reason}`),
    '',
    '## Entities',
    '',
    ...spec.entities.flatMap((e) => [
      `### ${e.name}`,
      '',
      '| Field | Type | Required |',
      '| --- | --- | --- |',
      ...e.fields.map((f) => `| ${f.name} | ${f.type} | ${f.required ? 'yes' : 'no'} |`),
      '',
      'Every row also carries id, created_at, updated_at, created_by and updated_by.',
      '',
    ]),
    '## API',
    '',
    ...input.codegen.manifest.collections.map((c) => `- \`${c.path}\` and \`${c.path}/{id}\`: ${c.entity} (list, create, read, update, delete)`),
    '',
    '## Environments and monthly cost',
    '',
    '| Environment | SKUs | Monthly cost |',
    '| --- | --- | --- |',
    ...ENVIRONMENTS.map(
      (env) =>
        `| ${env} | ${spec.skus[env].map((s) => `${s.service} ${s.sku}×${s.instances}`).join(', ')} | ${formatUsd(input.infrastructure.costs[env].monthly_cents)} |`,
    ),
    '',
    `Prices from the table dated ${input.infrastructure.prices_taken_on} (hourly × 730 × instances, per resource).`,
    '',
    '## Quality',
    '',
    `- ${input.gate.summary}`,
    '',
    '## Rollback',
    '',
    'Each release starts beside the one serving; a failed health check, smoke test, migration or a crash after the switch sends traffic back to the previous release and restores its database.',
    '',
  ];
  return lines.join('\n');
}

export function handoffAgent(services: BuildServices) {
  return defineAgent({
    name: HANDOFF_AGENT,
    description: 'Documents the deployment in the repository, completes the build record with its resources and cost, and notifies the team once',
    input: HandoffInput,
    output: HandoffResult,
    timeoutMs: 120_000,
    run: async ({ input, now }) => {
      const { repository, infrastructure } = input;
      const repoDir = repository.repo_dir;
      const readme = (await runGit(['show', `${infrastructure.commit}:README.md`], { cwd: repoDir })).stdout;
      const files = { 'README.md': readmeWithDeployment(readme, deploymentSection(input)), [SPECIFICATION_FILE]: specification(input) };
      await ensureBranchFromMain(repoDir, DOCS_BRANCH);
      const commit = await commitFiles(repoDir, files, {
        branch: DOCS_BRANCH,
        message: `Document the deployment of ${repository.app_name}`,
        date: stageDate(input.started_at, 'docs'),
      });
      // The check this merge carries: only documentation changed since what was tested and deployed.
      const changed = await changedFiles(repoDir, infrastructure.commit, commit.sha);
      const other = changed.filter((f) => !DOC_FILES.includes(f));
      if (other.length > 0) throw new ConflictError('the documentation commit changes more than documentation', { files: other });
      const merged = await mergeThroughOrigin(repoDir, repository.origin_dir, DOCS_BRANCH, {
        name: 'docs-only',
        passed: true,
        summary: `only ${changed.join(', ') || 'nothing'} changed since the deployed commit ${infrastructure.commit.slice(0, 12)}`,
      });

      const live = input.deployments.filter((d) => d.status !== 'rolled_back');
      const urls = Object.fromEntries(live.map((d) => [d.environment, d.url]));
      const deployed: Environment[] = live.map((d) => d.environment);
      const costs = Object.fromEntries(deployed.map((env) => [env, infrastructure.costs[env].monthly_cents]));
      const monthly = deployed.reduce((sum, env) => sum + infrastructure.costs[env].monthly_cents, 0);
      await services.data.recordBuild({
        run_id: input.run_id,
        idea_id: input.idea.id,
        app_name: repository.app_name,
        stack: input.architecture.spec.stack,
        template: input.architecture.spec.template,
        commit: merged.sha,
        urls,
        resources: Object.fromEntries(
          deployed.map((env) => [env, infrastructure.costs[env].lines.map((l) => ({ type: l.type, name: l.name, sku: l.sku, instances: l.instances }))]),
        ),
        costs,
        monthly_cents: monthly,
        completed_at: new Date(now()).toISOString(),
      });

      const key = `build:${input.run_id}:completed`;
      await services.data.enqueueNotification({
        key,
        run_id: input.run_id,
        kind: 'build.completed',
        at: now(),
        payload: {
          event: 'build.completed',
          run_id: input.run_id,
          idea: { id: input.idea.id, title: input.idea.title, champion: input.idea.champion },
          app: repository.app_name,
          commit: merged.sha,
          urls,
          monthly_cents: monthly,
          monthly_cost: formatUsd(monthly),
        },
      });
      const delivery = { webhookUrl: services.settings.BATON_BUILD_WEBHOOK_URL, now };
      const notification = await deliver(services.data, key, delivery);
      await flushPending(services.data, delivery, key);
      return {
        commit: merged.sha,
        files: Object.keys(files).sort(),
        urls,
        monthly_cents: monthly,
        notification: { key, ...notification },
      };
    },
  });
}
