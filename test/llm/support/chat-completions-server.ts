/**
 * A real HTTP server on an ephemeral port that speaks the OpenAI chat-completions protocol, so
 * the real `openai` client runs end to end. Each test says how it answers; every request is kept.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import type { LlmSettings } from '../../../src/llm/index.js';

export interface ReceivedRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: { model?: string; messages?: { role: string; content: string }[]; response_format?: { type: string } } & Record<string, unknown>;
}

/** What the server does with one request: answer with content, fail with a status, or never answer. */
export type Behaviour = { content: string } | { status: number; error: string } | { hang: true };

export interface ChatCompletionsServer {
  url: string;
  requests: ReceivedRequest[];
  answer: (behaviour: Behaviour | ((request: ReceivedRequest) => Behaviour)) => void;
  close: () => Promise<void>;
}

export async function startChatCompletionsServer(): Promise<ChatCompletionsServer> {
  const requests: ReceivedRequest[] = [];
  let decide: (request: ReceivedRequest) => Behaviour = () => ({ status: 500, error: 'no answer configured' });
  const server: Server = createServer((req, res) => {
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (raw += chunk));
    req.on('end', () => {
      const request: ReceivedRequest = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: raw ? (JSON.parse(raw) as ReceivedRequest['body']) : {},
      };
      requests.push(request);
      respond(res, request, decide(request));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    answer: (behaviour) => {
      decide = typeof behaviour === 'function' ? behaviour : () => behaviour;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

let completionSeq = 1;

function respond(res: ServerResponse, request: ReceivedRequest, behaviour: Behaviour): void {
  if ('hang' in behaviour) return; // the client's timeout has to end this one
  if (!request.url.endsWith('/chat/completions') && !request.url.includes('/chat/completions?')) {
    res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: `no route ${request.url}` } }));
    return;
  }
  if ('status' in behaviour) {
    res.writeHead(behaviour.status, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: behaviour.error, type: 'server_error' } }));
    return;
  }
  res.writeHead(200, { 'content-type': 'application/json' }).end(
    JSON.stringify({
      id: `chatcmpl-${completionSeq++}`,
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model: request.body.model ?? 'unknown',
      choices: [{ index: 0, message: { role: 'assistant', content: behaviour.content }, finish_reason: 'stop' }],
      usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
    }),
  );
}

/** The server's face in a test file: what a test asks of it, and settings that point the real client at it. */
export interface ChatCompletionsFixture {
  readonly url: string;
  readonly requests: ReceivedRequest[];
  answer: ChatCompletionsServer['answer'];
  /** OpenAI-compatible settings for this server: no retries, a 5 s limit. */
  settings: () => LlmSettings;
}

/** One server for the file (started before its tests, closed after), its requests forgotten before each test. */
export function useChatCompletionsServer(): ChatCompletionsFixture {
  let server: ChatCompletionsServer | undefined;
  beforeAll(async () => {
    server = await startChatCompletionsServer();
  });
  afterAll(async () => {
    await server?.close();
  });
  beforeEach(() => {
    if (server) server.requests.length = 0;
  });
  const current = (): ChatCompletionsServer => {
    if (!server) throw new Error("the chat-completions server runs only while the file's tests do");
    return server;
  };
  return {
    get url() {
      return current().url;
    },
    get requests() {
      return current().requests;
    },
    answer: (behaviour) => current().answer(behaviour),
    settings: () => ({ provider: 'openai', apiKey: 'test-key', baseURL: `${current().url}/v1`, model: 'test-model', timeoutMs: 5_000, maxRetries: 0 }),
  };
}
