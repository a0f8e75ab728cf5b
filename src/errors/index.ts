/**
 * Baton's one error vocabulary, shared by the engine, the store, the server and the CLI.
 * Every error is a `BatonError` with a code; the HTTP status and the wire shape derive from it.
 */

/** The codes of DESIGN.md's vocabulary, plus the ones docs/ARCHITECTURE.md lists as added. */
export const ERROR_CODES = {
  BAD_REQUEST: 400,
  INCOMPLETE_INPUT: 400,
  PAYLOAD_TOO_LARGE: 413,
  PARAMETER_EXTRACTION_ERROR: 400,
  INVALID_PARAMETERS: 422,
  DATA_NOT_FOUND: 404,
  NOT_FOUND: 404,
  AGENT_TIMEOUT: 504,
  AGENT_EXECUTION_ERROR: 500,
  CONTEXT_ASSEMBLY_ERROR: 500,
  DEADLINE_EXCEEDED: 504,
  CONFLICT: 409,
  INVALID_TRANSITION: 409,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  RATE_LIMITED: 429,
  UPSTREAM_UNAVAILABLE: 503,
  INTERNAL_ERROR: 500,
  /** A run's work stopped because the run was cancelled (after CONFLICT, so a bare 409 still maps to CONFLICT). */
  CANCELLED: 409,
  /** Work stopped because the process is shutting down; it resumes elsewhere (after UPSTREAM_UNAVAILABLE for a bare 503). */
  SHUTDOWN: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export interface BatonErrorOptions {
  details?: Record<string, unknown>;
  suggestions?: string[];
  /** False when repeating the same call cannot succeed (bad input, a bug, a refusal). */
  retryable?: boolean;
  cause?: unknown;
}

/** The JSON shape errors take on every boundary (HTTP body, WebSocket `error`, CLI --json). */
export interface ErrorBody {
  error_type: ErrorCode;
  message: string;
  details: Record<string, unknown>;
  suggestions: string[];
}

export class BatonError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown>;
  readonly suggestions: string[];
  readonly retryable: boolean;

  constructor(code: ErrorCode, message: string, options: BatonErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.details = options.details ?? {};
    this.suggestions = options.suggestions ?? [];
    this.retryable = options.retryable ?? false;
  }

  get httpStatus(): number {
    return ERROR_CODES[this.code];
  }

  toJSON(): ErrorBody {
    return { error_type: this.code, message: this.message, details: this.details, suggestions: this.suggestions };
  }
}

export class NotFoundError extends BatonError {
  constructor(what: string, id: string, suggestions: string[] = []) {
    super('NOT_FOUND', `${what} "${id}" does not exist`, { details: { [what]: id }, suggestions });
  }
}

export class ConflictError extends BatonError {
  constructor(message: string, details: Record<string, unknown> = {}, suggestions: string[] = []) {
    super('CONFLICT', message, { details, suggestions });
  }
}

export class InvalidTransitionError extends BatonError {
  /** `explained`: the caller's own words for why, when the table's ("allowed from …") would mislead. */
  constructor(from: string, to: string, allowed: readonly string[], what = 'transition', explained?: { message: string; suggestions: string[] }) {
    super('INVALID_TRANSITION', explained?.message ?? `${what} from "${from}" to "${to}" is not allowed`, {
      details: { from, to, allowed: [...allowed] },
      suggestions: explained?.suggestions ?? (allowed.length > 0 ? [`allowed from "${from}": ${allowed.join(', ')}`] : [`nothing follows "${from}"`]),
    });
  }
}

/** One entry per failing field, with its dotted path, so a caller can point at the field. */
export interface FieldIssue {
  path: string;
  message: string;
}

export class InvalidParametersError extends BatonError {
  constructor(message: string, issues: FieldIssue[]) {
    const listed = issues.map((i) => `${i.path || '(root)'} ${i.message}`).join('; ');
    super('INVALID_PARAMETERS', listed ? `${message}: ${listed}` : message, {
      details: { issues },
      suggestions: issues.map((i) => `fix ${i.path || 'the value'}: ${i.message}`),
    });
  }
}

/** Required fields left out (every issue a missing field): 400, as for a request missing fields. */
export class IncompleteInputError extends BatonError {
  constructor(message: string, missing: readonly string[]) {
    const issues = missing.map((path) => ({ path, message: 'is required' }));
    super('INCOMPLETE_INPUT', `${message}: ${missing.map((path) => path || '(root)').join(', ')} missing`, {
      details: { issues },
      suggestions: missing.map((path) => `give ${path || 'a value'}`),
    });
  }
}

export class AgentTimeoutError extends BatonError {
  constructor(agent: string, timeoutMs: number) {
    super('AGENT_TIMEOUT', `agent "${agent}" did not finish within ${timeoutMs} ms`, {
      details: { agent, timeout_ms: timeoutMs },
      retryable: true,
    });
  }
}

/** Throw from an agent to fail it; `retryable: false` stops further attempts at once. */
export class AgentError extends BatonError {
  constructor(message: string, options: Omit<BatonErrorOptions, 'retryable'> & { retryable?: boolean } = {}) {
    super('AGENT_EXECUTION_ERROR', message, { retryable: true, ...options });
  }
}

/**
 * JavaScript's own error classes: a bug's symptom ("Cannot read properties of undefined (reading
 * '0')"), whose text names code, not the problem, and must not reach a client through a run's error.
 */
const PROGRAMMING_ERRORS = [TypeError, RangeError, ReferenceError, SyntaxError, EvalError, URIError];

/**
 * Any thrown value as a BatonError; unknown errors become retryable execution errors. A plain
 * `Error` keeps its message (agents throw them on purpose); a programming error's message is
 * replaced by a generic one naming its class, and the original stays the `cause`, for logs only.
 */
export function toBatonError(error: unknown, fallback: ErrorCode = 'AGENT_EXECUTION_ERROR'): BatonError {
  if (error instanceof BatonError) return error;
  if (PROGRAMMING_ERRORS.some((kind) => error instanceof kind)) {
    const name = (error as Error).name;
    return new BatonError(fallback, `an unexpected error occurred (${name})`, { details: { error: name }, retryable: true, cause: error });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new BatonError(fallback, message, { retryable: true, cause: error });
}

/** The reason an agent's signal fires when its run is cancelled (or finished elsewhere). */
export class CancelledError extends BatonError {
  constructor(message = 'run cancelled', details: Record<string, unknown> = {}) {
    super('CANCELLED', message, { details });
  }
}

/** The reason an agent's signal fires when the engine shuts down: the step runs again elsewhere, so it is retryable. */
export class ShutdownError extends BatonError {
  constructor(message = 'engine shutting down') {
    super('SHUTDOWN', message, { retryable: true, suggestions: ['the run resumes on another node, or when this one starts again'] });
  }
}

/** A write fenced on a run version that has since moved (another writer got there first). */
export class StaleRunError extends BatonError {
  constructor(runId: string, expectedVersion: number, reason: string) {
    super('CONFLICT', `run "${runId}" changed while this write was prepared: ${reason}`, {
      details: { run_id: runId, expected_version: expectedVersion },
      suggestions: ['read the run again and retry the request if it still applies'],
    });
  }
}
