/** Turns zod's issues into Baton's field issues: dotted paths a person can act on. */
import type { z } from 'zod';
import { IncompleteInputError, InvalidParametersError, type FieldIssue } from './index.js';

export const issuesOf = (error: z.ZodError): FieldIssue[] => error.issues.map((issue) => ({ path: issue.path.map(String).join('.'), message: issue.message }));

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let value = input;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

/**
 * The error for `input` failing a schema, about `subject` ("parameters for …"): INCOMPLETE_INPUT (400)
 * when every issue is a field left out, else INVALID_PARAMETERS (422) naming each failing field — the
 * rule the HTTP layer applies to requests.
 */
export function inputError(subject: string, input: unknown, error: z.ZodError): IncompleteInputError | InvalidParametersError {
  const missing = error.issues.filter((issue) => issue.path.length > 0 && valueAt(input, issue.path) === undefined);
  if (missing.length > 0 && missing.length === error.issues.length) {
    return new IncompleteInputError(`${subject} are incomplete`, [...new Set(missing.map((issue) => issue.path.map(String).join('.')))]);
  }
  return new InvalidParametersError(`${subject} are invalid`, issuesOf(error));
}
