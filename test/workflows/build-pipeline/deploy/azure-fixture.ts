// The Azure target's test bench: a bare origin holding a release (infra files, manifest, app), the fake az first on
// the PATH with its log and state files, and one small HTTP app per slot that serves what the fake az put there.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach } from 'vitest';
import type { AppManifest } from '../../../../src/workflows/build-pipeline/app/contracts.js';
import type { Release } from '../../../../src/workflows/build-pipeline/deploy/contracts.js';
import { AzureTarget, type AzureTargetOptions } from '../../../../src/workflows/build-pipeline/deploy/azure/index.js';
import { defaultSpec, infraArtefacts } from '../../../../src/workflows/build-pipeline/infra/index.js';
import { runGit } from '../../../../src/workflows/build-pipeline/repository/git.js';

export const FAKE_AZ_DIR = join(dirname(fileURLToPath(import.meta.url)), 'fake-az');
export const RESOURCE_GROUP = 'rg-baton-test';
export const SUBSCRIPTION = '11111111-2222-3333-4444-555555555555';
export const APP_NAME = 'expenses';
export const API_KEY = 'k'.repeat(12) + '-secret-api-key';
export const SQL_PASSWORD = 'Sup3r-secret-password!';

export const MANIFEST: AppManifest = {
  name: APP_NAME,
  stack: 'node-typescript',
  typecheck: { argv: ['{node}', '--version'], env: {} },
  test: { argv: ['{node}', '--version'], env: {} },
  coverage: { format: 'lcov', path: 'coverage/lcov.info', source: ['src'] },
  migrate: { argv: ['{node}', 'migrate.js'], env: {} },
  start: { argv: ['{node}', 'server.js'], env: {} },
  collections: [{ entity: 'expense', path: '/api/expenses', sample: { title: 'Lunch', amount: 12 }, update: { title: 'Dinner', amount: 30 } }],
};

/** What the fake az keeps (only the parts the fixture apps read). */
interface FakeAzState {
  sites: Record<string, { state: string; slots: Record<string, { settings: Record<string, string>; package: { sha256: string } | null }> }>;
}

/** Faults the fixture apps play, by the version they serve. */
export interface Faults {
  /** `/health` answers 500 wherever this version runs (a release that never becomes healthy). */
  health500: Set<string>;
  /** `/health` answers 500 only once this version is in production (a release that breaks after the swap). */
  productionHealth500: Set<string>;
  /** Any API key is let in (an auth defect the smoke tests must catch). */
  anyApiKey: Set<string>;
}

/** A tiny app following the generated apps' contract, serving the slot's package as the fake az recorded it. */
class SlotApp {
  readonly requests: string[] = [];
  private readonly records = new Map<string, Map<number, Record<string, unknown>>>();
  private nextId = 1;
  server!: Server;

  constructor(
    readonly slot: 'production' | 'staging',
    private readonly stateFile: string,
    private readonly faults: Faults,
  ) {}

  async listen(): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  private async deployed(): Promise<{ version: string; apiKey: string } | null> {
    let state: FakeAzState;
    try {
      state = JSON.parse(await readFile(this.stateFile, 'utf8')) as FakeAzState;
    } catch {
      return null;
    }
    const slot = state.sites[`${APP_NAME}-prod`]?.slots[this.slot] ?? Object.values(state.sites)[0]?.slots[this.slot];
    const version = slot?.settings.APP_VERSION;
    const apiKey = slot?.settings.API_KEY;
    return slot?.package && version && apiKey ? { version, apiKey } : null;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const send = (status: number, body?: unknown) => {
      res.writeHead(status, body === undefined ? {} : { 'content-type': 'application/json' });
      res.end(body === undefined ? undefined : JSON.stringify(body));
    };
    const url = new URL(req.url ?? '/', 'http://fixture');
    this.requests.push(`${req.method ?? 'GET'} ${url.pathname}`);
    const app = await this.deployed();
    if (!app) return send(503, { error: 'nothing deployed to this slot' });
    if (url.pathname === '/health') {
      if (this.faults.health500.has(app.version) || (this.slot === 'production' && this.faults.productionHealth500.has(app.version)))
        return send(500, { error: 'database unreachable' });
      return send(200, { status: 'ok', version: app.version });
    }
    const match = /^\/api\/expenses(?:\/(\d+))?$/.exec(url.pathname);
    if (!match) return send(404, { error: 'not found' });
    if (req.headers['x-api-key'] !== app.apiKey && !this.faults.anyApiKey.has(app.version)) return send(401, { error: 'unauthorized' });
    const table = this.records.get(app.version) ?? new Map<number, Record<string, unknown>>();
    this.records.set(app.version, table);
    let text = '';
    for await (const chunk of req) text += String(chunk);
    const body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    const id = match[1] === undefined ? undefined : Number(match[1]);
    if (id === undefined) {
      if (req.method === 'GET') return send(200, [...table.values()]);
      if (req.method === 'POST') {
        const record = { ...body, id: this.nextId++ };
        table.set(record.id, record);
        return send(201, record);
      }
      return send(405, { error: 'method not allowed' });
    }
    const record = table.get(id);
    if (!record) return send(404, { error: 'not found' });
    if (req.method === 'GET') return send(200, record);
    if (req.method === 'PUT') {
      const updated = { ...record, ...body, id };
      table.set(id, updated);
      return send(200, updated);
    }
    if (req.method === 'DELETE') {
      table.delete(id);
      return send(204);
    }
    return send(405, { error: 'method not allowed' });
  }
}

export interface AzureBench {
  dir: string;
  origin: string;
  log: string;
  stateFile: string;
  env: NodeJS.ProcessEnv;
  faults: Faults;
  production: SlotApp;
  staging: SlotApp;
  /** Commits the app at a new version to the origin and answers its SHA. */
  commit(note: string): Promise<string>;
  release(commit: string, environment?: Release['environment']): Release;
  target(options?: Partial<AzureTargetOptions>): AzureTarget;
  /** Every az argument list recorded so far, in order. */
  calls(): Promise<string[][]>;
}

const IDENTITY = {
  GIT_AUTHOR_NAME: 'Tester',
  GIT_AUTHOR_EMAIL: 'tester@example.com',
  GIT_COMMITTER_NAME: 'Tester',
  GIT_COMMITTER_EMAIL: 'tester@example.com',
};

/** Benches made on demand, their servers closed and directories removed after each test. */
export function useAzureBench(): () => Promise<AzureBench> {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  return async () => {
    const dir = await mkdtemp(join(tmpdir(), 'baton-azure-test-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const work = join(dir, 'work');
    const origin = join(dir, 'origin.git');
    const log = join(dir, 'az.log');
    const stateFile = join(dir, 'fake-az-state.json');
    const faults: Faults = { health500: new Set(), productionHealth500: new Set(), anyApiKey: new Set() };
    const production = new SlotApp('production', stateFile, faults);
    const staging = new SlotApp('staging', stateFile, faults);
    const productionHost = await production.listen();
    const stagingHost = await staging.listen();
    cleanups.push(async () => {
      for (const app of [production, staging]) {
        app.server.closeAllConnections();
        await new Promise((resolve) => app.server.close(resolve));
      }
    });

    await mkdir(work);
    await runGit(['init', '-q', '-b', 'main'], { cwd: work });
    await runGit(['init', '-q', '--bare', origin], { cwd: dir });
    let counter = 0;
    const commit = async (note: string) => {
      const files: Record<string, string> = {
        ...infraArtefacts(defaultSpec('web-app-sql', APP_NAME)),
        'baton-app.json': `${JSON.stringify(MANIFEST, null, 2)}\n`,
        'server.js': `// ${note} (${++counter})\n`,
      };
      for (const [path, content] of Object.entries(files)) {
        await mkdir(dirname(join(work, path)), { recursive: true });
        await writeFile(join(work, path), content);
      }
      await runGit(['add', '-A'], { cwd: work });
      await runGit(['commit', '-q', '-m', note], { cwd: work, env: IDENTITY });
      await runGit(['push', '-q', origin, 'main'], { cwd: work });
      return (await runGit(['rev-parse', 'HEAD'], { cwd: work })).stdout.trim();
    };

    const env: NodeJS.ProcessEnv = {
      ...process.env,
      PATH: `${FAKE_AZ_DIR}:${process.env.PATH ?? ''}`,
      FAKE_AZ_LOG: log,
      FAKE_AZ_STATE: stateFile,
      FAKE_AZ_SUBSCRIPTION: SUBSCRIPTION,
      FAKE_AZ_RESOURCE_GROUP: RESOURCE_GROUP,
      FAKE_AZ_HOST_PRODUCTION: productionHost,
      FAKE_AZ_HOST_STAGING: stagingHost,
      BATON_AZURE_SUBSCRIPTION: SUBSCRIPTION,
      BATON_AZURE_RESOURCE_GROUP: RESOURCE_GROUP,
      BATON_AZURE_LOCATION: 'westeurope',
      BATON_AZURE_SQL_ADMIN_PASSWORD: SQL_PASSWORD,
    };
    delete env.BATON_AZ_PATH;
    return {
      dir,
      origin,
      log,
      stateFile,
      env,
      faults,
      production,
      staging,
      commit,
      release: (sha, environment = 'prod') => ({
        build_id: 'build-expenses-1',
        app_name: APP_NAME,
        environment,
        commit: sha,
        origin,
        manifest: MANIFEST,
        sku: 'P1v2',
        instances: 2,
        api_key: API_KEY,
      }),
      target: (options = {}) =>
        new AzureTarget({
          stateDir: join(dir, 'state'),
          env,
          scheme: 'http',
          healthIntervalMs: 20,
          watchMs: 300,
          watchIntervalMs: 50,
          ...options,
        }),
      async calls() {
        let text: string;
        try {
          text = await readFile(log, 'utf8');
        } catch {
          return [];
        }
        return text
          .split('\n')
          .filter(Boolean)
          .map((line) => JSON.parse(line) as string[]);
      },
    };
  };
}

/** The subcommand words of a recorded call (`deployment group create`). */
export const subcommand = (args: string[]): string =>
  args
    .slice(
      0,
      args.findIndex((a) => a.startsWith('-')),
    )
    .join(' ');

/** The value after an option in a recorded call (the last one when repeated). */
export const optionOf = (args: string[], name: string): string | undefined => {
  const at = args.lastIndexOf(name);
  return at >= 0 ? args[at + 1] : undefined;
};
