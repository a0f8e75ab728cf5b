/** Stage 3's agent: the build's real git repository with its protected origin, named after the idea. */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { defineAgent } from '../../../engine/index.js';
import { ArchitectureDecision, Idea } from '../contracts.js';
import { createBuildRepository } from '../repository/index.js';
import type { BuildServices } from '../services.js';
import { filesOf } from '../stages/git-steps.js';
import { RepositoryResult } from '../stages/contracts.js';

export const REPOSITORY_AGENT = 'build_repository';

export const RepositoryInput = z.object({ build_id: z.string(), idea: Idea, started_at: z.iso.datetime(), decision: ArchitectureDecision });

/**
 * The app's name: the idea's title in lower kebab case, cut to fit Azure's names (3–20 characters), with four hex
 * characters of the idea's id so two ideas with one title are two apps, and every build of one idea the same app.
 */
export function appNameOf(idea: Pick<Idea, 'id' | 'title'>): string {
  const suffix = createHash('sha256').update(idea.id).digest('hex').slice(0, 4);
  let slug = idea.title
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  if (!/^[a-z]/.test(slug)) slug = `app-${slug}`;
  slug = slug.slice(0, 15).replace(/-+$/, '');
  return `${slug}-${suffix}`;
}

/** An address for a person named in CODEOWNERS and the LICENSE (the idea names its champion, not an address). */
export const emailOf = (person: string): string =>
  `${
    person
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '.')
      .replace(/^\.+|\.+$/g, '') || 'champion'
  }@baton.invalid`;

export function repositoryAgent(services: BuildServices) {
  return defineAgent({
    name: REPOSITORY_AGENT,
    description: 'Creates the git repository (README, .gitignore, LICENSE, CI workflow, CODEOWNERS) and its protected origin',
    input: RepositoryInput,
    output: RepositoryResult,
    timeoutMs: 120_000,
    run: async ({ input }) => {
      const appName = appNameOf(input.idea);
      const dirs = { repoDir: services.workspace.repoDir(input.build_id), originDir: services.workspace.originDir(input.build_id) };
      const champion = { name: input.idea.champion, email: emailOf(input.idea.champion) };
      const repository = await createBuildRepository(
        {
          build_id: input.build_id,
          name: appName,
          description: input.idea.description.slice(0, 2_000),
          stack: input.decision.spec.stack === 'node-typescript' ? 'node' : 'python',
          champion,
          owners: [champion.email],
          created_at: input.started_at,
        },
        dirs,
      );
      return {
        app_name: appName,
        repo_dir: dirs.repoDir,
        origin_dir: dirs.originDir,
        scaffold_commit: repository.sha,
        created: repository.created,
        files: await filesOf(dirs.repoDir, repository.sha),
      };
    },
  });
}
