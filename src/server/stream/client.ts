/**
 * One WebSocket client of a stream: JSON messages, a heartbeat, and a bounded send buffer. A
 * client that falls further behind than the bound is closed (code 4008) rather than slowing the
 * engine or other clients; it reconnects with `since` and misses nothing.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';
import { BatonError } from '../../errors/index.js';
import { textFrame } from './frame.js';

/** The run ended and its stream has sent everything (a normal close). */
export const CLOSE_NORMAL = 1000;
export const CLOSE_TOO_SLOW = 4008;
export const CLOSE_NOT_FOUND = 4404;
export const CLOSE_BAD_REQUEST = 4400;
/** The node is shutting down (SIGTERM): reconnect, through the load balancer, to another node with `since`. */
export const CLOSE_SERVICE_RESTART = 1012;
/** The token the stream was opened with was revoked (or lost the scope): reconnecting with it is refused too. */
export const CLOSE_FORBIDDEN = 4403;
/** The stream was opened without a credential while the server needed none, and it needs one now. */
export const CLOSE_UNAUTHORIZED = 4401;
/** How stale a stream's authorization may get: a revoked token's streams close within this (or the heartbeat, if shorter). */
const MAX_AUTHORIZATION_AGE_MS = 5_000;
/** A replay can be large: it is handed to the socket in slices so the bound sees real backlog. */
const FLUSH_BYTES = 64 * 1024;

/** The stream's own failure as a message (not an event: no run_id, no seq), sent before closing. */
export function errorMessage(error: unknown): { type: 'error'; error_type: string; error_message: string } {
  const baton = error instanceof BatonError ? error : new BatonError('INTERNAL_ERROR', 'stream failed');
  return { type: 'error', error_type: baton.code, error_message: baton.message };
}

export interface StreamClientOptions {
  heartbeatMs: number;
  bufferBytes: number;
  /** Whether the credential the stream was opened with still holds (the request's `stillAuthorized`); absent: nothing to revoke. */
  stillAuthorized?: (() => Promise<BatonError | null>) | null;
}

export interface Pending {
  frame: Buffer;
  runId: string | undefined;
  seq: number | undefined;
}

/** Joins a client's pending frames into one buffer; a round of flushes shares one joiner. */
export type Joiner = (batch: readonly Pending[]) => Buffer;

/**
 * The clients of a stream wait for the same frames in the same order, so the bytes joined for one
 * are usually right for the next: joined once per round, then the same buffer goes to each socket
 * in one plain write. Against a cork, a write per frame and an uncork per client (one writev), the
 * stream machinery's share shrinks: bench:ws server CPU 1.64 s instead of 1.78 s (medians of three
 * alternating runs); the syscall itself is most of what remains.
 */
export function sharedJoiner(): Joiner {
  let lastBatch: readonly Pending[] = [];
  let lastBytes = Buffer.alloc(0);
  return (batch) => {
    if (batch.length === 1) return batch[0]!.frame;
    const same = batch.length === lastBatch.length && batch.every((p, i) => p.frame === lastBatch[i]!.frame);
    if (!same) {
      lastBatch = batch;
      lastBytes = Buffer.concat(batch.map((p) => p.frame));
    }
    return lastBytes;
  };
}

/**
 * Clients with frames waiting. One flush round serves them all, queued as a microtask so it runs
 * straight after the commit that produced the frames (and after every commit settled with it):
 * waiting for the loop's next turn let other work run first and cost up to 7 ms at p99.
 */
const waiting = new Set<StreamClient>();
let roundQueued = false;

function flushSoon(client: StreamClient): void {
  waiting.add(client);
  if (roundQueued) return;
  roundQueued = true;
  queueMicrotask(() => {
    roundQueued = false;
    const clients = [...waiting];
    waiting.clear();
    const join = sharedJoiner();
    for (const client of clients) client.flush(join);
  });
}

export class StreamClient {
  private readonly heartbeat: NodeJS.Timeout;
  private readonly authorization: NodeJS.Timeout | undefined;
  private readonly cleanups: (() => void)[] = [];
  private readonly bufferBytes: number;
  private open = true;
  private pending: Pending[] = [];
  private pendingBytes = 0;
  /** Highest seq sent per run: tells a dropped client where to resume. */
  readonly lastSeq = new Map<string, number>();

  constructor(
    private readonly socket: WebSocket,
    options: StreamClientOptions,
    private readonly log: FastifyBaseLogger,
    /** The TCP socket under the WebSocket (the upgraded request's): frames are written to it. */
    private readonly transport: Duplex,
  ) {
    this.bufferBytes = options.bufferBytes;
    this.heartbeat = setInterval(() => this.send({ type: 'heartbeat', timestamp: new Date().toISOString() }), options.heartbeatMs);
    const stillAuthorized = options.stillAuthorized;
    if (stillAuthorized) {
      this.authorization = setInterval(() => this.recheck(stillAuthorized), Math.min(options.heartbeatMs, MAX_AUTHORIZATION_AGE_MS));
    }
    socket.on('close', () => this.dispose());
    socket.on('error', (error) => log.warn({ err: error }, 'websocket error'));
  }

  get isOpen(): boolean {
    return this.open;
  }

  onClose(cleanup: () => void): void {
    if (this.open) this.cleanups.push(cleanup);
    else cleanup();
  }

  send(message: { type: string; run_id?: string; seq?: number; [field: string]: unknown }): void {
    this.sendFrame(textFrame(Buffer.from(JSON.stringify(message))), message.run_id, message.seq);
  }

  /** Sends a message already framed by `textFrame` (an event is framed once for all its clients). */
  sendFrame(frame: Buffer, runId?: string, seq?: number): void {
    if (!this.open) return;
    if (this.socket.bufferedAmount + this.pendingBytes + frame.length > this.bufferBytes) {
      const resume = [...this.lastSeq].map(([run, last]) => `${run}:${last}`).join(',');
      this.log.info({ buffered: this.socket.bufferedAmount }, 'websocket client too slow: closing it');
      // What is still pending was never handed to the socket: dropped, and not in `resume`.
      this.pending = [];
      this.pendingBytes = 0;
      this.close(CLOSE_TOO_SLOW, `too slow: reconnect with since=${resume || '0'}`.slice(0, 120));
      return;
    }
    this.pending.push({ frame, runId, seq });
    this.pendingBytes += frame.length;
    if (this.pendingBytes >= FLUSH_BYTES) this.flush();
    else if (this.pending.length === 1) flushSoon(this);
  }

  /** Hands what is pending to the socket in one write (a flush round, a full slice, or a close). */
  flush(join: Joiner = sharedJoiner()): void {
    const batch = this.pending;
    if (batch.length === 0) return;
    this.pending = [];
    this.pendingBytes = 0;
    if (!this.open || this.socket.readyState !== this.socket.OPEN) return;
    // Straight to the TCP socket. ws writes its own frames (pong, close) to the same socket, in
    // call order, and no compression is negotiated, so frames never interleave;
    // `socket.bufferedAmount` still counts these bytes.
    this.transport.write(join(batch));
    for (const { runId, seq } of batch) if (runId !== undefined && seq !== undefined) this.lastSeq.set(runId, seq);
  }

  /** A revoked token loses its streams; a database that cannot answer right now does not end them. */
  private recheck(stillAuthorized: () => Promise<BatonError | null>): void {
    stillAuthorized().then(
      (refused) => {
        if (!refused || !this.open) return;
        this.send(errorMessage(refused));
        if (refused.code === 'UNAUTHORIZED') this.close(CLOSE_UNAUTHORIZED, 'a token is needed now');
        else this.close(CLOSE_FORBIDDEN, 'token revoked');
      },
      (error: unknown) => this.log.warn({ err: error }, 'could not recheck a stream token; the stream stays open'),
    );
  }

  close(code: number, reason: string): void {
    if (!this.open) return;
    this.flush();
    this.dispose();
    this.socket.close(code, reason);
  }

  private dispose(): void {
    if (!this.open) return;
    this.open = false;
    clearInterval(this.heartbeat);
    clearInterval(this.authorization);
    for (const cleanup of this.cleanups.splice(0)) cleanup();
  }
}
