/**
 * The JSON body parser: Fastify's own (secure-json-parse, prototype poisoning refused, the size
 * limit) behind a depth check, so no body nests deeper than the code that walks it can follow; and
 * NUL refused in bodies, path parameters and query values, which no database column here can hold.
 */
import type { FastifyInstance } from 'fastify';
import { BatonError } from '../errors/index.js';

/**
 * The deepest nesting a JSON body may have (the body object itself is level 1). Far beyond any
 * request of this API; a body nested 5,000 deep overflowed the stack of the recursive code that
 * copies and stores it (10 KB, well under the size limit, so size alone does not catch it).
 */
export const MAX_JSON_DEPTH = 64;

/** What a body's text may not hold though JSON allows it. */
export type JsonRefusal = 'too_deep' | 'nul';

/**
 * Reads `text` once with a counter (no recursion, no parse) for nesting deeper than `limit` and for
 * the escape \u0000 in a string: PostgreSQL's text and jsonb cannot hold NUL, so a NUL anywhere in
 * a body failed its insert with a 500. Brackets inside strings are text; unbalanced text is left to
 * the parser, which refuses it.
 */
export function refusalOf(text: string, limit: number): JsonRefusal | undefined {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c /* \ */) {
        if (text.startsWith('u0000', i + 1)) return 'nul';
        i++;
      } else if (c === 0x22 /* " */) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      if (++depth > limit) return 'too_deep';
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) depth--;
  }
  return undefined;
}

/** Text with NUL in it, refused (422) before it reaches a database that cannot store it. */
export const nulRefused = (where: string): BatonError =>
  new BatonError('INVALID_PARAMETERS', `${where} contains the NUL character (\\u0000), which no text here may hold`, {
    details: { issues: [{ path: where, message: 'contains the NUL character' }] },
    suggestions: ['remove the NUL characters (\\u0000, %00)'],
  });

/**
 * Path parameters and query values with NUL in them are refused before validation, on every route:
 * an id "a%00b" is looked up in PostgreSQL, which fails on it with a 500.
 */
export function refuseNulInParameters(app: FastifyInstance): void {
  app.addHook('preValidation', (request, _reply, done) => {
    for (const [where, values] of [
      ['params', request.params],
      ['querystring', request.query],
    ] as const) {
      if (values === null || typeof values !== 'object') continue;
      for (const [key, value] of Object.entries(values as Record<string, unknown>)) {
        if ([value].flat().some((v) => typeof v === 'string' && v.includes('\u0000'))) {
          done(nulRefused(`${where}.${key}`));
          return;
        }
      }
    }
    done();
  });
}

/** Replaces Fastify's application/json parser with the same parser behind the depth check. */
export function installJsonBodyParser(app: FastifyInstance): void {
  const parse = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    // No body under a JSON content type (many clients send the header on every request): no body, as without
    // the header. A route that needs one says so in its own words (400 naming it), not "Body cannot be empty".
    if (text.trim() === '') {
      done(null, undefined);
      return;
    }
    const refusal = refusalOf(text, MAX_JSON_DEPTH);
    // 422, not 413: the body is within the size limit and reads as JSON, so sending fewer bytes
    // is not the fix; its shape is what the API refuses, as it refuses a value out of range.
    if (refusal === 'too_deep') {
      done(
        new BatonError('INVALID_PARAMETERS', `the JSON body is nested deeper than ${MAX_JSON_DEPTH} levels`, {
          details: { issues: [{ path: 'body', message: `is nested deeper than ${MAX_JSON_DEPTH} levels` }], max_depth: MAX_JSON_DEPTH },
          suggestions: [`send arrays and objects nested at most ${MAX_JSON_DEPTH} deep`],
        }),
        undefined,
      );
      return;
    }
    if (refusal === 'nul') {
      done(nulRefused('body'), undefined);
      return;
    }
    // Fastify's default parser is the callback kind: it answers through done.
    void parse(request, text, done);
  });
}
