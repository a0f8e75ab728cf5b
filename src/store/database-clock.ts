/**
 * The database's clock, as this process reads it. Nodes on one PostgreSQL compare times written by each other
 * (lease expiries, heartbeats, deadlines, event times), so they count on the server's clock, not their own: a node
 * 20 s ahead read every other node's lease as lapsed and took its runs, one 20 s behind lost its own and showed as
 * gone. SQLite is a file on one machine, whose clock every process shares: there the clock is the local one.
 */
import { sql } from 'kysely';
import type { BatonStore } from './types.js';

/** Differences this small (beyond half the round trip) are the readings' grain, read as none. */
const CLOCK_GRAIN_MS = 5;

export interface DatabaseClockOptions {
  /** The process's own clock (default Date.now): the database's is read as an offset from it. */
  local?: () => number;
  /** How often the offset is read again (default a minute): clocks drift, and NTP steps them. */
  resyncMs?: number;
  /** Told the offset at each reading, e.g. to warn when this machine's clock is off. */
  onOffset?: (offsetMs: number) => void;
  onError?: (error: unknown) => void;
}

export class DatabaseClock {
  private offset = 0;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  private constructor(
    private readonly store: BatonStore,
    private readonly options: DatabaseClockOptions,
  ) {}

  /** Reads the database's time once (a failure leaves the local clock, and is retried at the next reading), then every `resyncMs`. */
  static async start(store: BatonStore, options: DatabaseClockOptions = {}): Promise<DatabaseClock> {
    const clock = new DatabaseClock(store, options);
    if (store.dialect !== 'postgres') return clock;
    await clock.sync();
    clock.schedule();
    return clock;
  }

  /** Milliseconds since the epoch on the database's clock. */
  readonly now = (): number => this.local() + this.offset;

  /** How far the database's clock is ahead of this process's (negative: behind), as last read. */
  get offsetMs(): number {
    return this.offset;
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private local(): number {
    return (this.options.local ?? Date.now)();
  }

  /**
   * Three readings, the one with the shortest round trip kept (the server read its clock somewhere inside it, so
   * half of it is the reading's uncertainty). An offset within that uncertainty is read as none: on a loaded
   * machine one slow round trip made two nodes' clocks differ by half a second where they agree.
   */
  private async sync(): Promise<void> {
    try {
      const database = this.store.database();
      const query = sql<{ ms: number }>`select extract(epoch from clock_timestamp()) * 1000 as ms`.compile(database.db);
      let best: { offset: number; roundTrip: number } | undefined;
      for (let reading = 0; reading < 3; reading++) {
        const sent = this.local();
        const { rows } = await database.execute(query);
        const received = this.local();
        const ms = Number(rows[0]?.ms);
        if (!Number.isFinite(ms)) throw new Error(`the database answered its time as ${String(rows[0]?.ms)}`);
        const roundTrip = received - sent;
        if (!best || roundTrip < best.roundTrip) best = { offset: ms - (sent + received) / 2, roundTrip };
      }
      if (!best) return;
      // Date.now() counts whole milliseconds: a few of them either way is the readings' grain, not a clock apart.
      this.offset = Math.abs(best.offset) <= best.roundTrip / 2 + CLOCK_GRAIN_MS ? 0 : Math.round(best.offset);
      this.options.onOffset?.(this.offset);
    } catch (error) {
      this.options.onError?.(error);
    }
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.sync().finally(() => this.schedule()), this.options.resyncMs ?? 60_000);
    this.timer.unref();
  }
}
