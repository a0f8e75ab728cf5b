/**
 * Live tail of the run logs. A follower first reads what it missed from the store, then gets
 * new events as they commit, in order, with no gap and no duplicate: whenever what arrives is
 * not the very next sequence number, it reads the store again from the last one it delivered.
 */
import type { EventNotice, EventRecord, RunRecord, RunStore } from '../store/types.js';

export type EventListener = (event: EventRecord) => void;

export interface Subscription {
  unsubscribe(): void;
}

const PAGE = 1000;

/**
 * One listener's place in one run's log. The hub offers it events as they commit; a caller that
 * fans one subscription out to many listeners may offer them itself (`EventHub.cursor`).
 */
export interface RunCursor {
  offer(event: EventRecord): void;
  close(): void;
}

class Follower implements RunCursor {
  private syncing = false;
  private dirty = false;
  private closed = false;

  constructor(
    private readonly store: RunStore,
    readonly runId: string,
    private last: number,
    private readonly listener: EventListener,
    private readonly onError: (error: unknown) => void,
    /** Told of each event read from the store: it may be one no publish nor notice brought here. */
    private readonly onStored: (event: EventRecord) => void = () => undefined,
  ) {}

  close(): void {
    this.closed = true;
  }

  offer(event: EventRecord): void {
    if (this.closed || event.seq <= this.last) return;
    if (!this.syncing && event.seq === this.last + 1) this.deliver(event);
    else this.catchUp();
  }

  /** Reads from the store until nothing new arrived while reading. */
  catchUp(): void {
    if (this.syncing) {
      this.dirty = true;
      return;
    }
    this.syncing = true;
    void this.readLoop().catch((error: unknown) => {
      this.syncing = false;
      this.onError(error);
    });
  }

  private async readLoop(): Promise<void> {
    for (;;) {
      this.dirty = false;
      const page = await this.store.readEvents(this.runId, this.last, PAGE);
      for (const event of page) {
        this.onStored(event);
        if (!this.closed && event.seq === this.last + 1) this.deliver(event);
      }
      // Cleared in the same synchronous stretch as the last check: an event offered after this
      // point is delivered directly or starts a new read, never left behind a stale flag.
      if (this.closed || (!this.dirty && page.length < PAGE)) {
        this.syncing = false;
        return;
      }
    }
  }

  private deliver(event: EventRecord): void {
    this.last = event.seq;
    this.listener(event);
  }
}

/** How many runs' latest sequence numbers to remember (lets a new follower skip a read). */
const HEADS_KEPT = 10_000;
/** How many runs' records, as this process last committed them, to remember (lets `latest` skip a read). */
const RECORDS_KEPT = 1_000;

/** Sets `key` as the newest entry of an insertion-ordered map, dropping the oldest past `limit`. */
function remember<V>(map: Map<string, V>, key: string, value: V, limit: number): void {
  map.delete(key);
  map.set(key, value);
  if (map.size > limit) map.delete(map.keys().next().value as string);
}

export class EventHub {
  private readonly followers = new Map<string, Set<Follower>>();
  /** The last sequence number published per run, for recently active runs, oldest first. */
  private readonly heads = new Map<string, number>();
  private readonly records = new Map<string, RunRecord>();
  private readonly watchers = new Set<EventListener>();

  constructor(
    private readonly store: RunStore,
    private readonly onError: (error: unknown) => void = () => undefined,
  ) {}

  /** Called after a local commit with the events it wrote and, when the committer knows it, the run as it now stands. */
  publish(events: readonly EventRecord[], run?: RunRecord): void {
    // A publish can come after a notice of later events (its commit returned first, its continuation ran late): records never move back, as heads (heard).
    if (run && run.lastSeq >= (this.records.get(run.id)?.lastSeq ?? 0)) remember(this.records, run.id, run, RECORDS_KEPT);
    for (const event of events) {
      this.heard(event.runId, event.seq);
      for (const follower of this.followers.get(event.runId) ?? []) follower.offer(event);
      for (const watcher of this.watchers) watcher(event);
    }
  }

  /**
   * The run as this process last committed it, if no later event of it is known here (from this
   * process or, through notices, from others); otherwise undefined: read the store. Spares a local
   * caller waiting on a run driven here (`Engine.settled`) a read per wait.
   */
  latest(runId: string): RunRecord | undefined {
    const run = this.records.get(runId);
    return run && run.lastSeq === this.heads.get(runId) ? run : undefined;
  }

  /** Called when another process says a run's log grew (or, with its session, that it started a run); the worker passes only other processes' notices. */
  notice(notice: EventNotice): void {
    this.heard(notice.runId, notice.seq);
    for (const follower of this.followers.get(notice.runId) ?? []) follower.catchUp();
    if (notice.sessionId !== undefined && this.watchers.size > 0) this.announceRemoteRun(notice.runId);
  }

  /** An event of a run is known to exist (published here, a notice, a follower's read): the head only moves forward, so `latest` never answers with an older record. */
  private heard(runId: string, seq: number): void {
    if ((this.heads.get(runId) ?? 0) < seq) remember(this.heads, runId, seq, HEADS_KEPT);
  }

  /** Watchers learn of runs other processes start from their first event (`run_created`), read from the store. */
  private announceRemoteRun(runId: string): void {
    this.store.readEvents(runId, 0, 1).then(
      ([first]) => {
        if (first?.type === 'run_created') for (const watcher of this.watchers) watcher(first);
      },
      (error: unknown) => this.onError(error),
    );
  }

  /** Notices may have been lost (the LISTEN connection dropped): every follower reads the store again. */
  resync(): void {
    for (const followers of this.followers.values()) for (const follower of followers) follower.catchUp();
  }

  /** Every event of one run after `afterSeq`: the stored ones first, then live ones. */
  follow(runId: string, afterSeq: number, listener: EventListener): Subscription {
    const follower = this.newFollower(runId, afterSeq, listener);
    let set = this.followers.get(runId);
    if (!set) this.followers.set(runId, (set = new Set()));
    set.add(follower);
    return {
      unsubscribe: () => {
        follower.close();
        set.delete(follower);
        if (set.size === 0) this.followers.delete(runId);
      },
    };
  }

  /**
   * A follower the caller offers live events to itself, not registered here: it reads what it
   * missed from the store first, and again whenever an offered event is not the next one.
   */
  cursor(runId: string, afterSeq: number, listener: EventListener): RunCursor {
    return this.newFollower(runId, afterSeq, listener);
  }

  private newFollower(runId: string, afterSeq: number, listener: EventListener): Follower {
    // A follower's read can find events whose notice never came (lost, or the periodic re-read got there first): `latest` must know them.
    const follower = new Follower(this.store, runId, afterSeq, listener, this.onError, (event) => this.heard(event.runId, event.seq));
    // Reading the store is only needed if this process may not have published everything after `afterSeq`.
    const head = this.heads.get(runId);
    if (head === undefined || head > afterSeq) follower.catchUp();
    return follower;
  }

  /** Every event committed by this process, live only, and the `run_created` of runs other processes start (for fan-out by session). */
  watch(listener: EventListener): Subscription {
    this.watchers.add(listener);
    return { unsubscribe: () => void this.watchers.delete(listener) };
  }
}
