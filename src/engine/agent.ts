/**
 * What an agent is: a named, schema-checked async function with a timeout and a retry policy.
 * Agents may be called again after a crash (at-least-once), so they must be safe to repeat.
 */
import type { z } from 'zod';

export interface RetryPolicy {
  /** Attempts in all, the first included (default 3). */
  maxAttempts: number;
  /** Delay before the second attempt, before jitter (default 200 ms). */
  initialDelayMs: number;
  /** Growth of the delay per attempt (default 2). */
  multiplier: number;
  /** Upper bound on any delay (default 10 s). */
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 3, initialDelayMs: 200, multiplier: 2, maxDelayMs: 10_000 };
export const DEFAULT_TIMEOUT_MS = 30_000;

export interface AgentContext<Input> {
  input: Input;
  /** Aborted on timeout (AGENT_TIMEOUT), on cancellation of the run (CANCELLED) and on engine shutdown (SHUTDOWN): stop work when it fires. */
  signal: AbortSignal;
  /** 1 for the first attempt. */
  attempt: number;
  /** The engine's clock (its `now` option), in epoch ms: stamp what the agent writes with it, not Date.now, so tests and replays agree. */
  now: () => number;
  /** Reports progress 0–100 (clamped) with a short message; streamed as `progress` events. */
  reportProgress: (percent: number, message?: string) => void;
  /** Emits a custom event (e.g. `variance_alert`) into the run's log. */
  emit: (type: string, payload: Record<string, unknown>) => void;
}

export interface AgentDefinition<Input = unknown, Output = unknown> {
  readonly name: string;
  readonly description: string;
  readonly input: z.ZodType<Input>;
  readonly output: z.ZodType<Output>;
  readonly timeoutMs: number;
  readonly retry: RetryPolicy;
  run(context: AgentContext<Input>): Promise<unknown>;
}

export interface AgentSpec<InSchema extends z.ZodType, OutSchema extends z.ZodType> {
  name: string;
  description?: string;
  input: InSchema;
  output: OutSchema;
  timeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  run(context: AgentContext<z.output<InSchema>>): Promise<z.input<OutSchema>> | z.input<OutSchema>;
}

export function defineAgent<InSchema extends z.ZodType, OutSchema extends z.ZodType>(
  spec: AgentSpec<InSchema, OutSchema>,
): AgentDefinition<z.output<InSchema>, z.output<OutSchema>> {
  return {
    name: spec.name,
    description: spec.description ?? '',
    input: spec.input as z.ZodType<z.output<InSchema>>,
    output: spec.output as z.ZodType<z.output<OutSchema>>,
    timeoutMs: spec.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    retry: { ...DEFAULT_RETRY, ...spec.retry },
    run: async (context) => spec.run(context),
  };
}

/** Exponential backoff with "equal jitter": half the delay is fixed, half random, so retries spread out. */
export function backoffDelay(policy: RetryPolicy, failedAttempt: number, random: () => number = Math.random): number {
  const exponential = policy.initialDelayMs * policy.multiplier ** (failedAttempt - 1);
  const capped = Math.min(policy.maxDelayMs, exponential);
  return capped / 2 + random() * (capped / 2);
}
