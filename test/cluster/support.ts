/**
 * Several real Baton nodes (child processes of test/cluster/node.ts) on one fresh PostgreSQL
 * database each time, for the cluster test and bench:cluster.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer, type AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import pg from 'pg';

const NODE_MAIN = resolve('test/cluster/node.ts');
const TSX = pathToFileURL(resolve('node_modules/tsx/dist/loader.mjs')).href;

/** A database of its own: LISTEN/NOTIFY is per database, so nodes of other tests are never heard. */
export async function freshDatabase(serverUrl: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `baton_cluster_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const client = new pg.Client({ connectionString: serverUrl });
      await client.connect();
      await client.query(`drop database if exists ${name} with (force)`);
      await client.end();
    },
  };
}

export function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => done(port));
    });
  });
}

export interface NodeProcess {
  id: string;
  base: string;
  child: ChildProcess;
  output: () => string;
  /** Resolves with the exit code (or signal) once the process ended. */
  exited: Promise<number | string | null>;
}

export interface NodeOptions {
  id: string;
  databaseUrl: string;
  role?: 'all' | 'api' | 'worker';
  env?: Record<string, string>;
}

export async function startNode(options: NodeOptions): Promise<NodeProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', TSX, NODE_MAIN], {
    env: {
      PATH: process.env.PATH ?? '',
      DATABASE_URL: options.databaseUrl,
      BATON_PORT: String(port),
      BATON_NODE_ID: options.id,
      BATON_NODE_ROLE: options.role ?? 'all',
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | string | null>((done) => child.once('exit', (code, signal) => done(code ?? signal)));
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`node ${options.id} exited at start:\n${output}`);
    const ok = await fetch(`${base}/health`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`node ${options.id} did not answer /health within 30 s:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { id: options.id, base, child, output: () => output, exited };
}

export async function json<T>(url: string, init?: RequestInit): Promise<T> {
  const response = await fetch(url, { ...init, headers: { 'content-type': 'application/json', ...init?.headers } });
  const text = await response.text();
  if (!response.ok) throw new Error(`${init?.method ?? 'GET'} ${url}: ${response.status} ${text}`);
  return JSON.parse(text) as T;
}

/** Starts a cluster-steps run on a node; returns its id. */
export async function startRun(node: NodeProcess, sessionId: string, parameters: { ms: number; steps?: number }): Promise<string> {
  const answer = await json<Record<string, unknown>>(`${node.base}/api/orchestrator/run-workflow`, {
    method: 'POST',
    body: JSON.stringify({ session_id: sessionId, workflow: 'cluster-steps', parameters }),
  });
  const id = answer.run_id ?? answer.workflow_id ?? answer.id;
  if (typeof id !== 'string') throw new Error(`no run id in ${JSON.stringify(answer)}`);
  return id;
}

export async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 20_000, everyMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
