/**
 * The live streams: `/ws/runs/{run_id}` (one run) and `/ws/orchestrator/{session_id}` (every run
 * of a session, including ones started later). Each replays what the client missed after
 * `since`, in order and without duplicates, then sends events as they commit.
 */
import type {} from '@fastify/websocket'; // adds the `websocket` route option to Fastify's types
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { WebSocket } from 'ws';
import { FINISHED_STATES, type Engine } from '../../engine/index.js';
import { BatonError } from '../../errors/index.js';
import type { EventRecord } from '../../store/index.js';
import type { ServerConfig } from '../config.js';
import { eventView } from '../views.js';
import { CLOSE_BAD_REQUEST, CLOSE_NORMAL, CLOSE_NOT_FOUND, CLOSE_SERVICE_RESTART, errorMessage, StreamClient } from './client.js';
import { SessionFeeds } from './session-feed.js';
import { textFrame } from './frame.js';
import { parseSince, sameSince, sinceFor, type Since } from './since.js';

/** How long to wait for a first message carrying `since` when the URL has none. */
const FIRST_MESSAGE_GRACE_MS = 200;

const describeSince = (since: Since): string => ('all' in since ? String(since.all) : [...since.perRun].map(([run, seq]) => `${run}:${seq}`).join(','));

function readSince(data: Buffer): Since | undefined {
  let message: unknown;
  try {
    message = JSON.parse(data.toString());
  } catch {
    return undefined;
  }
  const raw = typeof message === 'object' && message !== null && 'since' in message ? message.since : undefined;
  return raw === undefined ? undefined : parseSince(raw);
}

/**
 * Starts the stream once, from the URL's `since`, the client's first message, or 0 when no message
 * came within the grace period. A message after the start never starts it again (a second follower
 * sent every event twice): one repeating the start is ignored, as the client already gets what it
 * asked for; any other is refused, rather than leaving the client believing it resumed where it asked.
 */
function whenSinceKnown(socket: WebSocket, request: FastifyRequest, start: (since: Since) => void, refuse: (message: string) => void): void {
  let started: Since | undefined;
  let refused = false;
  const reject = (message: string) => {
    refused = true;
    refuse(message);
  };
  const begin = (since: Since) => {
    started = since;
    start(since);
  };
  const fromQuery = (request.query as Record<string, unknown>).since;
  let timer: NodeJS.Timeout | undefined;
  if (fromQuery === undefined) {
    timer = setTimeout(() => begin({ all: 0 }), FIRST_MESSAGE_GRACE_MS);
    socket.once('close', () => clearTimeout(timer));
  } else {
    const since = parseSince(fromQuery);
    if (!since) return reject('since must be a sequence number or run:seq pairs');
    begin(since);
  }
  socket.on('message', (data: Buffer) => {
    if (refused) return; // closing already
    const since = readSince(data);
    if (started === undefined) {
      clearTimeout(timer);
      if (since) begin(since);
      else reject('the first message may only be {"since": <seq>} or {"since": {"<run>": <seq>}}');
    } else if (!since) {
      reject(`the stream started from since=${describeSince(started)} and takes no further messages`);
    } else if (!sameSince(since, started)) {
      const why = fromQuery === undefined ? `no message came within ${FIRST_MESSAGE_GRACE_MS} ms` : 'the URL named it';
      reject(
        `since=${describeSince(since)} came after the stream started from since=${describeSince(started)} (${why}): reconnect with ?since=${describeSince(since)}`,
      );
    }
  });
}

/** A client's bad `since`: said in full as an error message, then the close (whose reason is capped at 123 bytes). */
function refuse(client: StreamClient, message: string): void {
  client.send(errorMessage(new BatonError('BAD_REQUEST', message)));
  let reason = message.slice(0, 120);
  while (Buffer.byteLength(reason) > 120) reason = reason.slice(0, -1);
  client.close(CLOSE_BAD_REQUEST, reason);
}

/**
 * The streams open on this server. When it closes (SIGTERM) each is closed with 1012 (service restart), telling its
 * client to reconnect at once, through the load balancer to another node, with `since`. The hook closing them must
 * be added before the WebSocket plugin's own, which closes every socket without a code (received as 1005, which
 * says nothing): preClose hooks run in the order they were added.
 */
export class OpenStreams {
  private readonly clients = new Set<StreamClient>();

  add(client: StreamClient): void {
    this.clients.add(client);
  }

  delete(client: StreamClient): void {
    this.clients.delete(client);
  }

  closeAll(): void {
    for (const client of [...this.clients]) client.close(CLOSE_SERVICE_RESTART, 'node shutting down: reconnect with since');
  }
}

export function streamRoutes(engine: Engine, config: ServerConfig, open: OpenStreams) {
  const clientOptions = { heartbeatMs: config.heartbeatMs, bufferBytes: config.wsBufferBytes };
  // Every client of an event gets the same bytes: serialised and framed once (the hub hands each
  // follower the same record), rather than once per client.
  const framed = new WeakMap<EventRecord, Buffer>();
  const frameOf = (event: EventRecord): Buffer => {
    let frame = framed.get(event);
    if (frame === undefined) framed.set(event, (frame = textFrame(Buffer.from(JSON.stringify(eventView(event))))));
    return frame;
  };
  const forward = (client: StreamClient, event: EventRecord) => client.sendFrame(frameOf(event), event.runId, event.seq);
  const sessions = new SessionFeeds(engine, forward);

  const opened = (socket: WebSocket, request: FastifyRequest): StreamClient => {
    const client = new StreamClient(socket, { ...clientOptions, stillAuthorized: request.stillAuthorized }, request.log, request.raw.socket);
    open.add(client);
    client.onClose(() => open.delete(client));
    return client;
  };

  return (app: FastifyInstance): Promise<void> => {
    const runStream = (socket: WebSocket, request: FastifyRequest, runId: string) => {
      const client = opened(socket, request);
      // After the run's final event the stream closes normally; a reconnect with `since` replays
      // what it missed and closes again. A failed run that is retried later goes on past its first
      // `workflow_complete`, so the close waits until that event is the run's last.
      const closeIfFinal = (event: EventRecord) =>
        void engine.status(runId).then(
          (status) => {
            if (status.lastSeq <= event.seq && FINISHED_STATES.includes(status.state)) client.close(CLOSE_NORMAL, `the run ended ${status.state}`);
          },
          () => undefined,
        );
      whenSinceKnown(
        socket,
        request,
        (since) => {
          const deliver = (event: EventRecord) => {
            forward(client, event);
            if (event.type === 'workflow_complete') closeIfFinal(event);
          };
          const from = sinceFor(since, runId);
          engine.follow(runId, from, deliver).then(
            (subscription) => {
              client.onClose(() => subscription.unsubscribe());
              // A reconnect to a finished run with nothing left to replay (since = its last seq) closes at once,
              // as the replay of its final event would have: waiting for an event that never comes left it open.
              // From 0 the replay holds the final event, so a first connection costs no extra read.
              if (from === 0) return;
              void engine.status(runId).then(
                (status) => {
                  if (status.lastSeq <= from && FINISHED_STATES.includes(status.state)) client.close(CLOSE_NORMAL, `the run ended ${status.state}`);
                },
                () => undefined,
              );
            },
            (error: unknown) => {
              client.send(errorMessage(error));
              client.close(error instanceof BatonError && error.code === 'NOT_FOUND' ? CLOSE_NOT_FOUND : 1011, 'cannot follow this run');
            },
          );
        },
        (message) => refuse(client, message),
      );
    };
    app.get('/ws/runs/:run_id', { websocket: true, schema: { hide: true } }, (socket, request) =>
      runStream(socket, request, (request.params as { run_id: string }).run_id),
    );
    // The seed specification's path for the same stream.
    app.get('/api/workflows/:workflow_id/stream', { websocket: true, schema: { hide: true } }, (socket, request) =>
      runStream(socket, request, (request.params as { workflow_id: string }).workflow_id),
    );

    app.get('/ws/orchestrator/:session_id', { websocket: true, schema: { hide: true } }, (socket, request) => {
      const client = opened(socket, request);
      const sessionId = (request.params as { session_id: string }).session_id;
      whenSinceKnown(
        socket,
        request,
        (since) => sessions.join(sessionId, client, since),
        (message) => refuse(client, message),
      );
    });
    return Promise.resolve();
  };
}
