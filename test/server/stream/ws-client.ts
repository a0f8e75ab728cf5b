/** A real WebSocket client for tests: collects messages and waits for the ones a test expects. */
import type { IncomingHttpHeaders } from 'node:http';
import WebSocket from 'ws';

export interface Message {
  type: string;
  run_id?: string;
  seq?: number;
  [field: string]: unknown;
}

/** The server answered the upgrade over HTTP instead of switching protocols. */
export class UpgradeRefused extends Error {
  readonly body: unknown;
  constructor(
    readonly status: number,
    readonly headers: IncomingHttpHeaders,
    text: string,
  ) {
    super(`upgrade refused: ${status}`);
    try {
      this.body = JSON.parse(text);
    } catch {
      this.body = text;
    }
  }
}

export class TestClient {
  readonly messages: Message[] = [];
  closed: { code: number; reason: string } | undefined;
  private waiters: (() => void)[] = [];

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data: Buffer) => {
      this.messages.push(JSON.parse(data.toString()) as Message);
      this.wake();
    });
    socket.on('close', (code, reason) => {
      this.closed = { code, reason: reason.toString() };
      this.wake();
    });
  }

  /** Opens a stream; a refused upgrade rejects with an `UpgradeRefused` carrying the HTTP answer. */
  static connect(url: string, headers: Record<string, string> = {}, options: { localAddress?: string } = {}): Promise<TestClient> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url, { headers, ...options });
      const client = new TestClient(socket);
      socket.once('open', () => resolve(client));
      socket.once('unexpected-response', (request, response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        const refused = () => {
          request.destroy(); // otherwise the refused connection stays open and holds the server
          reject(new UpgradeRefused(response.statusCode ?? 0, response.headers, Buffer.concat(chunks).toString()));
        };
        response.once('end', refused);
        response.once('close', refused); // the server may drop the socket before the body's end is read
      });
      socket.once('error', reject);
    });
  }

  events(): Message[] {
    return this.messages.filter((m) => m.type !== 'heartbeat');
  }

  /** Resolves once `predicate` holds for the messages so far (or rejects after `timeoutMs`). */
  async until(predicate: (messages: Message[]) => boolean, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate(this.messages)) {
      if (Date.now() > deadline) throw new Error(`timed out; got ${this.messages.map((m) => m.type).join(', ')}`);
      if (this.closed && !predicate(this.messages)) throw new Error(`closed (${this.closed.code} ${this.closed.reason}) before the condition held`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 50);
      });
    }
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      this.socket.once('close', () => resolve());
      this.socket.close();
    });
  }

  private wake(): void {
    for (const waiter of this.waiters.splice(0)) waiter();
  }
}

export const seqsOf = (messages: Message[], runId: string): number[] => messages.filter((m) => m.run_id === runId).map((m) => m.seq ?? -1);
export const consecutive = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);
