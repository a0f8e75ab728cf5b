/** Checks a library call's input against its zod schema and turns failures into INVALID_PARAMETERS. */
import type { z } from 'zod';
import { InvalidParametersError } from '../errors/index.js';
import { issuesOf } from '../errors/zod-issues.js';

export function parseInput<S extends z.ZodType>(schema: S, input: unknown, what: string): z.output<S> {
  const parsed = schema.safeParse(input);
  if (!parsed.success) throw new InvalidParametersError(`${what}: the input is invalid`, issuesOf(parsed.error));
  return parsed.data;
}
