/**
 * GET /api/nodes: the Baton nodes sharing this database, as their run leases show them (who holds
 * how many runs, when each last renewed), and the node answering.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { RunStore } from '../../store/index.js';
import { errorResponses } from '../schemas.js';

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
