/**
 * Node membership: this process's row in `nodes`, written at start and by a heartbeat, marked when a
 * graceful shutdown begins and deleted when it ends, so GET /api/nodes lists every live node, API
 * nodes and idle workers included (a lease shows only the nodes driving runs).
 */
import { ConflictError } from '../errors/index.js';
import type { NodeRole, RunStore } from '../store/types.js';

/** Rows of nodes silent for longer than this are deleted by the next node that starts (a node that died is not listed forever). */
export const FORGET_NODES_AFTER_MS = 24 * 60 * 60 * 1000;

export interface MembershipOptions {
  store: RunStore;
  nodeId: string;
  role: NodeRole;
  /** Baton's package version, shown in /api/nodes; null when unknown. */
  version: string | null;
  heartbeatMs: number;
  now: () => number;
  /** Told once per outage (the first failed beat), never again until a beat succeeds. */
  onError: (error: unknown, context: string) => void;
}

export class Membership {
  private startedAt = 0;
  private timer: NodeJS.Timeout | undefined;
  private beating: Promise<void> | undefined;
  private failing = false;
  private beaten = false;
  private joined = false;
  private stopped = false;

  constructor(private readonly options: MembershipOptions) {}

  /** Writes the row, forgets nodes silent for a day, then beats every `heartbeatMs`. Never throws: a database that is down now is retried at the next beat. */
  async join(): Promise<void> {
    this.startedAt = this.options.now();
    this.joined = true;
    this.stopped = false;
    this.beaten = false;
    await this.beat();
    try {
      await this.options.store.forgetNodes(this.startedAt - FORGET_NODES_AFTER_MS);
    } catch (error) {
      this.options.onError(error, 'forgetting nodes silent for a day');
    }
    this.schedule();
  }

  /** Stops the heartbeat and marks the row stopping (others see `status: stopping` while the node lets its runs go). */
  async stopping(): Promise<void> {
    if (!this.joined || this.stopped) return;
    this.stopped = true;
    clearTimeout(this.timer);
    // A beat in flight finishes first; the store keeps the mark against any beat that still lands after it.
    await this.beating;
    await this.options.store
      .markNodeStopping(this.options.nodeId, this.startedAt, this.options.now())
      .catch((error: unknown) => this.options.onError(error, 'marking the node stopping'));
  }

  /** Deletes the row: the node is gone on purpose, so nobody shows it as a node that died. */
  async leave(): Promise<void> {
    if (!this.joined) return;
    await this.stopping();
    this.joined = false;
    await this.options.store.removeNode(this.options.nodeId, this.startedAt).catch((error: unknown) => this.options.onError(error, 'removing the node'));
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.beating = this.beat().finally(() => {
        this.beating = undefined;
        this.schedule();
      });
    }, this.options.heartbeatMs);
    // A heartbeat never keeps the process alive on its own.
    this.timer.unref();
  }

  /** Says so when another process beats under this node id: /api/nodes shows one node, and each takes the other's work for lost. */
  private async checkSoleHolder(): Promise<void> {
    const { store, nodeId, now } = this.options;
    const row = (await store.listNodes()).find((node) => node.id === nodeId);
    if (!row || row.startedAt === this.startedAt) return;
    this.options.onError(
      new ConflictError(
        `node id ${nodeId} is also used by another process (started ${new Date(row.startedAt).toISOString()}, its heartbeat ${Math.max(0, now() - row.heartbeatAt)} ms ago): ` +
          'give each process its own BATON_NODE_ID (or leave it unset for a random one); until then /api/nodes shows one node for both',
        { node_id: nodeId, other_started_at: row.startedAt, started_at: this.startedAt },
      ),
      'duplicate node id',
    );
  }

  private async beat(): Promise<void> {
    const { store, nodeId, role, version, now } = this.options;
    try {
      // Between two of this process's beats, the row can only have been rewritten by another process under its id.
      if (this.beaten) await this.checkSoleHolder();
      await store.beatNode({ id: nodeId, role, version, startedAt: this.startedAt, heartbeatAt: now() });
      this.beaten = true;
      this.failing = false;
    } catch (error) {
      // Once per outage: a database down for minutes would otherwise write a line every beat.
      if (!this.failing) this.options.onError(error, 'node heartbeat (retried every beat; reported again only after one succeeds)');
      this.failing = true;
    }
  }
}
