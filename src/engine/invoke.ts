/**
 * Calls an agent: checks its input, runs it under a timeout that aborts its signal, checks its
 * output, and retries with backoff. Every attempt is reported so callers can log it durably.
 */
import { AgentTimeoutError, BatonError, toBatonError, type FieldIssue } from '../errors/index.js';
import { backoffDelay, type AgentDefinition } from './agent.js';
import { issuesOf } from '../errors/zod-issues.js';

export interface AttemptOutcome {
  agent: string;
  attempt: number;
  startedAt: number;
  durationMs: number;
  status: 'succeeded' | 'failed' | 'timed_out';
  error: BatonError | null;
}

export interface InvokeOptions {
  timeoutMs?: number;
  /** Aborts the call from outside (cancellation, shutdown); the call then rejects with the reason. */
  signal?: AbortSignal;
  /** Number of the first attempt, when earlier ones were made before a restart. */
  firstAttempt?: number;
  now?: () => number;
  random?: () => number;
  onProgress?: (percent: number, message: string) => void;
  onEvent?: (type: string, payload: Record<string, unknown>) => void;
  /** Awaited before the next attempt starts: the place to log an attempt durably. */
  onAttempt?: (outcome: AttemptOutcome, willRetry: boolean) => Promise<void> | void;
  /** Awaited before each attempt (e.g. to announce it). */
  beforeAttempt?: (attempt: number) => Promise<void> | void;
}

export class AgentCallFailed extends BatonError {
  constructor(
    readonly last: BatonError,
    readonly attempts: number,
  ) {
    super(last.code, last.message, { details: { ...last.details, attempts }, suggestions: last.suggestions, cause: last });
  }
}

function invalidInput(agent: string, issues: FieldIssue[]): BatonError {
  return new BatonError('CONTEXT_ASSEMBLY_ERROR', `the context assembled for agent "${agent}" does not match its input schema`, {
    details: { agent, issues },
    suggestions: issues.map((i) => `${i.path || '(root)'}: ${i.message}`),
  });
}

function invalidOutput(agent: string, issues: FieldIssue[]): BatonError {
  return new BatonError('AGENT_EXECUTION_ERROR', `agent "${agent}" returned output that does not match its schema`, {
    details: { agent, issues },
    retryable: true,
  });
}

/** Waits `ms`, or rejects at once when `signal` aborts (or already has); leaves no listener behind. */
const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason as Error);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason as Error);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });

/** One attempt. Rejects with a BatonError; an outside abort rejects with the signal's reason. */
async function attemptOnce<I, O>(agent: AgentDefinition<I, O>, input: I, attempt: number, options: InvokeOptions): Promise<O> {
  options.signal?.throwIfAborted();
  const timeoutMs = options.timeoutMs ?? agent.timeoutMs;
  const outside = options.signal;
  // The agent's signal is made when the agent first reads it: a controller with its listeners cost a quick agent more than the rest of its call.
  let controller: AbortController | undefined;
  let stopped: { reason: unknown } | undefined;
  let timer: NodeJS.Timeout | undefined;
  let forward: (() => void) | undefined;
  try {
    const raw = await new Promise<unknown>((resolve, reject) => {
      // Rejecting here, not waiting for the agent, keeps an agent that ignores its signal from holding the run past its timeout.
      const stop = (reason: Error) => {
        if (stopped) return;
        stopped = { reason };
        controller?.abort(reason);
        reject(reason);
      };
      timer = setTimeout(() => stop(new AgentTimeoutError(agent.name, timeoutMs)), timeoutMs);
      if (outside) {
        forward = () => stop(outside.reason as Error);
        outside.addEventListener('abort', forward, { once: true });
      }
      agent
        .run({
          input,
          get signal() {
            if (!controller) {
              controller = new AbortController();
              if (stopped) controller.abort(stopped.reason);
            }
            return controller.signal;
          },
          attempt,
          now: options.now ?? Date.now,
          reportProgress: (percent, message = '') => options.onProgress?.(Math.round(Math.min(100, Math.max(0, Number.isNaN(percent) ? 0 : percent))), message),
          emit: (type, payload) => options.onEvent?.(type, payload),
        })
        .then(resolve, reject);
    });
    const parsed = agent.output.safeParse(raw);
    if (!parsed.success) throw invalidOutput(agent.name, issuesOf(parsed.error));
    return parsed.data;
  } finally {
    clearTimeout(timer);
    if (forward) outside?.removeEventListener('abort', forward);
  }
}

/** Runs the agent until it succeeds, fails with a non-retryable error, or uses up its attempts. */
export async function invokeAgent<I, O>(agent: AgentDefinition<I, O>, rawInput: unknown, options: InvokeOptions = {}): Promise<O> {
  const now = options.now ?? Date.now;
  const parsedInput = agent.input.safeParse(rawInput);
  if (!parsedInput.success) throw new AgentCallFailed(invalidInput(agent.name, issuesOf(parsedInput.error)), 0);
  const first = options.firstAttempt ?? 1;
  const last = first + agent.retry.maxAttempts - 1;
  for (let attempt = first; ; attempt++) {
    await options.beforeAttempt?.(attempt);
    const startedAt = now();
    try {
      const output = await attemptOnce(agent, parsedInput.data, attempt, options);
      await options.onAttempt?.({ agent: agent.name, attempt, startedAt, durationMs: now() - startedAt, status: 'succeeded', error: null }, false);
      return output;
    } catch (thrown) {
      if (options.signal?.aborted) throw options.signal.reason;
      const error = toBatonError(thrown);
      const willRetry = error.retryable && attempt < last;
      const status = error.code === 'AGENT_TIMEOUT' ? 'timed_out' : 'failed';
      await options.onAttempt?.({ agent: agent.name, attempt, startedAt, durationMs: now() - startedAt, status, error }, willRetry);
      // Cancelled while the attempt was being recorded: no further attempt.
      if (options.signal?.aborted) throw options.signal.reason;
      if (!willRetry) throw new AgentCallFailed(error, attempt - first + 1);
      await sleep(backoffDelay(agent.retry, attempt - first + 1, options.random), options.signal);
    }
  }
}
