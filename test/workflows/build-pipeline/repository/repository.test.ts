import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BatonError } from '../../../../src/errors/index.js';
import { GitError, GitPushRefusedError, runGit } from '../../../../src/workflows/build-pipeline/repository/git.js';
import {
  deleteRemoteBranch,
  mergeThroughOrigin,
  originBranchSha,
  pushRef,
  readCheck,
  recordPassingCheck,
} from '../../../../src/workflows/build-pipeline/repository/origin.js';
import { commitFiles, createBuildRepository, type BuildRepositoryInput } from '../../../../src/workflows/build-pipeline/repository/repository.js';
import { assertValidWorkflow, ciWorkflow } from '../../../../src/workflows/build-pipeline/repository/workflow-file.js';

const input: BuildRepositoryInput = {
  build_id: 'build-42',
  name: 'Inventory Tracker',
  description: 'Tracks stock per store.',
  stack: 'node',
  champion: { name: 'Ada Lovelace', email: 'ada@example.com' },
  owners: ['@ada', 'lead@example.com'],
  created_at: '2026-03-01T09:30:00Z',
};

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'baton-repo-'));
  dirs.push(dir);
  return dir;
}
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

async function freshBuild(): Promise<{ repoDir: string; originDir: string; sha: string }> {
  const root = await tempDir();
  const made = await createBuildRepository(input, { repoDir: join(root, 'repo'), originDir: join(root, 'origin.git') });
  return made;
}

async function featureCommit(repoDir: string, content = 'export const answer = 42;\n'): Promise<string> {
  await runGit(['branch', 'feature/app', 'main'], { cwd: repoDir });
  const { sha } = await commitFiles(repoDir, { 'src/app.ts': content }, { branch: 'feature/app', message: 'Generate the app', date: '2026-03-01T10:00:00Z' });
  return sha;
}

async function refusal(promise: Promise<unknown>): Promise<GitPushRefusedError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(GitPushRefusedError);
  return error as GitPushRefusedError;
}

describe('the build repository (stage 3)', () => {
  it('has the README, .gitignore, MIT LICENSE with the champion and year, a valid CI workflow and CODEOWNERS, committed on main and on the origin', async () => {
    const { repoDir, originDir, sha } = await freshBuild();
    const files = (await runGit(['ls-tree', '-r', '--name-only', sha], { cwd: repoDir })).stdout.trim().split('\n');
    expect(files.sort()).toEqual(['.github/CODEOWNERS', '.github/workflows/ci.yml', '.gitignore', 'LICENSE', 'README.md']);
    const license = (await runGit(['show', `${sha}:LICENSE`], { cwd: repoDir })).stdout;
    expect(license).toMatch(/^MIT License/);
    expect(license).toContain('Copyright (c) 2026 Ada Lovelace');
    const workflow = (await runGit(['show', `${sha}:.github/workflows/ci.yml`], { cwd: repoDir })).stdout;
    await expect(assertValidWorkflow(workflow)).resolves.toBeUndefined();
    expect(workflow).toContain('npm test');
    expect((await runGit(['show', `${sha}:.github/CODEOWNERS`], { cwd: repoDir })).stdout).toContain('* @ada lead@example.com');
    expect(await originBranchSha(originDir, 'main')).toBe(sha);
    expect(await readCheck(originDir, sha)).toMatchObject({ name: 'ci-workflow-schema', passed: true });
    const author = (await runGit(['show', '-s', '--format=%an <%ae> %aI | %cn <%ce> %cI', sha], { cwd: repoDir })).stdout.trim();
    expect(author).toBe(
      'Baton Build Pipeline <build-pipeline@baton.invalid> 2026-03-01T09:30:00+00:00 | Baton Build Pipeline <build-pipeline@baton.invalid> 2026-03-01T09:30:00+00:00',
    );
  });

  it('makes the same SHA from the same inputs in two directories, and a re-run in the same directory changes nothing', async () => {
    const first = await freshBuild();
    const second = await freshBuild();
    expect(second.sha).toBe(first.sha);
    const again = await createBuildRepository(input, { repoDir: first.repoDir, originDir: first.originDir });
    expect(again).toMatchObject({ sha: first.sha, created: false });
    expect((await runGit(['rev-list', '--count', 'main'], { cwd: first.repoDir })).stdout.trim()).toBe('1');
    const other = await createBuildRepository(
      { ...input, created_at: '2026-03-02T09:30:00Z' },
      { repoDir: join(await tempDir(), 'r'), originDir: join(await tempDir(), 'o') },
    );
    expect(other.sha).not.toBe(first.sha);
  });

  it('refuses to scaffold over a repository holding another history, and a re-run after later stages moved main on does nothing', async () => {
    const { repoDir, originDir, sha } = await freshBuild();
    await expect(createBuildRepository({ ...input, name: 'Another App' }, { repoDir, originDir })).rejects.toMatchObject({ code: 'CONFLICT' });
    await featureCommit(repoDir);
    const merged = await mergeThroughOrigin(repoDir, originDir, 'feature/app', { name: 'quality-gate', passed: true, summary: 'ok' });
    expect(await createBuildRepository(input, { repoDir, originDir })).toMatchObject({ sha, created: false });
    expect(await originBranchSha(originDir, 'main')).toBe(merged.sha);
  });

  it('writes an executable pre-receive hook and turns on denyNonFastForwards and denyDeletes on the origin', async () => {
    const { originDir } = await freshBuild();
    expect(statSync(join(originDir, 'hooks', 'pre-receive')).mode & 0o111).not.toBe(0);
    expect((await runGit(['config', 'receive.denyNonFastForwards'], { cwd: originDir })).stdout.trim()).toBe('true');
    expect((await runGit(['config', 'receive.denyDeletes'], { cwd: originDir })).stdout.trim()).toBe('true');
  });
});

describe('the protected origin', () => {
  it('refuses a direct push to main without a recorded check, with git’s refusal in the error, and main stays where it was', async () => {
    const { repoDir, originDir, sha } = await freshBuild();
    const feature = await featureCommit(repoDir);
    const error = await refusal(pushRef(repoDir, 'feature/app', 'main'));
    expect(error.code).toBe('FORBIDDEN');
    expect(error.stderr).toContain(`no passing check is recorded for ${feature}`);
    expect(error.stderr).toContain('pre-receive hook declined');
    expect(error.message).toContain('pre-receive hook declined');
    expect(await originBranchSha(originDir, 'main')).toBe(sha);
  });

  it('refuses a force push to main even when the new commit has a recorded check', async () => {
    const { repoDir, originDir } = await freshBuild();
    await featureCommit(repoDir);
    const merged = await mergeThroughOrigin(repoDir, originDir, 'feature/app', { name: 'gate', passed: true, summary: 'ok' });
    // A rewritten history: a new root commit, checked, pushed with force over main.
    const { sha: orphan } = await commitFiles(
      repoDir,
      { 'other.txt': 'x\n' },
      { branch: 'rewrite', message: 'Rewrite', date: '2026-03-01T11:00:00Z', root: true },
    );
    await pushRef(repoDir, 'rewrite', 'rewrite');
    await recordPassingCheck(originDir, orphan, { name: 'gate', passed: true, summary: 'ok' });
    const error = await refusal(pushRef(repoDir, 'rewrite', 'main', { force: true }));
    expect(error.stderr).toMatch(/non-fast-forward|denying non-fast-forward/);
    expect(await originBranchSha(originDir, 'main')).toBe(merged.sha);
  });

  it('refuses deleting main and deleting a feature branch', async () => {
    const { repoDir, originDir, sha } = await freshBuild();
    await featureCommit(repoDir);
    await pushRef(repoDir, 'feature/app', 'feature/app');
    const main = await refusal(deleteRemoteBranch(repoDir, 'main'));
    expect(main.stderr).toMatch(/deletion prohibited|cannot be deleted/);
    await refusal(deleteRemoteBranch(repoDir, 'feature/app'));
    expect(await originBranchSha(originDir, 'main')).toBe(sha);
    expect(await originBranchSha(originDir, 'feature/app')).toBeDefined();
  });

  it('refuses a check pushed as a ref, so a pusher cannot grant their own check', async () => {
    const { repoDir } = await freshBuild();
    const feature = await featureCommit(repoDir);
    const args = ['push', '--', 'origin', `${feature}:refs/checks/${feature}`];
    const error = await runGit(args, { cwd: repoDir }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(GitError);
    expect((error as GitError).stderr).toContain('checks are recorded on the origin, not pushed');
  });
});

describe('the merge (stage 6)', () => {
  it('pushes the feature branch, records its check and fast-forwards main to the feature’s SHA; a re-run does nothing', async () => {
    const { repoDir, originDir, sha: scaffold } = await freshBuild();
    const feature = await featureCommit(repoDir);
    const merged = await mergeThroughOrigin(repoDir, originDir, 'feature/app', { name: 'quality-gate', passed: true, summary: '12 tests, 91% lines' });
    expect(merged).toEqual({ sha: feature, moved: true });
    expect(await originBranchSha(originDir, 'main')).toBe(feature);
    expect(await originBranchSha(originDir, 'feature/app')).toBe(feature);
    expect((await runGit(['rev-parse', `${feature}~1`], { cwd: originDir })).stdout.trim()).toBe(scaffold);
    expect(await readCheck(originDir, feature)).toMatchObject({ name: 'quality-gate', summary: '12 tests, 91% lines' });
    expect(await mergeThroughOrigin(repoDir, originDir, 'feature/app', { name: 'quality-gate', passed: true, summary: 'again' })).toEqual({
      sha: feature,
      moved: false,
    });
  });

  it('refuses to record a check for a commit the origin does not hold', async () => {
    const { originDir } = await freshBuild();
    await expect(recordPassingCheck(originDir, 'a'.repeat(40), { name: 'gate', passed: true, summary: 'ok' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(recordPassingCheck(originDir, '../../etc/passwd', { name: 'gate', passed: true, summary: 'ok' })).rejects.toMatchObject({
      code: 'INVALID_PARAMETERS',
    });
  });

  it('keeps a re-run commit idempotent: the same files, message and date on a branch already holding them make no new commit', async () => {
    const { repoDir } = await freshBuild();
    const first = await featureCommit(repoDir);
    const again = await commitFiles(
      repoDir,
      { 'src/app.ts': 'export const answer = 42;\n' },
      { branch: 'feature/app', message: 'Generate the app', date: '2026-03-01T10:00:00Z' },
    );
    expect(again).toEqual({ sha: first, created: false });
  });
});

describe('validation and injection', () => {
  it('refuses a malformed CI workflow, naming the problem and where it is', async () => {
    const broken = ciWorkflow('node').replace('runs-on: ubuntu-latest', 'runs-onn: ubuntu-latest');
    await expect(assertValidWorkflow(broken)).rejects.toThrow(
      /not a valid GitHub workflow: line 8 column 5 Unexpected value 'runs-onn'; line 8 column 5 Required property is missing: runs-on/,
    );
    await expect(assertValidWorkflow('on: push\n')).rejects.toThrow(/line 1 column 1 Required property is missing: jobs/);
    await expect(assertValidWorkflow('jobs: [\n')).rejects.toThrow(/Flow sequence in block collection must be sufficiently indented/);
    const error: unknown = await assertValidWorkflow('on: push\n').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BatonError);
    expect((error as BatonError).code).toBe('INVALID_PARAMETERS');
  });

  it('accepts the Python stack’s workflow too', async () => {
    await expect(assertValidWorkflow(ciWorkflow('python'))).resolves.toBeUndefined();
  });

  it('refuses a branch named like an option (--upload-pack=…) before git runs, and nothing is executed', async () => {
    const { repoDir, originDir } = await freshBuild();
    const marker = join(await tempDir(), 'pwned');
    const evil = `--upload-pack=touch ${marker}`;
    const attempts = [
      () => pushRef(repoDir, evil, 'main'),
      () => pushRef(repoDir, 'main', evil),
      () => deleteRemoteBranch(repoDir, evil),
      () => mergeThroughOrigin(repoDir, originDir, evil, { name: 'x', passed: true, summary: 'x' }),
      () => commitFiles(repoDir, { 'a.txt': 'a' }, { branch: evil, message: 'm', date: input.created_at }),
    ];
    for (const attempt of attempts) await expect(attempt()).rejects.toMatchObject({ code: 'INVALID_PARAMETERS' });
    // Even straight to the runner: after `--` git takes it as a remote name, not an option.
    await expect(runGit(['fetch', '--', evil], { cwd: repoDir })).rejects.toBeInstanceOf(GitError);
    expect(existsSync(marker)).toBe(false);
  });

  it('refuses file paths that leave the repository or touch .git', async () => {
    const { repoDir } = await freshBuild();
    for (const path of ['../escape.txt', '/etc/passwd', '.git/hooks/post-commit', 'a/../../b']) {
      await expect(commitFiles(repoDir, { [path]: 'x' }, { branch: 'main', message: 'm', date: input.created_at })).rejects.toMatchObject({
        code: 'INVALID_PARAMETERS',
      });
    }
    expect(await readFile(join(repoDir, 'README.md'), 'utf8')).toContain('Inventory Tracker');
  });

  it('runs git with a time limit and reports a timeout as retryable DEADLINE_EXCEEDED', async () => {
    const dir = await tempDir();
    execFileSync('git', ['init', '--quiet', dir]);
    // `git hash-object --stdin` waits for input that never comes: only the time limit ends it.
    await expect(runGit(['hash-object', '--stdin'], { cwd: dir, timeoutMs: 200 })).rejects.toMatchObject({ code: 'DEADLINE_EXCEEDED', retryable: true });
  });
});

describe('git that cannot start', () => {
  it("says the build's directory is not on this machine, naming it and BATON_BUILD_DIR, rather than that git is missing", async () => {
    // A build resumed on another machine: its steps hold the first machine's paths.
    const gone = join(await tempDir(), 'builds', 'build-42', 'repo');
    const error = await runGit(['status'], { cwd: gone }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BatonError);
    expect(error).toMatchObject({ code: 'DATA_NOT_FOUND', details: { cwd: gone } });
    expect((error as BatonError).message).toBe(`the build's directory ${gone} is not on this machine`);
    expect((error as BatonError).suggestions.join(' ')).toContain('BATON_BUILD_DIR');
  });

  it('says git is not installed when the directory is there and git is not on PATH', async () => {
    const dir = await tempDir();
    const path = process.env.PATH;
    process.env.PATH = join(dir, 'no-git-here');
    try {
      const error = await runGit(['status'], { cwd: dir }).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'INTERNAL_ERROR', message: 'git is not installed on this machine (not found on PATH)' });
    } finally {
      process.env.PATH = path;
    }
  });
});
