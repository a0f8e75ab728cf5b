/**
 * Turns zod's issues into Baton's field issues (dotted paths a person can act on), and the one rule
 * for "missing or invalid": a request, a run's parameters and a role's output are all judged by it.
 */
import type { z } from 'zod';
import { IncompleteInputError, InvalidParametersError, type FieldIssue } from './index.js';

export const issuesOf = (error: z.ZodError): FieldIssue[] =>
  error.issues.flatMap((issue) =>
    // A closed object's unknown fields, one issue each at the field's own path, as HTTP names them.
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => ({ path: [...issue.path, key].map(String).join('.'), message: 'is not a known field' }))
      : [{ path: issue.path.map(String).join('.'), message: issue.message }],
  );

/** What the classifier needs of an issue: zod's own, or a framework's copy of it (keyword/instancePath turned back into code/path). */
export interface IssueLike {
  code: string;
  path: readonly PropertyKey[];
}

/**
 * The codes an absent value can raise: a type, a choice (enum, literal) or a union's discriminator not met, or a
 * refinement that points at the field it needs (the seed's "markdown_threshold goes with markdown_checkpoint_week").
 */
const ABSENT_CODES: ReadonlySet<string> = new Set(['invalid_type', 'invalid_value', 'invalid_union', 'custom']);

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let value = input;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

/**
 * Whether an issue is about a value left out rather than a wrong one given: zod found no value where
 * it expected a type, a choice or a refined field (undefined at the issue's path; null for the whole input,
 * which is how a missing body arrives). Decided from the issue's code and the input, never from zod's English message.
 */
export function isMissing(issue: IssueLike, input: unknown): boolean {
  if (!ABSENT_CODES.has(issue.code)) return false;
  const value = valueAt(input, issue.path);
  return value === undefined || (issue.path.length === 0 && value === null);
}

export type InputVerdict = 'INCOMPLETE_INPUT' | 'INVALID_PARAMETERS';

/** INCOMPLETE_INPUT (400) when every issue is a value left out, else INVALID_PARAMETERS (422): one wrong value makes the input invalid. */
export function classifyIssues(issues: readonly IssueLike[], input: unknown): InputVerdict {
  return issues.length > 0 && issues.every((issue) => isMissing(issue, input)) ? 'INCOMPLETE_INPUT' : 'INVALID_PARAMETERS';
}

/** A framework's JSON-pointer-like path (`/a/0/b`) as path segments. */
export const pathOfPointer = (pointer: string): string[] => pointer.split('/').filter(Boolean);

/**
 * The error for `input` failing a schema, about `subject` ("parameters for …"): INCOMPLETE_INPUT naming
 * each field left out when that is all that is wrong, else INVALID_PARAMETERS naming each failing field.
 * `prefix` puts the fields under where the input sits (`output`, `body`).
 */
export function inputError(subject: string, input: unknown, error: z.ZodError, prefix: readonly string[] = []): IncompleteInputError | InvalidParametersError {
  const pathOf = (issue: z.core.$ZodIssue) => [...prefix, ...issue.path.map(String)].join('.');
  if (classifyIssues(error.issues, input) === 'INCOMPLETE_INPUT') {
    return new IncompleteInputError(`${subject} are incomplete`, [...new Set(error.issues.map(pathOf))]);
  }
  return new InvalidParametersError(
    `${subject} are invalid`,
    error.issues.map((issue) => ({ path: pathOf(issue), message: issue.message })),
  );
}
