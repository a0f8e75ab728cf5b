/**
 * The Node app's test templates (node:test, run compiled from dist/test with the runner's coverage). HTTP tests go
 * through Fastify's inject (the real router, hooks and handlers, no socket); the command tests start the real
 * entry points as processes on a free port.
 */

export const HELPERS_TS = `// Shared by the tests: an app over an in-memory database with the migrations applied, and a clock that moves.
import type { FastifyInstance } from 'fastify';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp } from '../src/app.js';
import type { Config } from '../src/config.js';
import { migrate, openDatabase, type Db } from '../src/database.js';

export const API_KEY = 'test-key-0123456789abcdef';
export const AUTH = { 'x-api-key': API_KEY };
export const CONFIG: Config = { port: 0, host: '127.0.0.1', databaseFile: ':memory:', apiKey: API_KEY, version: 'test-version', environment: undefined };

/** Each call one second after the last, so an update's updated_at is later than its created_at. */
export function steppingClock(): () => Date {
  let tick = Date.parse('2025-01-01T00:00:00.000Z');
  return () => new Date((tick += 1000));
}

export async function testApp(): Promise<{ app: FastifyInstance; db: Db }> {
  const db = openDatabase(':memory:');
  migrate(db, { deployed: false });
  const app = buildApp({ config: CONFIG, db, clock: steppingClock() });
  await app.ready();
  return { app, db };
}

export const tempDir = (): string => mkdtempSync(join(tmpdir(), '<%= it.name %>-test-'));
`;

export const ENTITY_TEST_TS = `// The <%= it.name %> API end to end through the router: CRUD, validation, 404 and 401.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { AUTH, testApp } from './helpers.js';

const PATH = '<%= it.path %>';
const SAMPLE: Record<string, unknown> = <%= JSON.stringify(it.sample) %>;
const UPDATE: Record<string, unknown> = <%= JSON.stringify(it.update) %>;
const INVALID: Record<string, unknown> = { <%= it.fields.map((f) => f.name + ': ' + f.invalid).join(', ') %> };

describe('<%= it.name %> routes', () => {
  let app: FastifyInstance;
  before(async () => {
    ({ app } = await testApp());
  });
  after(async () => {
    await app.close();
  });

  it('creates, reads, lists, replaces and deletes a <%= it.name %>', async () => {
    const created = await app.inject({ method: 'POST', url: PATH, headers: AUTH, payload: SAMPLE });
    assert.equal(created.statusCode, 201, created.body);
    const body = created.json() as Record<string, unknown>;
    for (const [field, value] of Object.entries(SAMPLE)) assert.deepEqual(body[field], value, field);
    assert.equal(typeof body.id, 'number');
    assert.match(String(body.created_by), /^api-key:/);
    assert.equal(body.created_at, body.updated_at);

    const read = await app.inject({ method: 'GET', url: PATH + '/' + String(body.id), headers: AUTH });
    assert.equal(read.statusCode, 200);
    assert.deepEqual(read.json(), body);

    const list = await app.inject({ method: 'GET', url: PATH, headers: AUTH });
    assert.equal(list.statusCode, 200);
    assert.deepEqual(list.json(), [body]);

    const replaced = await app.inject({ method: 'PUT', url: PATH + '/' + String(body.id), headers: AUTH, payload: UPDATE });
    assert.equal(replaced.statusCode, 200, replaced.body);
    const after = replaced.json() as Record<string, unknown>;
    for (const [field, value] of Object.entries(UPDATE)) assert.deepEqual(after[field], value, field);
    assert.equal(after.created_at, body.created_at);
    assert.ok(String(after.updated_at) > String(body.updated_at));

    const deleted = await app.inject({ method: 'DELETE', url: PATH + '/' + String(body.id), headers: AUTH });
    assert.equal(deleted.statusCode, 204);
    const gone = await app.inject({ method: 'GET', url: PATH + '/' + String(body.id), headers: AUTH });
    assert.equal(gone.statusCode, 404);
    assert.equal((gone.json() as { error: string }).error, 'not_found');
  });
<% if (it.optional.length > 0) { -%>

  it('stores a <%= it.name %> with only its required fields, the others null', async () => {
    const payload = { <%= it.required.map((f) => f.name + ': ' + f.sample).join(', ') %> };
    const created = await app.inject({ method: 'POST', url: PATH, headers: AUTH, payload });
    assert.equal(created.statusCode, 201, created.body);
    const body = created.json() as Record<string, unknown>;
<% for (const f of it.optional) { -%>
    assert.equal(body.<%= f.name %>, null);
<% } -%>
    const cleared = await app.inject({ method: 'PUT', url: PATH + '/' + String(body.id), headers: AUTH, payload: { ...SAMPLE, <%= it.optional.map((f) => f.name + ': null').join(', ') %> } });
    assert.equal(cleared.statusCode, 200, cleared.body);
<% for (const f of it.optional) { -%>
    assert.equal((cleared.json() as Record<string, unknown>).<%= f.name %>, null);
<% } -%>
  });
<% } -%>

  it('refuses fields of the wrong type with a 400 naming each of them', async () => {
    const response = await app.inject({ method: 'POST', url: PATH, headers: AUTH, payload: INVALID });
    assert.equal(response.statusCode, 400);
    const body = response.json() as { error: string; fields: { field: string }[] };
    assert.equal(body.error, 'validation_failed');
    assert.deepEqual(body.fields.map((f) => f.field).sort(), Object.keys(INVALID).sort());
  });
<% if (it.required.length > 0) { -%>

  it('refuses a body without its required fields, or with a field it does not know', async () => {
    const missing = await app.inject({ method: 'POST', url: PATH, headers: AUTH, payload: {} });
    assert.equal(missing.statusCode, 400);
    assert.deepEqual((missing.json() as { fields: { field: string }[] }).fields.map((f) => f.field).sort(), [<%= it.required.map((f) => "'" + f.name + "'").join(', ') %>].sort());
    const unknown = await app.inject({ method: 'POST', url: PATH, headers: AUTH, payload: { ...SAMPLE, not_a_field: 1 } });
    assert.equal(unknown.statusCode, 400);
  });
<% } -%>

  it('answers 404 for an id that does not exist or is not one', async () => {
    for (const id of ['999999', 'abc', '0']) {
      assert.equal((await app.inject({ method: 'GET', url: PATH + '/' + id, headers: AUTH })).statusCode, 404);
    }
    assert.equal((await app.inject({ method: 'PUT', url: PATH + '/999999', headers: AUTH, payload: SAMPLE })).statusCode, 404);
    assert.equal((await app.inject({ method: 'DELETE', url: PATH + '/999999', headers: AUTH })).statusCode, 404);
  });

  it('answers 401 without the API key or with a wrong one', async () => {
    assert.equal((await app.inject({ method: 'GET', url: PATH })).statusCode, 401);
    const wrong = await app.inject({ method: 'POST', url: PATH, headers: { 'x-api-key': 'wrong' }, payload: SAMPLE });
    assert.equal(wrong.statusCode, 401);
    assert.equal((wrong.json() as { error: string }).error, 'unauthorized');
  });

  it('pages the list and refuses a limit out of range', async () => {
    for (let i = 0; i < 3; i += 1) await app.inject({ method: 'POST', url: PATH, headers: AUTH, payload: SAMPLE });
    const page = await app.inject({ method: 'GET', url: PATH + '?limit=2&offset=1', headers: AUTH });
    assert.equal((page.json() as unknown[]).length, 2);
    const bad = await app.inject({ method: 'GET', url: PATH + '?limit=1000&offset=-1', headers: AUTH });
    assert.equal(bad.statusCode, 400);
    assert.deepEqual((bad.json() as { fields: { field: string }[] }).fields.map((f) => f.field), ['limit', 'offset']);
  });
});
`;

export const HEALTH_TEST_TS = `// /health and the app's error answers: unauthenticated health with the version, JSON 404s and 400s, and a 500
// (not a crash) when the database is gone.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { testApp } from './helpers.js';

describe('health', () => {
  it('answers ok with the version, without an API key', async () => {
    const { app } = await testApp();
    const response = await app.inject({ method: 'GET', url: '/health' });
    assert.equal(response.statusCode, 200);
    assert.deepEqual(response.json(), { status: 'ok', version: 'test-version' });
    await app.close();
  });
<% if (it.tests === 'full') { -%>

  it('answers 500 without detail when the database cannot be reached', async () => {
    const { app, db } = await testApp();
    db.close();
    const response = await app.inject({ method: 'GET', url: '/health' });
    assert.equal(response.statusCode, 500);
    assert.deepEqual(response.json(), { error: 'internal_error', message: 'internal error' });
    await app.close();
  });

  it('answers JSON 404 for an unknown route, 400 for a body that is not JSON, and takes an empty JSON body as none', async () => {
    const { app } = await testApp();
    const unknown = await app.inject({ method: 'GET', url: '/nowhere' });
    assert.equal(unknown.statusCode, 404);
    assert.equal((unknown.json() as { error: string }).error, 'not_found');
    const malformed = await app.inject({
      method: 'POST',
      url: '<%= it.entities[0].path %>',
      headers: { 'x-api-key': 'test-key-0123456789abcdef', 'content-type': 'application/json' },
      payload: '{not json',
    });
    assert.equal(malformed.statusCode, 400);
    assert.equal((malformed.json() as { error: string }).error, 'bad_request');
    const emptyJson = await app.inject({
      method: 'DELETE',
      url: '<%= it.entities[0].path %>/1',
      headers: { 'x-api-key': 'test-key-0123456789abcdef', 'content-type': 'application/json' },
    });
    assert.equal(emptyJson.statusCode, 404);
    await app.close();
  });
<% } -%>
});
`;

export const CONFIG_TEST_TS = `// Configuration: what the environment must hold and the defaults for the rest.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, databaseFileOf, loadConfig } from '../src/config.js';

describe('configuration', () => {
  it('reads every variable', () => {
    const config = loadConfig({ PORT: '8080', HOST: '0.0.0.0', DATABASE_FILE: 'app.db', API_KEY: 'k', APP_VERSION: 'abc123', APP_ENVIRONMENT: 'dev' });
    assert.deepEqual(config, { port: 8080, host: '0.0.0.0', databaseFile: 'app.db', apiKey: 'k', version: 'abc123', environment: 'dev' });
  });

  it('defaults the port, host, version and environment', () => {
    assert.deepEqual(loadConfig({ DATABASE_FILE: 'app.db', API_KEY: 'k' }), {
      port: 3000,
      host: '127.0.0.1',
      databaseFile: 'app.db',
      apiKey: 'k',
      version: 'dev',
      environment: undefined,
    });
  });

  it('refuses to start without the API key or the database file, naming them', () => {
    assert.throws(() => loadConfig({}), (error: unknown) => error instanceof ConfigError && /API_KEY, DATABASE_FILE/.test(error.message));
    assert.throws(() => databaseFileOf({}), /DATABASE_FILE/);
  });

  it('refuses a port that is not one', () => {
    assert.throws(() => loadConfig({ DATABASE_FILE: 'a.db', API_KEY: 'k', PORT: 'eighty' }), /PORT must be/);
  });
});
`;

export const AUTH_TEST_TS = `// API keys: the right key matches, anything else does not, and the audit actor never shows the key.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { actorOf, keyMatches } from '../src/auth.js';

describe('API key', () => {
  it('matches only the configured key', () => {
    assert.equal(keyMatches('secret-key', 'secret-key'), true);
    assert.equal(keyMatches('secret-key', 'secret-kez'), false);
    assert.equal(keyMatches('secret-key', 'a much longer key than the real one'), false);
    assert.equal(keyMatches('secret-key', undefined), false);
    assert.equal(keyMatches('secret-key', ['secret-key', 'secret-key']), false);
  });

  it('names the caller by a fingerprint of the key, not the key', () => {
    const actor = actorOf('secret-key');
    assert.match(actor, /^api-key:[0-9a-f]{12}$/);
    assert.ok(!actor.includes('secret-key'));
    assert.equal(actorOf('secret-key'), actor);
  });
});
`;

export const DATABASE_TEST_TS = `// Migrations: applied in order, recorded, skipped when applied already; deploy-only ones only when deployed.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { migrate, openDatabase, readMigrations } from '../src/database.js';
import { tempDir } from './helpers.js';

describe('migrations', () => {
  it('applies each migration once to a database file, recording it', () => {
    const file = join(tempDir(), 'app.db');
    const db = openDatabase(file);
    const expected = readMigrations()
      .filter((m) => !m.deployOnly)
      .map((m) => m.file);
    assert.ok(expected.length > 0);
    assert.deepEqual(migrate(db, { deployed: false }), expected);
    assert.deepEqual(migrate(db, { deployed: false }), []);
    const recorded = db.prepare('SELECT file FROM schema_migrations ORDER BY version').pluck().all();
    assert.deepEqual(recorded, expected);
    db.close();
  });

  it('runs deploy-only migrations only when deployed, and ignores other files', () => {
    const dir = tempDir();
    writeFileSync(join(dir, '0001_create_things.sql'), 'CREATE TABLE things (id INTEGER PRIMARY KEY);');
    writeFileSync(join(dir, '0002_backfill.deploy.sql'), 'INSERT INTO things (id) VALUES (1);');
    writeFileSync(join(dir, 'README.md'), 'not a migration');
    const db = openDatabase(':memory:');
    assert.deepEqual(migrate(db, { deployed: false, dir }), ['0001_create_things.sql']);
    assert.deepEqual(migrate(db, { deployed: true, dir }), ['0002_backfill.deploy.sql']);
    assert.equal(db.prepare('SELECT COUNT(*) FROM things').pluck().get(), 1);
    db.close();
  });

  it('leaves nothing half-applied when a migration fails', () => {
    const dir = tempDir();
    writeFileSync(join(dir, '0001_broken.sql'), 'CREATE TABLE half (id INTEGER PRIMARY KEY); NOT SQL;');
    const db = openDatabase(':memory:');
    assert.throws(() => migrate(db, { deployed: false, dir }));
    assert.equal(db.prepare("SELECT COUNT(*) FROM sqlite_master WHERE name = 'half'").pluck().get(), 0);
    db.close();
  });
});
`;

export const COMMANDS_TEST_TS = `// The commands for real: migrate and serve as functions, then main.js and migrate.js as processes on a free port.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { migrateDatabase, serve } from '../src/commands.js';
import { API_KEY, tempDir } from './helpers.js';

const entry = (name: string): string => fileURLToPath(new URL('../src/' + name, import.meta.url));

/** A clean environment for the app: never the deployed markers of whoever runs the tests. */
const appEnv = (extra: Record<string, string>): NodeJS.ProcessEnv => ({ PATH: process.env.PATH, ...extra });

async function run(file: string, env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, [entry(file)], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const [code] = (await once(child, 'close')) as [number | null];
  return { code, output };
}

describe('commands', () => {
  it('migrates a database file, then serves it over HTTP', async () => {
    const env = appEnv({ DATABASE_FILE: join(tempDir(), 'app.db'), API_KEY, APP_VERSION: 'v1', PORT: '0' });
    assert.ok(migrateDatabase(env).length > 0);
    assert.deepEqual(migrateDatabase(env), []);
    const server = await serve(env);
    try {
      const health = await fetch(server.address + '/health');
      assert.deepEqual(await health.json(), { status: 'ok', version: 'v1' });
      const list = await fetch(server.address + '<%= it.entities[0].path %>', { headers: { 'x-api-key': API_KEY } });
      assert.equal(list.status, 200);
    } finally {
      await server.close();
    }
  });

  it('refuses to serve without an API key', async () => {
    await assert.rejects(serve(appEnv({ DATABASE_FILE: ':memory:' })), /API_KEY/);
  });

  it('runs the migrate and main entry points as processes', async () => {
    const env = appEnv({ DATABASE_FILE: join(tempDir(), 'app.db'), API_KEY, APP_VERSION: 'v2', PORT: '0' });
    const first = await run('migrate.js', env);
    assert.equal(first.code, 0, first.output);
    assert.match(first.output, /applied 0001_/);
    const again = await run('migrate.js', env);
    assert.match(again.output, /nothing to apply/);
    assert.equal((await run('migrate.js', appEnv({}))).code, 1);

    const refused = await run('main.js', appEnv({ DATABASE_FILE: ':memory:' }));
    assert.equal(refused.code, 1);
    assert.match(refused.output, /cannot start: .*API_KEY/);

    const child = spawn(process.execPath, [entry('main.js')], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const address = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        const match = / listening on (http[^ ]+)/.exec(chunk.toString().trim());
        if (match?.[1]) resolve(match[1]);
      });
      child.once('exit', (code) => reject(new Error('main.js exited with ' + String(code))));
    });
    const health = await fetch(address + '/health');
    assert.deepEqual(await health.json(), { status: 'ok', version: 'v2' });
    child.kill('SIGTERM');
    const [code] = (await once(child, 'exit')) as [number | null];
    assert.equal(code, 0);
  });
});
`;
