/**
 * How Baton runs a generated app's commands on this machine: the interpreters behind `{node}` and `{python}`,
 * the packages a Node app uses (Baton's own installed ones, linked, so nothing is downloaded), and one runner with a
 * time limit that kills the whole process group. The quality gate and the local deploy target both run through it.
 */
import { execFile, spawn } from 'node:child_process';
import { chmodSync, existsSync, lstatSync, mkdirSync } from 'node:fs';
import { lstat, symlink } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { BatonError } from '../../../errors/index.js';
import type { AppCommand } from './contracts.js';

export interface Toolchain {
  /** The Node binary running Baton. */
  node: string;
  /** A Python 3 that imports fastapi, uvicorn, pytest, coverage and mypy (Debian's packages), or undefined if none does. */
  python: string | undefined;
  /** Baton's own node_modules: a generated Node app links it instead of installing (no network needed). */
  nodeModules: string;
}

/** The modules a Python app's commands import; a Python without them cannot serve or test a generated app. */
export const PYTHON_MODULES = ['fastapi', 'uvicorn', 'httpx', 'pytest', 'pytest_cov', 'coverage', 'mypy'] as const;

const canImport = (python: string): Promise<boolean> =>
  new Promise((resolve) => {
    execFile(python, ['-c', `import ${PYTHON_MODULES.join(', ')}`], { timeout: 20_000 }, (error) => resolve(!error));
  });

let detected: Promise<Toolchain> | undefined;

/**
 * The toolchain, found once per process: `BATON_PYTHON` if set, else the first of `python3` on the PATH and
 * Debian's `/usr/bin/python3` that imports the stack's modules (a pyenv shim first on the PATH often lacks them).
 */
export function toolchain(env: NodeJS.ProcessEnv = process.env): Promise<Toolchain> {
  detected ??= (async () => {
    const candidates = env.BATON_PYTHON ? [env.BATON_PYTHON] : ['python3', '/usr/bin/python3'];
    let python: string | undefined;
    for (const candidate of candidates) {
      if (await canImport(candidate)) {
        python = candidate;
        break;
      }
    }
    const require = createRequire(import.meta.url);
    const nodeModules = dirname(dirname(require.resolve('typescript/package.json')));
    return { node: process.execPath, python, nodeModules };
  })();
  return detected;
}

/** A stack's interpreter is missing: the app cannot be tested or run here (e.g. Debian's python3-fastapi not installed). */
export class ToolchainError extends BatonError {
  constructor(message: string) {
    super('INTERNAL_ERROR', message, { retryable: false });
  }
}

/** The command's argv with its placeholder replaced. */
export function resolveArgv(command: AppCommand, tools: Toolchain): string[] {
  const [first, ...rest] = command.argv;
  if (first === '{node}') return [tools.node, ...rest];
  if (first === '{python}') {
    if (!tools.python)
      throw new ToolchainError(
        `no Python with ${PYTHON_MODULES.join(', ')} was found (set BATON_PYTHON, or install python3-fastapi python3-uvicorn python3-httpx python3-pytest-cov python3-mypy)`,
      );
    return [tools.python, ...rest];
  }
  return [...command.argv];
}

/** Makes Baton's node_modules visible to a Node app's checkout (idempotent; an existing node_modules is kept). */
export async function linkNodeModules(checkout: string, tools: Toolchain): Promise<void> {
  const target = join(checkout, 'node_modules');
  const present = await lstat(target).then(
    () => true,
    () => false,
  );
  if (!present) await symlink(tools.nodeModules, target, 'dir');
}

export interface CommandResult {
  argv: string[];
  exit_code: number | null;
  signal: string | null;
  timed_out: boolean;
  /** Combined stdout and stderr, its last `maxOutput` characters. */
  output: string;
  ms: number;
}

export interface RunCommandOptions {
  cwd: string;
  env?: Record<string, string>;
  timeoutMs: number;
  signal?: AbortSignal;
  /** How much of the output to keep (the tail: failures print last). */
  maxOutput?: number;
}

/**
 * mypy's cache, shared by every checkout on this machine: each gate runs in a fresh checkout, where a cold mypy
 * spends ~10 s on typeshed, FastAPI and pydantic (0.4 s warm, measured on a generated app). mypy checks each cached
 * module against its source's hash and writes the cache atomically, so builds may share it, at once too. The
 * folder is this user's alone (0700; one someone else made, or a link, is not used): another account must
 * not be able to plant cache entries a gate would trust. Undefined when it cannot be had: mypy then caches per checkout.
 */
export function mypyCacheDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const dir = env.BATON_MYPY_CACHE_DIR ?? join(tmpdir(), `baton-mypy-cache-${process.getuid?.() ?? 'user'}`);
  // Checked once per folder and process: every app command's environment names it.
  if (!checkedCacheDirs.has(dir)) checkedCacheDirs.set(dir, ownCacheDir(dir));
  return checkedCacheDirs.get(dir);
}

const checkedCacheDirs = new Map<string, string | undefined>();

function ownCacheDir(dir: string): string | undefined {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const stat = lstatSync(dir);
    const mine = process.getuid === undefined || stat.uid === process.getuid();
    if (!stat.isDirectory() || !mine) return undefined;
    // mypy makes its cache folder 0755 when it creates it: closed here to others.
    if ((stat.mode & 0o077) !== 0) chmodSync(dir, 0o700);
    return dir;
  } catch {
    return undefined;
  }
}

/** The environment an app command sees: a minimal base (PATH, HOME, locale, mypy's shared cache) plus what the caller and the command set. */
function commandEnv(extra: Record<string, string> | undefined, command: AppCommand): NodeJS.ProcessEnv {
  const mypyCache = mypyCacheDir();
  const base = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? '/nonexistent',
    LANG: 'C.UTF-8',
    ...(mypyCache ? { MYPY_CACHE_DIR: mypyCache } : {}),
  };
  return { ...base, ...extra, ...command.env };
}

/**
 * Runs one command to its end, in its own process group so a time limit or an abort kills what it started too
 * (a test runner's workers, a server a test forgot). Never rejects for the command's own failure: the result says.
 */
export async function runAppCommand(command: AppCommand, options: RunCommandOptions): Promise<CommandResult> {
  const tools = await toolchain();
  const argv = resolveArgv(command, tools);
  const maxOutput = options.maxOutput ?? 64_000;
  const started = performance.now();
  if (!existsSync(options.cwd)) throw new ToolchainError(`the directory ${options.cwd} does not exist`);
  return new Promise((resolve) => {
    const child = spawn(argv[0] as string, argv.slice(1), {
      cwd: options.cwd,
      env: commandEnv(options.env, command),
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    let timedOut = false;
    const keep = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      if (output.length > maxOutput * 2) output = output.slice(-maxOutput);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const killGroup = () => {
      try {
        if (child.pid) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup();
    }, options.timeoutMs);
    const onAbort = () => killGroup();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    const finish = (exit_code: number | null, signal: string | null) => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      resolve({ argv, exit_code, signal, timed_out: timedOut, output: output.slice(-maxOutput), ms: Math.round(performance.now() - started) });
    };
    child.on('error', (error) => {
      output += `\n${error.message}`;
      finish(null, null);
    });
    child.on('close', (code, signal) => finish(code, signal));
  });
}
