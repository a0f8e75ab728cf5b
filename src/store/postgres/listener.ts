/**
 * The LISTEN session that hears other processes' commits. A dropped connection (a PostgreSQL
 * restart, an idle timeout, pg_terminate_backend) is never fatal: it is logged and re-established
 * with backoff, and the owner is told to re-read what it follows, since notices sent meanwhile
 * are lost.
 */
import type pg from 'pg';
import type { EventNotice } from '../types.js';
import { CHANNEL, decodeNotices, notifyOnlySql } from './notifier.js';
import { helloFrom, type Hello } from './peers.js';

const FIRST_RETRY_MS = 100;
const MAX_RETRY_MS = 5_000;
/**
 * How often followers re-read the store even though the connection held: a notice can be lost
 * without the connection dropping (its sender died between its commit and its NOTIFY), and if that
 * was a run's last event nothing later would bring followers up to date. Each follower's re-read is
 * one query that finds nothing when nothing was missed.
 */
export const RESYNC_EVERY_MS = 5_000;

export interface ListenerOptions {
  client: () => pg.Client;
  onNotice: (notice: EventNotice) => void;
  /** After a reconnect: notices may have been missed, so followers should read the store again. */
  onResync?: () => void;
  /** A failure, never fatal, with what it means for this node (`what`), for the log. */
  onError: (error: unknown, what: string) => void;
  /** Another (or this) process said hello on the channel (peers.ts). */
  onHello?: (hello: Hello) => void;
  /** The session is listening (at start and after each reconnect), or no longer is. */
  onListening?: (listening: boolean) => void;
  /** Periodic resync interval (default RESYNC_EVERY_MS). */
  resyncEveryMs?: number;
}

export class Listener {
  private client: pg.Client | undefined;
  private stopped = false;
  private retryMs = FIRST_RETRY_MS;
  private retry: NodeJS.Timeout | undefined;
  private resyncing: NodeJS.Timeout | undefined;

  constructor(private readonly options: ListenerOptions) {}

  /** Connects and listens; the first connection's failure is the caller's (a wrong URL should say so at start). */
  async start(): Promise<void> {
    await this.connect();
    if (this.options.onResync) {
      const onResync = this.options.onResync;
      // Only while connected: a reconnect resyncs by itself.
      this.resyncing = setInterval(() => {
        if (this.client) onResync();
      }, this.options.resyncEveryMs ?? RESYNC_EVERY_MS);
      this.resyncing.unref();
    }
  }

  /**
   * NOTIFYs `payload` on this session's own connection (a hello: peers.ts), so it never waits behind a
   * busy pool's queue; false when not connected. A failure is told to onError, never thrown.
   */
  say(payload: string): boolean {
    const client = this.client;
    if (!client) return false;
    client.query(notifyOnlySql(1), [CHANNEL, payload]).catch((error: unknown) => {
      // The connection itself may be fine (a lost one is reported by its own 'error' or 'end').
      if (this.client === client) this.options.onError(error, 'a hello on the LISTEN connection failed; other nodes may count this one gone until the next');
    });
    return true;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retry);
    clearInterval(this.resyncing);
    const client = this.client;
    this.client = undefined;
    if (client) this.options.onListening?.(false);
    await client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    const client = this.options.client();
    // Without an 'error' listener a dropped connection is an uncaught exception that ends the process.
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client, undefined));
    client.on('notification', (message) => {
      const hello = helloFrom(message.payload);
      if (hello === undefined) decodeNotices(message.payload).forEach(this.options.onNotice);
      else this.options.onHello?.(hello);
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANNEL}`);
    } catch (error) {
      client.removeAllListeners('end');
      await client.end().catch(() => undefined);
      throw error;
    }
    if (this.stopped) {
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
    this.retryMs = FIRST_RETRY_MS;
    this.options.onListening?.(true);
  }

  private lost(client: pg.Client, error: unknown): void {
    if (this.stopped || this.client !== client) return;
    this.client = undefined;
    this.options.onListening?.(false);
    client.removeAllListeners('end');
    void client.end().catch(() => undefined);
    this.options.onError(error ?? new Error('the LISTEN connection ended'), `LISTEN connection lost; reconnecting in ${this.retryMs} ms`);
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.stopped) return;
    const delay = this.retryMs;
    this.retryMs = Math.min(MAX_RETRY_MS, this.retryMs * 2);
    this.retry = setTimeout(() => {
      this.connect().then(
        () => this.options.onResync?.(),
        (error: unknown) => {
          this.options.onError(error, `LISTEN reconnect failed; retrying in ${this.retryMs} ms`);
          this.scheduleReconnect();
        },
      );
    }, delay);
    this.retry.unref();
  }
}
