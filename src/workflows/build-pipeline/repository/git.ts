/**
 * The build pipeline's one way to run git: the git CLI through `execFile` with an argument array and a time limit,
 * with a fixed environment so results (and commit SHAs) do not depend on the machine's git configuration.
 *
 * Why the CLI and not a library: simple-git builds command lines from option objects and has had several
 * argument-injection CVEs (`--upload-pack` and friends slipping through its options); isomorphic-git cannot merge
 * with conflicts and never runs server-side hooks, so the protected origin's `pre-receive` refusal would not happen
 * through it. The CLI is what the origin itself runs, so a refusal seen here is the real one. No shell is involved:
 * arguments reach git as they are, and values that could look like options are validated or placed after `--`.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { z } from 'zod';
import { BatonError, InvalidParametersError, type ErrorCode } from '../../../errors/index.js';

export interface GitFailure {
  args: readonly string[];
  stderr: string;
  exit_code: number | null;
}

/** A git command that failed; carries git's own stderr so a caller (and a test) can show what git said. */
export class GitError extends BatonError {
  readonly stderr: string;
  constructor(message: string, failure: GitFailure, code: ErrorCode = 'INTERNAL_ERROR', retryable = false) {
    super(code, `${message}: ${failure.stderr.trim() || `git exited with ${String(failure.exit_code)}`}`, {
      details: { args: [...failure.args], stderr: failure.stderr, exit_code: failure.exit_code },
      retryable,
    });
    this.stderr = failure.stderr;
  }
}

/** git did not finish within its time limit (a hung remote, a lock): worth retrying. */
export class GitTimeoutError extends GitError {
  constructor(failure: GitFailure, timeoutMs: number) {
    super(`git ${failure.args[0] ?? ''} did not finish within ${timeoutMs} ms`, failure, 'DEADLINE_EXCEEDED', true);
  }
}

/** The origin refused a push (its protection: a hook, no force push, no deletion); repeating it cannot succeed. */
export class GitPushRefusedError extends GitError {
  constructor(ref: string, failure: GitFailure) {
    super(`the origin refused the update of ${ref}`, failure, 'FORBIDDEN');
  }
}

export interface GitRunOptions {
  cwd: string;
  timeoutMs?: number;
  /** Extra environment (author and committer identity and dates for deterministic commits). */
  env?: Record<string, string>;
}

export interface GitResult {
  stdout: string;
  stderr: string;
}

export const DEFAULT_GIT_TIMEOUT_MS = 30_000;

/**
 * The environment git runs with: the user's and system's configuration ignored (a global `commit.gpgsign`, hooks
 * path or `init.defaultBranch` would change SHAs or behaviour), no terminal prompts, English messages to match on.
 */
function gitEnv(extra: Record<string, string> | undefined): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? '/nonexistent',
    LANG: 'C',
    LC_ALL: 'C',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_TERMINAL_PROMPT: '0',
    ...extra,
  };
}

/**
 * git could not start: Node says `spawn git ENOENT` both when git is missing and when the directory is, and the
 * second is what a build resumed on another machine meets (its steps recorded the first machine's paths).
 */
function notStarted(cwd: string): BatonError {
  if (!existsSync(cwd))
    return new BatonError('DATA_NOT_FOUND', `the build's directory ${cwd} is not on this machine`, {
      details: { cwd },
      suggestions: [
        'a build keeps its repository, origin and local deploys under BATON_BUILD_DIR on the machine that made it: drive build-pipeline runs on that machine (docs/CLUSTER.md)',
        'or restore the directory, then retry the run',
      ],
    });
  return new BatonError('INTERNAL_ERROR', 'git is not installed on this machine (not found on PATH)', {
    details: { cwd, path: process.env.PATH ?? null },
    suggestions: ['install git (Debian: apt-get install git)'],
  });
}

/** Runs `git <args>` without a shell; a non-zero exit becomes a GitError with git's stderr. */
export function runGit(args: readonly string[], options: GitRunOptions): Promise<GitResult> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_GIT_TIMEOUT_MS;
  return new Promise((resolve, reject) => {
    execFile(
      'git',
      [...args],
      { cwd: options.cwd, env: gitEnv(options.env), timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 16 * 1024 * 1024, encoding: 'utf8' },
      (error, stdout, stderr) => {
        if (!error) return resolve({ stdout, stderr });
        if (error.code === 'ENOENT') return reject(notStarted(options.cwd));
        const failure: GitFailure = { args, stderr, exit_code: typeof error.code === 'number' ? error.code : null };
        if (error.killed) return reject(new GitTimeoutError(failure, timeoutMs));
        reject(new GitError(`git ${args[0] ?? ''} failed`, failure));
      },
    );
  });
}

/** A full commit SHA (SHA-1 object format, git's default). */
export const CommitShaSchema = z.string().regex(/^[0-9a-f]{40}$/, 'must be a full 40-character lowercase hex commit SHA');

/**
 * A branch name that can never be read as an option or a path trick: it starts with a letter or digit, uses a
 * small alphabet, and `git check-ref-format` (see `assertBranchName`) applies git's own remaining rules.
 */
export const BranchNameSchema = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._/-]*$/, 'must start with a letter or digit and use only letters, digits, ".", "_", "/" and "-"');

/** Validates a branch name with the schema and with git's own rules; refuses with INVALID_PARAMETERS. */
export async function assertBranchName(name: string, cwd: string): Promise<string> {
  const parsed = BranchNameSchema.safeParse(name);
  if (!parsed.success)
    throw new InvalidParametersError(
      'invalid branch name',
      parsed.error.issues.map((i) => ({ path: 'branch', message: i.message })),
    );
  try {
    await runGit(['check-ref-format', `refs/heads/${parsed.data}`], { cwd });
  } catch {
    throw new InvalidParametersError('invalid branch name', [{ path: 'branch', message: `"${name}" is not a valid git branch name` }]);
  }
  return parsed.data;
}
