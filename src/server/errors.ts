/**
 * One error shape for every failure a client can see: `{error_type, message, details,
 * suggestions, request_id}` with the vocabulary's status codes — routes' own errors, request
 * validation, malformed JSON, oversized bodies and unknown routes alike.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { BatonError } from '../errors/index.js';

type ValidationFailure = FastifyError & { validation: { keyword: string; instancePath: string; message?: string }[]; validationContext?: string };

/** Missing fields make a request incomplete (400); present but wrong ones make it invalid (422). */
function validationError(error: ValidationFailure): BatonError {
  const where = error.validationContext ?? 'body';
  const issues = error.validation.map((v) => {
    const path = [where, ...v.instancePath.split('/').filter(Boolean)].join('.');
    // zod reports a missing field as an invalid_type whose input was undefined (a missing body: null at the root).
    const atRoot = v.instancePath.replaceAll('/', '') === '';
    const missing = v.keyword === 'invalid_type' && (/received undefined/.test(v.message ?? '') || (atRoot && /received null/.test(v.message ?? '')));
    return { path, message: missing ? 'is required' : (v.message ?? 'is invalid'), missing };
  });
  const incomplete = issues.length > 0 && issues.every((i) => i.missing);
  const fields = issues.map(({ path, message }) => ({ path, message }));
  const summary = fields.map((i) => `${i.path} ${i.message}`).join('; ');
  return new BatonError(incomplete ? 'INCOMPLETE_INPUT' : 'INVALID_PARAMETERS', `the request is ${incomplete ? 'incomplete' : 'invalid'}: ${summary}`, {
    details: { issues: fields },
    suggestions: fields.map((i) => `${i.path}: ${i.message}`),
  });
}

/** Fastify's own failures (validation, body parsing, limits) in the error vocabulary. */
function fromFastifyError(error: FastifyError): BatonError {
  if (error instanceof BatonError) return error;
  if (hasZodFastifySchemaValidationErrors(error)) return validationError(error);
  if (error.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || error.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' || error.statusCode === 400) {
    return new BatonError('BAD_REQUEST', `the request could not be read: ${error.message}`, { suggestions: ['send a valid JSON body with Content-Type: application/json'] });
  }
  if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return new BatonError('PAYLOAD_TOO_LARGE', 'the request body is too large', { suggestions: ['send a smaller body'] });
  if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
    return new BatonError('BAD_REQUEST', `unsupported content type: ${error.message}`, { suggestions: ['use Content-Type: application/json'] });
  }
  return new BatonError('INTERNAL_ERROR', 'an unexpected error occurred', { details: {}, cause: error });
}

export function sendError(reply: FastifyReply, request: FastifyRequest, error: BatonError): FastifyReply {
  return reply.code(error.httpStatus).type('application/json').send({ ...error.toJSON(), request_id: request.id });
}

export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const baton = fromFastifyError(error);
    if (baton.httpStatus >= 500) request.log.error({ err: error }, baton.message);
    else request.log.info({ error_type: baton.code }, baton.message);
    return sendError(reply, request, baton);
  });
  app.setNotFoundHandler((request, reply) =>
    sendError(reply, request, new BatonError('NOT_FOUND', `no route ${request.method} ${request.url.split('?')[0]}`, { suggestions: ['see /docs for the routes'] })),
  );
}
