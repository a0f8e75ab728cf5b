/**
 * The git steps the stages share beyond the repository module: a feature branch started from main, a commit exported
 * to a fresh directory (what the gate tests), the files of a commit, what changed between two, and the dates a
 * build's commits carry (derived from the build's start, so a re-run makes the same SHAs).
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PROTECTED_BRANCH, runGit } from '../repository/index.js';

const execFileAsync = promisify(execFile);

/** Creates `branch` at main's commit when it does not exist yet (a re-run finds it and leaves it). */
export async function ensureBranchFromMain(repoDir: string, branch: string): Promise<void> {
  const ref = `refs/heads/${branch}`;
  const exists = await runGit(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], { cwd: repoDir }).then(
    () => true,
    () => false,
  );
  if (exists) return;
  const main = (await runGit(['rev-parse', '--verify', `refs/heads/${PROTECTED_BRANCH}^{commit}`], { cwd: repoDir })).stdout.trim();
  // Compare-and-swap from "absent": a concurrent creator makes this fail instead of moving the branch.
  await runGit(['update-ref', ref, main, ''], { cwd: repoDir });
}

/**
 * The commit's files in a fresh directory. What an earlier attempt left there is moved aside first, then removed:
 * after a kill -9 of Baton, that attempt's gate commands (their own process group) may still be writing into it,
 * which made a plain recursive remove fail with ENOTEMPTY; the rename cannot, and the new tree is never theirs.
 */
export async function exportCommit(repoDir: string, sha: string, dir: string): Promise<void> {
  const stale = `${dir}.stale-${randomUUID()}`;
  const moved = await rename(dir, stale).then(
    () => true,
    (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return false;
      throw error;
    },
  );
  // Best effort: a straggler still writing there only leaves litter in scratch/, never in the checkout.
  if (moved) await rm(stale, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 }).catch(() => undefined);
  await mkdir(dir, { recursive: true });
  const tar = `${dir}.tar`;
  await runGit(['archive', '--format=tar', '-o', tar, sha], { cwd: repoDir });
  try {
    await execFileAsync('tar', ['-xf', tar, '-C', dir], { timeout: 60_000 });
  } finally {
    await rm(tar, { force: true });
  }
}

/** Every file path in a commit, sorted. */
export async function filesOf(repoDir: string, sha: string): Promise<string[]> {
  const { stdout } = await runGit(['ls-tree', '-r', '--name-only', sha], { cwd: repoDir });
  return stdout.split('\n').filter(Boolean).sort();
}

/** The paths that differ between two commits. */
export async function changedFiles(repoDir: string, from: string, to: string): Promise<string[]> {
  const { stdout } = await runGit(['diff', '--name-only', from, to], { cwd: repoDir });
  return stdout.split('\n').filter(Boolean).sort();
}

export const headOf = async (repoDir: string, branch: string): Promise<string> =>
  (await runGit(['rev-parse', '--verify', `refs/heads/${branch}^{commit}`], { cwd: repoDir })).stdout.trim();

/**
 * A stage's commit date: the build's start plus a fixed offset per stage (and per gate round), so commits are in
 * stage order and the same build always writes the same dates.
 */
export function stageDate(startedAt: string, stage: 'code' | 'infrastructure' | 'docs', round = 0): string {
  const offsets = { code: 10, infrastructure: 100, docs: 200 } as const;
  const seconds = Math.floor(Date.parse(startedAt) / 1000) + offsets[stage] + round;
  return new Date(seconds * 1000).toISOString().replace('.000Z', 'Z');
}

/** A directory under the build's own folder (beside its repository) for throwaway trees. */
export const scratchDir = (repoDir: string, name: string): string => join(repoDir, '..', 'scratch', name);
