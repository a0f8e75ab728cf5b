/**
 * The protected origin: a bare repository whose `pre-receive` hook refuses any update of main unless the new SHA has
 * a recorded passing check, with `receive.denyNonFastForwards` and `receive.denyDeletes` refusing force pushes and
 * deletions. Stage 6 (merge) records the check for the feature branch's SHA, then fast-forwards main through it.
 *
 * Checks are files `checks/<sha>` in the bare repository's own directory, not `refs/checks/<sha>` refs: a ref can be
 * pushed by anyone who can push (in the same push as main, even), so a pusher could grant their own check; a file
 * there can only be written by whoever runs the checks on the origin's host (Baton's quality gate), never by a push.
 */
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import { InvalidParametersError, NotFoundError } from '../../../errors/index.js';
import { CommitShaSchema, GitError, GitPushRefusedError, assertBranchName, runGit } from './git.js';

export const PROTECTED_BRANCH = 'main';

/**
 * The hook git runs before any ref moves; git itself runs it with /bin/sh (Baton never does). It reads
 * "<old> <new> <ref>" lines and refuses the whole push when main would move to a SHA without a check file.
 */
const PRE_RECEIVE_HOOK = `#!/bin/sh
# Baton build pipeline: main moves only to a commit with a recorded passing check (checks/<sha> in this directory).
zero=0000000000000000000000000000000000000000
status=0
while read -r old new ref; do
  case "$ref" in
    refs/heads/${PROTECTED_BRANCH})
      if [ "$new" = "$zero" ]; then
        echo "baton: ${PROTECTED_BRANCH} is protected: it cannot be deleted" >&2
        status=1
      elif ! printf '%s' "$new" | grep -Eq '^[0-9a-f]{40}$' || [ ! -f "checks/$new" ]; then
        echo "baton: ${PROTECTED_BRANCH} is protected: no passing check is recorded for $new" >&2
        status=1
      fi
      ;;
    refs/checks/*)
      echo "baton: checks are recorded on the origin, not pushed ($ref)" >&2
      status=1
      ;;
  esac
done
exit $status
`;

function assertAbsolute(path: string, what: string): void {
  if (!isAbsolute(path)) throw new InvalidParametersError(`invalid ${what}`, [{ path: what, message: 'must be an absolute path' }]);
}

/** Creates (or, re-run, leaves as it is) the bare origin with its protection. */
export async function createProtectedOrigin(originDir: string): Promise<void> {
  assertAbsolute(originDir, 'origin');
  await mkdir(originDir, { recursive: true });
  await runGit(['init', '--quiet', '--bare', `--initial-branch=${PROTECTED_BRANCH}`], { cwd: originDir });
  await runGit(['config', 'receive.denyNonFastForwards', 'true'], { cwd: originDir });
  await runGit(['config', 'receive.denyDeletes', 'true'], { cwd: originDir });
  await mkdir(join(originDir, 'checks'), { recursive: true });
  const hook = join(originDir, 'hooks', 'pre-receive');
  await writeFile(hook, PRE_RECEIVE_HOOK);
  await chmod(hook, 0o755);
}

export interface CheckRecord {
  name: string;
  passed: true;
  summary: string;
}

/**
 * Records a passing check for a commit the origin holds (written to a temporary file then renamed, so the hook never
 * reads half a record). Recording it again replaces it: the key is the SHA.
 */
export async function recordPassingCheck(originDir: string, sha: string, check: CheckRecord): Promise<void> {
  assertAbsolute(originDir, 'origin');
  const parsed = CommitShaSchema.safeParse(sha);
  if (!parsed.success) throw new InvalidParametersError('invalid commit', [{ path: 'sha', message: parsed.error.issues[0]?.message ?? 'invalid' }]);
  try {
    await runGit(['cat-file', '-e', `${parsed.data}^{commit}`], { cwd: originDir });
  } catch {
    throw new NotFoundError('commit', parsed.data, ['push the branch holding the commit before recording its check']);
  }
  const file = join(originDir, 'checks', parsed.data);
  await writeFile(`${file}.tmp`, `${JSON.stringify(check)}\n`);
  await rename(`${file}.tmp`, file);
}

/** The recorded check for a SHA, or undefined. */
export async function readCheck(originDir: string, sha: string): Promise<CheckRecord | undefined> {
  const parsed = CommitShaSchema.safeParse(sha);
  if (!parsed.success) return undefined;
  try {
    return JSON.parse(await readFile(join(originDir, 'checks', parsed.data), 'utf8')) as CheckRecord;
  } catch {
    return undefined;
  }
}

/** Where a branch is on the origin, or undefined when it does not exist there. */
export async function originBranchSha(originDir: string, branch: string): Promise<string | undefined> {
  const name = await assertBranchName(branch, originDir);
  try {
    const { stdout } = await runGit(['rev-parse', '--verify', '--quiet', `refs/heads/${name}^{commit}`], { cwd: originDir });
    return stdout.trim();
  } catch {
    return undefined;
  }
}

export interface PushOptions {
  force?: boolean;
}

/**
 * Pushes `<source>` (a local branch or SHA) to `refs/heads/<target>` on the remote `origin`. A refusal by the origin
 * becomes GitPushRefusedError carrying git's stderr (the hook's own words among it).
 */
export async function pushRef(repoDir: string, source: string, target: string, options: PushOptions = {}): Promise<void> {
  const targetName = await assertBranchName(target, repoDir);
  const sourceName = CommitShaSchema.safeParse(source).success ? source : await assertBranchName(source, repoDir);
  const ref = `refs/heads/${targetName}`;
  const refspec = `${options.force ? '+' : ''}${sourceName}:${ref}`;
  const args = ['push', '--', 'origin', refspec];
  try {
    await runGit(args, { cwd: repoDir });
  } catch (error) {
    // `!` lines are git's per-ref refusals (hook declined, non-fast-forward, deletion denied); others are failures.
    if (error instanceof GitError && /\[remote rejected\]|\[rejected\]|^!/m.test(error.stderr)) {
      throw new GitPushRefusedError(ref, { args, stderr: error.stderr, exit_code: 1 });
    }
    throw error;
  }
}

/** Deletes a branch on the origin (the origin refuses it for protected branches and with `denyDeletes`). */
export async function deleteRemoteBranch(repoDir: string, branch: string): Promise<void> {
  const name = await assertBranchName(branch, repoDir);
  const args = ['push', '--', 'origin', `:refs/heads/${name}`];
  try {
    await runGit(args, { cwd: repoDir });
  } catch (error) {
    if (error instanceof GitError && /\[remote rejected\]|\[rejected\]|^!/m.test(error.stderr)) {
      throw new GitPushRefusedError(`refs/heads/${name}`, { args, stderr: error.stderr, exit_code: 1 });
    }
    throw error;
  }
}

export interface MergeResult {
  sha: string;
  /** False when main was already at the SHA (a re-run): nothing was pushed. */
  moved: boolean;
}

/**
 * Stage 6: push the feature branch, record its passing check, fast-forward main to it through the origin. Keyed by
 * the SHA: a re-run finding main already there does nothing.
 */
export async function mergeThroughOrigin(repoDir: string, originDir: string, feature: string, check: CheckRecord): Promise<MergeResult> {
  const branch = await assertBranchName(feature, repoDir);
  const { stdout } = await runGit(['rev-parse', '--verify', `refs/heads/${branch}^{commit}`], { cwd: repoDir });
  const sha = stdout.trim();
  if ((await originBranchSha(originDir, PROTECTED_BRANCH)) === sha) return { sha, moved: false };
  await pushRef(repoDir, branch, branch);
  await recordPassingCheck(originDir, sha, check);
  await pushRef(repoDir, sha, PROTECTED_BRANCH);
  // The local main follows, so the working repository agrees with the origin.
  await runGit(['update-ref', `refs/heads/${PROTECTED_BRANCH}`, sha], { cwd: repoDir });
  return { sha, moved: true };
}
