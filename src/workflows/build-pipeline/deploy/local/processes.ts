/**
 * The local target's process handling: detached children whose output goes to log files (so they outlive Baton,
 * even a kill -9 of it), liveness by pid, stopping a whole process group, and free ports.
 */
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';

export interface SpawnedProcess {
  pid: number;
  /** Settles when the child exits, if it does while this Baton process is alive (undefined after a restart). */
  exited: Promise<{ code: number | null; signal: string | null }>;
}

/** Starts a detached process group leader with stdout and stderr appended to `logFile`. */
export function spawnDetached(argv: string[], options: { cwd: string; env: NodeJS.ProcessEnv; logFile: string }): SpawnedProcess {
  const log = openSync(options.logFile, 'a');
  try {
    const child = spawn(argv[0] as string, argv.slice(1), { cwd: options.cwd, env: options.env, detached: true, stdio: ['ignore', log, log] });
    const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) => {
      child.once('exit', (code, signal) => resolve({ code, signal }));
      child.once('error', () => resolve({ code: null, signal: null }));
    });
    child.unref();
    if (child.pid === undefined) throw new Error(`could not start ${argv[0] ?? ''}`);
    return { pid: child.pid, exited };
  } finally {
    closeSync(log);
  }
}

/** Whether a process with this pid runs (a zombie counts as dead). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true;
  }
}

const signalGroup = (pid: number, signal: NodeJS.Signals) => {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
};

/** SIGTERM to the process group, SIGKILL after `graceMs`; resolves when the leader is gone. */
export async function stopProcess(pid: number, graceMs = 3_000): Promise<void> {
  if (!isAlive(pid)) return;
  signalGroup(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (isAlive(pid) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 25));
  if (isAlive(pid)) {
    signalGroup(pid, 'SIGKILL');
    while (isAlive(pid)) await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Whether `port` can be bound on `host` now. */
export function portIsFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}

/** A port the kernel says is free now (for a slot instance; the router's port comes from the port base instead). */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** The last `bytes` of a log file (what a crashed process said last). */
export function logTail(file: string, bytes = 1_500): string {
  try {
    const text = readFileSync(file, 'utf8');
    return text.slice(-bytes).trim();
  } catch {
    return '';
  }
}
