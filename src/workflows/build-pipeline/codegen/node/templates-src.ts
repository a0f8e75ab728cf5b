/**
 * The Node app's source templates (Eta, data `it` is the AppView or an EntityView). They are string constants so the
 * built Baton needs no template files; generated code avoids backticks, `${` and backslashes, which these literals
 * would otherwise have to escape.
 */

export const CONFIG_TS = `// Configuration from the environment, read once at start: a missing API_KEY or DATABASE_FILE stops the app with a
// message naming it, rather than serving without authentication or on an unintended database.

export interface Config {
  port: number;
  host: string;
  databaseFile: string;
  apiKey: string;
  /** Reported by /health: the commit the app was built from. */
  version: string;
  /** Set when deployed (dev, staging, prod); unset in tests and local runs. */
  environment: string | undefined;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

const REQUIRED = ['API_KEY', 'DATABASE_FILE'] as const;

/** The database file alone, for the migrate command (which needs no API key). */
export function databaseFileOf(env: NodeJS.ProcessEnv): string {
  const file = env.DATABASE_FILE;
  if (!file) throw new ConfigError('the environment variable DATABASE_FILE is not set');
  return file;
}

export function loadConfig(env: NodeJS.ProcessEnv): Config {
  const missing = REQUIRED.filter((name) => !env[name]);
  if (missing.length > 0) throw new ConfigError('the environment variables ' + missing.join(', ') + ' must be set');
  const port = Number(env.PORT ?? '3000');
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError('PORT must be an integer from 0 to 65535, not "' + env.PORT + '"');
  return {
    port,
    host: env.HOST || '127.0.0.1',
    databaseFile: databaseFileOf(env),
    apiKey: env.API_KEY as string,
    version: env.APP_VERSION || 'dev',
    environment: env.APP_ENVIRONMENT || undefined,
  };
}
`;

export const AUTH_TS = `// API-key authentication: the key is compared timing-safe over SHA-256 digests, so neither its content nor its
// length leaks through how long a wrong key takes to refuse.
import { createHash, timingSafeEqual } from 'node:crypto';

const digest = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();

export function keyMatches(expected: string, given: string | string[] | undefined): boolean {
  if (typeof given !== 'string') return false;
  return timingSafeEqual(digest(expected), digest(given));
}

/** Who the audit fields name for a request made with this key: a short fingerprint, never the key itself. */
export function actorOf(key: string): string {
  return 'api-key:' + digest(key).toString('hex').slice(0, 12);
}
`;

export const DATABASE_TS = `// SQLite through better-sqlite3, and the numbered SQL migrations in migrations/ applied in order and recorded in
// schema_migrations, so running migrate again applies only what is new. A migration named NNNN_name.deploy.sql is a
// deploy-only step (a data backfill against the real database): tests and local runs skip it.
import Database from 'better-sqlite3';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export type Db = Database.Database;

/** migrations/ at the project root (this file runs as dist/src/database.js). */
export const MIGRATIONS_DIR = fileURLToPath(new URL('../../migrations/', import.meta.url));

const MIGRATION_FILE = /^([0-9]{4})_[a-z0-9_]+([.]deploy)?[.]sql$/;

export interface Migration {
  version: number;
  file: string;
  sql: string;
  deployOnly: boolean;
}

export function openDatabase(file: string): Db {
  const db = new Database(file);
  db.pragma('foreign_keys = ON');
  if (file !== ':memory:') db.pragma('journal_mode = WAL');
  return db;
}

export function readMigrations(dir: string = MIGRATIONS_DIR): Migration[] {
  const migrations: Migration[] = [];
  for (const file of readdirSync(dir).sort()) {
    const match = MIGRATION_FILE.exec(file);
    if (!match) continue;
    migrations.push({ version: Number(match[1]), file, sql: readFileSync(join(dir, file), 'utf8'), deployOnly: match[2] !== undefined });
  }
  return migrations;
}

export interface MigrateOptions {
  /** Deployed: deploy-only migrations run too. */
  deployed: boolean;
  dir?: string;
}

/** Applies the migrations not yet recorded, each in its own transaction; answers the files applied now. */
export function migrate(db: Db, options: MigrateOptions): string[] {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, file TEXT NOT NULL, applied_at TEXT NOT NULL)');
  const applied = new Set(db.prepare('SELECT version FROM schema_migrations').pluck().all() as number[]);
  const record = db.prepare('INSERT INTO schema_migrations (version, file, applied_at) VALUES (?, ?, ?)');
  const done: string[] = [];
  for (const migration of readMigrations(options.dir)) {
    if (applied.has(migration.version) || (migration.deployOnly && !options.deployed)) continue;
    db.transaction(() => {
      db.exec(migration.sql);
      record.run(migration.version, migration.file, new Date().toISOString());
    })();
    done.push(migration.file);
  }
  return done;
}
`;

export const HTTP_TS = `// The HTTP error vocabulary the routes share: every failure answers JSON with a stable error code, and a validation
// failure lists each offending field.
import type { z } from 'zod';

export interface FieldError {
  field: string;
  message: string;
}

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly fields: FieldError[] = [],
  ) {
    super(message);
  }

  body(): { error: string; message: string; fields?: FieldError[] } {
    return this.fields.length > 0 ? { error: this.code, message: this.message, fields: this.fields } : { error: this.code, message: this.message };
  }
}

export const notFound = (what: string, id: string): HttpError => new HttpError(404, 'not_found', what + ' ' + id + ' does not exist');

/** The body parsed by the schema, or a 400 naming every field that failed. */
export function parseBody<T>(schema: z.ZodType<T>, body: unknown): T {
  const result = schema.safeParse(body ?? {});
  if (result.success) return result.data;
  const fields = result.error.issues.map((issue) => ({ field: issue.path.join('.') || '(body)', message: issue.message }));
  throw new HttpError(400, 'validation_failed', 'the request body is not valid', fields);
}

/** Ids are positive integers; anything else names no row, so it is a 404 like a missing one. */
export function parseId(what: string, raw: string): number {
  const id = Number(raw);
  if (!Number.isSafeInteger(id) || id < 1) throw notFound(what, raw);
  return id;
}

/** limit (1..100, default 50) and offset (default 0) of a list. */
export function parsePage(query: unknown): { limit: number; offset: number } {
  const params = (query ?? {}) as Record<string, string | undefined>;
  const limit = params.limit === undefined ? 50 : Number(params.limit);
  const offset = params.offset === undefined ? 0 : Number(params.offset);
  const fields: FieldError[] = [];
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) fields.push({ field: 'limit', message: 'must be an integer from 1 to 100' });
  if (!Number.isInteger(offset) || offset < 0) fields.push({ field: 'offset', message: 'must be a non-negative integer' });
  if (fields.length > 0) throw new HttpError(400, 'validation_failed', 'the query is not valid', fields);
  return { limit, offset };
}
`;

export const MODEL_TS = `// The <%= it.name %> model: what a client sends (validated by zod), what is stored (with the audit fields) and how
// a SQLite row maps back to it.
import { z } from 'zod';

export const <%= it.name %>Input = z
  .object({
<% for (const f of it.fields) { -%>
    <%= f.name %>: <%= f.zod %>,
<% } -%>
  })
  .strict();
export type <%= it.name %>Input = z.infer<typeof <%= it.name %>Input>;

export interface <%= it.name %> {
  id: number;
<% for (const f of it.fields) { -%>
  <%= f.name %>: <%= f.tsType %>;
<% } -%>
  created_at: string;
  updated_at: string;
  created_by: string;
  updated_by: string;
}

/** A row as better-sqlite3 returns it (SQLite has no boolean: 0 or 1). */
export interface <%= it.name %>Row {
  id: number;
<% for (const f of it.fields) { -%>
  <%= f.name %>: <%= f.rowType %>;
<% } -%>
  created_at: string;
  updated_at: string;
  created_by: string;
  updated_by: string;
}

export const <%= it.name.toUpperCase() %>_COLUMNS = [<%= it.fields.map((f) => "'" + f.name + "'").join(', ') %>] as const;

export function from<%= it.name %>Row(row: <%= it.name %>Row): <%= it.name %> {
  return {
    id: row.id,
<% for (const f of it.fields) { -%>
<% if (f.isBoolean && f.required) { -%>
    <%= f.name %>: row.<%= f.name %> === 1,
<% } else if (f.isBoolean) { -%>
    <%= f.name %>: row.<%= f.name %> === null ? null : row.<%= f.name %> === 1,
<% } else { -%>
    <%= f.name %>: row.<%= f.name %>,
<% } -%>
<% } -%>
    created_at: row.created_at,
    updated_at: row.updated_at,
    created_by: row.created_by,
    updated_by: row.updated_by,
  };
}

/** The input as SQL parameters: every column present (absent optional fields are NULL), booleans as 0 or 1. */
export function to<%= it.name %>Params(input: <%= it.name %>Input): Record<string, string | number | null> {
  return {
<% for (const f of it.fields) { -%>
<% if (f.isBoolean && f.required) { -%>
    <%= f.name %>: input.<%= f.name %> ? 1 : 0,
<% } else if (f.isBoolean) { -%>
    <%= f.name %>: input.<%= f.name %> === undefined || input.<%= f.name %> === null ? null : input.<%= f.name %> ? 1 : 0,
<% } else if (f.required) { -%>
    <%= f.name %>: input.<%= f.name %>,
<% } else { -%>
    <%= f.name %>: input.<%= f.name %> ?? null,
<% } -%>
<% } -%>
  };
}
`;

export const REPOSITORY_TS = `// The <%= it.name %> repository: the only code that speaks SQL to the <%= it.table %> table.
import type { Db } from '../database.js';
import { from<%= it.name %>Row, to<%= it.name %>Params, type <%= it.name %>, type <%= it.name %>Input, type <%= it.name %>Row } from '../models/<%= it.kebab %>.js';

export interface Audit {
  actor: string;
  now: string;
}

export class <%= it.name %>Repository {
  constructor(private readonly db: Db) {}

  list(limit: number, offset: number): <%= it.name %>[] {
    const rows = this.db.prepare('SELECT * FROM <%= it.table %> ORDER BY id LIMIT ? OFFSET ?').all(limit, offset) as <%= it.name %>Row[];
    return rows.map(from<%= it.name %>Row);
  }

  get(id: number): <%= it.name %> | undefined {
    const row = this.db.prepare('SELECT * FROM <%= it.table %> WHERE id = ?').get(id) as <%= it.name %>Row | undefined;
    return row ? from<%= it.name %>Row(row) : undefined;
  }

  insert(input: <%= it.name %>Input, audit: Audit): <%= it.name %> {
    const result = this.db
      .prepare(
        'INSERT INTO <%= it.table %> (<%= it.fields.map((f) => f.name).join(', ') %>, created_at, updated_at, created_by, updated_by) ' +
          'VALUES (<%= it.fields.map((f) => '@' + f.name).join(', ') %>, @now, @now, @actor, @actor)',
      )
      .run({ ...to<%= it.name %>Params(input), now: audit.now, actor: audit.actor });
    return this.get(Number(result.lastInsertRowid)) as <%= it.name %>;
  }

  /** Replaces the fields of a row; undefined when there is none with this id. */
  update(id: number, input: <%= it.name %>Input, audit: Audit): <%= it.name %> | undefined {
    const result = this.db
      .prepare('UPDATE <%= it.table %> SET <%= it.fields.map((f) => f.name + ' = @' + f.name).join(', ') %>, updated_at = @now, updated_by = @actor WHERE id = @id')
      .run({ ...to<%= it.name %>Params(input), now: audit.now, actor: audit.actor, id });
    return result.changes === 0 ? undefined : this.get(id);
  }

  delete(id: number): boolean {
    return this.db.prepare('DELETE FROM <%= it.table %> WHERE id = ?').run(id).changes > 0;
  }
}
`;

export const SERVICE_TS = `// The <%= it.name %> service: the business rules between the routes and the repository (the audit fields are set
// here, from the caller and the clock, never from the request body).
import type { <%= it.name %>, <%= it.name %>Input } from '../models/<%= it.kebab %>.js';
import type { <%= it.name %>Repository } from '../repositories/<%= it.kebab %>.js';

export class <%= it.name %>Service {
  constructor(
    private readonly repository: <%= it.name %>Repository,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  list(page: { limit: number; offset: number }): <%= it.name %>[] {
    return this.repository.list(page.limit, page.offset);
  }

  get(id: number): <%= it.name %> | undefined {
    return this.repository.get(id);
  }

  create(input: <%= it.name %>Input, actor: string): <%= it.name %> {
    return this.repository.insert(input, { actor, now: this.clock().toISOString() });
  }

  update(id: number, input: <%= it.name %>Input, actor: string): <%= it.name %> | undefined {
    return this.repository.update(id, input, { actor, now: this.clock().toISOString() });
  }

  remove(id: number): boolean {
    return this.repository.delete(id);
  }
}
`;

export const ROUTES_TS = `// The <%= it.name %> routes: <%= it.path %> lists (GET) and creates (POST); <%= it.path %>/:id reads (GET),
// replaces (PUT) and deletes (DELETE) one. Bodies are validated before the service sees them.
import type { FastifyInstance } from 'fastify';
import { notFound, parseBody, parseId, parsePage } from '../http.js';
import { <%= it.name %>Input } from '../models/<%= it.kebab %>.js';
import type { <%= it.name %>Service } from '../services/<%= it.kebab %>.js';

interface ById {
  Params: { id: string };
}

export function register<%= it.name %>Routes(app: FastifyInstance, service: <%= it.name %>Service, actor: string): void {
  app.get('<%= it.path %>', async (request) => service.list(parsePage(request.query)));

  app.post('<%= it.path %>', async (request, reply) => {
    const created = service.create(parseBody(<%= it.name %>Input, request.body), actor);
    return reply.code(201).send(created);
  });

  app.get<ById>('<%= it.path %>/:id', async (request) => {
    const found = service.get(parseId('<%= it.name %>', request.params.id));
    if (!found) throw notFound('<%= it.name %>', request.params.id);
    return found;
  });

  app.put<ById>('<%= it.path %>/:id', async (request) => {
    const id = parseId('<%= it.name %>', request.params.id);
    const updated = service.update(id, parseBody(<%= it.name %>Input, request.body), actor);
    if (!updated) throw notFound('<%= it.name %>', request.params.id);
    return updated;
  });

  app.delete<ById>('<%= it.path %>/:id', async (request, reply) => {
    if (!service.remove(parseId('<%= it.name %>', request.params.id))) throw notFound('<%= it.name %>', request.params.id);
    return reply.code(204).send();
  });
}
`;

export const APP_TS = `// The HTTP application (Fastify): /health without a key, every /api route behind the x-api-key header, JSON errors.
// Fastify and zod are the packages this app is built on (routing, JSON parsing and schema validation that are
// well kept and tested elsewhere), rather than hand-rolled request parsing over node:http.
import { fastify, type FastifyError, type FastifyInstance } from 'fastify';
import { actorOf, keyMatches } from './auth.js';
import type { Config } from './config.js';
import type { Db } from './database.js';
import { HttpError } from './http.js';
<% for (const e of it.entities) { -%>
import { <%= e.name %>Repository } from './repositories/<%= e.kebab %>.js';
import { register<%= e.name %>Routes } from './routes/<%= e.kebab %>.js';
import { <%= e.name %>Service } from './services/<%= e.kebab %>.js';
<% } -%>

export const API_KEY_HEADER = 'x-api-key';

export interface AppOptions {
  config: Config;
  db: Db;
  clock?: () => Date;
}

export function buildApp({ config, db, clock }: AppOptions): FastifyInstance {
  const app = fastify({ logger: false, bodyLimit: 1_048_576 });
<% if (it.defect === 'health-500' || it.defect === 'smoke-fails' || it.defect === 'crash-after-start') { -%>
  // Fault injection for the release demo (variant <%= it.defect %>): only when deployed, so this app's own tests pass.
  const deployed = config.environment !== undefined;
<% } -%>
<% if (it.defect === 'crash-after-start') { -%>
  // Dies on its third health check: the deploy's health poll and smoke test answered, the watch after the switch does not.
  let healthChecks = 0;
<% } -%>

  // An empty body sent as JSON (a DELETE from a client that always sets the header) is no body, not a 400;
  // anything else goes to Fastify's own JSON parser (which refuses prototype poisoning).
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (body === '') return done(null, undefined);
    return parseJson(request, body as string, done);
  });

  app.setErrorHandler((error: FastifyError, _request, reply) => {
    if (error instanceof HttpError) return reply.code(error.status).send(error.body());
    // Fastify's own client errors (malformed JSON, a wrong content type) keep their 4xx status.
    const status = error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    return reply.code(status).send({ error: status === 500 ? 'internal_error' : 'bad_request', message: status === 500 ? 'internal error' : error.message });
  });
  app.setNotFoundHandler((request, reply) => reply.code(404).send({ error: 'not_found', message: request.method + ' ' + request.url + ' is not a route' }));

  app.get('/health', async (_request, reply) => {
    // Answers only when the database does: a server that cannot reach its data is not healthy.
    db.prepare('SELECT 1').get();
<% if (it.defect === 'health-500') { -%>
    if (deployed) return reply.code(500).send({ status: 'error', version: config.version });
<% } -%>
<% if (it.defect === 'crash-after-start') { -%>
    healthChecks += 1;
    if (deployed && healthChecks >= 3) {
      console.error('release defect: crashing after the switch');
      process.exit(1);
    }
<% } -%>
    return reply.send({ status: 'ok', version: config.version });
  });

  const actor = actorOf(config.apiKey);
  app.register(async (api) => {
    api.addHook('onRequest', async (request, reply) => {
      if (!keyMatches(config.apiKey, request.headers[API_KEY_HEADER])) {
        return reply.code(401).send({ error: 'unauthorized', message: 'a valid ' + API_KEY_HEADER + ' header is required' });
      }
    });
<% if (it.defect === 'smoke-fails') { -%>
    if (deployed) {
      api.addHook('preHandler', async (request, reply) => {
        if (request.method === 'GET' && request.routeOptions.url?.endsWith('/:id')) return reply.code(404).send({ error: 'not_found', message: 'gone' });
      });
    }
<% } -%>
<% for (const e of it.entities) { -%>
    register<%= e.name %>Routes(api, new <%= e.name %>Service(new <%= e.name %>Repository(db), clock), actor);
<% } -%>
  });
  return app;
}
`;

export const COMMANDS_TS = `// The app's two commands as functions (the entry points main.ts and migrate.ts only call them): serve, and migrate.
import type { FastifyInstance } from 'fastify';
import { buildApp } from './app.js';
import { databaseFileOf, loadConfig } from './config.js';
import { migrate, openDatabase } from './database.js';

export interface RunningServer {
  app: FastifyInstance;
  address: string;
  close(): Promise<void>;
}

/** Opens the database and listens on HOST:PORT; the database must have been migrated. */
export async function serve(env: NodeJS.ProcessEnv): Promise<RunningServer> {
  const config = loadConfig(env);
<% if (it.defect === 'crash-at-start') { -%>
  // Fault injection for the release demo (crash-at-start): only when deployed.
  if (config.environment !== undefined) throw new Error('release defect: refusing to start in ' + config.environment);
<% } -%>
  const db = openDatabase(config.databaseFile);
  const app = buildApp({ config, db });
  const address = await app.listen({ port: config.port, host: config.host });
  return {
    app,
    address,
    close: async () => {
      await app.close();
      db.close();
    },
  };
}

/** Applies the pending migrations to DATABASE_FILE; deploy-only ones when APP_ENVIRONMENT is set. */
export function migrateDatabase(env: NodeJS.ProcessEnv): string[] {
  const db = openDatabase(databaseFileOf(env));
  try {
    return migrate(db, { deployed: Boolean(env.APP_ENVIRONMENT) });
  } finally {
    db.close();
  }
}
`;

export const MAIN_TS = `// Entry point: serves until SIGTERM or SIGINT, then closes the server and the database; exits 1 when it cannot start.
import { serve } from './commands.js';

try {
  const server = await serve(process.env);
  console.log('<%= it.name %> listening on ' + server.address);
  const stop = (): void => {
    void server.close().then(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
} catch (error) {
  console.error('<%= it.name %> cannot start: ' + (error instanceof Error ? error.message : String(error)));
  process.exit(1);
}
`;

export const MIGRATE_TS = `// Entry point of the migrate command: applies the pending migrations and exits 0, or prints why and exits 1.
import { migrateDatabase } from './commands.js';

try {
  const applied = migrateDatabase(process.env);
  console.log(applied.length > 0 ? 'applied ' + applied.join(', ') : 'nothing to apply');
} catch (error) {
  console.error('migration failed: ' + (error instanceof Error ? error.message : String(error)));
  process.exit(1);
}
`;

export const MIGRATION_SQL = `-- <%= it.name %>: its fields and the audit fields every row carries.
CREATE TABLE <%= it.table %> (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
<% for (const f of it.fields) { -%>
  <%= f.name %> <%= f.sqlType %>,
<% } -%>
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  created_by TEXT NOT NULL,
  updated_by TEXT NOT NULL
);
CREATE INDEX <%= it.table %>_created_at ON <%= it.table %> (created_at);
`;

/** The migration-fails variant's deploy-only migration: invalid SQL, so migrate exits non-zero when deployed. */
export const DEFECT_MIGRATION_SQL = `-- Release defect (fault injection, migration-fails): a deploy-only backfill that is not valid SQL.
UPDATE <%= it.table %> SET WHERE;
`;
