/**
 * The live streams: `/ws/runs/{run_id}` (one run) and `/ws/orchestrator/{session_id}` (every run
 * of a session, including ones started later). Each replays what the client missed after
 * `since`, in order and without duplicates, then sends events as they commit.
 */
import type {} from '@fastify/websocket'; // adds the `websocket` route option to Fastify's types
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { WebSocket } from 'ws';
import type { Engine } from '../../engine/index.js';
import { BatonError } from '../../errors/index.js';
import type { EventRecord } from '../../store/index.js';
import type { ServerConfig } from '../config.js';
import { eventView } from '../views.js';
import { CLOSE_BAD_REQUEST, CLOSE_NOT_FOUND, errorMessage, StreamClient } from './client.js';
import { SessionFeeds } from './session-feed.js';
import { textFrame } from './frame.js';
import { parseSince, sinceFor, type Since } from './since.js';

/** How long to wait for a first message carrying `since` when the URL has none. */
const FIRST_MESSAGE_GRACE_MS = 200;

function whenSinceKnown(socket: WebSocket, request: FastifyRequest, start: (since: Since) => void, reject: (reason: string) => void): void {
  const fromQuery = (request.query as Record<string, unknown>).since;
  if (fromQuery !== undefined) {
    const since = parseSince(fromQuery);
    if (since) start(since);
    else reject('since must be a sequence number or run:seq pairs');
    return;
  }
  const timer = setTimeout(() => start({ all: 0 }), FIRST_MESSAGE_GRACE_MS);
  socket.once('message', (data: Buffer) => {
    clearTimeout(timer);
    let message: unknown;
    try {
      message = JSON.parse(data.toString());
    } catch {
      message = undefined;
    }
    const raw = typeof message === 'object' && message !== null && 'since' in message ? (message).since : undefined;
    const since = raw === undefined ? undefined : parseSince(raw);
    if (since) start(since);
    else reject('the first message may only be {"since": <seq>} or {"since": {"<run>": <seq>}}');
  });
}

export function streamRoutes(engine: Engine, config: ServerConfig) {
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

  return (app: FastifyInstance): Promise<void> => {
    app.get('/ws/runs/:run_id', { websocket: true, schema: { hide: true } }, (socket, request) => {
      const client = new StreamClient(socket, clientOptions, request.log, request.raw.socket);
      const runId = (request.params as { run_id: string }).run_id;
      whenSinceKnown(
        socket,
        request,
        (since) => {
          engine.follow(runId, sinceFor(since, runId), (event) => forward(client, event)).then(
            (subscription) => client.onClose(() => subscription.unsubscribe()),
            (error: unknown) => {
              client.send(errorMessage(error));
              client.close(error instanceof BatonError && error.code === 'NOT_FOUND' ? CLOSE_NOT_FOUND : 1011, 'cannot follow this run');
            },
          );
        },
        (reason) => client.close(CLOSE_BAD_REQUEST, reason),
      );
    });

    app.get('/ws/orchestrator/:session_id', { websocket: true, schema: { hide: true } }, (socket, request) => {
      const client = new StreamClient(socket, clientOptions, request.log, request.raw.socket);
      const sessionId = (request.params as { session_id: string }).session_id;
      whenSinceKnown(
        socket,
        request,
        (since) => sessions.join(sessionId, client, since),
        (reason) => client.close(CLOSE_BAD_REQUEST, reason),
      );
    });
    return Promise.resolve();
  };
}
