/** Server settings, from the environment (BATON_*) with defaults, checked by zod. */
import { z } from 'zod';
import { InvalidParametersError } from '../errors/index.js';
import { issuesOf } from '../errors/zod-issues.js';

const originList = z.string().transform((v) =>
  v
    .split(',')
    .map((o) => o.trim())
    .filter(Boolean),
);

const flag = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

export const serverConfigSchema = z.object({
  /** BATON_PORT (default 8000; 0 picks a free port). */
  port: z.coerce.number().int().min(0).max(65_535).default(8000),
  /** BATON_HOST (default 127.0.0.1: not reachable from other machines unless asked). */
  host: z.string().min(1).default('127.0.0.1'),
  /** BATON_API_TOKEN: when set, mutating routes and WebSockets need `Authorization: Bearer <token>`. */
  apiToken: z.string().min(8, 'use a token of at least 8 characters').optional(),
  /** BATON_PUBLIC_READ=true leaves read-only routes open while a token guards the rest. */
  publicRead: flag.default(false),
  /** BATON_CORS_ORIGINS (or the seed `.env`'s CORS_ORIGINS): comma-separated origins allowed to call the API from a browser (none by default). */
  corsOrigins: originList.default([]),
  /**
   * BATON_WEBSOCKET_CORS_ORIGINS (or WEBSOCKET_CORS_ORIGINS): origins whose pages may open streams
   * (`*`: any); unset, the CORS origins. A page of the server's own origin and clients that send no
   * Origin (not browsers) may always; any other Origin is refused with 403.
   */
  websocketOrigins: originList.optional(),
  /** BATON_BODY_LIMIT: largest request body in bytes (default 1 MiB). */
  bodyLimit: z.coerce.number().int().positive().default(1_048_576),
  /** BATON_HEARTBEAT_MS: WebSocket heartbeat interval (default 30 s). */
  heartbeatMs: z.coerce.number().int().positive().default(30_000),
  /** BATON_UPLOAD_LIMIT: largest CSV upload in bytes (default 64 MiB; the Walmart sales file is 10 MB). */
  uploadLimit: z.coerce
    .number()
    .int()
    .positive()
    .default(64 * 1_048_576),
  /** BATON_WS_BUFFER: bytes a WebSocket client may fall behind before it is dropped (default 1 MiB). */
  wsBufferBytes: z.coerce.number().int().positive().default(1_048_576),
  /**
   * BATON_WS_MAX_CONNECTIONS: WebSocket streams open at once on this server, from all clients
   * (default 1000); one more is refused before the upgrade with 503.
   */
  wsMaxConnections: z.coerce.number().int().positive().default(1000),
  /**
   * BATON_WS_MAX_PER_CLIENT: WebSocket streams open at once from one client address (default 200:
   * a dashboard holds one or two; bench:ws opens 100 from 127.0.0.1); one more is refused with 429.
   */
  wsMaxPerClient: z.coerce.number().int().positive().default(200),
  /**
   * BATON_RATE_LIMIT: mutating API requests (POST, PUT, PATCH, DELETE under /api) one client address
   * may make per minute on this server; over it, 429 with retry-after. 0 (the default) turns it off.
   */
  rateLimit: z.coerce.number().int().min(0).default(0),
  /** BATON_CSV_MAX_RECORD_SIZE: longest CSV record (line) an upload may have, in characters (default 65,536); longer → 413. */
  csvMaxRecordSize: z.coerce.number().int().positive().default(65_536),
  /** Workflow that run-workflow starts when the request names none. */
  defaultWorkflow: z.string().optional(),
});

export type ServerConfig = z.output<typeof serverConfigSchema>;
export type ServerConfigInput = z.input<typeof serverConfigSchema>;

export function parseServerConfig(input: ServerConfigInput): ServerConfig {
  const parsed = serverConfigSchema.safeParse(input);
  if (!parsed.success) throw new InvalidParametersError('server settings are invalid', issuesOf(parsed.error));
  return parsed.data;
}

export function serverConfigFromEnv(env: NodeJS.ProcessEnv = process.env): ServerConfig {
  const pick = (name: string) => (env[name] === undefined || env[name] === '' ? undefined : env[name]);
  return parseServerConfig({
    port: pick('BATON_PORT'),
    host: pick('BATON_HOST'),
    apiToken: pick('BATON_API_TOKEN'),
    publicRead: pick('BATON_PUBLIC_READ') as 'true' | undefined,
    // The BATON_ name wins over the seed specification's when both are set.
    corsOrigins: pick('BATON_CORS_ORIGINS') ?? pick('CORS_ORIGINS'),
    websocketOrigins: pick('BATON_WEBSOCKET_CORS_ORIGINS') ?? pick('WEBSOCKET_CORS_ORIGINS'),
    bodyLimit: pick('BATON_BODY_LIMIT'),
    heartbeatMs: pick('BATON_HEARTBEAT_MS'),
    uploadLimit: pick('BATON_UPLOAD_LIMIT'),
    wsBufferBytes: pick('BATON_WS_BUFFER'),
    wsMaxConnections: pick('BATON_WS_MAX_CONNECTIONS'),
    wsMaxPerClient: pick('BATON_WS_MAX_PER_CLIENT'),
    rateLimit: pick('BATON_RATE_LIMIT'),
    csvMaxRecordSize: pick('BATON_CSV_MAX_RECORD_SIZE'),
    defaultWorkflow: pick('BATON_DEFAULT_WORKFLOW'),
  });
}
