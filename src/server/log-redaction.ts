/**
 * Keeps credentials out of the server's logs: request lines show a URL whose token-like query
 * values are replaced, and every line written is scrubbed of query tokens and Authorization values.
 */
import type { FastifyServerOptions } from 'fastify';

const REDACTED = '[redacted]';

/** Query keys whose values are secrets, once decoded and in any case (`token`, `%74oken`, `TOKEN`, `access_token`, `api_key`…). */
const SECRET_KEY = /token|secret|passw|api[-_]?key|auth|signature|credential/i;

function decodedKey(raw: string): string {
  try {
    return decodeURIComponent(raw.replaceAll('+', ' '));
  } catch {
    // A key with broken escapes cannot be read, so it cannot be shown to be harmless.
    return 'token';
  }
}

/** `key=value` pairs after `?`, `&` or `;` wherever they occur in a text (a URL, a message, a JSON line). */
const QUERY_PAIR = /([?&;])([^=&;?#\s"'<>]+)=([^&;#\s"'<>]*)/g;

/** A URL or any text with the values of secret-looking query parameters and userinfo replaced. */
export function redactUrl(text: string): string {
  return text
    .replace(QUERY_PAIR, (pair, separator: string, key: string) => (SECRET_KEY.test(decodedKey(key)) ? `${separator}${key}=${REDACTED}` : pair))
    .replace(/([a-z][a-z0-9+.-]*:\/\/)[^/@\s"]*@/gi, `$1${REDACTED}@`);
}

/** A whole log line: query secrets, `Authorization`/`Cookie` header values and `Bearer …` credentials replaced. */
export function redactLine(line: string): string {
  return redactUrl(line)
    .replace(/("(?:authorization|proxy-authorization|cookie|set-cookie)"\s*:\s*")(?:[^"\\]|\\.)*"/gi, `$1${REDACTED}"`)
    .replace(/\b(bearer)(\s+)[^\s"\\,;]+/gi, `$1$2${REDACTED}`);
}

/** Where a JSON line goes: pino accepts any object with `write`. */
interface LineSink {
  write(line: string): unknown;
}

const scrubbing = (sink: LineSink): LineSink => ({ write: (line: string) => sink.write(redactLine(line)) });

/** Paths pino blanks wherever a request's headers are logged as an object. */
const HEADER_PATHS = ['authorization', 'cookie', 'proxy-authorization'].flatMap((name) => [
  `req.headers.${name}`,
  `request.headers.${name}`,
  `headers.${name}`,
  `headers["${name}"]`,
]);

type LoggerOption = FastifyServerOptions['logger'];
type LoggerOptions = Exclude<LoggerOption, boolean | undefined>;

/**
 * Fastify's logger option with the credential scrubbing applied: the request serializer logs the
 * method, the redacted URL and the id (never headers); header paths are redacted; and unless the
 * caller sends the lines to a transport or a file, every line passes through `redactLine`.
 */
export function redactingTokens(logger: LoggerOption): LoggerOption {
  if (!logger) return logger;
  const options: LoggerOptions = logger === true ? {} : logger;
  const given = options.redact;
  const redact =
    given === undefined
      ? { paths: HEADER_PATHS, censor: REDACTED }
      : Array.isArray(given)
        ? { paths: [...given, ...HEADER_PATHS], censor: REDACTED }
        : { ...given, paths: [...given.paths, ...HEADER_PATHS] };
  const ownDestination = options.transport !== undefined || ('file' in options && options.file !== undefined);
  return {
    ...options,
    redact,
    serializers: {
      ...options.serializers,
      req: (request: { method: string; url: string; id: string }) => ({ method: request.method, url: redactUrl(request.url), id: request.id }),
    },
    ...(ownDestination ? {} : { stream: scrubbing(options.stream ?? process.stdout) }),
  };
}
