/**
 * One WebSocket client of a stream: JSON messages, a heartbeat, and a bounded send buffer. A
 * client that falls further behind than the bound is closed (code 4008) rather than slowing the
 * engine or other clients; it reconnects with `since` and misses nothing.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';

export const CLOSE_TOO_SLOW = 4008;
const FLUSH_BYTES = 64 * 1024;
export const CLOSE_NOT_FOUND = 4404;
export const CLOSE_BAD_REQUEST = 4400;

export interface StreamClientOptions {
  heartbeatMs: number;
  bufferBytes: number;
}

export class StreamClient {
  private readonly heartbeat: NodeJS.Timeout;
  private readonly cleanups: (() => void)[] = [];
  private readonly bufferBytes: number;
  private open = true;
  private pending: { text: Buffer; runId: string | undefined; seq: number | undefined }[] = [];
  private pendingBytes = 0;
  /** Highest seq sent per run: tells a dropped client where to resume. */
  readonly lastSeq = new Map<string, number>();

  constructor(
    private readonly socket: WebSocket,
    options: StreamClientOptions,
    private readonly log: FastifyBaseLogger,
    /** The TCP socket under the WebSocket (the upgraded request's), to batch writes on. */
    private readonly transport?: Duplex,
  ) {
    this.bufferBytes = options.bufferBytes;
    this.heartbeat = setInterval(() => this.send({ type: 'heartbeat', timestamp: new Date().toISOString() }), options.heartbeatMs);
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
    this.sendText(Buffer.from(JSON.stringify(message)), message.run_id, message.seq);
  }

  /**
   * Sends an already serialised message (events are serialised once for all their clients).
   * Messages sent in the same burst of microtasks go out in one write: the events of a commit
   * reach a client with one syscall rather than one each (writev was a fifth of the server's time
   * with 100 clients).
   */
  sendText(text: Buffer, runId?: string, seq?: number): void {
    if (!this.open) return;
    if (this.socket.bufferedAmount + text.length > this.bufferBytes) {
      const resume = [...this.lastSeq].map(([run, last]) => `${run}:${last}`).join(',');
      this.log.info({ buffered: this.socket.bufferedAmount }, 'websocket client too slow: closing it');
      // What is still pending was never handed to the socket: dropped, and not in `resume`.
      this.pending = [];
      this.close(CLOSE_TOO_SLOW, `too slow: reconnect with since=${resume || '0'}`.slice(0, 120));
      return;
    }
    this.pending.push({ text, runId, seq });
    this.pendingBytes += text.length;
    // A replay can be large: hand it over in slices so the bound above sees real backlog.
    if (this.pendingBytes >= FLUSH_BYTES) this.flush();
    else if (this.pending.length === 1) queueMicrotask(() => this.flush());
  }

  private flush(): void {
    const batch = this.pending.splice(0);
    this.pendingBytes = 0;
    if (!this.open) return;
    // ws corks the transport around each frame; corking around the batch makes those nest.
    this.transport?.cork();
    for (const { text, runId, seq } of batch) {
      this.socket.send(text, { binary: false });
      if (runId !== undefined && seq !== undefined) this.lastSeq.set(runId, seq);
    }
    this.transport?.uncork();
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
    for (const cleanup of this.cleanups.splice(0)) cleanup();
  }
}
