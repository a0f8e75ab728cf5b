// The release-defect variants of the Node app, started as a deploy starts them (APP_ENVIRONMENT set): each fails the
// way the deploy's rollback tests need, while without APP_ENVIRONMENT (the app's own tests) it behaves.
// The variants are compiled to ES modules with TypeScript's transpiler (no type check: node.test.ts type-checks the templates) so
// five apps take seconds, not minutes.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { linkNodeModules, runAppCommand, toolchain } from '../../../../src/workflows/build-pipeline/app/toolchain.js';
import type { CodegenInput, GeneratedApp } from '../../../../src/workflows/build-pipeline/codegen/contracts.js';
import { generateApp } from '../../../../src/workflows/build-pipeline/codegen/index.js';
import { firstHealth, REQUEST, removeCheckouts, startApp, writeCheckout } from './node-fixture.js';

type Defect = NonNullable<NonNullable<CodegenInput['variant']>['defect']>;
/** The environment of the app run locally: the deployed one without APP_ENVIRONMENT. */
const local = (env: Record<string, string>): Record<string, string> => Object.fromEntries(Object.entries(env).filter(([name]) => name !== 'APP_ENVIRONMENT'));
const DEPLOYED = { API_KEY: 'a-deploy-key-0123456789', APP_VERSION: 'bad1', APP_ENVIRONMENT: 'staging' };

async function prepare(defect: Defect): Promise<{ app: GeneratedApp; checkout: string; env: Record<string, string> }> {
  const app = generateApp({ ...REQUEST, variant: { tests: 'full', defect } });
  const checkout = writeCheckout(app);
  await linkNodeModules(checkout, await toolchain());
  const tsconfig = ts.readConfigFile(join(checkout, 'tsconfig.json'), (path) => readFileSync(path, 'utf8')).config as { compilerOptions: object };
  const { options } = ts.convertCompilerOptionsFromJson(tsconfig.compilerOptions, checkout);
  for (const [path, content] of Object.entries(app.files)) {
    if (!path.startsWith('src/') || !path.endsWith('.ts')) continue;
    const out = join(checkout, 'dist', path.replace(/\.ts$/, '.js'));
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, ts.transpileModule(content, { compilerOptions: { ...options, module: ts.ModuleKind.ESNext }, fileName: path }).outputText);
  }
  return { app, checkout, env: { ...DEPLOYED, DATABASE_FILE: join(checkout, 'app.db') } };
}

const migrate = async (app: GeneratedApp, checkout: string, env: Record<string, string>) =>
  runAppCommand(app.manifest.migrate, { cwd: checkout, env, timeoutMs: 30_000 });

describe('release-defect variants, deployed', () => {
  afterAll(() => removeCheckouts());
  const prepared = new Map<Defect, Awaited<ReturnType<typeof prepare>>>();
  beforeAll(async () => {
    for (const defect of ['crash-at-start', 'health-500', 'smoke-fails', 'migration-fails', 'crash-after-start'] as const)
      prepared.set(defect, await prepare(defect));
  }, 60_000);
  const get = (defect: Defect) => prepared.get(defect) as Awaited<ReturnType<typeof prepare>>;

  it('crash-at-start exits 1 on start', async () => {
    const { app, checkout, env } = get('crash-at-start');
    expect((await migrate(app, checkout, env)).exit_code).toBe(0);
    const server = await startApp(app.manifest.start, checkout, env);
    expect(await server.exited).toBe(1);
    expect(server.output()).toMatch(/cannot start: release defect/);
  });

  it('health-500 answers 500 on /health when deployed, 200 when not', async () => {
    const { app, checkout, env } = get('health-500');
    await migrate(app, checkout, env);
    const deployed = await startApp(app.manifest.start, checkout, env);
    expect((await firstHealth(deployed))?.status).toBe(500);
    await deployed.stop();
    const plain = await startApp(app.manifest.start, checkout, local(env));
    expect((await firstHealth(plain))?.status).toBe(200);
    await plain.stop();
  });

  it('smoke-fails is healthy but a created row cannot be read back', async () => {
    const { app, checkout, env } = get('smoke-fails');
    await migrate(app, checkout, env);
    const server = await startApp(app.manifest.start, checkout, env);
    try {
      expect((await firstHealth(server))?.status).toBe(200);
      const collection = app.manifest.collections[0];
      const headers = { 'x-api-key': env.API_KEY as string, 'content-type': 'application/json' };
      const created = await fetch(`${server.base}${collection?.path}`, { method: 'POST', headers, body: JSON.stringify(collection?.sample) });
      expect(created.status).toBe(201);
      const { id } = (await created.json()) as { id: number };
      expect((await fetch(`${server.base}${collection?.path}/${id}`, { headers })).status).toBe(404);
    } finally {
      await server.stop();
    }
  });

  it('migration-fails: migrate exits non-zero when deployed, and applies cleanly when not', async () => {
    const { app, checkout, env } = get('migration-fails');
    const deployed = await migrate(app, checkout, env);
    expect(deployed.exit_code).not.toBe(0);
    expect(deployed.output).toMatch(/migration failed/);
    expect((await migrate(app, checkout, { ...local(env), DATABASE_FILE: join(checkout, 'local.db') })).exit_code).toBe(0);
  });

  it('crash-after-start answers its first two health checks (the deploy’s poll and smoke test), then exits on the third', async () => {
    const { app, checkout, env } = get('crash-after-start');
    await migrate(app, checkout, env);
    const server = await startApp(app.manifest.start, checkout, env);
    expect((await firstHealth(server))?.status).toBe(200);
    expect((await fetch(`${server.base}/health`)).status).toBe(200);
    await expect(fetch(`${server.base}/health`)).rejects.toThrow();
    expect(await server.exited).toBe(1);
  });

  it('leaves the default variant free of any defect code', () => {
    const clean = generateApp(REQUEST);
    expect(Object.values(clean.files).join('\n')).not.toMatch(/release defect|Fault injection/i);
    expect(Object.keys(get('migration-fails').app.files)).toContain('migrations/0003_backfill_projects.deploy.sql');
  });
});
