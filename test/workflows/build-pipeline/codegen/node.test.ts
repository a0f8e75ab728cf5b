// The Node/TypeScript generator for real: the app it writes for two entities passes the quality gate (its own tests,
// line coverage of its source, a clean type check), migrates and serves over HTTP (CRUD, 401, /health), and the
// same request always gives the same bytes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APP_MANIFEST_FILE, AppManifest } from '../../../../src/workflows/build-pipeline/app/contracts.js';
import { runAppCommand } from '../../../../src/workflows/build-pipeline/app/toolchain.js';
import type { GeneratedApp } from '../../../../src/workflows/build-pipeline/codegen/contracts.js';
import { generateApp } from '../../../../src/workflows/build-pipeline/codegen/index.js';
import type { GateReport } from '../../../../src/workflows/build-pipeline/gate/contracts.js';
import { runGate } from '../../../../src/workflows/build-pipeline/gate/index.js';
import { firstHealth, REQUEST, removeCheckouts, startApp, writeCheckout } from './node-fixture.js';

const API_KEY = 'a-deploy-key-0123456789';

describe('the generated Node app', () => {
  let app: GeneratedApp;
  let checkout: string;
  let report: GateReport;

  beforeAll(async () => {
    app = generateApp(REQUEST);
    checkout = writeCheckout(app);
    report = await runGate({ checkout, manifest: app.manifest, commit: 'c0ffee', round: 0, minLineCoverage: 80, timeoutMs: 400_000 });
    const { lines, branches, functions } = report.coverage ?? {};
    console.log(
      `gate: ${report.summary}; lines ${lines?.covered}/${lines?.total}, branches ${branches?.covered}/${branches?.total}, functions ${functions?.covered}/${functions?.total}; typecheck ${report.typecheck.ms} ms, tests ${report.tests.ms} ms`,
    );
  }, 420_000);
  afterAll(() => removeCheckouts());

  it('holds the layers, migrations, tests, OpenAPI, docs and its manifest', () => {
    for (const path of [
      'src/main.ts',
      'src/config.ts',
      'src/auth.ts',
      'src/models/task-item.ts',
      'src/repositories/task-item.ts',
      'src/services/task-item.ts',
      'src/routes/task-item.ts',
      'migrations/0001_create_projects.sql',
      'migrations/0002_create_task_items.sql',
      'test/task-item.test.ts',
      'openapi.json',
      'docs/API.md',
      'package.json',
      'tsconfig.json',
    ])
      expect(Object.keys(app.files)).toContain(path);
    expect(AppManifest.parse(JSON.parse(app.files[APP_MANIFEST_FILE] as string))).toEqual(app.manifest);
    expect(app.manifest.collections.map((c) => c.path)).toEqual(['/api/projects', '/api/task-items']);
    expect(app.files['src/auth.ts']).toContain('timingSafeEqual');
    const openapi = JSON.parse(app.files['openapi.json'] as string) as { paths: Record<string, unknown> };
    expect(Object.keys(openapi.paths)).toEqual(['/health', '/api/projects', '/api/projects/{id}', '/api/task-items', '/api/task-items/{id}']);
  });

  it('passes the quality gate: its tests pass, its source is covered above 80%, the type check is clean', () => {
    expect(report.typecheck).toMatchObject({ passed: true, exit_code: 0 });
    expect(report.tests).toMatchObject({ passed: true, exit_code: 0, failed_count: 0 });
    expect(report.tests.passed_count).toBeGreaterThanOrEqual(20);
    expect(report.coverage?.lines.pct).toBeGreaterThanOrEqual(80);
    expect(report.coverage?.branches.total).toBeGreaterThan(0);
    expect(report.coverage?.functions.total).toBeGreaterThan(0);
    // Only the app's source is counted, never its tests.
    expect(report.coverage?.files.map((f) => f.path)).toContain('dist/src/routes/task-item.js');
    expect(report.coverage?.files.every((f) => f.path.startsWith('dist/src/'))).toBe(true);
    expect(report.passed).toBe(true);
    expect(report.summary).toMatch(/^passed: \d+ tests passed, line coverage [\d.]+%/);
  });

  it('migrates its database (twice, idempotent) and serves CRUD with the API key over real HTTP', async () => {
    const env = { DATABASE_FILE: `${checkout}/app.db`, API_KEY, APP_VERSION: 'c0ffee', APP_ENVIRONMENT: 'dev' };
    const migrate = await runAppCommand(app.manifest.migrate, { cwd: checkout, env, timeoutMs: 30_000 });
    expect(migrate.exit_code, migrate.output).toBe(0);
    expect((await runAppCommand(app.manifest.migrate, { cwd: checkout, env, timeoutMs: 30_000 })).output).toMatch(/nothing to apply/);

    const server = await startApp(app.manifest.start, checkout, env);
    try {
      const health = await firstHealth(server);
      expect(await health?.json()).toEqual({ status: 'ok', version: 'c0ffee' });
      const headers = { 'x-api-key': API_KEY, 'content-type': 'application/json' };
      for (const collection of app.manifest.collections) {
        const created = await fetch(`${server.base}${collection.path}`, { method: 'POST', headers, body: JSON.stringify(collection.sample) });
        expect(created.status).toBe(201);
        const body = (await created.json()) as { id: number };
        expect(body).toMatchObject(collection.sample);
        const read = await fetch(`${server.base}${collection.path}/${body.id}`, { headers });
        expect(await read.json()).toEqual(body);
        const updated = await fetch(`${server.base}${collection.path}/${body.id}`, { method: 'PUT', headers, body: JSON.stringify(collection.update) });
        expect(await updated.json()).toMatchObject(collection.update);
        expect((await fetch(`${server.base}${collection.path}/${body.id}`, { method: 'DELETE', headers })).status).toBe(204);
        expect((await fetch(`${server.base}${collection.path}/${body.id}`, { headers })).status).toBe(404);
      }
      const invalid = await fetch(`${server.base}/api/projects`, { method: 'POST', headers, body: JSON.stringify({ name: 7, active: 'yes' }) });
      expect(invalid.status).toBe(400);
      expect(((await invalid.json()) as { fields: { field: string }[] }).fields.map((f) => f.field)).toEqual(['name', 'active']);
      expect((await fetch(`${server.base}/api/projects`)).status).toBe(401);
      expect((await fetch(`${server.base}/api/projects`, { headers: { 'x-api-key': 'wrong' } })).status).toBe(401);
    } finally {
      await server.stop();
    }
    expect(await server.exited).toBe(0);
  }, 60_000);

  it('writes the same bytes for the same request, and the same files again on a fix round without a model', () => {
    expect(generateApp(REQUEST)).toEqual(app);
    const fixRound = generateApp({ ...REQUEST, round: 1, fix: { summary: report.summary, output: 'x' } });
    expect(fixRound.files).toEqual(app.files);
  });

  it('refuses a request that is not valid, naming the field', () => {
    expect(() => generateApp({ ...REQUEST, app_name: 'Not Kebab' })).toThrow(/app_name/);
  });
});
