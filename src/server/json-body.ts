/**
 * The JSON body parser: Fastify's own (secure-json-parse, prototype poisoning refused, the size
 * limit) behind a depth check, so no body nests deeper than the code that walks it can follow.
 */
import type { FastifyInstance } from 'fastify';
import { BatonError } from '../errors/index.js';

/**
 * The deepest nesting a JSON body may have (the body object itself is level 1). Far beyond any
 * request of this API; a body nested 5,000 deep overflowed the stack of the recursive code that
 * copies and stores it (10 KB, well under the size limit, so size alone does not catch it).
 */
export const MAX_JSON_DEPTH = 64;

/**
 * Whether `text` nests arrays and objects deeper than `limit`, read in one pass with a counter
 * (no recursion, no parse): brackets inside strings are text. Unbalanced text is left to the parser.
 */
export function nestsDeeperThan(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c /* \ */) i++;
      else if (c === 0x22 /* " */) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      if (++depth > limit) return true;
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) depth--;
  }
  return false;
}

/** Replaces Fastify's application/json parser with the same parser behind the depth check. */
export function installJsonBodyParser(app: FastifyInstance): void {
  const parse = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (nestsDeeperThan(text, MAX_JSON_DEPTH)) {
      // 422, not 413: the body is within the size limit and reads as JSON, so sending fewer bytes
      // is not the fix; its shape is what the API refuses, as it refuses a value out of range.
      done(
        new BatonError('INVALID_PARAMETERS', `the JSON body is nested deeper than ${MAX_JSON_DEPTH} levels`, {
          details: { issues: [{ path: 'body', message: `is nested deeper than ${MAX_JSON_DEPTH} levels` }], max_depth: MAX_JSON_DEPTH },
          suggestions: [`send arrays and objects nested at most ${MAX_JSON_DEPTH} deep`],
        }),
        undefined,
      );
      return;
    }
    // Fastify's default parser is the callback kind: it answers through done.
    void parse(request, text, done);
  });
}
