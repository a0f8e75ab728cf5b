/** What a rule family reports for one field: the value, the planner's words and how it was read. */
import type { Scan, Span } from './scan.js';

export interface Found<T> {
  value: T;
  /** The words of the input the value came from. */
  words: string;
  /** One phrase of reasoning: how the words became the value. */
  how: string;
  /** The field was said with different values and nothing says which one is meant: each mention's words. */
  conflict?: string[];
}

/** Records a find and blanks its words so later families do not read them again. */
export function take<T>(scan: Scan, span: Span, value: T, how: string): Found<T> {
  const words = scan.words(span);
  scan.claim(span);
  return { value, words, how };
}

/** A contradiction: every mention's words are blanked and reported; the value is the first one's, never used. */
export function conflicting<T>(scan: Scan, mentions: readonly { value: T; span: Span }[], field: string): Found<T> {
  const said = mentions.map((m) => scan.words(m.span));
  for (const m of mentions) scan.claim(m.span);
  return { value: mentions[0]!.value, words: said.join(' / '), how: `${field} said differently: ${said.map((w) => `"${w}"`).join(' and ')}`, conflict: said };
}

/** Builds a global regex with indices (the d flag) from a source; input is already lower case. */
export const rx = (source: string): RegExp => new RegExp(source, 'gd');
