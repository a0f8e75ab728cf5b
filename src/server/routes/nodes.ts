/**
 * GET /api/nodes: the Baton nodes sharing this database, from their membership rows (role, version,
 * heartbeat) joined with the runs' leases (who holds how many), and the node answering.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { NODE_ROLES, type NodeRecord, type RunStore } from '../../store/types.js';
import { errorResponses } from '../schemas.js';

/** A node that said nothing for this many leases, and holds none, is left out unless `all=true` (died long ago). */
export const HIDE_GONE_AFTER_LEASES = 6;

const nodeStatus = z.enum(['alive', 'stopping', 'gone']);

const nodeView = z.object({
  node_id: z.string(),
  /** all | api (`--no-worker`) | worker (`--worker-only`); null for a node known only by its leases (no membership row). */
  role: z.enum(NODE_ROLES).nullable(),
  /** Baton's package version the node runs; null when unknown. */
  version: z.string().nullable(),
  started_at: z.string().nullable(),
  /** Runs whose lease this node holds (running runs it drives). */
  leases_held: z.number().int(),
  /** Its last heartbeat; for a node without a row, its newest lease's expiry minus the lease length (its last renewal); null when neither. */
  last_heartbeat: z.string().nullable(),
  /** Its newest lease's expiry; past it, the node's runs are free for any node to claim. */
  lease_expires_at: z.string().nullable(),
  /** alive: a heartbeat within two beats plus a second, or a lease in force; stopping: a graceful shutdown began; gone: neither (it died). */
  status: nodeStatus,
  /** status is not gone (kept from before the status existed). */
  alive: z.boolean(),
  /** The node answering this request. */
  self: z.boolean(),
});

const nodesQuery = z.strictObject({
  all: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true')
    .describe(`also nodes gone for over ${HIDE_GONE_AFTER_LEASES} leases that hold none (left out by default)`),
});

const nodesAnswer = z.object({ lease_ms: z.number().int(), heartbeat_ms: z.number().int(), nodes: z.array(nodeView) });
type NodeView = z.output<typeof nodeView>;

export interface NodeIdentity {
  id: string;
  leaseMs: number;
  /** This node's heartbeat interval, taken as every node's (like the lease: the same setting on every node). */
  heartbeatMs: number;
  /** The clock heartbeats and leases are written on (the engine's). */
  now: () => number;
}

type LeaseHolder = Awaited<ReturnType<RunStore['leaseHolders']>>[number];

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** A node's last sign of life: its heartbeat, or for a node without a row its last lease renewal (newest expiry minus the lease); null when neither. */
function lastHeartbeat(row: NodeRecord | undefined, lease: LeaseHolder | undefined, leaseMs: number): number | null {
  const newestExpiry = lease?.newestExpiry ?? null;
  return row?.heartbeatAt ?? (newestExpiry === null ? null : newestExpiry - leaseMs);
}

/** One node's view from its row (if any) and its leases (if any), at `now`. */
function viewOf(id: string, row: NodeRecord | undefined, lease: LeaseHolder | undefined, self: NodeIdentity, now: number): NodeView {
  const newestExpiry = lease?.newestExpiry ?? null;
  const heartbeat = lastHeartbeat(row, lease, self.leaseMs);
  const leaseInForce = newestExpiry !== null && newestExpiry > now;
  // Two beats plus a second: one late or lost beat (a slow database, a GC pause) does not make a live node look dead.
  const beating = row !== undefined && now - row.heartbeatAt <= 2 * self.heartbeatMs + 1_000;
  const present = beating || leaseInForce || id === self.id;
  const status = !present ? 'gone' : row?.stoppingAt != null ? 'stopping' : 'alive';
  return {
    node_id: id,
    role: row?.role ?? null,
    version: row?.version ?? null,
    started_at: iso(row?.startedAt ?? null),
    leases_held: lease?.leases ?? 0,
    last_heartbeat: iso(heartbeat),
    lease_expires_at: iso(newestExpiry),
    status,
    alive: status !== 'gone',
    self: id === self.id,
  };
}

export const nodesRoutes =
  (store: Pick<RunStore, 'leaseHolders' | 'listNodes'>, self: NodeIdentity): FastifyPluginAsyncZod =>
  (app) => {
    app.get(
      '/api/nodes',
      {
        schema: {
          tags: ['health'],
          summary:
            'Nodes on this database: role, version, last heartbeat, leases held and status (alive, stopping, gone) of each, and the node answering; ?all=true includes nodes gone long ago',
          querystring: nodesQuery,
          response: { 200: nodesAnswer, ...errorResponses },
        },
      },
      async (request) => {
        const [rows, leases] = await Promise.all([store.listNodes(), store.leaseHolders()]);
        // The clock the heartbeats were written on (the database's, under `baton serve`), not this machine's.
        const now = self.now();
        const rowOf = new Map(rows.map((row) => [row.id, row]));
        const leaseOf = new Map(leases.map((lease) => [lease.owner, lease]));
        // Every node with a row, every lease owner without one (a node older than membership, or one whose row
        // was removed), and the node answering even before its first beat lands.
        const ids = new Set([...rowOf.keys(), ...leaseOf.keys(), self.id]);
        const forgetBefore = now - HIDE_GONE_AFTER_LEASES * self.leaseMs;
        const recent = (id: string) => (lastHeartbeat(rowOf.get(id), leaseOf.get(id), self.leaseMs) ?? -Infinity) >= forgetBefore;
        const nodes = [...ids]
          .map((id) => viewOf(id, rowOf.get(id), leaseOf.get(id), self, now))
          .filter((n) => request.query.all || n.status !== 'gone' || n.leases_held > 0 || recent(n.node_id))
          .sort((a, b) => a.node_id.localeCompare(b.node_id));
        return { lease_ms: self.leaseMs, heartbeat_ms: self.heartbeatMs, nodes };
      },
    );
    return Promise.resolve();
  };
