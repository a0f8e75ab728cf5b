/**
 * A run's event log, live: replays from the start, then follows the WebSocket. A dropped
 * connection is reopened with `since=<last seq seen>` (backing off up to 5 s), so the server
 * replays exactly what was missed; the state says "reconnecting" meanwhile. Events are kept in
 * seq order, each once: a repeat is ignored and a gap reopens the stream from the last good seq.
 */
import { useEffect, useRef, useState } from 'react';
import { api, ApiError, runStreamUrl } from '../api/client';
import { streamError } from '../../../src/server/schemas.js';
import { RunEvent } from '../api/schemas';

export type StreamState = 'connecting' | 'live' | 'reconnecting' | 'failed';

export interface RunStream {
  events: RunEvent[];
  state: StreamState;
  /** Why the stream failed for good (unknown run, refused token), or why the last connection closed. */
  problem: string | null;
  reconnects: number;
}

const BACKOFF_MS = [250, 500, 1000, 2000, 5000];
/** Close codes after which reconnecting cannot help (docs/STREAMS.md). */
const FINAL_CLOSES: Record<number, string> = { 4400: 'the stream refused the resume point', 4404: 'no such run' };

export function useRunStream(runId: string): RunStream {
  const [stream, setStream] = useState<RunStream>({ events: [], state: 'connecting', problem: null, reconnects: 0 });
  const eventsRef = useRef<RunEvent[]>([]);

  useEffect(() => {
    let socket: WebSocket | null = null;
    let stopped = false;
    let attempt = 0;
    let retryTimer: ReturnType<typeof setTimeout> | undefined;
    let flushTimer: ReturnType<typeof setTimeout> | undefined;
    eventsRef.current = [];
    setStream({ events: [], state: 'connecting', problem: null, reconnects: 0 });

    const lastSeq = () => eventsRef.current.at(-1)?.seq ?? 0;
    // A burst of events renders once.
    const flush = () => {
      flushTimer = undefined;
      const events = eventsRef.current;
      setStream((s) => ({ ...s, events }));
    };
    const scheduleFlush = () => {
      flushTimer ??= setTimeout(flush, 30);
    };

    const update = (patch: Partial<RunStream>) => setStream((s) => ({ ...s, ...patch }));

    const scheduleReconnect = (problem: string) => {
      if (stopped) return;
      const delay = BACKOFF_MS[Math.min(attempt, BACKOFF_MS.length - 1)] ?? 5000;
      attempt += 1;
      setStream((s) => ({ ...s, state: 'reconnecting', problem, reconnects: s.reconnects + 1 }));
      retryTimer = setTimeout(connect, delay);
      // A refused upgrade looks like any dropped connection to a browser: ask over HTTP, which
      // says 401/403 (and prompts for the token) or 404 for a run that does not exist.
      if (attempt >= 2) {
        api.run(runId).catch((error: unknown) => {
          if (error instanceof ApiError && error.status === 404) fail(error.message);
        });
      }
    };

    const fail = (problem: string) => {
      stopped = true;
      clearTimeout(retryTimer);
      socket?.close();
      update({ state: 'failed', problem });
    };

    const receive = (raw: unknown) => {
      if (typeof raw !== 'string') return;
      let message: unknown;
      try {
        message = JSON.parse(raw);
      } catch {
        return;
      }
      const parsed = RunEvent.safeParse(message);
      if (!parsed.success) {
        const failure = streamError.safeParse(message);
        if (failure.success) update({ problem: failure.data.error_message });
        return; // heartbeats and other stream messages
      }
      const event = parsed.data;
      const last = lastSeq();
      if (event.seq <= last) return;
      if (event.seq !== last + 1) {
        // Never expected (the server replays in order): resume from what we have.
        socket?.close(4000, 'gap');
        return;
      }
      eventsRef.current = [...eventsRef.current, event];
      scheduleFlush();
    };

    function connect() {
      if (stopped) return;
      const ws = new WebSocket(runStreamUrl(runId, lastSeq()));
      socket = ws;
      ws.onopen = () => {
        attempt = 0;
        update({ state: 'live', problem: null });
      };
      ws.onmessage = (message) => receive(message.data);
      ws.onclose = (close) => {
        if (socket !== ws) return;
        socket = null;
        const final = FINAL_CLOSES[close.code];
        if (final) fail(close.reason || final);
        else scheduleReconnect(close.reason || `connection closed (${close.code})`);
      };
    }

    connect();
    return () => {
      stopped = true;
      clearTimeout(retryTimer);
      clearTimeout(flushTimer);
      const ws = socket;
      socket = null;
      ws?.close(1000, 'page left');
    };
  }, [runId]);

  return stream;
}
