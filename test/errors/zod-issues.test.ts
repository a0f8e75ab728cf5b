// The one rule for missing vs invalid input, from zod's issue codes and the input itself (never its English messages).
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { classifyIssues, inputError, isMissing, pathOfPointer } from '../../src/errors/zod-issues.js';

const schema = z.object({
  name: z.string(),
  mode: z.enum(['rules', 'llm']),
  kind: z.literal('approval'),
  nested: z.object({ weeks: z.number().int() }),
  role: z.string().pipe(z.enum(['Q_ASSISTANT', 'CODE_WRITER'])),
  tag: z.string().optional(),
  move: z.discriminatedUnion('action', [z.object({ action: z.literal('advance') }), z.object({ action: z.literal('retry') })]),
});
const complete = { name: 'n', mode: 'rules', kind: 'approval', nested: { weeks: 4 }, role: 'Q_ASSISTANT', move: { action: 'advance' } };
const issuesFor = (input: unknown) => schema.safeParse(input).error!.issues;

describe('missing vs invalid input', () => {
  it('calls fields left out missing, whatever kind of value they expected (type, enum, literal, piped choice, union discriminator)', () => {
    const input = { nested: {}, move: {} };
    const issues = issuesFor(input);
    expect(issues.map((i) => i.path.join('.')).sort()).toEqual(['kind', 'mode', 'move.action', 'name', 'nested.weeks', 'role']);
    expect(issues.every((i) => isMissing(i, input))).toBe(true);
    expect(classifyIssues(issues, input)).toBe('INCOMPLETE_INPUT');
  });

  it('calls a value of the wrong type, a wrong choice or null in a field invalid, not missing', () => {
    for (const wrong of [
      { name: 3 },
      { mode: 'hybrid' },
      { kind: 'actuals' },
      { role: 'NOBODY' },
      { name: null },
      { nested: { weeks: 1.5 } },
      { move: { action: 'x' } },
    ]) {
      const input = { ...complete, ...wrong };
      const issues = issuesFor(input);
      expect(issues.length).toBeGreaterThan(0);
      expect(issues.some((i) => isMissing(i, input))).toBe(false);
      expect(classifyIssues(issues, input)).toBe('INVALID_PARAMETERS');
    }
  });

  it('makes input with one wrong value and one missing field invalid', () => {
    const input: Record<string, unknown> = { ...complete, mode: 'hybrid' };
    delete input.name;
    expect(classifyIssues(issuesFor(input), input)).toBe('INVALID_PARAMETERS');
  });

  it('treats an absent or null whole input (a request without a body) as missing', () => {
    expect(classifyIssues(issuesFor(undefined), undefined)).toBe('INCOMPLETE_INPUT');
    expect(classifyIssues(issuesFor(null), null)).toBe('INCOMPLETE_INPUT');
    expect(classifyIssues(issuesFor('text'), 'text')).toBe('INVALID_PARAMETERS');
  });

  it('reads a refinement that points at an absent field as missing, and one about values given as invalid', () => {
    const together = z
      .object({ a: z.number().optional(), b: z.number().optional() })
      .refine((v) => (v.a === undefined) === (v.b === undefined), { path: ['b'], message: 'b goes with a' })
      .refine((v) => v.a === undefined || v.b === undefined || v.a < v.b, { message: 'a must be below b' });
    const alone = { a: 1 };
    expect(classifyIssues(together.safeParse(alone).error!.issues, alone)).toBe('INCOMPLETE_INPUT');
    const reversed = { a: 2, b: 1 };
    expect(classifyIssues(together.safeParse(reversed).error!.issues, reversed)).toBe('INVALID_PARAMETERS');
  });

  it('does not depend on the language of the messages', () => {
    const input = { ...complete, name: undefined };
    const issues = issuesFor(input).map((i) => ({ ...i, message: 'Ungültige Eingabe' }));
    expect(classifyIssues(issues, input)).toBe('INCOMPLETE_INPUT');
  });

  it('classifies issues copied by a framework, with their paths given as pointers', () => {
    const input = { nested: { weeks: 'x' } };
    const copied = issuesFor(input).map((i) => ({ code: i.code, path: pathOfPointer(`/${i.path.join('/')}`) }));
    expect(copied.find((i) => i.path.join('.') === 'nested.weeks')).toBeDefined();
    expect(
      isMissing(
        copied.find((i) => i.path.join('.') === 'nested.weeks')!,
        input,
      ),
    ).toBe(false);
    expect(
      isMissing(
        copied.find((i) => i.path.join('.') === 'name')!,
        input,
      ),
    ).toBe(true);
  });

  it('names the missing fields in INCOMPLETE_INPUT and every failing field in INVALID_PARAMETERS, under a prefix when given', () => {
    const missing = inputError('the DISCOVERY output', { nested: {} }, schema.safeParse({ nested: {} }).error!, ['output']);
    expect(missing.code).toBe('INCOMPLETE_INPUT');
    expect(missing.details.issues).toContainEqual({ path: 'output.nested.weeks', message: 'is required' });
    const invalid = inputError('parameters for workflow "w"', { ...complete, mode: 'x' }, schema.safeParse({ ...complete, mode: 'x' }).error!);
    expect(invalid.code).toBe('INVALID_PARAMETERS');
    expect(invalid.details.issues).toEqual([{ path: 'mode', message: expect.stringContaining('rules') as unknown }]);
  });
});
