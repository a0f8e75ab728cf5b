/**
 * `baton runs` against a server (--url): the HTTP API for reads and actions, the run's WebSocket
 * stream for `watch`, reconnecting from the last event seen when the connection drops.
 */
import WebSocket from 'ws';
import { BatonError, ERROR_CODES, type ErrorCode } from '../../errors/index.js';
import type { EventView, ListFilter, Note, Resolution, RunsBackend, RunView, WeeklyActualsBody } from './backend.js';

/** Close codes the stream uses for requests that cannot succeed on a retry (docs/STREAMS.md). */
const CLOSE_BAD_REQUEST = 4400;
const CLOSE_NOT_FOUND = 4404;
const FIRST_RETRY_MS = 200;
const MAX_RETRY_MS = 2000;
const PAGE = 500;

export interface RemoteOptions {
  url: string;
  token?: string | undefined;
  /** How long `follow` keeps trying to reconnect before it gives up (default 60 s). */
  reconnectMs?: number;
}

const isErrorCode = (code: unknown): code is ErrorCode => typeof code === 'string' && code in ERROR_CODES;

/** A server's error body as the same BatonError the database backend would have thrown. */
function errorFromBody(status: number, body: unknown, what: string): BatonError {
  if (typeof body === 'object' && body !== null && 'error_type' in body && isErrorCode(body.error_type)) {
    const b = body as { error_type: ErrorCode; message?: unknown; details?: unknown; suggestions?: unknown; request_id?: unknown };
    const details = typeof b.details === 'object' && b.details !== null ? (b.details as Record<string, unknown>) : {};
    return new BatonError(b.error_type, typeof b.message === 'string' ? b.message : `${what} failed with HTTP ${status}`, {
      details: typeof b.request_id === 'string' ? { ...details, request_id: b.request_id } : details,
      suggestions: Array.isArray(b.suggestions) ? b.suggestions.filter((s): s is string => typeof s === 'string') : [],
    });
  }
  const code: ErrorCode =
    status === 401
      ? 'UNAUTHORIZED'
      : status === 403
        ? 'FORBIDDEN'
        : status === 404
          ? 'NOT_FOUND'
          : status === 409
            ? 'CONFLICT'
            : status >= 500
              ? 'UPSTREAM_UNAVAILABLE'
              : 'BAD_REQUEST';
  return new BatonError(code, `${what} failed with HTTP ${status}${typeof body === 'string' && body !== '' ? `: ${body.slice(0, 200)}` : ''}`, {
    details: { status },
  });
}

const unreachable = (base: string, error: unknown): BatonError =>
  new BatonError(
    'UPSTREAM_UNAVAILABLE',
    `cannot reach the server at ${base}: ${error instanceof Error ? ((error.cause as Error | undefined)?.message ?? error.message) : String(error)}`,
    {
      details: { url: base },
      suggestions: ['check --url, and that `baton serve` runs there', 'or work on the database directly: --db <file> or DATABASE_URL'],
      retryable: true,
    },
  );

export class RemoteBackend implements RunsBackend {
  readonly kind = 'server' as const;
  readonly describe: string;
  private readonly base: string;
  private readonly headers: Record<string, string>;
  private readonly reconnectMs: number;

  constructor(options: RemoteOptions) {
    let url: URL;
    try {
      url = new URL(options.url);
    } catch {
      throw new BatonError('BAD_REQUEST', `--url "${options.url}" is not a URL`, { suggestions: ['e.g. --url http://127.0.0.1:8000'] });
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new BatonError('BAD_REQUEST', `--url must be http:// or https://, not ${url.protocol}`);
    this.base = url.toString().replace(/\/+$/, '');
    this.describe = `server ${this.base}`;
    this.headers = options.token ? { authorization: `Bearer ${options.token}` } : {};
    this.reconnectMs = options.reconnectMs ?? 60_000;
  }

  private async call<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    let response: Response;
    try {
      response = await fetch(`${this.base}${path}`, {
        method,
        headers: body === undefined ? this.headers : { ...this.headers, 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    } catch (error) {
      throw unreachable(this.base, error);
    }
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON: the status says what happened
    }
    if (!response.ok) throw errorFromBody(response.status, parsed, `${method} ${path}`);
    return parsed as T;
  }

  private run(runId: string): string {
    return `/api/runs/${encodeURIComponent(runId)}`;
  }

  async list(filter: ListFilter) {
    const query = new URLSearchParams({ limit: String(filter.limit), offset: String(filter.offset) });
    if (filter.workflow !== undefined) query.set('workflow', filter.workflow);
    if (filter.state !== undefined) query.set('state', filter.state);
    if (filter.sessionId !== undefined) query.set('session_id', filter.sessionId);
    const { runs, total } = await this.call<{ runs: RunView[]; total: number }>('GET', `/api/runs?${query.toString()}`);
    return { runs, total };
  }

  status(runId: string): Promise<RunView> {
    return this.call('GET', this.run(runId));
  }

  async events(runId: string, since: number, limit: number): Promise<EventView[]> {
    const out: EventView[] = [];
    let after = since;
    // The API pages at most 10,000 events a call; the CLI asks in pages of PAGE.
    while (out.length < limit) {
      const want = Math.min(PAGE, limit - out.length);
      const { events } = await this.call<{ events: EventView[] }>('GET', `${this.run(runId)}/events?since=${after}&limit=${want}`);
      out.push(...events);
      if (events.length < want) break;
      after = events.at(-1)!.seq;
    }
    return out;
  }

  resolve(runId: string, waitId: string, resolution: Resolution): Promise<RunView> {
    return this.call('POST', `${this.run(runId)}/approvals/${encodeURIComponent(waitId)}`, resolution);
  }

  postActuals(runId: string, actuals: WeeklyActualsBody): Promise<RunView> {
    return this.call('POST', `${this.run(runId)}/actuals`, actuals);
  }

  cancel(runId: string, reason?: string): Promise<RunView> {
    return this.call('POST', `${this.run(runId)}/cancel`, reason === undefined ? {} : { reason });
  }

  retry(runId: string): Promise<RunView> {
    return this.call('POST', `${this.run(runId)}/retry`);
  }

  rollback(runId: string, toPhase: string, reason?: string): Promise<RunView> {
    return this.call('POST', `${this.run(runId)}/rollback`, { to_phase: toPhase, ...(reason === undefined ? {} : { reason }) });
  }

  /** Nothing held between calls: each request and stream closes its own connection. */
  close(): Promise<void> {
    return Promise.resolve();
  }

  async settle(runId: string, timeoutMs: number): Promise<RunView> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const status = await this.status(runId);
      if (status.state !== 'running' || Date.now() >= until) return status;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  /** One stream after another from the last seq delivered, until `onEvent` says stop or the server refuses for good. */
  async follow(runId: string, since: number, onEvent: (event: EventView) => boolean, note: Note): Promise<void> {
    let last = since;
    let lostAt: number | undefined;
    let delay = FIRST_RETRY_MS;
    for (;;) {
      const opened = () => {
        lostAt = undefined;
        delay = FIRST_RETRY_MS;
      };
      const outcome = await this.streamOnce(runId, last, opened, (event) => {
        if (event.seq <= last) return 'skip'; // already shown: never twice
        if (event.seq !== last + 1) return 'gap'; // never expected; reconnecting from `last` fills it
        last = event.seq;
        return onEvent(event) ? 'stop' : 'next';
      });
      if (outcome.kind === 'done') return;
      if (outcome.kind === 'fatal') throw outcome.error;
      lostAt ??= Date.now();
      if (Date.now() - lostAt > this.reconnectMs) {
        throw new BatonError(
          'UPSTREAM_UNAVAILABLE',
          `lost the stream of run ${runId} and could not reconnect for ${Math.round(this.reconnectMs / 1000)} s (${outcome.reason})`,
          {
            details: { run_id: runId, last_seq: last },
            suggestions: [`resume with: baton runs watch ${runId} --since ${last}`],
            retryable: true,
          },
        );
      }
      note(`connection lost (${outcome.reason}); reconnecting from seq ${last}…`);
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(delay * 2, MAX_RETRY_MS);
    }
  }

  private streamOnce(
    runId: string,
    since: number,
    opened: () => void,
    offer: (event: EventView) => 'skip' | 'gap' | 'next' | 'stop',
  ): Promise<{ kind: 'done' } | { kind: 'dropped'; reason: string } | { kind: 'fatal'; error: BatonError }> {
    const url = `${this.base.replace(/^http/, 'ws')}/ws/runs/${encodeURIComponent(runId)}?since=${since}`;
    return new Promise((resolve) => {
      let settled = false;
      let serverError: BatonError | undefined;
      const finish = (outcome: { kind: 'done' } | { kind: 'dropped'; reason: string } | { kind: 'fatal'; error: BatonError }) => {
        if (settled) return;
        settled = true;
        resolve(outcome);
      };
      const socket = new WebSocket(url, { headers: this.headers });
      socket.on('open', opened);
      socket.on('unexpected-response', (_request, response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('end', () => {
          let body: unknown = text;
          try {
            body = JSON.parse(text);
          } catch {
            // not JSON
          }
          const error = errorFromBody(response.statusCode ?? 0, body, `stream of run ${runId}`);
          // Over a limit or the server busy: worth another try; anything else (auth, not found) is final.
          if (response.statusCode === 429 || response.statusCode === 503) finish({ kind: 'dropped', reason: `HTTP ${response.statusCode}` });
          else finish({ kind: 'fatal', error });
        });
        socket.terminate();
      });
      socket.on('message', (data: Buffer) => {
        if (settled) return;
        let message: Record<string, unknown>;
        try {
          message = JSON.parse(data.toString()) as Record<string, unknown>;
        } catch {
          return;
        }
        if (typeof message.seq !== 'number') {
          if (message.type === 'error' && isErrorCode(message.error_type))
            serverError = new BatonError(message.error_type, typeof message.error_message === 'string' ? message.error_message : 'the stream failed');
          return; // heartbeats and the like
        }
        const verdict = offer(message as EventView);
        if (verdict === 'stop') {
          finish({ kind: 'done' });
          socket.close(1000);
        } else if (verdict === 'gap') {
          finish({ kind: 'dropped', reason: `an event after seq ${since} went missing` });
          socket.terminate();
        }
      });
      socket.on('error', (error) => {
        if (!settled && socket.readyState !== WebSocket.OPEN) finish({ kind: 'dropped', reason: error.message || 'connection refused' });
      });
      socket.on('close', (code, reason) => {
        if (code === CLOSE_NOT_FOUND) finish({ kind: 'fatal', error: serverError ?? new BatonError('NOT_FOUND', `run "${runId}" does not exist`) });
        else if (code === CLOSE_BAD_REQUEST)
          finish({ kind: 'fatal', error: serverError ?? new BatonError('BAD_REQUEST', reason.toString() || 'the server refused the stream') });
        else finish({ kind: 'dropped', reason: `closed with code ${code}${reason.length > 0 ? `: ${reason.toString()}` : ''}` });
      });
    });
  }
}
