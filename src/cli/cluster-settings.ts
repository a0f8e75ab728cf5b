/** The settings a `baton serve` node reads from its environment to share a database with others (docs/CLUSTER.md). */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { InvalidParametersError } from '../errors/index.js';
import { issuesOf } from '../errors/zod-issues.js';
import { NODE_ROLES } from '../store/types.js';

/** What a node does: everything (default), API only (`--no-worker`: HTTP and streams, drives no run), or worker only (`--worker-only`: drives runs, serves /health and /metrics). */
export const NodeRole = z.enum(NODE_ROLES);
export type NodeRole = z.output<typeof NodeRole>;

const RUNS = 'a whole number of runs, from 1 to 100000';

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
  /** BATON_MAX_RUNS: how many runs this node drives at once (default 1000); runs started or resumed beyond it wait, unleased, for a free slot here or on another worker. */
  maxRuns: z.coerce.number({ error: RUNS }).int(RUNS).min(1, RUNS).max(100_000, RUNS).default(1_000),
  /** BATON_NODE_HEARTBEAT_MS (not BATON_HEARTBEAT_MS: that is the streams' heartbeat): how often the node refreshes its row in `nodes` (GET /api/nodes); default a third of the lease. Below the lease. */
  heartbeatMs: z.coerce.number().int().min(50).max(600_000).optional(),
});
export type ClusterSettings = Omit<z.output<typeof clusterSettingsSchema>, 'heartbeatMs'> & { heartbeatMs: number };

/** The environment variable behind each setting: refusals name what the operator set, not a field of ours. */
const ENV_NAMES: Record<keyof z.input<typeof clusterSettingsSchema>, string> = {
  nodeId: 'BATON_NODE_ID',
  role: 'BATON_NODE_ROLE',
  leaseMs: 'BATON_LEASE_MS',
  pollMs: 'BATON_POLL_MS',
  maxRuns: 'BATON_MAX_RUNS',
  heartbeatMs: 'BATON_NODE_HEARTBEAT_MS',
};

export function clusterSettingsFromEnv(env: NodeJS.ProcessEnv = process.env, overrides: { role?: NodeRole | undefined } = {}): ClusterSettings {
  const pick = (name: string) => (env[name] === undefined || env[name] === '' ? undefined : env[name]);
  const parsed = clusterSettingsSchema.safeParse({
    nodeId: pick('BATON_NODE_ID'),
    role: overrides.role ?? pick('BATON_NODE_ROLE'),
    leaseMs: pick('BATON_LEASE_MS'),
    pollMs: pick('BATON_POLL_MS'),
    maxRuns: pick('BATON_MAX_RUNS'),
    heartbeatMs: pick('BATON_NODE_HEARTBEAT_MS'),
  });
  if (!parsed.success) {
    const issues = issuesOf(parsed.error).map((issue) => ({ ...issue, path: ENV_NAMES[issue.path as keyof typeof ENV_NAMES] ?? issue.path }));
    throw new InvalidParametersError('cluster settings are invalid', issues);
  }
  if (parsed.data.pollMs * 2 > parsed.data.leaseMs) {
    throw new InvalidParametersError('cluster settings are invalid', [
      { path: 'BATON_POLL_MS', message: 'renew at least twice per lease (BATON_POLL_MS ≤ BATON_LEASE_MS / 2)' },
    ]);
  }
  const { heartbeatMs = Math.round(parsed.data.leaseMs / 3), ...settings } = parsed.data;
  // A heartbeat as slow as the lease would show a live node as gone between two beats (GET /api/nodes counts it alive for two beats plus a second).
  if (heartbeatMs >= settings.leaseMs) {
    throw new InvalidParametersError('cluster settings are invalid', [
      { path: 'BATON_NODE_HEARTBEAT_MS', message: `beat more often than the lease (BATON_NODE_HEARTBEAT_MS < BATON_LEASE_MS, ${settings.leaseMs})` },
    ]);
  }
  return { ...settings, heartbeatMs };
}
