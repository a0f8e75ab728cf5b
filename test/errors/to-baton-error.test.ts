// Covers toBatonError (any thrown value as a BatonError) and issuesOf (zod issues as dotted paths).
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AgentError, BatonError, NotFoundError, toBatonError } from '../../src/errors/index.js';
import { issuesOf } from '../../src/errors/zod-issues.js';

describe('toBatonError', () => {
  it('passes a BatonError (or subclass) through unchanged', () => {
    const original = new NotFoundError('run', 'r');
    expect(toBatonError(original)).toBe(original);
    const refusal = new AgentError('no', { retryable: false });
    expect(toBatonError(refusal, 'INTERNAL_ERROR')).toBe(refusal);
  });

  it('wraps an unknown Error as a retryable AGENT_EXECUTION_ERROR keeping its message and cause', () => {
    const cause = new Error('no sales history for category 7');
    const error = toBatonError(cause);
    expect(error).toBeInstanceOf(BatonError);
    expect(error.code).toBe('AGENT_EXECUTION_ERROR');
    expect(error.retryable).toBe(true);
    expect(error.message).toBe('no sales history for category 7');
    expect(error.cause).toBe(cause);
    expect(error.details).toEqual({});
  });

  it("keeps a programming error's message out of the error: a generic message naming the class, the original as cause", () => {
    const cause = new TypeError("Cannot read properties of undefined (reading '0')");
    const error = toBatonError(cause);
    expect(error).toMatchObject({
      code: 'AGENT_EXECUTION_ERROR',
      retryable: true,
      message: 'an unexpected error occurred (TypeError)',
      details: { error: 'TypeError' },
    });
    expect(error.cause).toBe(cause);
    expect(JSON.stringify(error.toJSON())).not.toContain('Cannot read');
    expect(toBatonError(new RangeError('Invalid time value'), 'INVALID_TRANSITION').message).toBe('an unexpected error occurred (RangeError)');
  });

  it('wraps a thrown non-Error value using its string form', () => {
    expect(toBatonError('plain').message).toBe('plain');
    expect(toBatonError(42).message).toBe('42');
    expect(toBatonError(undefined).message).toBe('undefined');
  });

  it('uses the fallback code for unknown errors', () => {
    expect(toBatonError(new Error('bad jump'), 'INVALID_TRANSITION').code).toBe('INVALID_TRANSITION');
  });
});

describe('issuesOf', () => {
  it('turns nested zod issue paths into dotted paths', () => {
    const schema = z.object({ a: z.object({ b: z.array(z.number()) }), name: z.string() });
    const result = schema.safeParse({ a: { b: ['x', 2, 'y'] }, name: 'ok' });
    expect(result.success).toBe(false);
    const issues = issuesOf(result.error!);
    expect(issues.map((i) => i.path)).toEqual(['a.b.0', 'a.b.2']);
    for (const issue of issues) expect(issue.message).toEqual(expect.any(String));
  });

  it('gives an issue on the value itself an empty path', () => {
    const result = z.string().safeParse(3);
    expect(issuesOf(result.error!)).toEqual([{ path: '', message: result.error!.issues[0]!.message }]);
  });

  it("keeps zod's messages and one entry per issue", () => {
    const result = z.object({ x: z.number().min(5, 'too small'), y: z.string() }).safeParse({ x: 1 });
    const issues = issuesOf(result.error!);
    expect(issues).toHaveLength(2);
    expect(issues[0]).toEqual({ path: 'x', message: 'too small' });
    expect(issues[1]!.path).toBe('y');
  });

  it('writes record keys into the path as they are', () => {
    const result = z.record(z.string(), z.number()).safeParse({ 'sku-1': 'a' });
    expect(issuesOf(result.error!).map((i) => i.path)).toEqual(['sku-1']);
  });
});
