// GET /api/nodes on real servers sharing one database: every node that beats is listed by every other (API nodes and idle workers too), a stopped node leaves, a silent one turns gone.
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { Engine } from '../../../src/engine/index.js';
import { buildServer } from '../../../src/server/app.js';
import { parseServerConfig } from '../../../src/server/config.js';
import { openStore, type BatonStore, type NodeRole } from '../../../src/store/index.js';
import { newRun } from '../../support/new-run.js';
import { describeEachStore, TEST_STORE_MODULES, type TestStore } from '../../support/stores.js';

interface NodeView {
  node_id: string;
  role: NodeRole | null;
  version: string | null;
  started_at: string | null;
  leases_held: number;
  last_heartbeat: string | null;
  lease_expires_at: string | null;
  status: 'alive' | 'stopping' | 'gone';
  alive: boolean;
  self: boolean;
}
interface NodesAnswer {
  lease_ms: number;
  heartbeat_ms: number;
  nodes: NodeView[];
}

const LEASE_MS = 2_000;
const HEARTBEAT_MS = 100;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls until `probe` returns something, or fails naming what it waited for. */
async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

describeEachStore('GET /api/nodes with several nodes on one database', (kind) => {
  let t: TestStore;
  const errors: { context: string; error: unknown }[] = [];
  const cleanups: (() => Promise<unknown>)[] = [];

  beforeEach(async () => {
    t = await kind.create();
  });
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
    await t.dispose();
    errors.splice(0);
  });

  const engineOn = (store: BatonStore, nodeId: string, options: { drive?: boolean; role?: NodeRole } = {}) => {
    const engine = new Engine({
      store,
      nodeId,
      leaseMs: LEASE_MS,
      heartbeatMs: HEARTBEAT_MS,
      version: '9.9.9-test',
      onError: (error, context) => errors.push({ context: `${nodeId}: ${context}`, error }),
      ...options,
    });
    cleanups.push(() => engine.close());
    return engine;
  };

  /** A started engine behind a listening server, as `baton serve` runs one. */
  async function node(nodeId: string, options: { drive?: boolean; role?: NodeRole } = {}) {
    const store = await t.reopen(nodeId);
    const engine = engineOn(store, nodeId, options);
    await engine.start();
    const app: FastifyInstance = await buildServer({ engine, store, config: parseServerConfig({ port: 0 }), logger: false, llm: null, webRoot: null });
    cleanups.push(() => app.close());
    await app.listen({ port: 0, host: '127.0.0.1' });
    const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    const nodes = async (query = '') => {
      const response = await fetch(`${base}/api/nodes${query}`);
      expect(response.status).toBe(200);
      return (await response.json()) as NodesAnswer;
    };
    return { engine, app, nodes };
  }

  it('lists an idle full node and an API-only node on each of them, with role, version and heartbeat; a stopping node says so, and a closed one leaves the list', async () => {
    const full = await node('node-full');
    const api = await node('node-api', { drive: false });

    for (const [self, answer] of [
      ['node-full', await full.nodes()],
      ['node-api', await api.nodes()],
    ] as const) {
      expect(answer).toMatchObject({ lease_ms: LEASE_MS, heartbeat_ms: HEARTBEAT_MS });
      expect(answer.nodes.map((n) => n.node_id)).toEqual(['node-api', 'node-full']);
      for (const n of answer.nodes) {
        expect(n).toMatchObject({ version: '9.9.9-test', leases_held: 0, lease_expires_at: null, status: 'alive', alive: true, self: n.node_id === self });
        expect(Date.parse(n.last_heartbeat ?? '')).toBeGreaterThan(Date.now() - 5_000);
        expect(Date.parse(n.started_at ?? '')).toBeLessThanOrEqual(Date.parse(n.last_heartbeat ?? ''));
      }
      expect(answer.nodes.find((n) => n.node_id === 'node-api')?.role).toBe('api');
      expect(answer.nodes.find((n) => n.node_id === 'node-full')?.role).toBe('all');
    }

    // The heartbeat moves on by itself (no request drives it).
    const first = (await full.nodes()).nodes.find((n) => n.node_id === 'node-api')?.last_heartbeat ?? '';
    await until('a newer heartbeat of the API node', async () => {
      const now = (await full.nodes()).nodes.find((n) => n.node_id === 'node-api')?.last_heartbeat ?? '';
      return Date.parse(now) > Date.parse(first) ? now : undefined;
    });

    // A graceful shutdown: marked stopping first (others show it), then the row is gone once its leases are released.
    await api.engine.beginShutdown();
    expect((await full.nodes()).nodes.find((n) => n.node_id === 'node-api')).toMatchObject({ status: 'stopping', alive: true });
    await api.app.close();
    await api.engine.close();
    const after = await full.nodes();
    expect(after.nodes.map((n) => n.node_id)).toEqual(['node-full']);
    expect((await full.nodes('?all=true')).nodes.map((n) => n.node_id)).toEqual(['node-full']);
    expect(errors).toEqual([]);
  });

  it('turns a node gone when its heartbeats stop (its database went away), reporting the failure once, not at every beat', async () => {
    const full = await node('node-full');
    // A worker node whose connection to the database is lost: its own store, closed under it.
    const lostStore = await openStore({ ...t.connection, origin: 'node-lost', modules: TEST_STORE_MODULES });
    const lost = engineOn(lostStore, 'node-lost', { role: 'worker' });
    await lost.start();
    expect((await full.nodes()).nodes.find((n) => n.node_id === 'node-lost')).toMatchObject({ role: 'worker', status: 'alive', self: false });

    await lostStore.close();
    const gone = await until('the silent node shown gone', async () => {
      const view = (await full.nodes()).nodes.find((n) => n.node_id === 'node-lost');
      return view?.status === 'gone' ? view : undefined;
    });
    expect(gone).toMatchObject({ alive: false, leases_held: 0 });
    // Two beats plus a second of silence, no sooner: its last beat is that old.
    expect(Date.now() - Date.parse(gone.last_heartbeat ?? '')).toBeGreaterThan(2 * HEARTBEAT_MS + 1_000);
    // Over ten beats failed by now; the heartbeat reported the outage once.
    expect(errors.filter((e) => e.context.startsWith('node-lost: node heartbeat'))).toHaveLength(1);
    expect(errors.filter((e) => e.context.startsWith('node-full'))).toEqual([]);
  });

  it('lists lease holders without a row as known by their leases, and leaves out nodes gone for over six leases unless all=true', async () => {
    const full = await node('node-full');
    const now = Date.now();
    // A node from before membership, driving a run: only its lease shows it.
    await t.store.createRun(newRun({ leaseOwner: 'node-old', leaseExpiresAt: now + LEASE_MS, createdAt: now }), []);
    // Nodes that died without a clean shutdown: one a moment ago, one long ago.
    await t.store.beatNode({ id: 'node-died-lately', role: 'all', version: '0.1.0', startedAt: now - 60_000, heartbeatAt: now - 3 * LEASE_MS });
    await t.store.beatNode({ id: 'node-died-long-ago', role: 'all', version: '0.1.0', startedAt: now - 600_000, heartbeatAt: now - 7 * LEASE_MS });

    const listed = await full.nodes();
    expect(listed.nodes.map((n) => [n.node_id, n.status])).toEqual([
      ['node-died-lately', 'gone'],
      ['node-full', 'alive'],
      ['node-old', 'alive'],
    ]);
    expect(listed.nodes.find((n) => n.node_id === 'node-old')).toEqual({
      node_id: 'node-old',
      role: null,
      version: null,
      started_at: null,
      leases_held: 1,
      last_heartbeat: new Date(now).toISOString(),
      lease_expires_at: new Date(now + LEASE_MS).toISOString(),
      status: 'alive',
      alive: true,
      self: false,
    });
    const all = await full.nodes('?all=true');
    expect(all.nodes.map((n) => [n.node_id, n.status])).toEqual([
      ['node-died-lately', 'gone'],
      ['node-died-long-ago', 'gone'],
      ['node-full', 'alive'],
      ['node-old', 'alive'],
    ]);
    expect(errors).toEqual([]);
  });

  it('refuses an all flag that is neither true nor false', async () => {
    const full = await node('node-full');
    const { app } = full;
    const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    const response = await fetch(`${base}/api/nodes?all=yes`);
    expect({ status: response.status, body: await response.json() }).toMatchObject({ status: 422, body: { error_type: 'INVALID_PARAMETERS' } });
  });
});
