// The engine's errors in a node's log: JSON lines with the context, one per context per window, the held-back count said.
import { expect, it } from 'vitest';
import Fastify from 'fastify';
import { engineErrorLog } from '../../src/cli/engine-log.js';

it('logs an error once per context per window as a JSON line, then says how many were held back', () => {
  const lines: Record<string, unknown>[] = [];
  // The node's own logger, as `baton serve` builds it (pino through Fastify).
  const { log } = Fastify({ logger: { base: { node: 'n1' }, stream: { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) } } });
  let now = 0;
  const report = engineErrorLog(log, 30_000, () => now);
  // A database outage: the poll fails every poll.
  for (let i = 0; i < 40; i++, now += 500) report(new Error('connect ECONNREFUSED'), 'poll');
  report(new Error('boom'), 'run r1');
  now = 30_000;
  report(new Error('connect ECONNREFUSED'), 'poll');
  expect(lines.map((l) => [l.msg, l.context, l.repeated])).toEqual([
    ['engine: poll', 'poll', undefined],
    ['engine: run r1', 'run r1', undefined],
    ['engine: poll', 'poll', 39],
  ]);
  expect(lines[0]).toMatchObject({ level: 50, node: 'n1', err: { message: 'connect ECONNREFUSED' } });
});
