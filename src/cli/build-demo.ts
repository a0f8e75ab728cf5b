/**
 * `baton build demo`: one idea built to a deployed local application (dev, and prod after two demo approvers — a
 * Lead Builder and a Champion — approve), then a second release of the same app with a defect that the local
 * target rolls back while the first keeps serving. Prints the timing of each stage, the coverage, the cost per
 * environment, and how to call the app. Offline on the embedded default; the apps keep running until `baton build down`.
 */
import type { Actor } from '../actors/contracts.js';
import { Engine, type RunStatus } from '../engine/index.js';
import type { BatonStore } from '../store/index.js';
import { CHAMPION_ROLE, LEAD_BUILDER_ROLE, type Environment } from '../workflows/build-pipeline/contracts.js';
import { buildData } from '../workflows/build-pipeline/data/index.js';
import { CodegenResult } from '../workflows/build-pipeline/codegen/contracts.js';
import { DeployOutcome } from '../workflows/build-pipeline/deploy/contracts.js';
import { GateReport } from '../workflows/build-pipeline/gate/contracts.js';
import { formatUsd } from '../workflows/build-pipeline/infra/index.js';
import { BuildIntake } from '../workflows/build-pipeline/intake.js';
import { buildServices } from '../workflows/build-pipeline/module.js';
import { InfrastructureResult, RepositoryResult } from '../workflows/build-pipeline/stages/contracts.js';
import { buildPipeline } from '../workflows/build-pipeline/workflow.js';

const IDEA = {
  title: 'Expense tracker',
  description: 'A small service for teams to record what they spend, so nobody loses a receipt again.',
  requirements: ['Users can track expenses with an amount, a category and a spent_on date', 'Managers review expenses'],
  research_findings: ['Teams lose receipts', 'Spreadsheets drift apart'],
  viability_score: 92,
  champion: 'dana',
};

/** The demo's two approvers exist only in this process (no actor rows: the user's `baton serve` stays in local mode). */
const approver = (name: string, role: string): Actor => ({
  id: `demo:${name}`,
  name,
  token_id: null,
  kind: 'person',
  scope: 'write',
  roles: [role],
  any_role: false,
});
const LEAD = approver('lee (demo lead builder)', LEAD_BUILDER_ROLE);
const CHAMPION = approver('dana (demo champion)', CHAMPION_ROLE);

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

async function narrate(engine: Engine, runId: string, print: (line: string) => void): Promise<RunStatus> {
  let last = '';
  for (;;) {
    const status = await engine.status(runId);
    const where = `${status.state}:${status.phase ?? ''}`;
    if (where !== last) {
      last = where;
      if (status.state === 'running' && status.phase) print(`  … ${status.phase}`);
    }
    if (status.state === 'waiting' && status.waitingFor?.kind === 'approval') {
      print(`  … ${status.waitingFor.phase}: approved by ${LEAD.name} and ${CHAMPION.name} (two people, the roles ${LEAD_BUILDER_ROLE} and ${CHAMPION_ROLE})`);
      for (const actor of [LEAD, CHAMPION]) await engine.resolveWait(runId, status.waitingFor.id, { action: 'accept', comment: 'demo approval' }, { actor });
      continue;
    }
    if (!['running', 'pending', 'waiting'].includes(status.state)) return status;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function stageTimes(engine: Engine, run: RunStatus, print: (line: string) => void): Promise<void> {
  let previous = run.createdAt;
  for (const step of await engine.steps(run.id)) {
    const skipped = typeof step.output === 'object' && step.output !== null && 'skipped' in step.output;
    print(`    ${step.phase.padEnd(16)} ${skipped ? 'skipped' : seconds(step.committedAt - previous)}`);
    previous = step.committedAt;
  }
}

export async function runBuildDemo(store: BatonStore, env: Readonly<Record<string, string | undefined>>, print: (line: string) => void): Promise<boolean> {
  const services = buildServices(store, { llm: null, env });
  const { workflow, agents } = buildPipeline(services);
  const engine = new Engine({ store, agents, workflows: [workflow] });
  await engine.start();
  try {
    const intake = new BuildIntake(engine, buildData(store));
    const idea = await intake.addIdea(IDEA);
    print(`idea "${idea.title}" (viability ${idea.viability_score}, champion ${idea.champion}): ${idea.id}`);
    print(`builds in ${services.workspace.root}; the local target's routers start at port ${services.settings.BATON_LOCAL_TARGET_PORT}`);

    print('\n1. First release: dev, then prod after two approvals');
    const environments: Environment[] = ['dev', 'prod'];
    const first = await narrate(engine, (await intake.startBuild(idea.id, { environments })).run_id, print);
    if (first.state !== 'completed') {
      print(`the build ended ${first.state}: ${first.error?.message ?? ''}`);
      return false;
    }
    const results = Object.fromEntries((await engine.steps(first.id)).map((s) => [s.phase, s.output]));
    print(`  completed in ${seconds((first.finishedAt ?? first.updatedAt) - first.createdAt)}; per stage:`);
    await stageTimes(engine, first, print);
    const gate = GateReport.parse(results.quality_gate);
    const coverage = gate.coverage;
    print(
      `  quality gate: ${gate.tests.passed_count ?? '?'} tests passed; coverage lines ${coverage?.lines.pct ?? 'n/a'}%, branches ${coverage?.branches.pct ?? 'n/a'}%, functions ${coverage?.functions.pct ?? 'n/a'}%`,
    );
    const infra = InfrastructureResult.parse(results.infrastructure);
    print(
      `  monthly cost (prices of ${infra.prices_taken_on}): ${(['dev', 'staging', 'prod'] as const).map((e) => `${e} ${formatUsd(infra.costs[e].monthly_cents)}`).join(', ')}`,
    );
    const repository = RepositoryResult.parse(results.repository);
    print(`  repository ${repository.repo_dir} (origin ${repository.origin_dir})`);
    const collection = CodegenResult.parse(results.codegen).manifest.collections[0]?.path ?? '/api';
    for (const environment of environments) {
      const outcome = DeployOutcome.parse(results[`deploy_${environment}`]);
      const key = services.apiKeyFor(repository.app_name, environment);
      print(
        `  ${environment}: ${outcome.url} serves ${outcome.commit.slice(0, 12)} on ${outcome.instances} instance(s), healthy after ${outcome.health_attempts} attempt(s)`,
      );
      print(`    curl -s ${outcome.url}/health`);
      print(`    curl -s -H 'x-api-key: ${key}' ${outcome.url}${collection}`);
    }

    print('\n2. Second release to dev with a defect (it crashes after the switch): rolled back, the first keeps serving');
    const second = await narrate(engine, (await intake.startBuild(idea.id, { environments: ['dev'], inject: { defect: 'crash-after-start' } })).run_id, print);
    const rolledBack = (await engine.steps(second.id)).find((s) => s.phase === 'deploy_dev');
    const outcome = rolledBack && DeployOutcome.parse(rolledBack.output);
    if (!outcome || outcome.status !== 'rolled_back') {
      print(`  the defective release was not rolled back (${second.state}): the demo failed`);
      return false;
    }
    print(`  ${second.state}: ${second.error?.message ?? ''}`);
    print(
      `  rollback at ${outcome.rollback?.stage ?? '?'} in ${outcome.rollback?.seconds.toFixed(2) ?? '?'} s; database restored: ${String(outcome.rollback?.database_restored ?? false)}`,
    );
    const health = (await fetch(`${outcome.url}/health`).then((r) => r.json())) as { version?: string };
    const firstCommit = DeployOutcome.parse(results.deploy_dev).commit;
    print(
      `  ${outcome.url}/health reports ${health.version?.slice(0, 12) ?? '?'}: ${health.version === firstCommit ? 'the first release, still serving' : 'NOT the first release'}`,
    );
    print('\nThe apps keep running: `baton build down` stops them.');
    return health.version === firstCommit;
  } finally {
    await engine.close();
  }
}
