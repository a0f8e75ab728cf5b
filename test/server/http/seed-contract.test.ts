// The seed specification's client contract over real HTTP, WebSocket and child processes: its SeasonParameters and response names, its extraction errors, and its `.env` settings.
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { extractParameters, llmSettingsFromEnv } from '../../../src/llm/index.js';
import { serverConfigFromEnv } from '../../../src/server/config.js';
import { openStore } from '../../../src/store/index.js';
import { describeEachStore, storeKinds } from '../../support/stores.js';
import { loadSmallChain, SEASON_START } from '../../workflows/season-planning/support.js';
import { TestClient, UpgradeRefused } from '../stream/ws-client.js';
import { type ErrorView, useServers } from './harness.js';
import { seasonData, seasonTables } from '../../../src/workflows/season-planning/data/index.js';

const RUN = '/api/orchestrator/run-workflow';
const EXTRACT = '/api/orchestrator/extract-parameters';
const REPO = resolve(import.meta.dirname, '../../..');
const run = promisify(execFile);
/** tsx as the child's loader, found from the repository whatever the child's working directory. */
const TSX = pathToFileURL(createRequire(join(REPO, 'package.json')).resolve('tsx')).href;

/** The specification's SeasonParameters with only its five required fields. */
const specified = { forecast_horizon_weeks: 4, season_start_date: SEASON_START, replenishment_strategy: 'weekly', dc_holdback_percentage: 0.15 };
const FOUR_WEEKS_LATER = '2026-02-02';

/** Every error the specification's client reads has the one shape. */
function expectErrorShape(body: ErrorView, type: string): void {
  expect(body).toMatchObject({
    error_type: type,
    message: expect.any(String) as unknown,
    details: expect.any(Object) as unknown,
    suggestions: expect.any(Array) as unknown,
    request_id: expect.any(String) as unknown,
  });
}

describeEachStore('seed contract: requests and errors', (kind) => {
  const h = useServers(kind);

  it('starts a run from the five required SeasonParameters, deriving the end date and checking no markdown, and answers workflow_id beside run_id', async () => {
    const api = await h.serve({ season: true, workflows: [] });
    await loadSmallChain(api.t.store);
    const reply = await api.post<{ run_id: string; workflow_id: string; status: string }>(RUN, {
      session_id: 's-1',
      workflow: 'season-planning',
      parameters: specified,
    });
    expect(reply.status).toBe(202);
    expect(reply.body.workflow_id).toBe(reply.body.run_id);
    const status = await api.get<{ parameters: Record<string, unknown> }>(`/api/runs/${reply.body.run_id}`);
    expect(status.body.parameters).toMatchObject({ ...specified, season_end_date: FOUR_WEEKS_LATER, markdown_checkpoint_week: null, markdown_threshold: null });
  });

  it('accepts an end date that agrees with start + 7 × weeks and refuses one that does not with 422 naming both dates', async () => {
    const api = await h.serve({ season: true, workflows: [] });
    await loadSmallChain(api.t.store);
    const agreeing = await api.post(RUN, { session_id: 's-1', workflow: 'season-planning', parameters: { ...specified, season_end_date: FOUR_WEEKS_LATER } });
    expect(agreeing.status).toBe(202);
    const wrong = await api.post<ErrorView>(RUN, {
      session_id: 's-2',
      workflow: 'season-planning',
      parameters: { ...specified, season_end_date: '2026-02-09' },
    });
    expect(wrong.status).toBe(422);
    expectErrorShape(wrong.body, 'INVALID_PARAMETERS');
    const issues = (wrong.body.details as { issues: { path: string; message: string }[] }).issues;
    expect(issues.map((i) => i.path)).toEqual(['season_end_date']);
    expect(issues[0]?.message).toContain('2026-02-09 does not agree with season_start_date 2026-01-05');
    expect(issues[0]?.message).toContain(`= ${FOUR_WEEKS_LATER}`);
  });

  it('keeps the specified markdown fields together: both given are stored, one alone is a 400 asking for the other', async () => {
    const api = await h.serve({ season: true, workflows: [] });
    await loadSmallChain(api.t.store);
    const both = await api.post<{ run_id: string }>(RUN, {
      session_id: 's-1',
      workflow: 'season-planning',
      parameters: { ...specified, markdown_checkpoint_week: 3, markdown_threshold: 0.6 },
    });
    expect(both.status).toBe(202);
    expect((await api.engine.status(both.body.run_id)).parameters).toMatchObject({ markdown_checkpoint_week: 3, markdown_threshold: 0.6 });
    const alone = await api.post<ErrorView>(RUN, { session_id: 's-2', workflow: 'season-planning', parameters: { ...specified, markdown_threshold: 0.6 } });
    expect(alone.status).toBe(400);
    expectErrorShape(alone.body, 'INCOMPLETE_INPUT');
    expect((alone.body.details as { issues: { path: string }[] }).issues.map((i) => i.path)).toEqual(['markdown_checkpoint_week']);
  });

  it('answers an incomplete extraction with 400 PARAMETER_EXTRACTION_ERROR, missing_parameters and extracted_parameters (and missing/found for the dashboard)', async () => {
    const api = await h.serve();
    const reply = await api.post<ErrorView>(EXTRACT, { strategy_description: 'a 12-week season with weekly replenishment', reference_date: '2025-01-15' });
    expect(reply.status).toBe(400);
    expectErrorShape(reply.body, 'PARAMETER_EXTRACTION_ERROR');
    const details = reply.body.details;
    expect(details.missing_parameters).toEqual(['dc_holdback_percentage', 'season_start_date']);
    expect(details.extracted_parameters).toMatchObject({ forecast_horizon_weeks: 12, replenishment_strategy: 'weekly' });
    expect(details.missing).toEqual(details.missing_parameters);
    expect(details.found).toEqual(details.extracted_parameters);
  });

  it('answers out-of-range extracted values with 422 and what was extracted', async () => {
    const api = await h.serve();
    const reply = await api.post<ErrorView>(EXTRACT, {
      strategy_description: 'a 60-week season starting 2025-03-03, weekly replenishment, 15% DC holdback, no markdowns',
      reference_date: '2025-01-15',
    });
    expect(reply.status).toBe(422);
    expectErrorShape(reply.body, 'INVALID_PARAMETERS');
    expect(reply.body.details.extracted_parameters).toMatchObject({ forecast_horizon_weeks: 60 });
  });

  it('answers 503 when the language model is asked for and none is configured', async () => {
    const api = await h.serve();
    const reply = await api.post<ErrorView>(EXTRACT, { strategy_description: 'a 12-week season starting 2025-03-03', mode: 'llm' });
    expect(reply.status).toBe(503);
    expectErrorShape(reply.body, 'UPSTREAM_UNAVAILABLE');
  });

  it('refuses a 3-character text with a clear 400 instead of guessing, and keeps the 4,000-character limit', async () => {
    const api = await h.serve();
    const short = await api.post<ErrorView>(EXTRACT, { strategy_description: '12w' });
    expect(short.status).toBe(400);
    expectErrorShape(short.body, 'PARAMETER_EXTRACTION_ERROR');
    expect(short.body.message).toBe('the text is 3 characters; a season is described in at least 10');
    expect(short.body.details).toMatchObject({ length: 3, min: 10, extracted_parameters: {} });
    const long = await api.post<ErrorView>(EXTRACT, { strategy_description: 'x'.repeat(4_001) });
    expect(long.status).toBe(422);
    expect(long.body.details).toMatchObject({ issues: [{ path: 'body.strategy_description' }] });
  });
});

describeEachStore('seed contract: WebSocket origins', (kind) => {
  const h = useServers(kind);
  const clients: TestClient[] = [];
  afterEach(() => {
    for (const client of clients.splice(0)) client.socket.close();
  });
  const open = async (base: string, headers: Record<string, string> = {}) => {
    const client = await TestClient.connect(`${base.replace('http', 'ws')}/ws/orchestrator/s-1`, headers);
    clients.push(client);
    return client;
  };
  const refusal = (base: string, headers: Record<string, string>) =>
    open(base, headers).then(
      () => undefined,
      (error: unknown) => error,
    );

  it('refuses an upgrade from another page with 403 FORBIDDEN in the error shape, and allows no Origin or the server’s own', async () => {
    const api = await h.serve();
    const refused = await refusal(api.base, { origin: 'http://evil.example' });
    expect(refused).toBeInstanceOf(UpgradeRefused);
    expect((refused as UpgradeRefused).status).toBe(403);
    expectErrorShape((refused as UpgradeRefused).body as ErrorView, 'FORBIDDEN');
    await open(api.base);
    await open(api.base, { origin: api.base });
  });

  it('allows the origins WEBSOCKET_CORS_ORIGINS lists, and falls back to the CORS origins', async () => {
    const listed = await h.serve({ config: { corsOrigins: 'http://dash.example', websocketOrigins: 'http://ws.example' } });
    await open(listed.base, { origin: 'http://ws.example' });
    expect(((await refusal(listed.base, { origin: 'http://dash.example' })) as UpgradeRefused).status).toBe(403);
    const fallback = await h.serve({ config: { corsOrigins: 'http://dash.example' } });
    await open(fallback.base, { origin: 'http://dash.example' });
  });
});

describe('seed contract: settings', () => {
  it('reads CORS_ORIGINS and WEBSOCKET_CORS_ORIGINS, the BATON_ names winning when both are set', () => {
    expect(serverConfigFromEnv({ CORS_ORIGINS: 'http://a.example, http://b.example', WEBSOCKET_CORS_ORIGINS: 'http://c.example' })).toMatchObject({
      corsOrigins: ['http://a.example', 'http://b.example'],
      websocketOrigins: ['http://c.example'],
    });
    expect(serverConfigFromEnv({ CORS_ORIGINS: 'http://a.example', BATON_CORS_ORIGINS: 'http://z.example' }).corsOrigins).toEqual(['http://z.example']);
    expect(serverConfigFromEnv({}).websocketOrigins).toBeUndefined();
  });

  it('sends OPENAI_API_KEY to the Azure endpoint the user named, with the model name as the deployment (said in the log), never elsewhere', async () => {
    const seen: { url: string; headers: IncomingHttpHeaders }[] = [];
    const azure = createServer((request, response) => {
      seen.push({ url: request.url ?? '', headers: request.headers });
      response.writeHead(500, { 'content-type': 'application/json' }).end('{"error":{"message":"down"}}');
    });
    await new Promise<void>((done) => azure.listen(0, '127.0.0.1', done));
    try {
      const endpoint = `http://127.0.0.1:${(azure.address() as AddressInfo).port}`;
      const said: string[] = [];
      const settings = llmSettingsFromEnv({ OPENAI_API_KEY: 'sk-specified', AZURE_OPENAI_ENDPOINT: endpoint }, (line) => said.push(line));
      expect(settings).toMatchObject({ provider: 'azure', endpoint, deployment: 'gpt-4o-mini', apiKey: 'sk-specified' });
      expect(said).toEqual([`AZURE_OPENAI_DEPLOYMENT is not set: using the model name "gpt-4o-mini" as the Azure OpenAI deployment at ${endpoint}`]);
      await expect(extractParameters('a 12-week season starting 2025-03-03', { llm: { ...settings!, maxRetries: 0 }, mode: 'llm' })).rejects.toMatchObject({
        code: 'UPSTREAM_UNAVAILABLE',
      });
      expect(seen.length).toBeGreaterThan(0);
      expect(seen[0]?.url).toContain('/openai/deployments/gpt-4o-mini/chat/completions');
      expect(seen[0]?.headers['api-key']).toBe('sk-specified');
    } finally {
      await new Promise((done) => azure.close(done));
    }
  });

  it('stops with a clear error when an Azure endpoint is set without any key', () => {
    expect(() => llmSettingsFromEnv({ AZURE_OPENAI_ENDPOINT: 'https://x.openai.azure.com' })).toThrow(/AZURE_OPENAI_ENDPOINT is set but no key is/);
  });
});

describe('seed contract: DATABASE_URL through the CLI', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  const workdir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'baton-seed-'));
    dirs.push(dir);
    return dir;
  };
  /** `baton data generate` as the specification's user runs it: a child process with the settings in its environment. */
  const generate = (cwd: string, databaseUrl: string) =>
    run(process.execPath, ['--import', TSX, join(REPO, 'src/cli/main.ts'), 'data', 'generate', '--stores', '2', '--categories', '2', '--weeks', '60'], {
      cwd,
      env: { ...process.env, DATABASE_URL: databaseUrl, NODE_OPTIONS: '' },
    }).then(
      ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
      (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, stdout: error.stdout, stderr: error.stderr }),
    );
  const storesIn = async (path: string) => {
    const store = await openStore({ sqlitePath: path, origin: 'seed-contract', modules: [seasonTables] });
    try {
      return (await seasonData(store).listStores()).length;
    } finally {
      await store.close();
    }
  };

  it.each([
    ['sqlite:///./forecast.db', (dir: string) => join(dir, 'forecast.db')],
    ['sqlite:data/forecast.db', (dir: string) => join(dir, 'data', 'forecast.db')],
  ])('generates into SQLite at the path %s names, relative to the working directory', async (url, pathIn) => {
    const dir = workdir();
    const result = await generate(dir, url);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('generated 2 stores');
    expect(existsSync(pathIn(dir))).toBe(true);
    expect(await storesIn(pathIn(dir))).toBe(2);
  });

  it('generates into SQLite at an absolute path given as sqlite:////abs/path', async () => {
    const dir = workdir();
    const path = join(dir, 'abs.db');
    const result = await generate(workdir(), `sqlite:///${path}`);
    expect(result.code).toBe(0);
    expect(await storesIn(path)).toBe(2);
  });

  it('refuses an unknown scheme with one line naming the accepted ones, no stack trace and no secret', async () => {
    const result = await generate(workdir(), 'mysql://user:s3cret@db.example/forecast');
    expect(result.code).not.toBe(0);
    expect(result.stderr.split('\n')[0]).toMatch(
      /^error INVALID_PARAMETERS: DATABASE_URL: unknown scheme "mysql:"; accepted: postgres:\/\/.*sqlite:\/\/\/relative\/path\.db.*sqlite::memory:/,
    );
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(result.stderr).not.toContain('s3cret');
  });

  it('says an unreachable PostgreSQL in one line, without a stack trace', async () => {
    const result = await generate(workdir(), 'postgres://baton@127.0.0.1:1/none');
    expect(result.code).toBe(1);
    expect(result.stderr.split('\n')[0]).toBe('error ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:1');
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  const postgres = storeKinds.find((k) => k.name === 'postgres');
  it.runIf(postgres !== undefined)('generates into PostgreSQL when DATABASE_URL names one', async () => {
    const t = await postgres!.create();
    try {
      const result = await generate(workdir(), t.connection.databaseUrl!);
      expect(result.code).toBe(0);
      expect((await seasonData(t.store).listStores()).length).toBe(2);
    } finally {
      await t.dispose();
    }
  });
});
