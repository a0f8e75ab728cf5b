/**
 * The build pipeline as a workflow: an idea whose viability score is above the threshold becomes a deployed,
 * verified, documented application. Phases (BUILD_PHASES):
 *   intake          reads the idea as it stands; 85 or less ends the run rejected with the score and the threshold
 *   architecture    the build architect: stack, template, services, SKUs per environment, entities, auth, rationale
 *   repository      a real git repository with a protected origin (no direct push, no force push, no deletion)
 *   codegen         the application rendered from the architecture and committed on the feature branch
 *   quality_gate    the app's own tests, coverage (lines ≥ the minimum) and type check; a failure goes back to
 *                   codegen with the report, at most `max_fix_rounds` times, then fails the build with it
 *   merge           main fast-forwarded through the origin to the gated commit, its check recorded
 *   infrastructure  ARM (validated offline) and Bicep per environment, merged; monthly cost; planned changes
 *   approve_<env>   dev and staging skip with the reason; prod waits for a Lead Builder and a Champion, two people
 *   deploy_<env>    the release on the target (blue/green behind a router locally); a rollback fails the build
 *   handoff         README and specification merged, the build record completed, the team notified once
 */
import { isSkipped } from '../../engine/contracts.js';
import { defineWorkflow, type AgentDefinition, type Phase, type WorkflowContext, type WorkflowDefinition } from '../../engine/index.js';
import { ARCHITECT_AGENT, buildAgents, INTAKE_AGENT } from './agents/index.js';
import { CODEGEN_AGENT, GATE_AGENT } from './agents/code.js';
import { DEPLOY_AGENT } from './agents/deploy.js';
import { HANDOFF_AGENT } from './agents/handoff.js';
import { INFRASTRUCTURE_AGENT, MERGE_AGENT } from './agents/merge.js';
import { REPOSITORY_AGENT } from './agents/repository.js';
import { CodegenResult } from './codegen/contracts.js';
import {
  ArchitectureDecision,
  BuildParameters,
  CHAMPION_ROLE,
  ENVIRONMENTS,
  IntakeVerdict,
  LEAD_BUILDER_ROLE,
  VIABILITY_THRESHOLD,
  type Environment,
} from './contracts.js';
import { DeployOutcome } from './deploy/contracts.js';
import { GateReport } from './gate/contracts.js';
import type { BuildServices } from './services.js';
import { InfrastructureResult, RepositoryResult, type ApprovalPacket } from './stages/contracts.js';

export const BUILD_PIPELINE = 'build-pipeline';

/** Every build of an idea shares one session, so the idea's builds are listed and streamed together. */
export const buildSessionOf = (ideaId: string): string => `build:${ideaId}`;

type Context = WorkflowContext<BuildParameters>;

const intakeOf = (c: Context) => IntakeVerdict.parse(c.results.intake);
const architectureOf = (c: Context) => ArchitectureDecision.parse(c.results.architecture);
const repositoryOf = (c: Context) => RepositoryResult.parse(c.results.repository);
const codegenOf = (c: Context) => CodegenResult.parse(c.results.codegen);
const gateOf = (c: Context) => GateReport.parse(c.results.quality_gate);
const infrastructureOf = (c: Context) => InfrastructureResult.parse(c.results.infrastructure);

const ROLLBACK_PLAN =
  'The release starts beside the one serving; the router switches only after /health reports this commit and the smoke tests pass. ' +
  'A failed migration, health check or smoke test, or a crash in the watch after the switch, sends traffic back to the previous release, ' +
  'stops the new slot and restores the database from the backup taken before the migration.';

function approvalPhase(environment: Environment): Phase<BuildParameters> {
  const name = `approve_${environment}`;
  if (environment !== 'prod') {
    return {
      name,
      description: `${environment} deploys need no approval`,
      wait: { kind: 'approval' },
      skip: () => `${environment} needs no approval: only production deploys are approved (a Lead Builder and a Champion)`,
    };
  }
  return {
    name,
    description: 'Production deploy: a Lead Builder and a Champion approve, two different people',
    skip: (p) => (p.environments.includes('prod') ? false : 'this build does not deploy to prod'),
    wait: {
      kind: 'approval',
      policy: { quorum: [LEAD_BUILDER_ROLE, CHAMPION_ROLE] },
      data: (c): ApprovalPacket => {
        const infra = infrastructureOf(c);
        return {
          environment: 'prod',
          commit: infra.commit,
          gate: gateOf(c),
          changes: infra.changes.prod,
          cost: infra.costs.prod,
          rollback_plan: ROLLBACK_PLAN,
          roles: [LEAD_BUILDER_ROLE, CHAMPION_ROLE],
        };
      },
    },
    // There is nothing to modify in a release: a change is a new build.
    decide: (_c, resolution) =>
      resolution.action === 'accept'
        ? undefined
        : {
            end: 'rejected',
            reason: `the production deploy was ${resolution.action === 'reject' ? 'rejected' : 'not accepted'}${resolution.comment ? `: ${resolution.comment}` : ''}`,
          },
  };
}

function deployPhase(environment: Environment): Phase<BuildParameters> {
  return {
    name: `deploy_${environment}`,
    description: `Releases the build to ${environment}`,
    agent: DEPLOY_AGENT,
    skip: (p) => (p.environments.includes(environment) ? false : `this build does not deploy to ${environment}`),
    input: (c) => ({
      environment,
      target: c.parameters.target,
      spec: architectureOf(c).spec,
      repository: repositoryOf(c),
      commit: infrastructureOf(c).commit,
      manifest: codegenOf(c).manifest,
    }),
    next: (_c, output) => {
      const outcome = DeployOutcome.parse(output);
      if (outcome.status !== 'rolled_back') return undefined;
      const rollback = outcome.rollback;
      return {
        end: 'failed',
        reason: `the ${environment} release was rolled back at ${rollback?.stage ?? 'an unknown stage'}: ${rollback?.reason ?? 'no reason recorded'} (${outcome.previous_commit ? `${outcome.previous_commit.slice(0, 12)} serves again` : 'nothing served before'})`,
      };
    },
  };
}

export const buildPipelineWorkflow: WorkflowDefinition<BuildParameters> = defineWorkflow({
  name: BUILD_PIPELINE,
  description: 'intake → architecture → repository → code generation ⇄ quality gate → merge → infrastructure → approvals → deploy dev, staging, prod → handoff',
  parameters: BuildParameters,
  phases: [
    {
      name: 'intake',
      description: 'Reads the idea and checks its viability score against the threshold',
      agent: INTAKE_AGENT,
      input: ({ parameters }) => ({ idea_id: parameters.idea_id, threshold: VIABILITY_THRESHOLD }),
      // The route refuses such ideas already; a run started another way (the generic run route) is refused here.
      next: (_context, output) => {
        const verdict = IntakeVerdict.parse(output);
        return verdict.accepted ? undefined : { end: 'rejected', reason: verdict.reason };
      },
    },
    {
      name: 'architecture',
      description: 'The build architect chooses the architecture from the requirements and the catalogue',
      agent: ARCHITECT_AGENT,
      input: ({ parameters, results }) => ({
        idea: IntakeVerdict.parse(results.intake).idea,
        ...(parameters.stack ? { stack: parameters.stack } : {}),
        ...(parameters.architect ? { mode: parameters.architect } : {}),
      }),
    },
    {
      name: 'repository',
      description: 'A git repository with README, .gitignore, LICENSE, CI workflow and CODEOWNERS, and a protected origin',
      agent: REPOSITORY_AGENT,
      input: (c) => ({ build_id: c.runId, idea: intakeOf(c).idea, started_at: intakeOf(c).started_at, decision: architectureOf(c) }),
    },
    {
      name: 'codegen',
      description: 'The code generator renders the application and commits it on the feature branch',
      agent: CODEGEN_AGENT,
      input: (c) => {
        const gate = c.results.quality_gate;
        const failed = gate !== undefined && !isSkipped(gate) ? GateReport.parse(gate) : undefined;
        return {
          build_id: c.runId,
          idea: intakeOf(c).idea,
          spec: architectureOf(c).spec,
          started_at: intakeOf(c).started_at,
          repository: repositoryOf(c),
          round: c.visit - 1,
          ...(failed && !failed.passed
            ? { fix: { summary: failed.summary, output: `${failed.typecheck.output}\n${failed.tests.output}`.slice(-20_000) } }
            : {}),
          ...(c.parameters.inject ? { inject: c.parameters.inject } : {}),
        };
      },
    },
    {
      name: 'quality_gate',
      description: "The app's own tests, coverage and type check; a failure goes back to code generation with the report",
      agent: GATE_AGENT,
      transitions: ['codegen'],
      input: (c) => ({ codegen: codegenOf(c), repository: repositoryOf(c), min_line_coverage: c.parameters.min_line_coverage }),
      next: (c, output) => {
        const report = GateReport.parse(output);
        if (report.passed) return undefined;
        const rounds = c.visits.codegen ?? 1;
        if (rounds <= c.parameters.max_fix_rounds) return { goto: 'codegen', reason: `quality gate failed (round ${rounds}): ${report.summary}` };
        return { end: 'failed', reason: `the quality gate failed ${rounds} time${rounds === 1 ? '' : 's'}; the last report: ${report.summary}` };
      },
    },
    {
      name: 'merge',
      description: 'The gated commit merged into main through the protected origin',
      agent: MERGE_AGENT,
      input: (c) => ({ codegen: codegenOf(c), gate: gateOf(c), repository: repositoryOf(c) }),
    },
    {
      name: 'infrastructure',
      description: 'ARM and Bicep per environment, validated offline, costed, with the planned changes',
      agent: INFRASTRUCTURE_AGENT,
      input: (c) => ({
        build_id: c.runId,
        idea_id: c.parameters.idea_id,
        spec: architectureOf(c).spec,
        started_at: intakeOf(c).started_at,
        repository: repositoryOf(c),
      }),
    },
    ...ENVIRONMENTS.flatMap((env) => [approvalPhase(env), deployPhase(env)]),
    {
      name: 'handoff',
      description: 'Documentation merged, the build record completed, the team notified once',
      agent: HANDOFF_AGENT,
      input: (c) => ({
        run_id: c.runId,
        idea: intakeOf(c).idea,
        started_at: intakeOf(c).started_at,
        architecture: architectureOf(c),
        repository: repositoryOf(c),
        codegen: codegenOf(c),
        gate: gateOf(c),
        infrastructure: infrastructureOf(c),
        deployments: ENVIRONMENTS.flatMap((env) => {
          const outcome = c.results[`deploy_${env}`];
          return outcome === undefined || isSkipped(outcome) ? [] : [DeployOutcome.parse(outcome)];
        }),
      }),
    },
  ],
});

/** The workflow and its agents on the module's services. */
export function buildPipeline(services: BuildServices): { workflow: WorkflowDefinition<BuildParameters>; agents: AgentDefinition[] } {
  return { workflow: buildPipelineWorkflow, agents: buildAgents(services) };
}
