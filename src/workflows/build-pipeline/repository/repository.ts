/**
 * Stage 3: a build's real git repository (README, .gitignore, LICENSE, CI workflow, CODEOWNERS) with deterministic
 * commits, and its protected origin holding main. `commitFiles` is also how later stages commit their artefacts.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join } from 'node:path';
import { z } from 'zod';
import { ConflictError, InvalidParametersError } from '../../../errors/index.js';
import { assertBranchName, runGit } from './git.js';
import { PROTECTED_BRANCH, createProtectedOrigin, originBranchSha, pushRef, recordPassingCheck } from './origin.js';
import { assertValidWorkflow, ciWorkflow } from './workflow-file.js';

/** Fixed names, so the same content and date always make the same commit whoever runs Baton. */
export const PIPELINE_IDENTITY = { name: 'Baton Build Pipeline', email: 'build-pipeline@baton.invalid' } as const;

/** A path inside the repository: relative, no `..`, nothing under `.git`. */
const RepoPathSchema = z
  .string()
  .min(1)
  .refine((p) => !isAbsolute(p) && !p.split('/').some((part) => part === '..' || part === '' || part === '.') && !/^\.git(\/|$)/.test(p), {
    message: 'must be a relative path inside the repository (no "..", no .git)',
  });

export const BuildRepositoryInputSchema = z.object({
  build_id: z.string().min(1),
  /** The application's name (README title, package names). */
  name: z.string().min(1).max(100),
  description: z.string().max(2000),
  stack: z.enum(['node', 'python']),
  champion: z.object({ name: z.string().min(1).max(200), email: z.email() }),
  /** CODEOWNERS entries: GitHub handles (@user, @org/team) or emails. */
  owners: z.array(z.union([z.string().regex(/^@[A-Za-z0-9-]+(\/[A-Za-z0-9_.-]+)?$/, 'must be @user or @org/team'), z.email()])).min(1),
  /** The build's creation time: the commit dates and the LICENSE year come from it. */
  created_at: z.iso.datetime({ offset: true }),
});
export type BuildRepositoryInput = z.infer<typeof BuildRepositoryInputSchema>;

function scaffoldFiles(input: BuildRepositoryInput, workflow: string): Record<string, string> {
  const year = new Date(input.created_at).getUTCFullYear();
  const ignore =
    input.stack === 'node'
      ? ['node_modules/', 'dist/', 'coverage/', '*.log', '.env', '*.sqlite', '']
      : ['__pycache__/', '*.pyc', '.venv/', '.coverage', 'coverage/', 'htmlcov/', '.pytest_cache/', '.mypy_cache/', '.env', '*.sqlite', ''];
  return {
    'README.md': `# ${input.name}\n\n${input.description}\n\nBuilt by the Baton build pipeline (build ${input.build_id}); champion: ${input.champion.name}.\n\n## Tests\n\n${input.stack === 'node' ? '`npm test`' : '`python -m pytest`'}\n`,
    '.gitignore': ignore.join('\n'),
    LICENSE: `MIT License

Copyright (c) ${year} ${input.champion.name}

Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE.
`,
    '.github/workflows/ci.yml': workflow,
    '.github/CODEOWNERS': `# Every change is reviewed by the build's owners.\n* ${input.owners.join(' ')}\n`,
  };
}

export interface CommitOptions {
  branch: string;
  message: string;
  /** ISO date for author and committer: from the build, never the clock, so a re-run makes the same SHA. */
  date: string;
  /**
   * A root commit (the scaffold): built with no parent, so its SHA is a function of the inputs alone and the call is
   * keyed by it: a branch already at that SHA is left alone, a branch anywhere else is a conflict, never a new commit.
   */
  root?: boolean;
}

export interface CommitResult {
  sha: string;
  /** False when the branch was already at this SHA (a re-run after a crash): nothing changed. */
  created: boolean;
}

/**
 * Writes files and commits them on a branch with the fixed identity and the given date. The commit is built with
 * plumbing (write-tree, commit-tree) so its SHA is known before the branch moves: a branch already there is a no-op,
 * and the branch moves by compare-and-swap from the parent it was built on (a concurrent writer makes it fail).
 */
export async function commitFiles(repoDir: string, files: Record<string, string>, options: CommitOptions): Promise<CommitResult> {
  const branch = await assertBranchName(options.branch, repoDir);
  const paths = Object.keys(files).sort();
  const bad = paths.filter((p) => !RepoPathSchema.safeParse(p).success);
  if (bad.length > 0)
    throw new InvalidParametersError(
      'invalid file paths',
      bad.map((p) => ({ path: p, message: 'must be a relative path inside the repository (no "..", no .git)' })),
    );
  for (const path of paths) {
    await mkdir(dirname(join(repoDir, path)), { recursive: true });
    await writeFile(join(repoDir, path), files[path] ?? '');
  }
  const ref = `refs/heads/${branch}`;
  let current: string | undefined;
  try {
    current = (await runGit(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], { cwd: repoDir })).stdout.trim();
  } catch {
    current = undefined;
  }
  const parent = options.root ? undefined : current;
  // Staging from the parent's tree, not whatever the index holds, keeps the tree a function of (parent, files).
  await runGit(parent ? ['read-tree', parent] : ['read-tree', '--empty'], { cwd: repoDir });
  await runGit(['add', '--', ...paths], { cwd: repoDir });
  const tree = (await runGit(['write-tree'], { cwd: repoDir })).stdout.trim();
  const env = {
    GIT_AUTHOR_NAME: PIPELINE_IDENTITY.name,
    GIT_AUTHOR_EMAIL: PIPELINE_IDENTITY.email,
    GIT_AUTHOR_DATE: options.date,
    GIT_COMMITTER_NAME: PIPELINE_IDENTITY.name,
    GIT_COMMITTER_EMAIL: PIPELINE_IDENTITY.email,
    GIT_COMMITTER_DATE: options.date,
  };
  if (options.root) {
    // commit-tree only writes an object (writing it again is a no-op), so the SHA is known before any ref moves.
    const sha = (await runGit(['commit-tree', tree, '-m', options.message], { cwd: repoDir, env })).stdout.trim();
    if (current === sha) return { sha, created: false };
    // Later stages may have moved the branch on from the scaffold: the scaffold is still done.
    if (current !== undefined && (await isAncestor(repoDir, sha, current))) return { sha, created: false };
    if (current !== undefined) throw new ConflictError(`branch ${branch} already holds another history`, { branch, current, expected: sha });
    await runGit(['update-ref', '-m', options.message, ref, sha, ''], { cwd: repoDir });
    await runGit(['symbolic-ref', 'HEAD', ref], { cwd: repoDir });
    return { sha, created: true };
  }
  // A re-run after a crash: the branch's commit has this tree, identity, date and message, so it is this call's commit.
  if (parent) {
    const head = (await runGit(['show', '-s', '--format=%T%n%ae%n%ce%n%at%n%ct%n%B', parent], { cwd: repoDir })).stdout;
    const seconds = Math.floor(Date.parse(options.date) / 1000);
    const expected = `${tree}\n${PIPELINE_IDENTITY.email}\n${PIPELINE_IDENTITY.email}\n${seconds}\n${seconds}\n${options.message}`;
    if (head.trimEnd() === expected.trimEnd()) return { sha: parent, created: false };
  }
  const sha = (await runGit(['commit-tree', tree, ...(parent ? ['-p', parent] : []), '-m', options.message], { cwd: repoDir, env })).stdout.trim();
  await runGit(['update-ref', '-m', options.message, ref, sha, parent ?? ''], { cwd: repoDir });
  // HEAD follows the branch just written, so the index (now this commit's tree) and HEAD agree.
  await runGit(['symbolic-ref', 'HEAD', ref], { cwd: repoDir });
  return { sha, created: true };
}

/** Whether `ancestor` is in `descendant`'s history (git exits 1 for no, other codes for errors such as a missing object). */
async function isAncestor(cwd: string, ancestor: string, descendant: string): Promise<boolean> {
  try {
    await runGit(['merge-base', '--is-ancestor', ancestor, descendant], { cwd });
    return true;
  } catch {
    return false;
  }
}

export interface BuildRepository {
  repoDir: string;
  originDir: string;
  /** The scaffold commit, on main locally and on the origin. */
  sha: string;
  created: boolean;
}

/**
 * Creates the build's repository and its protected origin, commits the scaffold on main and pushes it. The scaffold's
 * check is the offline validation of its CI workflow (the only thing there is to check before code exists); it is
 * recorded on the origin like any other, so even the first main goes through the protection. Idempotent by SHA.
 */
export async function createBuildRepository(rawInput: BuildRepositoryInput, dirs: { repoDir: string; originDir: string }): Promise<BuildRepository> {
  const parsed = BuildRepositoryInputSchema.safeParse(rawInput);
  if (!parsed.success)
    throw new InvalidParametersError(
      'invalid build repository input',
      parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
    );
  const input = parsed.data;
  if (!isAbsolute(dirs.repoDir) || !isAbsolute(dirs.originDir))
    throw new InvalidParametersError('invalid directories', [{ path: 'dirs', message: 'must be absolute paths' }]);
  const workflow = ciWorkflow(input.stack);
  await assertValidWorkflow(workflow);

  await createProtectedOrigin(dirs.originDir);
  await mkdir(dirs.repoDir, { recursive: true });
  await runGit(['init', '--quiet', `--initial-branch=${PROTECTED_BRANCH}`], { cwd: dirs.repoDir });
  const remotes = (await runGit(['remote'], { cwd: dirs.repoDir })).stdout.split('\n');
  if (!remotes.includes('origin')) await runGit(['remote', 'add', '--', 'origin', dirs.originDir], { cwd: dirs.repoDir });

  const commit = await commitFiles(dirs.repoDir, scaffoldFiles(input, workflow), {
    branch: PROTECTED_BRANCH,
    message: `Scaffold ${input.name} (build ${input.build_id})`,
    date: input.created_at,
    root: true,
  });

  const onOrigin = await originBranchSha(dirs.originDir, PROTECTED_BRANCH);
  if (onOrigin !== commit.sha && !(onOrigin !== undefined && (await isAncestor(dirs.originDir, commit.sha, onOrigin)))) {
    if (onOrigin !== undefined) throw new ConflictError('the origin holds another main', { origin: onOrigin, local: commit.sha });
    // The origin takes the objects first (a fetch on its own host runs no receive hooks and moves no branch), so the
    // check can name a commit it holds; then main goes through the hook like every later update.
    await runGit(['fetch', '--quiet', '--', dirs.repoDir, `refs/heads/${PROTECTED_BRANCH}`], { cwd: dirs.originDir });
    await recordPassingCheck(dirs.originDir, commit.sha, {
      name: 'ci-workflow-schema',
      passed: true,
      summary: '.github/workflows/ci.yml matches the published GitHub workflow schema',
    });
    await pushRef(dirs.repoDir, PROTECTED_BRANCH, PROTECTED_BRANCH);
  }
  return { ...dirs, sha: commit.sha, created: commit.created };
}
