// A real Baton server with the build pipeline's module on a fresh database (SQLite or PostgreSQL), on an ephemeral port.
import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { Engine } from '../../../src/engine/index.js';
import type { LlmSettings } from '../../../src/llm/index.js';
import { buildServer } from '../../../src/server/app.js';
import { parseServerConfig } from '../../../src/server/config.js';
import { buildData, buildTables, type BuildData } from '../../../src/workflows/build-pipeline/data/index.js';
import { buildPipelineModule } from '../../../src/workflows/build-pipeline/module.js';
import type { StoreKind } from '../../support/stores.js';

export interface BuildApi {
  base: string;
  engine: Engine;
  data: BuildData;
  errors: unknown[];
  get<T = unknown>(path: string): Promise<{ status: number; headers: Headers; body: T }>;
  post<T = unknown>(path: string, body?: unknown): Promise<{ status: number; headers: Headers; body: T }>;
}

export const IDEA = {
  title: 'Expense tracker',
  description: 'A small service for teams to record what they spend.',
  requirements: ['Users can track expenses with an amount, a category and a spent_on date', 'Managers approve reports'],
  research_findings: ['Teams lose receipts'],
  viability_score: 91,
  champion: 'dana',
};

/** Servers built on demand on the build module alone, all closed after each test. */
export function useBuildServers(kind: StoreKind): { serve(options?: { llm?: LlmSettings; env?: Record<string, string> }): Promise<BuildApi> } {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  return {
    async serve({ llm, env } = {}) {
      const t = await kind.create([buildTables]);
      cleanups.push(() => t.dispose());
      // Builds never land in the working directory: a temporary build directory unless the test names one, removed after.
      let buildDir = env?.BATON_BUILD_DIR;
      if (buildDir === undefined) {
        const made = (buildDir = mkdtempSync(join(tmpdir(), 'baton-builds-')));
        // Best effort, retried: a cancelled stage's git may still be writing in it after the engine closed.
        cleanups.push(() => rm(made, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 }).catch(() => undefined));
      }
      const opened = buildPipelineModule.open(t.store, { llm: llm ?? null, env: { ...env, BATON_BUILD_DIR: buildDir } });
      const errors: unknown[] = [];
      const engine = new Engine({ store: t.store, agents: opened.agents, workflows: opened.workflows, onError: (error) => errors.push(error) });
      cleanups.push(() => engine.close());
      const app = await buildServer({
        engine,
        store: t.store,
        config: parseServerConfig({ port: 0 }),
        logger: false,
        llm: null,
        webRoot: null,
        modules: [opened],
      });
      cleanups.push(() => app.close());
      await app.listen({ port: 0, host: '127.0.0.1' });
      const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
      const request = async <T>(path: string, init: RequestInit = {}) => {
        const response = await fetch(`${base}${path}`, init);
        const text = await response.text();
        return { status: response.status, headers: response.headers, body: (text ? JSON.parse(text) : undefined) as T };
      };
      return {
        base,
        engine,
        data: buildData(t.store),
        errors,
        get: (path) => request(path),
        post: (path, body) =>
          request(path, { method: 'POST', ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }) }),
      };
    },
  };
}

/**
 * The run's steps once `phase` has committed, then the run cancelled: for tests of the first stages (the later ones
 * generate, test and deploy a real app, which the whole-build tests cover).
 */
export async function stepsUpTo(api: BuildApi, runId: string, phase: string, timeoutMs = 30_000): Promise<Awaited<ReturnType<Engine['steps']>>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const steps = await api.engine.steps(runId);
    if (steps.some((s) => s.phase === phase)) {
      await api.engine.cancelRun(runId, `the test reads the stages up to ${phase} only`).catch(() => undefined);
      return steps;
    }
    const status = await api.engine.status(runId);
    if (['completed', 'failed', 'rejected', 'cancelled'].includes(status.state)) return steps;
    if (Date.now() > deadline) throw new Error(`${phase} did not commit within ${timeoutMs} ms (steps: ${steps.map((s) => s.phase).join(', ')})`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
