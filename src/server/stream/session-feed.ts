/**
 * Session streams share one feed per session: one watcher learns of the session's new runs, one
 * subscription per run receives its events, and each event is offered to every client's cursor.
 * One watcher and one follower per client made every event 200 callbacks with 100 clients, and
 * every new run 100 follower set-ups in a row, which held back the run's first events.
 */
import type { Engine, RunCursor, Subscription } from '../../engine/index.js';
import type { EventRecord } from '../../store/index.js';
import { errorMessage, type StreamClient } from './client.js';
import { sinceFor, type Since } from './since.js';

/** Sends one event to one client (the stream frames each event once for all of them). */
export type Forward = (client: StreamClient, event: EventRecord) => void;

/** Runs of a session listed when a client joins (newest first, as the engine lists them). */
const LISTED_RUNS = 500;

/**
 * How often each open session's runs are listed again. A run started on another node is learnt
 * from its NOTIFY; a notice lost (the node died between its commit and the NOTIFY, or this node's
 * LISTEN connection was down) would leave the run out of the stream for good: the re-list finds it
 * within this interval and the stream sends it from its first event.
 */
export const SESSION_RELIST_MS = 5_000;

interface Member {
  client: StreamClient;
  /** Where the client asked to start: runs found later by a re-list start there too. */
  since: Since;
  /** Where this client stands in each run of the session it follows. */
  cursors: Map<string, RunCursor>;
}

class SessionFeed {
  private readonly members = new Set<Member>();
  /** One subscription per run of the session, shared by every member. */
  private readonly runs = new Map<string, Subscription>();

  constructor(
    private readonly engine: Engine,
    private readonly forward: Forward,
  ) {}

  /** A run of this session just began: every member gets its first event and follows it from there. */
  runCreated(event: EventRecord): void {
    for (const member of this.members) {
      if (member.cursors.has(event.runId)) continue;
      this.forward(member.client, event);
      member.cursors.set(event.runId, this.cursor(member, event.runId, event.seq));
    }
    this.subscribe(event.runId, event.seq);
  }

  /** Follows a run that existed when `member` joined, from where the client says it stopped. */
  followListed(member: Member, runId: string, lastSeq: number, since: Since): void {
    if (!this.members.has(member) || member.cursors.has(runId)) return;
    member.cursors.set(runId, this.cursor(member, runId, sinceFor(since, runId)));
    this.subscribe(runId, lastSeq);
  }

  join(client: StreamClient, since: Since): Member {
    const member: Member = { client, since, cursors: new Map() };
    this.members.add(member);
    return member;
  }

  /** Takes a member out; says whether the feed is left without any. */
  leave(member: Member): boolean {
    this.members.delete(member);
    for (const cursor of member.cursors.values()) cursor.close();
    return this.members.size === 0;
  }

  /** A re-list found runs of the session: every member follows those it does not follow yet. */
  listed(runs: readonly { id: string; lastSeq: number }[]): void {
    for (const run of runs) for (const member of this.members) this.followListed(member, run.id, run.lastSeq, member.since);
  }

  close(): void {
    for (const subscription of this.runs.values()) subscription.unsubscribe();
    this.runs.clear();
  }

  private cursor(member: Member, runId: string, afterSeq: number): RunCursor {
    return this.engine.cursor(runId, afterSeq, (event) => this.forward(member.client, event));
  }

  private subscribe(runId: string, afterSeq: number): void {
    if (this.runs.has(runId)) return;
    this.runs.set(
      runId,
      this.engine.followKnown(runId, afterSeq, (event) => {
        for (const member of this.members) member.cursors.get(runId)?.offer(event);
      }),
    );
  }
}

export class SessionFeeds {
  private readonly feeds = new Map<string, SessionFeed>();
  private watching: Subscription | undefined;
  private relisting: NodeJS.Timeout | undefined;

  constructor(
    private readonly engine: Engine,
    private readonly forward: Forward,
  ) {}

  /**
   * Adds a client to its session's feed: runs started from now on reach it from their first
   * event, runs already there from `since`. Joining before listing means no run falls between.
   */
  join(sessionId: string, client: StreamClient, since: Since): void {
    let feed = this.feeds.get(sessionId);
    if (!feed) this.feeds.set(sessionId, (feed = new SessionFeed(this.engine, this.forward)));
    const member = feed.join(client, since);
    this.watch();
    client.onClose(() => this.leave(sessionId, feed, member));
    this.engine.sessionRunHeads(sessionId, LISTED_RUNS).then(
      (runs) => {
        for (const run of runs) feed.followListed(member, run.id, run.lastSeq, since);
      },
      (error: unknown) => client.send(errorMessage(error)),
    );
  }

  private leave(sessionId: string, feed: SessionFeed, member: Member): void {
    if (!feed.leave(member)) return;
    feed.close();
    if (this.feeds.get(sessionId) === feed) this.feeds.delete(sessionId);
    if (this.feeds.size === 0) {
      this.watching?.unsubscribe();
      this.watching = undefined;
      clearInterval(this.relisting);
      this.relisting = undefined;
    }
  }

  /** Lists every open session's runs again (SESSION_RELIST_MS), for runs whose start notice never came. */
  private relist(): void {
    for (const [sessionId, feed] of this.feeds) {
      this.engine.sessionRunHeads(sessionId, LISTED_RUNS).then(
        (runs) => feed.listed(runs),
        () => undefined, // the next re-list tries again; a stream is not failed for a missed check
      );
    }
  }

  /** One watcher for every session stream, while any is open: it only looks for new runs. */
  private watch(): void {
    if (this.relisting === undefined) {
      this.relisting = setInterval(() => this.relist(), SESSION_RELIST_MS);
      this.relisting.unref();
    }
    this.watching ??= this.engine.watch((event) => {
      if (event.type !== 'run_created') return;
      const sessionId = (event.payload as { session_id?: unknown }).session_id;
      if (typeof sessionId === 'string') this.feeds.get(sessionId)?.runCreated(event);
    });
  }
}
