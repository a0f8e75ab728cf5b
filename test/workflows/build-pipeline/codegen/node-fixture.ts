// A code generation request with two entities covering every field type, and helpers that write a generated app
// to a temporary checkout and run its commands for real (the gate's and deploy's toolchain runner).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { AppCommand } from '../../../../src/workflows/build-pipeline/app/contracts.js';
import { resolveArgv, toolchain } from '../../../../src/workflows/build-pipeline/app/toolchain.js';
import type { CodegenInput, GeneratedApp } from '../../../../src/workflows/build-pipeline/codegen/contracts.js';
import { architectByRules } from '../../../../src/workflows/build-pipeline/agents/architect.js';

// The idea of the build pipeline's other tests (support.ts), copied so these tests load no server module.
const IDEA = {
  title: 'Expense tracker',
  description: 'A small service for teams to record what they spend.',
  requirements: ['Users can track expenses with an amount, a category and a spent_on date', 'Managers approve reports'],
  research_findings: ['Teams lose receipts'],
  viability_score: 91,
  champion: 'dana',
};

export const SPEC = {
  ...architectByRules({ title: IDEA.title, description: IDEA.description, requirements: IDEA.requirements, research_findings: IDEA.research_findings }),
  stack: 'node-typescript' as const,
  entities: [
    {
      name: 'Project',
      fields: [
        { name: 'name', type: 'string' as const, required: true },
        { name: 'budget', type: 'number' as const, required: false },
        { name: 'active', type: 'boolean' as const, required: true },
      ],
    },
    {
      name: 'TaskItem',
      fields: [
        { name: 'title', type: 'string' as const, required: true },
        { name: 'notes', type: 'text' as const, required: false },
        { name: 'points', type: 'integer' as const, required: true },
        { name: 'done', type: 'boolean' as const, required: false },
        { name: 'due_at', type: 'datetime' as const, required: false },
      ],
    },
  ],
};

export const REQUEST: CodegenInput = {
  build_id: 'build-1',
  app_name: 'expense-tracker',
  idea: {
    ...IDEA,
    id: 'idea-1',
    created_by: null,
    created_at: '2026-12-01T10:00:00.000Z',
    requirements: IDEA.requirements,
    research_findings: IDEA.research_findings,
  },
  spec: SPEC,
};

const dirs: string[] = [];

/** Writes the app's files into a fresh temporary directory (removed by `removeCheckouts`). */
export function writeCheckout(app: GeneratedApp): string {
  const dir = mkdtempSync(join(tmpdir(), 'baton-codegen-'));
  dirs.push(dir);
  for (const [path, content] of Object.entries(app.files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  return dir;
}

export function removeCheckouts(): void {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return typeof address === 'object' && address ? address.port : 0;
}

export interface Started {
  child: ChildProcess;
  base: string;
  output(): string;
  exited: Promise<number | null>;
  stop(): Promise<void>;
}

/** Starts the manifest's start command (a long-running server) with the app's environment. */
export async function startApp(command: AppCommand, cwd: string, env: Record<string, string>): Promise<Started> {
  const argv = resolveArgv(command, await toolchain());
  const port = await freePort();
  const child = spawn(argv[0] as string, argv.slice(1), {
    cwd,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env, PORT: String(port), HOST: '127.0.0.1', ...command.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    base: `http://127.0.0.1:${port}`,
    output: () => output,
    exited,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/** Polls `/health` until it answers (any status) or the process exits; undefined when it never answered. */
export async function firstHealth(app: Started, timeoutMs = 15_000): Promise<Response | undefined> {
  const until = Date.now() + timeoutMs;
  let gone = false;
  void app.exited.then(() => (gone = true));
  while (Date.now() < until && !gone) {
    try {
      return await fetch(`${app.base}/health`);
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  return undefined;
}
