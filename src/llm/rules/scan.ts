/**
 * The text a rule family reads: a lower-cased copy of the input in which words already
 * understood by an earlier family are blanked out, so two families never read the same words.
 * Blanking keeps every offset, so a match always points back at the planner's own words.
 */

export interface Span {
  start: number;
  end: number;
}

/** One clause: the stretch between separators (, ; . and, with, parentheses…). */
export interface Clause extends Span {
  text: string;
}

// Separators between the things planners list; a comma or period inside a number is not one.
const CLAUSE_BREAK = /[;!?()[\]\n|•]|[.,](?!\d)|\s(?:and|with|but|while|plus|then)\s/g;

export class Scan {
  readonly original: string;
  /** The whole input, lower case: clauses are cut on it so blanking never moves a boundary. */
  readonly lower: string;
  private working: string;

  constructor(text: string) {
    this.original = text;
    this.lower = normalise(text);
    this.working = this.lower;
  }

  /** The text still unread, lower case, same length as the original. */
  get text(): string {
    return this.working;
  }

  /** The planner's words at these offsets, trimmed of separators. */
  words(span: Span): string {
    return this.original.slice(span.start, span.end).trim();
  }

  claim(span: Span): void {
    this.working = this.working.slice(0, span.start) + ' '.repeat(span.end - span.start) + this.working.slice(span.end);
  }

  /** Every match of `pattern` in the unread text; the pattern must carry the g and d flags. */
  all(pattern: RegExp): RegExpExecArray[] {
    pattern.lastIndex = 0;
    return [...this.working.matchAll(pattern)];
  }

  /** The unread text cut into clauses. */
  clauses(): Clause[] {
    const clauses: Clause[] = [];
    let start = 0;
    for (const separator of this.lower.matchAll(CLAUSE_BREAK)) {
      clauses.push({ start, end: separator.index, text: this.working.slice(start, separator.index) });
      start = separator.index + separator[0].length;
    }
    clauses.push({ start, end: this.working.length, text: this.working.slice(start) });
    return clauses.filter((clause) => clause.text.trim() !== '');
  }
}

/** Where a match (or one of its groups) sits; patterns carry the d flag, so indices are known. */
export const spanOf = (match: RegExpExecArray, group = 0): Span => {
  const indices = match.indices?.[group];
  if (indices) return { start: indices[0], end: indices[1] };
  return { start: match.index, end: match.index + match[0].length };
};

/** Lower case with typographic dashes and quotes made plain, one character for one. */
function normalise(text: string): string {
  const plain = text
    .replace(/[\u2010-\u2015\u2212]/g, '-')
    .replace(/[\u2018\u2019\u2032]/g, "'")
    .replace(/[\u201c\u201d]/g, '"');
  const lower = plain.toLowerCase();
  if (lower.length === plain.length) return lower;
  // A few letters change length when lower-cased (İ); keep those as they are so offsets hold.
  return Array.from(plain, (char) => (char.toLowerCase().length === char.length ? char.toLowerCase() : char)).join('');
}
