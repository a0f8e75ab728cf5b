/**
 * GET /api/nodes: the Baton nodes sharing this database, as their run leases show them (who holds
 * how many runs, when each last renewed), and the node answering. Also the cluster settings every
 * node reads from its environment (BATON_NODE_ID, BATON_NODE_ROLE, BATON_LEASE_MS, BATON_POLL_MS).
 */
import { randomUUID } from 'node:crypto';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { InvalidParametersError } from '../../errors/index.js';
import { issuesOf } from '../../errors/zod-issues.js';
import type { RunStore } from '../../store/index.js';
import { errorResponses } from '../schemas.js';

/** What a node does: everything (default), API only (`--no-worker`: HTTP and streams, drives no run), or worker only (`--worker-only`: drives runs, serves /health and /metrics). */
export const NodeRole = z.enum(['all', 'api', 'worker']);
export type NodeRole = z.output<typeof NodeRole>;

const clusterSettingsSchema = z.object({
  /** BATON_NODE_ID: names this node in leases, /health, /api/nodes and log lines (default node-<8 hex>; keep it unique per process). */
  nodeId: z
    .string()
    .regex(/^[\w.:-]{1,64}$/, 'letters, digits, _ . : - (at most 64)')
    .default(() => `node-${randomUUID().slice(0, 8)}`),
  /** BATON_NODE_ROLE: all | api | worker (the serve flags --no-worker and --worker-only set it). */
  role: NodeRole.default('all'),
  /** BATON_LEASE_MS: how long a claimed run stays a node's without renewal (default 10 s): after a crash its runs move on after this. Same on every node. */
  leaseMs: z.coerce.number().int().min(500).max(600_000).default(10_000),
  /** BATON_POLL_MS: how often a worker renews its leases and claims orphaned runs (default 1 s; keep it well under the lease). */
  pollMs: z.coerce.number().int().min(50).max(60_000).default(1_000),
});
export type ClusterSettings = z.output<typeof clusterSettingsSchema>;

export function clusterSettingsFromEnv(env: NodeJS.ProcessEnv = process.env, overrides: { role?: NodeRole | undefined } = {}): ClusterSettings {
  const pick = (name: string) => (env[name] === undefined || env[name] === '' ? undefined : env[name]);
  const parsed = clusterSettingsSchema.safeParse({
    nodeId: pick('BATON_NODE_ID'),
    role: overrides.role ?? pick('BATON_NODE_ROLE'),
    leaseMs: pick('BATON_LEASE_MS'),
    pollMs: pick('BATON_POLL_MS'),
  });
  if (!parsed.success) throw new InvalidParametersError('cluster settings are invalid', issuesOf(parsed.error));
  if (parsed.data.pollMs * 2 > parsed.data.leaseMs) {
    throw new InvalidParametersError('cluster settings are invalid', [
      { path: 'BATON_POLL_MS', message: 'renew at least twice per lease (BATON_POLL_MS ≤ BATON_LEASE_MS / 2)' },
    ]);
  }
  return parsed.data;
}

const nodeView = z.object({
  node_id: z.string(),
  /** Runs whose lease this node holds (running runs it drives). */
  leases_held: z.number().int(),
  /** When the node last renewed a lease (its newest lease's expiry minus the lease length); null for a node holding none. */
  last_heartbeat: z.string().nullable(),
  /** Its newest lease's expiry; past it, the node's runs are free for any node to claim. */
  lease_expires_at: z.string().nullable(),
  /** Whether any of its leases is still in force: false for a node that died (its runs move on at the next claim). */
  alive: z.boolean(),
  /** The node answering this request. */
  self: z.boolean(),
});

const nodesAnswer = z.object({ lease_ms: z.number().int(), nodes: z.array(nodeView) });

export interface NodeIdentity {
  id: string;
  leaseMs: number;
}

export const nodesRoutes =
  (store: Pick<RunStore, 'leaseHolders'>, self: NodeIdentity): FastifyPluginAsyncZod =>
  (app) => {
    app.get(
      '/api/nodes',
      {
        schema: {
          tags: ['health'],
          summary: 'Nodes on this database: leases held and last renewal of each (from the runs’ leases), and the node answering',
          response: { 200: nodesAnswer, ...errorResponses },
        },
      },
      async () => {
        // Derived from the leases rather than a heartbeat table: no migration, and a lease renewal
        // is the heartbeat that matters (what decides whether a node's runs move on). A node that
        // holds no lease (an API node, an idle worker) shows only when it answers itself.
        const now = Date.now();
        const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
        const nodes = (await store.leaseHolders()).map(({ owner, leases, newestExpiry }) => ({
          node_id: owner,
          leases_held: leases,
          last_heartbeat: iso(newestExpiry === null ? null : newestExpiry - self.leaseMs),
          lease_expires_at: iso(newestExpiry),
          alive: newestExpiry !== null && newestExpiry > now,
          self: owner === self.id,
        }));
        if (!nodes.some((n) => n.self)) nodes.push({ node_id: self.id, leases_held: 0, last_heartbeat: null, lease_expires_at: null, alive: true, self: true });
        nodes.sort((a, b) => a.node_id.localeCompare(b.node_id));
        return { lease_ms: self.leaseMs, nodes };
      },
    );
    return Promise.resolve();
  };
