/**
 * Polls a deployed app's `/health` until it answers 200 with the expected version (the release's commit), or the
 * tries run out. Both deploy targets use it: before a switch (the new slot) and during the watch after it.
 */
import { HEALTH_PATH, HealthAnswer } from '../app/contracts.js';

export interface HealthAttempt {
  attempt: number;
  ok: boolean;
  status: number | null;
  version: string | null;
  error: string | null;
  ms: number;
}

export interface PollHealthOptions {
  /** How many requests at most (the 30). */
  tries?: number;
  /** Pause between tries. */
  intervalMs?: number;
  /** Time limit of one request. */
  requestTimeoutMs?: number;
  signal?: AbortSignal;
  onAttempt?: (attempt: HealthAttempt) => void;
}

export interface HealthResult {
  healthy: boolean;
  attempts: number;
  last_error: string | null;
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });

/** One `GET /health`: healthy only on 200 with `{status:'ok'}` and the expected version (another release answering is not). */
export async function checkHealth(baseUrl: string, expectedVersion: string, timeoutMs = 2_000, signal?: AbortSignal): Promise<Omit<HealthAttempt, 'attempt'>> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  try {
    const timeout = AbortSignal.timeout(timeoutMs);
    const response = await fetch(new URL(HEALTH_PATH, baseUrl), { signal: signal ? AbortSignal.any([signal, timeout]) : timeout });
    const text = await response.text();
    if (response.status !== 200)
      return { ok: false, status: response.status, version: null, error: `/health answered ${response.status}: ${text.slice(0, 200)}`, ms: elapsed() };
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return { ok: false, status: 200, version: null, error: `/health answered non-JSON: ${text.slice(0, 200)}`, ms: elapsed() };
    }
    const parsed = HealthAnswer.safeParse(body);
    if (!parsed.success)
      return { ok: false, status: 200, version: null, error: `/health answered ${text.slice(0, 200)}, not {status:'ok', version}`, ms: elapsed() };
    if (parsed.data.version !== expectedVersion)
      return {
        ok: false,
        status: 200,
        version: parsed.data.version,
        error: `/health reports version ${parsed.data.version}, expected ${expectedVersion}`,
        ms: elapsed(),
      };
    return { ok: true, status: 200, version: parsed.data.version, error: null, ms: elapsed() };
  } catch (error) {
    const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : '';
    return { ok: false, status: null, version: null, error: `${error instanceof Error ? error.message : String(error)}${cause}`, ms: elapsed() };
  }
}

/** Polls until healthy, the tries are spent, or the signal aborts; every attempt is reported through `onAttempt`. */
export async function pollHealth(baseUrl: string, expectedVersion: string, options: PollHealthOptions = {}): Promise<HealthResult> {
  const tries = options.tries ?? 30;
  const intervalMs = options.intervalMs ?? 1_000;
  let lastError: string | null = null;
  for (let attempt = 1; attempt <= tries; attempt++) {
    if (options.signal?.aborted) return { healthy: false, attempts: attempt - 1, last_error: lastError ?? 'aborted' };
    const result = await checkHealth(baseUrl, expectedVersion, options.requestTimeoutMs, options.signal);
    options.onAttempt?.({ attempt, ...result });
    if (result.ok) return { healthy: true, attempts: attempt, last_error: null };
    lastError = result.error;
    if (attempt < tries) await sleep(intervalMs, options.signal);
  }
  return { healthy: false, attempts: tries, last_error: lastError };
}
