// `baton actors` on real databases: the token `add` prints once authenticates against a real server, `list` shows no secret, `revoke` shuts it out, `roles` and `token` change what the server sees.
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { runActorsCli } from '../../src/cli/actors.js';
import { Engine } from '../../src/engine/index.js';
import { buildServer } from '../../src/server/app.js';
import { parseServerConfig } from '../../src/server/config.js';
import { describeEachStore, type TestStore } from '../support/stores.js';

interface Output {
  code: number;
  stdout: string;
  stderr: string;
}

describeEachStore('baton actors', (kind) => {
  let t: TestStore;
  let engine: Engine;
  let app: FastifyInstance;
  let base: string;

  beforeEach(async () => {
    t = await kind.create();
    engine = new Engine({ store: t.store, agents: [], workflows: [] });
    app = await buildServer({ engine, store: t.store, config: parseServerConfig({ port: 0 }), logger: false, llm: null, webRoot: null });
    await app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  });
  afterEach(async () => {
    await app.close();
    await engine.close();
    await t.dispose();
  });

  /** `baton actors <args…>` in this process on the test's database: --db for SQLite, DATABASE_URL for PostgreSQL. */
  async function cli(...args: string[]): Promise<Output> {
    let stdout = '';
    let stderr = '';
    const saved = process.env.DATABASE_URL;
    if (t.connection.databaseUrl === undefined) delete process.env.DATABASE_URL;
    else process.env.DATABASE_URL = t.connection.databaseUrl;
    try {
      const where = t.connection.sqlitePath === undefined ? [] : ['--db', t.connection.sqlitePath];
      const code = await runActorsCli(['actors', ...args, ...where], { out: (text) => (stdout += text), err: (text) => (stderr += text) });
      return { code, stdout, stderr };
    } finally {
      if (saved === undefined) delete process.env.DATABASE_URL;
      else process.env.DATABASE_URL = saved;
    }
  }

  const me = async (token?: string) => {
    const response = await fetch(`${base}/api/me`, { headers: token === undefined ? {} : { authorization: `Bearer ${token}` } });
    return { status: response.status, body: (await response.json()) as { name?: string; roles?: string[]; scope?: string; mode?: string } };
  };
  const tokenIn = (output: Output): string => /^token (baton_\S+)$/m.exec(output.stdout)?.[1] ?? '';

  it('adds an actor whose printed token authenticates against a real server, shown once with a warning', async () => {
    expect((await me()).body.mode).toBe('local');
    const added = await cli('add', 'ada', '--role', 'buyer', '--role', 'lead-builder', '--scope', 'admin');
    expect(added.code).toBe(0);
    expect(added.stdout).toContain('added ada (person, scope admin, roles buyer, lead-builder)');
    expect(added.stderr).toMatch(/shown once and cannot be shown again/);
    const token = tokenIn(added);
    expect(token).toMatch(/^baton_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/);
    expect(await me(token)).toEqual({
      status: 200,
      body: expect.objectContaining({ name: 'ada', scope: 'admin', roles: ['buyer', 'lead-builder'], mode: 'actor' }) as unknown,
    });
    // The server closes its local mode once the actor exists (it trusts "no actor" for about a second).
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    expect((await me()).status).toBe(401);
  });

  it('lists actors without their secrets, and revoking one makes its token fail', async () => {
    const token = tokenIn(await cli('add', 'ada', '--role', 'buyer'));
    await cli('add', 'ci-bot', '--kind', 'service', '--scope', 'read');
    const listed = await cli('list');
    expect(listed.code).toBe(0);
    expect(listed.stdout.split('\n')[0]).toMatch(/^NAME\s+KIND\s+SCOPE\s+ROLES\s+TOKENS\s+STATE\s+ID$/);
    expect(listed.stdout).toMatch(/^ada\s+person\s+write\s+buyer\s+1\s+active\s/m);
    expect(listed.stdout).toMatch(/^ci-bot\s+service\s+read\s+-\s+1\s+active\s/m);
    const json = await cli('list', '--json');
    expect(JSON.parse(json.stdout)).toMatchObject({ actors: [{ name: 'ada' }, { name: 'ci-bot' }] });
    for (const output of [listed, json]) {
      expect(output.stdout).not.toContain(token);
      expect(output.stdout).not.toContain(token.slice(-43));
      expect(output.stdout).not.toMatch(/salt|hash/);
    }
    expect((await me(token)).status).toBe(200);

    const revoked = await cli('revoke', 'ada');
    expect(revoked).toMatchObject({ code: 0, stdout: 'revoked ada and its 1 token(s)\n' });
    const refused = await me(token);
    expect(refused).toMatchObject({ status: 403, body: { error_type: 'FORBIDDEN' } });
    expect((await cli('list')).stdout).toMatch(/^ada\s+person\s+write\s+buyer\s+0\s+revoked \d{4}-/m);
  });

  it('changes roles with --add, --remove and --set, and mints another token', async () => {
    const first = tokenIn(await cli('add', 'ada', '--role', 'buyer'));
    expect((await cli('roles', 'ada', '--add', 'champion', '--remove', 'buyer')).stdout).toBe('ada (person, scope write, roles champion)\n');
    expect((await me(first)).body.roles).toEqual(['champion']);
    expect((await cli('roles', 'ada', '--set', 'lead-builder,developer')).stdout).toBe('ada (person, scope write, roles lead-builder, developer)\n');
    const second = await cli('token', 'ada', '--label', 'ci');
    expect(second.stderr).toMatch(/shown once/);
    expect((await me(tokenIn(second))).body).toMatchObject({ name: 'ada', roles: ['lead-builder', 'developer'] });
    expect((await me(first)).status).toBe(200);
  });

  it('exits with the error vocabulary: 4 for a duplicate name, 3 for an unknown actor, 2 for a bad role or option', async () => {
    await cli('add', 'ada');
    const duplicate = await cli('add', 'ada');
    expect(duplicate.code).toBe(4);
    expect(duplicate.stderr).toMatch(/^error CONFLICT: an actor named "ada" exists already/);
    expect((await cli('revoke', 'nobody')).code).toBe(3);
    expect((await cli('token', 'nobody')).code).toBe(3);
    const badRole = await cli('add', 'bob', '--role', 'Lead Builder');
    expect(badRole.code).toBe(2);
    expect(badRole.stderr).toMatch(/^error INVALID_PARAMETERS/);
    expect((await cli('add', 'bob', '--scope', 'root')).code).toBe(2);
    expect((await cli('roles', 'ada', '--set', 'buyer', '--add', 'champion')).code).toBe(2);
    expect((await cli('list')).stdout).not.toMatch(/^bob/m);
  });
});
