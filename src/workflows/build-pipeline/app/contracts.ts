/**
 * The contract between a generated application and the stages that handle it after code generation: the
 * manifest (`baton-app.json` at the repository root) says how to build, migrate, start and test the app, and
 * what every generated app answers (the health route, the API-key header, its CRUD collections). The quality
 * gate and the deploy targets read the manifest; nothing downstream knows a stack by name.
 */
import { z } from 'zod';
import { Stack } from '../contracts.js';

export const APP_MANIFEST_FILE = 'baton-app.json';

/**
 * The environment every generated app reads (and nothing else). `APP_VERSION` is the commit SHA the app reports on
 * `/health`; `DATABASE_FILE` the SQLite file it migrates and serves (blue and green share one per environment).
 */
export const APP_ENV = {
  port: 'PORT',
  host: 'HOST',
  databaseFile: 'DATABASE_FILE',
  apiKey: 'API_KEY',
  version: 'APP_VERSION',
  environment: 'APP_ENVIRONMENT',
} as const;

/** The header carrying the API key (compared timing-safe by the app); `/health` needs none. */
export const API_KEY_HEADER = 'x-api-key';
export const HEALTH_PATH = '/health';

/** What `GET /health` answers with 200 when the app can serve. */
export const HealthAnswer = z.object({ status: z.literal('ok'), version: z.string() });
export type HealthAnswer = z.infer<typeof HealthAnswer>;

/**
 * A command run from the checkout's root with execFile (never a shell). The first argument may be a placeholder the
 * runner replaces: `{node}` (the Node binary running Baton) or `{python}` (the Python that has the stack's packages,
 * see toolchain.ts). Other arguments are passed as written.
 */
export const AppCommand = z.object({
  argv: z.array(z.string().min(1)).min(1),
  /** Extra environment for this command only. */
  env: z.record(z.string(), z.string()).default({}),
});
export type AppCommand = z.output<typeof AppCommand>;

/** One CRUD collection the smoke tests exercise: its path and a body `POST` accepts (and `PUT` with `update`). */
export const ManifestCollection = z.object({
  entity: z.string(),
  /** e.g. `/api/orders` (list and create); `/api/orders/{id}` reads, updates and deletes one. */
  path: z.string().regex(/^\/[a-z0-9/_-]+$/),
  sample: z.record(z.string(), z.unknown()),
  update: z.record(z.string(), z.unknown()),
});
export type ManifestCollection = z.infer<typeof ManifestCollection>;

export const COVERAGE_FORMATS = ['lcov'] as const;

export const AppManifest = z.object({
  name: z.string().min(1),
  stack: Stack,
  /** Run once per checkout before anything else (e.g. compile TypeScript); absent: nothing to build. */
  build: AppCommand.optional(),
  /** Type check: exit 0 means clean; its output is the report. */
  typecheck: AppCommand,
  /** Runs the app's tests with coverage; exit 0 means every test passed. Writes the coverage file below. */
  test: AppCommand,
  /** The coverage the test command writes (relative to the checkout), with the files counted as the app's source. */
  coverage: z.object({ format: z.enum(COVERAGE_FORMATS), path: z.string().min(1), source: z.array(z.string().min(1)).min(1) }),
  /** Applies the migrations to `DATABASE_FILE` and exits 0 (idempotent: applied ones are skipped). */
  migrate: AppCommand,
  /** Starts the server on `HOST`:`PORT`; it runs until SIGTERM. */
  start: AppCommand,
  collections: z.array(ManifestCollection).min(1),
});
export type AppManifest = z.output<typeof AppManifest>;
