/**
 * The Node/TypeScript stack's generator: from the architecture's entities to a runnable Fastify + SQLite app with
 * migrations, tests (node:test with coverage as lcov), OpenAPI, docs and its manifest. Pure and deterministic: the
 * same request gives the same bytes (no dates, no randomness in any file).
 */
import { APP_MANIFEST_FILE, type AppManifest } from '../../app/contracts.js';
import type { CodegenRequest, GeneratedApp, StackGenerator } from '../contracts.js';
import { json, render } from '../render.js';
import { openApi } from './openapi.js';
import { API_MD, README_MD } from './templates-docs.js';
import {
  APP_TS,
  AUTH_TS,
  COMMANDS_TS,
  CONFIG_TS,
  DATABASE_TS,
  DEFECT_MIGRATION_SQL,
  HTTP_TS,
  MAIN_TS,
  MIGRATE_TS,
  MIGRATION_SQL,
  MODEL_TS,
  REPOSITORY_TS,
  ROUTES_TS,
  SERVICE_TS,
} from './templates-src.js';
import { AUTH_TEST_TS, COMMANDS_TEST_TS, CONFIG_TEST_TS, DATABASE_TEST_TS, ENTITY_TEST_TS, HEALTH_TEST_TS, HELPERS_TS } from './templates-test.js';
import { appView, type AppView } from './view.js';

/** The versions Baton itself runs (the app uses Baton's node_modules, linked): recorded so a standalone install matches. */
const DEPENDENCIES = { 'better-sqlite3': '12.11.1', fastify: '5.12.8', zod: '4.6.7' };
const DEV_DEPENDENCIES = { '@types/better-sqlite3': '9.6.0', '@types/node': '20.19.43', typescript: '5.9.3' };

// At the root: the runner does not create a missing directory for a reporter's destination.
export const COVERAGE_FILE = 'lcov.info';

/** The test command: node:test over the compiled tests, spec output for people and lcov for the gate. */
function testArgv(app: AppView): string[] {
  return [
    '{node}',
    '--test',
    '--experimental-test-coverage',
    '--test-reporter=spec',
    '--test-reporter-destination=stdout',
    '--test-reporter=lcov',
    `--test-reporter-destination=${COVERAGE_FILE}`,
    ...app.testFiles.map((file) => `dist/test/${file.replace(/\.ts$/, '.js')}`),
  ];
}

function manifestOf(app: AppView): AppManifest {
  return {
    name: app.name,
    stack: 'node-typescript',
    build: { argv: ['{node}', 'node_modules/typescript/bin/tsc', '-p', '.'], env: {} },
    // The build is the type check: strict `tsc -p .` reports every type error (and fails) as it emits, so the gate runs it once.
    typecheck: { argv: ['{node}', 'node_modules/typescript/bin/tsc', '-p', '.'], env: {} },
    test: { argv: testArgv(app), env: { NODE_ENV: 'test' } },
    // The compiled source is what runs under coverage; the tests' own files are not counted.
    coverage: { format: 'lcov', path: COVERAGE_FILE, source: ['dist/src/'] },
    migrate: { argv: ['{node}', 'dist/src/migrate.js'], env: {} },
    start: { argv: ['{node}', 'dist/src/main.js'], env: {} },
    collections: app.entities.map((e) => ({ entity: e.name, path: e.path, sample: e.sample, update: e.update })),
  };
}

function packageJson(app: AppView): unknown {
  const tests = app.testFiles.map((file) => `dist/test/${file.replace(/\.ts$/, '.js')}`).join(' ');
  return {
    name: app.name,
    version: '1.0.0',
    private: true,
    description: app.title,
    type: 'module',
    engines: { node: '>=20.19' },
    scripts: {
      build: 'tsc -p .',
      typecheck: 'tsc --noEmit -p .',
      test: `npm run build && node --test --experimental-test-coverage --test-reporter=spec --test-reporter-destination=stdout --test-reporter=lcov --test-reporter-destination=${COVERAGE_FILE} ${tests}`,
      migrate: 'node dist/src/migrate.js',
      start: 'node dist/src/main.js',
    },
    dependencies: DEPENDENCIES,
    devDependencies: DEV_DEPENDENCIES,
  };
}

const TSCONFIG = {
  compilerOptions: {
    target: 'ES2022',
    module: 'NodeNext',
    moduleResolution: 'NodeNext',
    lib: ['ES2023'],
    types: ['node'],
    strict: true,
    noUncheckedIndexedAccess: true,
    noImplicitOverride: true,
    esModuleInterop: true,
    forceConsistentCasingInFileNames: true,
    skipLibCheck: true,
    rootDir: '.',
    outDir: 'dist',
  },
  include: ['src/**/*.ts', 'test/**/*.ts'],
};

const GITIGNORE = 'node_modules/\ndist/\nlcov.info\n*.db\n*.db-shm\n*.db-wal\n';

export const nodeGenerator: StackGenerator = (request: CodegenRequest): GeneratedApp => {
  const app = appView(request);
  const manifest = manifestOf(app);
  const files: Record<string, string> = {
    [APP_MANIFEST_FILE]: json(manifest),
    'package.json': json(packageJson(app)),
    'tsconfig.json': json(TSCONFIG),
    '.gitignore': GITIGNORE,
    'README.md': render(README_MD, app, 'README.md'),
    'docs/API.md': render(API_MD, app, 'docs/API.md'),
    'openapi.json': json(openApi(app)),
    'src/config.ts': CONFIG_TS,
    'src/auth.ts': AUTH_TS,
    'src/database.ts': DATABASE_TS,
    'src/http.ts': HTTP_TS,
    'src/app.ts': render(APP_TS, app, 'src/app.ts'),
    'src/commands.ts': render(COMMANDS_TS, app, 'src/commands.ts'),
    'src/main.ts': render(MAIN_TS, app, 'src/main.ts'),
    'src/migrate.ts': MIGRATE_TS,
    'test/helpers.ts': render(HELPERS_TS, app, 'test/helpers.ts'),
  };
  app.entities.forEach((entity, index) => {
    files[`migrations/${String(index + 1).padStart(4, '0')}_create_${entity.table}.sql`] = render(MIGRATION_SQL, entity, 'migration');
    files[`src/models/${entity.kebab}.ts`] = render(MODEL_TS, entity, 'model');
    files[`src/repositories/${entity.kebab}.ts`] = render(REPOSITORY_TS, entity, 'repository');
    files[`src/services/${entity.kebab}.ts`] = render(SERVICE_TS, entity, 'service');
    files[`src/routes/${entity.kebab}.ts`] = render(ROUTES_TS, entity, 'routes');
  });
  if (app.defect === 'migration-fails') {
    const first = app.entities[0];
    if (first)
      files[`migrations/${String(app.entities.length + 1).padStart(4, '0')}_backfill_${first.table}.deploy.sql`] = render(
        DEFECT_MIGRATION_SQL,
        first,
        'migration',
      );
  }
  const tests: Record<string, string> = {
    'health.test.ts': render(HEALTH_TEST_TS, app, 'health.test.ts'),
    'config.test.ts': CONFIG_TEST_TS,
    'auth.test.ts': AUTH_TEST_TS,
    'database.test.ts': DATABASE_TEST_TS,
    'commands.test.ts': render(COMMANDS_TEST_TS, app, 'commands.test.ts'),
    ...Object.fromEntries(app.entities.map((e) => [`${e.kebab}.test.ts`, render(ENTITY_TEST_TS, e, 'entity test')])),
  };
  for (const file of app.testFiles) files[`test/${file}`] = tests[file] as string;
  // Sorted keys: the same request gives the same object, whatever order the entities were rendered in.
  const sorted = Object.fromEntries(Object.entries(files).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return { stack: 'node-typescript', files: sorted, manifest, written_by: 'templates' };
};
