/**
 * A code generation request for the Python stack (an idea, the rules' architecture, two entities of mixed field
 * types), and helpers that write a generated app to a temporary checkout and serve it as a real process.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { AppCommand } from '../../../../src/workflows/build-pipeline/app/contracts.js';
import { resolveArgv, toolchain } from '../../../../src/workflows/build-pipeline/app/toolchain.js';
import { architectByRules } from '../../../../src/workflows/build-pipeline/agents/architect.js';
import type { CodegenInput, GeneratedApp } from '../../../../src/workflows/build-pipeline/codegen/contracts.js';
import type { Entity } from '../../../../src/workflows/build-pipeline/contracts.js';

export const PYTHON_ENTITIES: Entity[] = [
  {
    name: 'Expense',
    fields: [
      { name: 'title', type: 'string', required: true },
      { name: 'amount', type: 'number', required: true },
      { name: 'quantity', type: 'integer', required: false },
      { name: 'spent_at', type: 'datetime', required: true },
      { name: 'is_paid', type: 'boolean', required: true },
      { name: 'notes', type: 'text', required: false },
    ],
  },
  {
    name: 'BudgetCategory',
    fields: [
      { name: 'name', type: 'string', required: true },
      { name: 'archived', type: 'boolean', required: false },
      { name: 'reviewed_at', type: 'datetime', required: false },
      // A keyword and a module the models import as field names: the model aliases them, SQL quotes them.
      { name: 'from', type: 'string', required: false },
      { name: 'datetime', type: 'datetime', required: false },
    ],
  },
];

/** The request for the Python stack (`tests: 'few'`: the variant with too few tests for the coverage gate). */
export function pythonInput(tests: 'full' | 'few' = 'full'): CodegenInput {
  const brief = {
    title: 'Expense tracker',
    description: 'A small FastAPI service where a team records its expenses and budget categories.',
    requirements: ['Users can track expenses', 'stack: python'],
    research_findings: [],
  };
  const spec = { ...architectByRules(brief, 'python-fastapi'), entities: PYTHON_ENTITIES };
  return {
    build_id: 'build-py-1',
    app_name: 'expense-tracker',
    idea: {
      ...brief,
      id: 'idea-1',
      viability_score: 91,
      champion: 'Ana',
      created_by: null,
      created_at: '2026-01-01T00:00:00.000Z',
    },
    spec,
    variant: { tests, defect: 'none' },
  };
}

const dirs: string[] = [];

/** Writes the app's files into a fresh temporary directory (removed by `removeCheckouts`). */
export function writeCheckout(app: GeneratedApp): string {
  const dir = mkdtempSync(join(tmpdir(), 'baton-codegen-py-'));
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

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return typeof address === 'object' && address ? address.port : 0;
}

export interface Served {
  child: ChildProcess;
  base: string;
  output(): string;
  stop(): Promise<number | null>;
}

/** Starts the manifest's start command (a server: it runs until SIGTERM) on a free port with the app's environment. */
export async function serve(command: AppCommand, cwd: string, env: Record<string, string>): Promise<Served> {
  const argv = resolveArgv(command, await toolchain());
  const port = await freePort();
  const child = spawn(argv[0] as string, argv.slice(1), {
    cwd,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env, PORT: String(port), HOST: '127.0.0.1', ...command.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer) => (output += chunk.toString());
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    base: `http://127.0.0.1:${port}`,
    output: () => output,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

/** Polls `/health` until it answers (any status), the process exits or the time is up (undefined then). */
export async function firstHealth(served: Served, timeoutMs = 20_000): Promise<Response | undefined> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until && served.child.exitCode === null && served.child.signalCode === null) {
    try {
      return await fetch(`${served.base}/health`);
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  return undefined;
}
