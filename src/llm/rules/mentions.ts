/**
 * When a field is said more than once: which mention is the plan. A figure about another time ("last year's
 * season was 10 weeks") is background; a later mention after a correction word
 * ("actually", "make it", "instead") replaces the earlier ones; two plans left standing are a contradiction,
 * reported rather than settled by word order.
 */
import type { Scan, Span } from './scan.js';

/** One reading of a field: its value and where the planner said it. */
export interface Mention<T> {
  value: T;
  span: Span;
}

export type Settled<T> = { kind: 'one'; mention: Mention<T>; how?: string } | { kind: 'conflict'; mentions: Mention<T>[] };

const BACKGROUND =
  /\b(?:last|previous|prior|past)\s+(?:year|season|spring|summer|fall|autumn|winter|holiday|time)\b|\blast year'?s?\b|\bly\b|\bhistorical(?:ly)?\b|\bused to\b|\bin (?:19|20)\d\d,? we\b/g;
// What turns a sentence back to this season's plan: "Last year we did weekly, but this year bi-weekly".
const FOREGROUND = /\b(?:but|however|whereas|this (?:year|season|time)|now|going forward|next (?:year|season)|for this season|the new season)\b/g;
// "instead of X" and "rather than X" name what is not done: X is no correction.
const CORRECTION =
  /\b(?:actually|make (?:it|that)|instead(?! of)|rather(?! than)|correction|scratch that|on second thought|change (?:it|that) to|update|i mean(?:t)?|sorry)\b/;

// "DC HB 15% instead", "bi-weekly rather": the correction word right after the new value.
const CORRECTION_AFTER = /^[^,]{0,20}?\b(?:instead|rather)\b(?! of| than)/;

// A sentence ends at . ! ? ; or a line break, never at the point of a decimal or a date.
const SENTENCE_END = /[!?;\n]|\.(?!\d)/g;

/** The sentence around `span`, as offsets into the scan's text. */
export function sentenceOf(scan: Scan, span: Span): Span {
  let start = 0;
  let end = scan.lower.length;
  for (const match of scan.lower.matchAll(SENTENCE_END)) {
    if (match.index < span.start) start = match.index + 1;
    else if (match.index >= span.end) {
      end = match.index;
      break;
    }
  }
  return { start, end };
}

const lastIndex = (pattern: RegExp, text: string): number => [...text.matchAll(pattern)].at(-1)?.index ?? -1;

/**
 * The mention is about another season: in its sentence a background phrase ("last year", "LY", "previous season",
 * "in 2024 we") comes before it, with no turn back to this season ("but", "this year") between. (A supplier's lead
 * time is a figure of its own, left aside by the durations family.)
 */
export function isBackground(scan: Scan, span: Span): boolean {
  const sentence = sentenceOf(scan, span);
  const before = scan.lower.slice(sentence.start, span.start);
  return lastIndex(BACKGROUND, before) > lastIndex(FOREGROUND, before);
}

// "weekly instead of bi-weekly", "15% rather than 10%": the value after these is the one not chosen.
const RULED_OUT_BEFORE = /\b(?:instead of|rather than)\s+(?:a\s+|an\s+|the\s+)?$/;

/** The mention is what the planner rules out ("instead of bi-weekly"). */
export function isRuledOut(scan: Scan, span: Span): boolean {
  return RULED_OUT_BEFORE.test(scan.lower.slice(Math.max(0, span.start - 25), span.start));
}

/**
 * A correction word comes before the mention in its own sentence ("Actually, start on …", "Make it 10 weeks"), or
 * "instead" / "rather" right after it ("DC HB 15% instead").
 */
export function isCorrection(scan: Scan, span: Span): boolean {
  const sentence = sentenceOf(scan, span);
  return CORRECTION.test(scan.lower.slice(sentence.start, span.start)) || CORRECTION_AFTER.test(scan.lower.slice(span.end, sentence.end));
}

/**
 * The mention that is the plan. Mentions about another season never count (last year's 12
 * weeks is not this season's length, even when this season's is not said); the last correction wins over what
 * it corrects; distinct values left after that are a conflict. `same` decides when two values agree (default: ===).
 * Callers blank every mention's words, the ones left aside too, so no later family reads them.
 */
export function settle<T>(scan: Scan, mentions: readonly Mention<T>[], same: (a: T, b: T) => boolean = (a, b) => a === b): Settled<T> | undefined {
  const ordered = [...mentions].sort((a, b) => a.span.start - b.span.start);
  const candidates = ordered.filter((m) => !isBackground(scan, m.span) && !isRuledOut(scan, m.span));
  if (candidates.length === 0) return undefined;
  const corrected = candidates.filter((m, i) => i > 0 && isCorrection(scan, m.span));
  const last = corrected.at(-1);
  if (last) return { kind: 'one', mention: last, how: 'a correction of what was said before' };
  const distinct = candidates.filter((m, i) => candidates.findIndex((n) => same(n.value, m.value)) === i);
  if (distinct.length > 1) return { kind: 'conflict', mentions: distinct };
  const first = candidates[0]!;
  return candidates.length < ordered.length ? { kind: 'one', mention: first, how: 'figures about another season left aside' } : { kind: 'one', mention: first };
}
