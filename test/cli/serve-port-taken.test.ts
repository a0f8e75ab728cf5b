// `baton serve` as a real child process on a port already taken: it exits with the error instead of staying on as a
// worker no one can reach, leaving no node row and holding no lease, on SQLite and PostgreSQL.
import { execFile } from 'node:child_process';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { Engine } from '../../src/engine/index.js';
import { editorialAgents, editorialWorkflow } from '../../src/workflows/engine-demo/index.js';
import { describeEachStore, type TestStore } from '../support/stores.js';

const MAIN = resolve('src/cli/main.ts');
const TSX = pathToFileURL(resolve('node_modules/tsx/dist/loader.mjs')).href;

describeEachStore('baton serve on a port already taken', (kind) => {
  let t: TestStore;
  let holder: Server;
  beforeEach(async () => {
    t = await kind.create();
    holder = createServer();
    await new Promise<void>((listening) => holder.listen(0, '127.0.0.1', listening));
  });
  afterEach(async () => {
    await new Promise((closed) => holder.close(closed));
    await t.dispose();
  });

  it('exits 1 naming EADDRINUSE, leaves no node behind and no run leased', async () => {
    // A run waiting for a worker: the node would claim it as it starts.
    const api = new Engine({ store: t.store, agents: editorialAgents, workflows: [editorialWorkflow], drive: false });
    const run = await api.startRun('editorial', { topic: 'ports' });
    await api.close();
    const port = (holder.address() as AddressInfo).port;
    const { databaseUrl, sqlitePath } = t.connection;
    const started = performance.now();
    const result = await new Promise<{ code: number | null; stderr: string }>((done) => {
      execFile(
        process.execPath,
        ['--import', TSX, MAIN, 'serve', ...(sqlitePath ? ['--db', sqlitePath] : [])],
        {
          env: { PATH: process.env.PATH ?? '', BATON_PORT: String(port), BATON_NODE_ID: 'port-taken', ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}) },
          timeout: 25_000,
        },
        (error, _stdout, stderr) => done({ code: error ? ((error as { code?: number }).code ?? null) : 0, stderr }),
      );
    });
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toContain('EADDRINUSE');
    // Before: the process stayed on (its engine's timers and pool) and drove runs; now it closes at once.
    expect(performance.now() - started).toBeLessThan(25_000);
    expect((await t.store.listNodes()).map((n) => n.id)).not.toContain('port-taken');
    const after = await t.store.getRun(run.id);
    expect(after?.leaseOwner ?? null).not.toBe('port-taken');
  });
});
