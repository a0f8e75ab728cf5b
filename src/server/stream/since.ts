/**
 * Where a reconnecting client resumes: `?since=12` (after seq 12 of every run of the stream), or
 * `?since=<run>:<seq>,<run>:<seq>` per run for session streams; the same may come as the first
 * client message `{"since": 12}` or `{"since": {"<run>": 12}}`.
 */
import { z } from 'zod';
import { MAX_EVENT_SEQ } from '../../store/index.js';

export type Since = { all: number } | { perRun: Map<string, number> };

// Decimal digits only, as GET …/events reads `since`: coercion took "0x5F", "+95" and "9.5e1" as 95.
const seq = z
  .union([
    z.number(),
    z
      .string()
      .regex(/^\d{1,16}$/)
      .transform(Number),
  ])
  .pipe(z.number().int().min(0).max(MAX_EVENT_SEQ));
const sinceValue = z.union([seq, z.record(z.string(), seq)]);

export function parseSince(raw: unknown): Since | undefined {
  if (typeof raw === 'string' && raw.includes(':')) {
    const pairs = raw.split(',').map((pair) => pair.split(':'));
    const perRun = new Map<string, number>();
    for (const [run, value] of pairs) {
      const parsed = seq.safeParse(value);
      if (!run || !parsed.success) return undefined;
      perRun.set(run, parsed.data);
    }
    return { perRun };
  }
  const parsed = sinceValue.safeParse(raw);
  if (!parsed.success) return undefined;
  return typeof parsed.data === 'number' ? { all: parsed.data } : { perRun: new Map(Object.entries(parsed.data)) };
}

export const sinceFor = (since: Since, runId: string): number => ('all' in since ? since.all : (since.perRun.get(runId) ?? 0));

/** Whether two resume points start every run at the same seq. */
export function sameSince(a: Since, b: Since): boolean {
  if ('all' in a && 'all' in b) return a.all === b.all;
  const named = (since: Since) => ('perRun' in since ? [...since.perRun.keys()] : []);
  const rest = (since: Since) => ('all' in since ? since.all : 0); // where runs left unnamed start
  return rest(a) === rest(b) && [...named(a), ...named(b)].every((run) => sinceFor(a, run) === sinceFor(b, run));
}
