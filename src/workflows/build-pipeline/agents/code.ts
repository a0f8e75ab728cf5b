/**
 * Stages 4 and 5: the code generator commits the application on the feature branch; the quality gate runs the app's
 * own tests, coverage and type check on an export of that commit. A failing gate sends the run back to the generator
 * with its report (the workflow decides how often).
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { defineAgent } from '../../../engine/index.js';
import { APP_MANIFEST_FILE } from '../app/contracts.js';
import { generateApp } from '../codegen/index.js';
import { CodegenResult } from '../codegen/contracts.js';
import { ArchitectureSpec, FaultInjection, Idea } from '../contracts.js';
import { GateReport } from '../gate/contracts.js';
import { runGate } from '../gate/index.js';
import { commitFiles } from '../repository/index.js';
import type { BuildServices } from '../services.js';
import { ensureBranchFromMain, exportCommit, scratchDir, stageDate } from '../stages/git-steps.js';
import { RepositoryResult } from '../stages/contracts.js';

export const CODEGEN_AGENT = 'build_code_generator';
export const GATE_AGENT = 'build_quality_gate';
export const CODE_BRANCH = 'build/code';

export const CodegenStageInput = z.object({
  build_id: z.string(),
  idea: Idea,
  spec: ArchitectureSpec,
  started_at: z.iso.datetime(),
  repository: RepositoryResult,
  round: z.number().int().min(0),
  fix: z.object({ summary: z.string(), output: z.string() }).optional(),
  inject: FaultInjection.optional(),
});

export const GateStageInput = z.object({
  codegen: CodegenResult,
  repository: RepositoryResult,
  min_line_coverage: z.number(),
});

export function codegenAgent() {
  return defineAgent({
    name: CODEGEN_AGENT,
    description:
      'Renders the application (entry point, auth, models, repository, services, CRUD routes, health, migrations, tests, OpenAPI, docs) and commits it on the feature branch',
    input: CodegenStageInput,
    output: CodegenResult,
    timeoutMs: 120_000,
    run: async ({ input, reportProgress }) => {
      const app = generateApp({
        build_id: input.build_id,
        app_name: input.repository.app_name,
        idea: input.idea,
        spec: input.spec,
        round: input.round,
        ...(input.fix ? { fix: input.fix } : {}),
        ...(input.inject ? { variant: input.inject } : {}),
      });
      reportProgress(50, `${Object.keys(app.files).length} files rendered`);
      const files = { ...app.files, [APP_MANIFEST_FILE]: app.files[APP_MANIFEST_FILE] ?? `${JSON.stringify(app.manifest, null, 2)}\n` };
      const repoDir = input.repository.repo_dir;
      await ensureBranchFromMain(repoDir, CODE_BRANCH);
      const commit = await commitFiles(repoDir, files, {
        branch: CODE_BRANCH,
        message: input.round === 0 ? `Generate ${input.repository.app_name}` : `Regenerate ${input.repository.app_name} (gate round ${input.round + 1})`,
        date: stageDate(input.started_at, 'code', input.round),
      });
      return {
        stack: app.stack,
        round: input.round,
        branch: CODE_BRANCH,
        commit: commit.sha,
        files: Object.keys(files).sort(),
        written_by: app.written_by,
        manifest: app.manifest,
      };
    },
  });
}

export function gateAgent(services: BuildServices) {
  return defineAgent({
    name: GATE_AGENT,
    description: "Runs the generated app's own tests with coverage and its type check in a subprocess with a time limit",
    input: GateStageInput,
    output: GateReport,
    // Type check and tests each get the gate's limit; the agent's own limit covers both and the export.
    timeoutMs: services.settings.BATON_BUILD_GATE_TIMEOUT_MS * 3 + 60_000,
    // Deterministic: the same commit fails the same way again, so a failure goes back to the generator, not to a retry.
    retry: { maxAttempts: 1 },
    run: async ({ input, signal, reportProgress }) => {
      const { codegen, repository } = input;
      const checkout = scratchDir(repository.repo_dir, `gate-${codegen.commit.slice(0, 12)}`);
      await exportCommit(repository.repo_dir, codegen.commit, checkout);
      reportProgress(10, `testing ${codegen.commit.slice(0, 12)}`);
      const report = await runGate({
        checkout,
        manifest: codegen.manifest,
        commit: codegen.commit,
        round: codegen.round,
        minLineCoverage: input.min_line_coverage,
        timeoutMs: services.settings.BATON_BUILD_GATE_TIMEOUT_MS,
        signal,
      });
      // Kept beside the checkout for a person to read after the build (the step keeps only the tail of each output).
      await writeFile(join(checkout, '..', `gate-${codegen.commit.slice(0, 12)}.json`), `${JSON.stringify(report, null, 2)}\n`);
      return report;
    },
  });
}
