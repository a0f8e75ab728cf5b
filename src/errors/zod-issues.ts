/** Turns zod's issues into Baton's field issues: dotted paths a person can act on. */
import type { z } from 'zod';
import type { FieldIssue } from './index.js';

export const issuesOf = (error: z.ZodError): FieldIssue[] =>
  error.issues.map((issue) => ({ path: issue.path.map(String).join('.'), message: issue.message }));
