/**
 * One error shape for every failure a client can see: `{error_type, message, details,
 * suggestions, request_id}` with the vocabulary's status codes — routes' own errors, request
 * validation, malformed JSON, oversized bodies, unknown routes, and the framework's own errors
 * before routing (bad percent-encoding, over-long path parameters) or before a request exists
 * (bytes that are not HTTP) alike. A 500 says only that something went wrong; the log has the rest.
 */
import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { ConnectionError, FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { BatonError, ERROR_CODES, type ErrorCode } from '../errors/index.js';
import { isMissing, pathOfPointer } from '../errors/zod-issues.js';
import { isDatabaseUnavailable } from '../store/unavailable.js';

/** The router refuses longer path parameters (Fastify's default is 100); ids longer than their schemas' 200 get the schema's 422. */
export const MAX_PATH_PARAM_LENGTH = 1_000;

/** What a 500 says: the cause is logged with the request id, never sent. */
export const INTERNAL_MESSAGE = 'an unexpected error occurred';

type ValidationIssue = { keyword: string; instancePath: string; message?: string; params?: { keys?: unknown } };
type ValidationFailure = FastifyError & { validation: ValidationIssue[]; validationContext?: string };

/** A strict schema's unknown fields, one issue each at the field's own path: `querystring.since is not a known field`. */
function unknownKeysApart(issue: ValidationIssue): ValidationIssue[] {
  const keys = issue.params?.keys;
  if (issue.keyword !== 'unrecognized_keys' || !Array.isArray(keys)) return [issue];
  const base = issue.instancePath === '/' ? '' : issue.instancePath;
  return keys.map((key) => ({ keyword: issue.keyword, instancePath: `${base}/${String(key)}`, message: 'is not a known field' }));
}

/** Missing fields make a request incomplete (400); present but wrong ones make it invalid (422): decided by the one classifier. */
function validationError(error: ValidationFailure, request: FastifyRequest): BatonError {
  const where = error.validationContext ?? 'body';
  const input = where === 'querystring' ? request.query : where === 'params' ? request.params : where === 'headers' ? request.headers : request.body;
  const issues = error.validation.flatMap(unknownKeysApart).map((v) => {
    const at = pathOfPointer(v.instancePath);
    const missing = isMissing({ code: v.keyword, path: at }, input);
    return { path: [where, ...at].join('.'), message: missing ? 'is required' : (v.message ?? 'is invalid'), missing };
  });
  const incomplete = issues.length > 0 && issues.every((i) => i.missing);
  const fields = issues.map(({ path, message }) => ({ path, message }));
  const summary = fields.map((i) => `${i.path} ${i.message}`).join('; ');
  return new BatonError(incomplete ? 'INCOMPLETE_INPUT' : 'INVALID_PARAMETERS', `the request is ${incomplete ? 'incomplete' : 'invalid'}: ${summary}`, {
    details: { issues: fields },
    suggestions: fields.map((i) => `${i.path}: ${i.message}`),
  });
}

/** The vocabulary's code for a 4xx status that has none of its own (405, 406, 415, 416, …: the request as sent is refused). */
function codeOfStatus(status: number): ErrorCode {
  const exact = (Object.keys(ERROR_CODES) as ErrorCode[]).find(
    (code) => ERROR_CODES[code] === status && code !== 'INCOMPLETE_INPUT' && code !== 'PARAMETER_EXTRACTION_ERROR' && code !== 'DATA_NOT_FOUND',
  );
  return exact ?? 'BAD_REQUEST';
}

/** Fastify's own failures (validation, body parsing, limits, plugins' 4xx) in the error vocabulary. */
function fromFastifyError(error: FastifyError, request: FastifyRequest): BatonError {
  if (error instanceof BatonError) return error;
  if (hasZodFastifySchemaValidationErrors(error)) return validationError(error, request);
  if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE')
    return new BatonError('PAYLOAD_TOO_LARGE', 'the request body is too large', { suggestions: ['send a smaller body'] });
  if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
    return new BatonError('BAD_REQUEST', `unsupported content type: ${error.message}`, { suggestions: ['use Content-Type: application/json'] });
  }
  if (error.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || error.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' || error.statusCode === 400) {
    return new BatonError('BAD_REQUEST', `the request could not be read: ${error.message}`, {
      suggestions: ['send a valid JSON body with Content-Type: application/json'],
    });
  }
  const status = error.statusCode ?? 500;
  if (status >= 400 && status < 500) {
    // A plugin's refusal (a static file outside its root, a method or range it does not serve): its
    // status says what; its message is only shown when it is Fastify's own wording.
    const code = codeOfStatus(status);
    const message = typeof error.code === 'string' && error.code.startsWith('FST_') ? error.message : `${STATUS_CODES[status] ?? 'refused'}: ${error.message}`;
    return new BatonError(code, code === 'NOT_FOUND' ? 'not found' : message, { details: { status } });
  }
  // The database down or restarting is not a bug: the client may retry (load balancers and `baton runs` do on a 503).
  if (isDatabaseUnavailable(error))
    return new BatonError('UPSTREAM_UNAVAILABLE', 'the database cannot be reached right now', {
      retryable: true,
      cause: error,
      suggestions: ['retry in a few seconds: GET /health says when the database answers again'],
    });
  return new BatonError('INTERNAL_ERROR', INTERNAL_MESSAGE, { details: {}, cause: error });
}

export function sendError(reply: FastifyReply, request: FastifyRequest, error: BatonError): FastifyReply {
  // Refused before its body was read (a 413 mid-upload): the connection ends with the answer, so the client stops
  // sending what no one reads and a closing server is not held until the upload is done.
  if (!request.raw.complete) void reply.header('connection', 'close');
  return (
    reply
      .code(error.httpStatus)
      .type('application/json')
      // The error shape, whatever the route declares for that status: /health's 503 is its own degraded answer, and an
      // error before its handler (the database down under an auth hook) would otherwise fail that schema and turn 500.
      .serializer((payload) => JSON.stringify(payload))
      .send({ ...error.toJSON(), request_id: request.id })
  );
}

/**
 * The body of a 5xx never carries a route's or a library's message (a TypeError's text, a SQL
 * error): only a BatonError the code raised on purpose with a 5xx code keeps its own words.
 */
function safeForClient(error: BatonError): BatonError {
  if (error.httpStatus < 500 || error.code !== 'INTERNAL_ERROR') return error;
  return error.message === INTERNAL_MESSAGE ? error : new BatonError('INTERNAL_ERROR', INTERNAL_MESSAGE, { details: {}, cause: error });
}

function logged(request: FastifyRequest, error: unknown, baton: BatonError): BatonError {
  if (baton.httpStatus >= 500) request.log.error({ err: error }, baton.message);
  else request.log.info({ error_type: baton.code }, baton.message);
  return baton;
}

const overLongParameter = (): BatonError =>
  new BatonError('INVALID_PARAMETERS', `a path parameter is longer than ${MAX_PATH_PARAM_LENGTH} characters`, {
    details: { issues: [{ path: 'params', message: `is longer than ${MAX_PATH_PARAM_LENGTH} characters` }], max_length: MAX_PATH_PARAM_LENGTH },
    suggestions: ['ids are at most 200 characters'],
  });

/**
 * Fastify's `frameworkErrors`: a path that is not valid percent-encoding (FST_ERR_BAD_URL) or a
 * path parameter over the router's limit (FST_ERR_MAX_PARAM_LENGTH), met before any route or hook.
 */
export function answerFrameworkError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  let baton: BatonError;
  if (error.code === 'FST_ERR_BAD_URL') {
    baton = new BatonError('BAD_REQUEST', 'the path is not valid percent-encoding (a % must be followed by two hex digits that form UTF-8)', {
      suggestions: ['percent-encode the path with encodeURIComponent'],
    });
  } else if (error.code === 'FST_ERR_MAX_PARAM_LENGTH') {
    baton = overLongParameter();
  } else baton = new BatonError('INTERNAL_ERROR', INTERNAL_MESSAGE, { cause: error });
  void reply.header('x-request-id', request.id);
  void sendError(reply, request, logged(request, error, baton));
}

/**
 * Node's `clientError`: bytes that are not an HTTP request (a body longer than its Content-Length
 * leaves its rest to be read as the next request; headers over the size limit; a timeout). There is
 * no request object, so the answer is written to the socket by hand, with a request id of its own.
 */
export function answerClientError(this: FastifyInstance, error: ConnectionError, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const requestId = randomUUID();
  const baton =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? new BatonError('PAYLOAD_TOO_LARGE', 'the request headers are too large', { suggestions: ['send fewer or shorter headers'] })
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? new BatonError('BAD_REQUEST', 'the request did not arrive in time', { retryable: true, suggestions: ['send the whole request at once'] })
        : new BatonError('BAD_REQUEST', 'the request is not valid HTTP/1.1', {
            details: { parser_error: error.code ?? 'unknown' },
            suggestions: ['check the request line, the headers and that Content-Length matches the body'],
          });
  this.log.info({ reqId: requestId, error_type: baton.code, parser_error: error.code }, baton.message);
  // As Node itself does: answer only when no response on this socket has started, or the bytes would interleave.
  const inFlight = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (socket.writable && !inFlight?.headersSent) {
    const body = JSON.stringify({ ...baton.toJSON(), request_id: requestId });
    socket.end(
      `HTTP/1.1 ${baton.httpStatus} ${STATUS_CODES[baton.httpStatus] ?? ''}\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nX-Request-Id: ${requestId}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroySoon();
}

export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const baton = safeForClient(fromFastifyError(error, request));
    return sendError(reply, request, logged(request, error, baton));
  });
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? '';
    // A parameter over the router's limit matches no parametric route and falls through to the
    // dashboard's catch-all (or here): it is an over-long id, not a missing route.
    if (path.split('/').some((segment) => segment.length > MAX_PATH_PARAM_LENGTH)) return sendError(reply, request, overLongParameter());
    const shown = path.length > 200 ? `${path.slice(0, 200)}…` : path;
    return sendError(reply, request, new BatonError('NOT_FOUND', `no route ${request.method} ${shown}`, { suggestions: ['see /docs for the routes'] }));
  });
}
