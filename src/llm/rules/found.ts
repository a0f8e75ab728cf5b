/** What a rule family reports for one field: the value, the planner's words and how it was read. */
import type { Scan, Span } from './scan.js';

export interface Found<T> {
  value: T;
  /** The words of the input the value came from. */
  words: string;
  /** One phrase of reasoning: how the words became the value. */
  how: string;
}

/** Records a find and blanks its words so later families do not read them again. */
export function take<T>(scan: Scan, span: Span, value: T, how: string): Found<T> {
  const words = scan.words(span);
  scan.claim(span);
  return { value, words, how };
}

/** Builds a global regex with indices (the d flag) from a source; input is already lower case. */
export const rx = (source: string): RegExp => new RegExp(source, 'gd');
