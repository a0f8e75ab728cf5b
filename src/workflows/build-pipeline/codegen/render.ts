/**
 * The code generator's template renderer: Eta 4 over templates kept as TypeScript string constants (so the built
 * `dist` needs no template files copied beside it). Output is code, not HTML, so nothing is escaped.
 */
import { Eta, type TemplateFunction } from 'eta';
import { BatonError } from '../../../errors/index.js';

/**
 * `<% code %>` runs, `<%= value %>` prints (raw: autoEscape is off). Nothing is trimmed implicitly (an interpolation
 * at a line's end keeps its newline); a control line written at column 0 as `<% if (...) { -%>` leaves no blank
 * line behind (`-%>` drops the newline after the tag).
 */
const eta = new Eta({ autoEscape: false, autoTrim: false, useWith: false, varName: 'it', cache: false });

// Compiled once per template text: the generator renders the same constants for every entity.
const compiled = new Map<string, TemplateFunction>();

/** A template failed to compile or to run: a bug in the generator's own templates, never the user's input. */
export class TemplateError extends BatonError {
  constructor(name: string, cause: unknown) {
    super('INTERNAL_ERROR', `template ${name} failed: ${cause instanceof Error ? cause.message : String(cause)}`, { retryable: false });
  }
}

/**
 * Renders one template with its data (reachable as `it` inside). The result ends with exactly one newline, so
 * generated files are stable whatever the template's last line looks like.
 */
export function render(template: string, data: object, name = 'template'): string {
  let fn = compiled.get(template);
  try {
    if (!fn) {
      fn = eta.compile(template);
      compiled.set(template, fn);
    }
    const text = eta.render(fn, data);
    return `${text.replace(/\s+$/, '')}\n`;
  } catch (error) {
    throw new TemplateError(name, error);
  }
}

/** JSON as generated files hold it: two-space indent, a final newline (stable key order is the caller's job). */
export const json = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`;
