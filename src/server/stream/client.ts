/**
 * One WebSocket client of a stream: JSON messages, a heartbeat, and a bounded send buffer. A
 * client that falls further behind than the bound is closed (code 4008) rather than slowing the
 * engine or other clients; it reconnects with `since` and misses nothing.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { WebSocket } from 'ws';

export const CLOSE_TOO_SLOW = 4008;
export const CLOSE_NOT_FOUND = 4404;
export const CLOSE_BAD_REQUEST = 4400;

export interface StreamClientOptions {
  heartbeatMs: number;
  bufferBytes: number;
}

export class StreamClient {
  private readonly heartbeat: NodeJS.Timeout;
  private readonly cleanups: (() => void)[] = [];
  private open = true;
  /** Highest seq sent per run: tells a dropped client where to resume. */
  readonly lastSeq = new Map<string, number>();

  constructor(
    private readonly socket: WebSocket,
    options: StreamClientOptions,
    private readonly log: FastifyBaseLogger,
    private readonly bufferBytes = options.bufferBytes,
  ) {
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
    this.sendText(JSON.stringify(message), message.run_id, message.seq);
  }

  /** Sends an already serialised message (events are serialised once for all their clients). */
  sendText(text: string, runId?: string, seq?: number): void {
    if (!this.open) return;
    if (this.socket.bufferedAmount + text.length > this.bufferBytes) {
      const resume = [...this.lastSeq].map(([run, last]) => `${run}:${last}`).join(',');
      this.log.info({ buffered: this.socket.bufferedAmount }, 'websocket client too slow: closing it');
      this.close(CLOSE_TOO_SLOW, `too slow: reconnect with since=${resume || '0'}`.slice(0, 120));
      return;
    }
    this.socket.send(text);
    if (runId !== undefined && seq !== undefined) this.lastSeq.set(runId, seq);
  }

  close(code: number, reason: string): void {
    if (!this.open) return;
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
