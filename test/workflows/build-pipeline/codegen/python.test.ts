// The Python/FastAPI generator for real: the app it writes for two entities (every field type, a keyword as a field
// name) passes the quality gate (its own pytest tests, line coverage of app/ from its lcov, strict mypy), migrates and
// serves over HTTP (CRUD, 401, /health), and the same request always gives the same bytes.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APP_MANIFEST_FILE, AppManifest } from '../../../../src/workflows/build-pipeline/app/contracts.js';
import { runAppCommand, toolchain } from '../../../../src/workflows/build-pipeline/app/toolchain.js';
import type { GeneratedApp } from '../../../../src/workflows/build-pipeline/codegen/contracts.js';
import { generateApp } from '../../../../src/workflows/build-pipeline/codegen/index.js';
import type { GateReport } from '../../../../src/workflows/build-pipeline/gate/contracts.js';
import { runGate } from '../../../../src/workflows/build-pipeline/gate/index.js';
import { firstHealth, pythonInput, removeCheckouts, serve, writeCheckout } from './python-fixture.js';

const API_KEY = 'a-deploy-key-0123456789';
const { python } = await toolchain();
if (!python) console.log('skipped: no Python with fastapi, uvicorn, httpx, pytest-cov and mypy (Debian python3-fastapi …) on this machine');

describe('the generated Python app', () => {
  it('is the same bytes for the same request', () => {
    expect(generateApp(pythonInput())).toEqual(generateApp(pythonInput()));
  });

  it('holds the layers, migrations, tests, OpenAPI, docs and its manifest', () => {
    const app = generateApp(pythonInput());
    for (const path of [
      'app/__main__.py',
      'app/config.py',
      'app/dependencies.py',
      'app/models.py',
      'app/repositories.py',
      'app/services.py',
      'app/routes.py',
      'app/migrate.py',
      'app/migrations/0001_create_expenses.sql',
      'app/migrations/0002_create_budget_categories.sql',
      'tests/test_expenses.py',
      'tests/test_budget_categories.py',
      'openapi.json',
      'docs/API.md',
      'requirements.txt',
      'mypy.ini',
    ])
      expect(Object.keys(app.files)).toContain(path);
    expect(AppManifest.parse(JSON.parse(app.files[APP_MANIFEST_FILE] as string))).toEqual(app.manifest);
    expect(app.manifest).toMatchObject({
      stack: 'python-fastapi',
      start: { argv: ['{python}', '-m', 'app'] },
      migrate: { argv: ['{python}', '-m', 'app.migrate'] },
    });
    expect(app.manifest.build).toBeUndefined();
    expect(app.manifest.collections.map((c) => c.path)).toEqual(['/api/expenses', '/api/budget-categories']);
    expect(app.files['app/dependencies.py']).toContain('hmac.compare_digest');
    const openapi = JSON.parse(app.files['openapi.json'] as string) as { paths: Record<string, unknown> };
    expect(Object.keys(openapi.paths)).toEqual([
      '/health',
      '/api/expenses',
      '/api/expenses/{record_id}',
      '/api/budget-categories',
      '/api/budget-categories/{record_id}',
    ]);
  });
});

describe.skipIf(!python)('the generated Python app, run', () => {
  let app: GeneratedApp;
  let checkout: string;
  let report: GateReport;

  beforeAll(async () => {
    app = generateApp(pythonInput());
    checkout = writeCheckout(app);
    report = await runGate({ checkout, manifest: app.manifest, commit: 'c0ffee', round: 0, minLineCoverage: 80, timeoutMs: 400_000 });
    const { lines, branches, functions } = report.coverage ?? {};
    console.log(
      `python gate: ${report.summary}; lines ${lines?.covered}/${lines?.total}, branches ${branches?.covered}/${branches?.total}, functions ${functions?.covered}/${functions?.total}; typecheck ${report.typecheck.ms} ms, tests ${report.tests.ms} ms`,
    );
  }, 420_000);
  afterAll(() => removeCheckouts());

  it('passes the quality gate: its tests pass, app/ is covered above 80%, strict mypy is clean', () => {
    expect(report.typecheck, report.typecheck.output).toMatchObject({ passed: true, exit_code: 0 });
    expect(report.tests, report.tests.output).toMatchObject({ passed: true, exit_code: 0, failed_count: 0 });
    expect(report.tests.passed_count).toBeGreaterThanOrEqual(30);
    expect(report.coverage?.lines.pct).toBeGreaterThanOrEqual(80);
    // coverage.py writes branch records itself; the function records are the test script's, from ast.
    expect(report.coverage?.branches.total).toBeGreaterThan(0);
    expect(report.coverage?.functions.total).toBeGreaterThan(20);
    expect(report.coverage?.functions.covered).toBe(report.coverage?.functions.total);
    // Only app/ is counted (never the tests), and no file claims more hit lines than it has.
    expect(report.coverage?.files.map((f) => f.path)).toContain('app/routes.py');
    expect(report.coverage?.files.every((f) => f.path.startsWith('app/') && f.lines.covered <= f.lines.total)).toBe(true);
    expect(report.passed).toBe(true);
  });

  it("finds a type error in a checkout whose modules mypy's shared cache holds clean from another checkout", async () => {
    // The gate above warmed the machine's mypy cache with this app; a second checkout of it with one error must still fail.
    const broken = writeCheckout(app);
    const services = join(broken, 'app/services.py');
    writeFileSync(services, `${readFileSync(services, 'utf8')}\n\ndef wrong() -> int:\n    return "not an int"\n`);
    const typecheck = await runAppCommand(app.manifest.typecheck, { cwd: broken, timeoutMs: 120_000 });
    expect(typecheck.exit_code, typecheck.output).toBe(1);
    expect(typecheck.output).toMatch(/app\/services\.py:\d+: error: Incompatible return value type/);
    expect(existsSync(join(broken, '.mypy_cache'))).toBe(false);
  });

  it('migrates its database (twice, idempotent) and serves CRUD with the API key over real HTTP', async () => {
    const env = { DATABASE_FILE: `${checkout}/app.sqlite`, API_KEY, APP_VERSION: 'c0ffee', APP_ENVIRONMENT: 'dev' };
    const migrate = await runAppCommand(app.manifest.migrate, { cwd: checkout, env, timeoutMs: 30_000 });
    expect(migrate.exit_code, migrate.output).toBe(0);
    expect(migrate.output).toMatch(/2 applied/);
    expect((await runAppCommand(app.manifest.migrate, { cwd: checkout, env, timeoutMs: 30_000 })).output).toMatch(/0 applied, the database is up to date/);

    const server = await serve(app.manifest.start, checkout, env);
    let exitCode: number | null;
    try {
      const health = await firstHealth(server);
      expect(health?.status, server.output()).toBe(200);
      expect(await health?.json()).toEqual({ status: 'ok', version: 'c0ffee' });
      const headers = { 'x-api-key': API_KEY, 'content-type': 'application/json' };
      for (const collection of app.manifest.collections) {
        expect((await fetch(`${server.base}${collection.path}`)).status).toBe(401);
        expect((await fetch(`${server.base}${collection.path}`, { headers: { 'x-api-key': 'x'.repeat(API_KEY.length) } })).status).toBe(401);

        const created = await fetch(`${server.base}${collection.path}`, { method: 'POST', headers, body: JSON.stringify(collection.sample) });
        expect(created.status).toBe(201);
        const record = (await created.json()) as Record<string, unknown>;
        expect(record).toMatchObject({ ...collection.sample, created_by: 'api-key', updated_by: 'api-key' });
        const one = `${server.base}${collection.path}/${String(record.id)}`;

        const replaced = await fetch(one, { method: 'PUT', headers: { ...headers, 'x-actor': 'ana' }, body: JSON.stringify(collection.update) });
        expect(await replaced.json()).toMatchObject({ ...collection.update, created_by: 'api-key', updated_by: 'ana' });
        expect(await (await fetch(`${server.base}${collection.path}`, { headers })).json()).toHaveLength(1);

        const invalid = await fetch(`${server.base}${collection.path}`, {
          method: 'POST',
          headers,
          body: JSON.stringify({ ...collection.sample, unexpected: 1 }),
        });
        expect(invalid.status).toBe(422);
        expect((await fetch(one, { method: 'DELETE', headers })).status).toBe(204);
        expect((await fetch(one, { headers })).status).toBe(404);
      }
    } finally {
      exitCode = await server.stop();
    }
    // uvicorn shuts down on SIGTERM and exits 0.
    expect(exitCode).toBe(0);
  }, 60_000);

  it('writes valid Python whatever the title and build id hold (quotes, backslashes, control characters)', async () => {
    const input = pythonInput();
    const hostile = generateApp({ ...input, build_id: 'b\\N"""', idea: { ...input.idea, title: 'Say "hi" \\N{oops} \\"""\u0007 end"' } });
    const sources = Object.keys(hostile.files).filter((path) => path.endsWith('.py'));
    const parsed = await runAppCommand(
      { argv: ['{python}', '-c', 'import ast, sys\nfor path in sys.argv[1:]: ast.parse(open(path).read(), path)', ...sources], env: {} },
      { cwd: writeCheckout(hostile), timeoutMs: 30_000 },
    );
    expect(parsed.exit_code, parsed.output).toBe(0);
    expect(hostile.files['app/__init__.py']).toContain('Say \\"hi\\" \\\\N{oops}');
  });

  it('refuses to start without API_KEY and DATABASE_FILE, naming them', async () => {
    const result = await runAppCommand(app.manifest.start, { cwd: checkout, env: {}, timeoutMs: 30_000 });
    expect(result.exit_code).toBe(2);
    expect(result.output).toContain('missing environment variable(s): API_KEY, DATABASE_FILE');
  });
});
