/**
 * Whether any other process listens for this one's notices. A node alone on its database NOTIFYs
 * nobody: each NOTIFY takes PostgreSQL's global notify lock at commit and wakes every listener,
 * this process's own LISTEN session included, for notices it then ignores (measured on one node:
 * ~1.2 ms of a sequential 10-step workflow's ~6.5 ms).
 *
 * Every listening process says hello on the channel every HELLO_EVERY_MS. A process that starts
 * listening (or listens again after a drop) asks instead, and every other listener answers at once,
 * so it knows within a round trip whether it is alone. One that has heard no other process for
 * ABSENT_AFTER_MS (and no answer within ANSWER_WITHIN_MS of asking) holds its notices, the latest per
 * run, and sends them the moment a hello arrives: a newcomer LISTENs before it asks, so it hears every
 * notice held or sent after that. A process that does not listen, or whose LISTEN session is down,
 * cannot hear hellos and always notifies; so does one with a listener of its own notices (`baton runs
 * --wait` on the database follows the run it drives itself).
 */
import type { EventNotice } from '../types.js';
import { laterNotice } from './notifier.js';

/** How often a listening process says hello. */
export const HELLO_EVERY_MS = 1_000;
/** Silence from every other process for this long, and this process notifies nobody. */
export const ABSENT_AFTER_MS = 3_500;
/** How long a process that asked notifies as if others were there, waiting for their answers. */
export const ANSWER_WITHIN_MS = 250;
/**
 * A held notice older than this is dropped: a newcomer would have said hello long before, and what it
 * follows it reads from the store when it starts and at each resync (listener.ts) anyway.
 */
export const HOLD_MS = 30_000;

/** A hello on the channel: `hello|origin`, or `hello?|origin` asking every listener to answer now. */
export interface Hello {
  origin: string;
  asks: boolean;
}
const SAY = 'hello|';
const ASK = 'hello?|';
/** The payload of `origin`'s hello; notices never start so (they start with an origin, and no origin is "hello"). */
export const helloPayload = ({ origin, asks }: Hello): string => `${asks ? ASK : SAY}${origin}`;
/** The hello in `payload`, or undefined when it is a notice. */
export function helloFrom(payload: string | undefined): Hello | undefined {
  if (payload?.startsWith(SAY)) return { origin: payload.slice(SAY.length), asks: false };
  if (payload?.startsWith(ASK)) return { origin: payload.slice(ASK.length), asks: true };
  return undefined;
}

export interface PeersOptions {
  origin: string;
  /** Sends notices now (the Notifier). */
  send: (notice: EventNotice) => void;
  /** NOTIFYs `payload` on the channel; a failure is the sender's to report. */
  sayHello: (payload: string) => void;
  now?: () => number;
}

export class Peers {
  private readonly now: () => number;
  private lastHeardAt = Number.NEGATIVE_INFINITY;
  private askedAt = Number.NEGATIVE_INFINITY;
  /** LISTEN sessions of this process that are connected. */
  private connected = 0;
  /** Listeners of this process that want its own notices. */
  private ownFollowers = 0;
  private held = new Map<string, { notice: EventNotice; at: number }>();
  private prunedAt = Number.NEGATIVE_INFINITY;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly options: PeersOptions) {
    this.now = options.now ?? Date.now;
  }

  /** Whether notices go out: someone else may be listening, or this process cannot tell. */
  present(): boolean {
    if (this.connected === 0 || this.ownFollowers > 0) return true;
    const now = this.now();
    return now - this.lastHeardAt < ABSENT_AFTER_MS || now - this.askedAt < ANSWER_WITHIN_MS;
  }

  /** Sends the notice, or holds it while nobody else listens. */
  announce(notice: EventNotice): void {
    if (this.present()) {
      this.release();
      this.options.send(notice);
      return;
    }
    const at = this.now();
    const known = this.held.get(notice.runId)?.notice;
    // Re-inserted so the map stays in order of last commit: the oldest are pruned from its head.
    this.held.delete(notice.runId);
    this.held.set(notice.runId, { notice: laterNotice(known, notice), at });
    // Pruned now and then, not at each notice: a Map that is deleted from and added to at every commit
    // keeps the deleted slots at its head until it rehashes, and walking them cost ~4 µs a notice.
    if (at - this.prunedAt < HOLD_MS / 10) return;
    this.prunedAt = at;
    for (const [runId, entry] of this.held) {
      if (at - entry.at <= HOLD_MS) break;
      this.held.delete(runId);
    }
  }

  /** A hello on the channel (this process's own come back too and are ignored); one that asks is answered at once. */
  heard({ origin, asks }: Hello): void {
    if (origin === this.options.origin) return;
    this.lastHeardAt = this.now();
    if (asks && this.connected > 0) this.say(false);
    this.release();
  }

  /**
   * A LISTEN session of this process is connected (at start or again after a drop, when hellos may have
   * been missed): it asks who else listens, and notifies as if they were there until they have answered.
   */
  listening(): void {
    this.connected++;
    this.askedAt = this.now();
    this.say(true);
    this.timer ??= setInterval(() => {
      if (this.connected > 0) this.say(false);
    }, HELLO_EVERY_MS).unref();
  }

  /** A LISTEN session of this process is down or stopped. */
  notListening(): void {
    this.connected--;
    this.release();
  }

  /** A listener wants this process's own notices too, until the returned function is called. */
  followOwn(): () => void {
    this.ownFollowers++;
    this.release();
    let done = false;
    return () => {
      if (!done) this.ownFollowers--;
      done = true;
    };
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private say(asks: boolean): void {
    this.options.sayHello(helloPayload({ origin: this.options.origin, asks }));
  }

  private release(): void {
    if (this.held.size === 0 || !this.present()) return;
    const held = [...this.held.values()];
    this.held.clear();
    for (const { notice } of held) this.options.send(notice);
  }
}
