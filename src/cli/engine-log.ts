/**
 * The engine's errors as the node's JSON log lines (pino, with the node id every line carries), at most one per
 * context in each window: during a database outage the poll and the claim failed every poll, a stack trace each.
 */
import type { FastifyBaseLogger } from 'fastify';

/** One line per context per window; the next line says how many were held back. */
export function engineErrorLog(log: FastifyBaseLogger, windowMs = 30_000, now: () => number = Date.now): (error: unknown, context: string) => void {
  const last = new Map<string, { at: number; held: number }>();
  return (error, context) => {
    const at = now();
    const seen = last.get(context);
    if (seen && at - seen.at < windowMs) {
      seen.held++;
      return;
    }
    // Contexts name runs: forget the old ones so a long-lived node's map does not grow with every run it ever drove.
    if (last.size > 1_000) for (const [key, entry] of last) if (at - entry.at >= windowMs) last.delete(key);
    log.error({ err: error, context, ...(seen && seen.held > 0 ? { repeated: seen.held } : {}) }, `engine: ${context}`);
    last.set(context, { at, held: 0 });
  };
}
