/**
 * The markdown checkpoint: which week to review prices and the sell-through below which to
 * mark down ("markdown check at week 8 below 60% sell-through"), or "no markdowns" → both null.
 * Read before durations, so "after 6 weeks" in a markdown clause is a checkpoint, not a season.
 */
import { type Found, rx, take } from './found.js';
import { NUMBER, ORDINAL, parseCount, parseShare, PERCENT, FRACTION, DIGIT_NUMBER } from './numbers.js';
import { type Clause, spanOf, type Scan, type Span } from './scan.js';

const MARKDOWN_WORD = String.raw`mark[- ]?downs?|marked down|marking down|discount\w*|price (?:cuts?|reductions?)|clearance`;
const SELL_THROUGH = String.raw`sell[- ]?through|sell[- ]?thru|sellthrough|threshold`;

const NO_MARKDOWN = [
  rx(
    String.raw`\b(?:no|without(?: any)?|zero|skip(?:ping)?(?: the| any)?|exclud\w*(?: the| any)?|(?:don'?t|do not|won'?t|will not|never)(?: plan| want| need| take| do)?(?: any| the)?)\s+(?:planned\s+|in-season\s+|season\s+)?(?:${MARKDOWN_WORD})(?:\s+(?:phase|checkpoint|check|review|step))?\b`,
  ),
  rx(
    String.raw`\b(?:${MARKDOWN_WORD})(?:\s+(?:phase|checkpoint|check|review|step))?\s*(?::|=|-|\bare\b|\bis\b)?\s*(?:none|no|off|n/a|not needed|not planned)\b`,
  ),
  rx(String.raw`\bfull[- ]price\s+(?:only|throughout|all season|the whole season)\b`),
];
// Only words that can mean nothing else: a "clearance run" or a "discount store" asks for no checkpoint.
const MARKDOWN_MENTION = /\b(?:mark[- ]?downs?|marked down|marking down|price (?:cuts?|reductions?))\b/;
const MARKDOWN_CLAUSE = new RegExp(String.raw`\b(?:${MARKDOWN_WORD}|${SELL_THROUGH})`);
const OTHER_FAMILY = /\b(?:d\.?c\.?|distribution cent|warehouse|reserve|hold|held|keep|kept|replenish|restock)/;

const WEEK_PATTERNS: readonly (readonly [RegExp, string])[] = [
  [rx(String.raw`\bweek\s*(?:#|no\.?|number)?\s*(${NUMBER})(?![\d%])`), 'week N'],
  [rx(String.raw`\b(?:the\s+)?(${ORDINAL})\s+week\b`), 'Nth week'],
  [rx(String.raw`\b(?:after|at|in|by|around|on|following|from)\s+(?:the\s+)?(${NUMBER})\s*-?\s*weeks?\b(?:\s+mark)?(?:\s+in)?`), 'after N weeks'],
  [rx(String.raw`\b(${NUMBER})\s*-?\s*weeks?\s+(?:in|mark)\b`), 'N weeks in'],
];

// A threshold is a share; a plain number counts only right after a comparison ("below 60").
const COMPARISON = String.raw`(?:below|under|less than|lower than|beneath|short of|<|<=|=<|threshold(?: of| at| is| =| :)?|reach(?:es|ed)?|hits?)`;
const THRESHOLD_PATTERNS: readonly RegExp[] = [
  rx(String.raw`(${PERCENT})`),
  rx(String.raw`(${FRACTION})`),
  rx(String.raw`${COMPARISON}\s*(${DIGIT_NUMBER})(?![\d%])`),
];
const SAID_AS_THRESHOLD = new RegExp(
  String.raw`(?:${COMPARISON}|${SELL_THROUGH}|at|of|if|when|unless)\s*(?:is\s+|are\s+|was\s+|falls?\s+|drops?\s+|stays?\s+)*$`,
);

const MARKDOWN_DEPTH = /^\s*(?:mark[- ]?downs?|off\b|discount|price (?:cut|reduction))/;
const FOLLOWED_BY_SELL_THROUGH = new RegExp(String.raw`^\s*(?:${SELL_THROUGH})`);

export interface MarkdownFound {
  week?: Found<number>;
  threshold?: Found<number>;
  /** "No markdowns": both fields null on purpose. */
  none?: Found<null>;
  /** Markdowns were talked about, so a missing week or threshold is a real gap. */
  mentioned: boolean;
}

export function findMarkdown(scan: Scan): MarkdownFound {
  for (const pattern of NO_MARKDOWN) {
    const match = scan.all(pattern)[0];
    if (match) return { none: take(scan, spanOf(match), null, `"${match[0].trim()}" → no markdown phase`), mentioned: true };
  }
  const region = markdownRegion(scan.clauses());
  const mentioned = MARKDOWN_MENTION.test(scan.text);
  if (region.length === 0) return { mentioned };
  const week = findWeek(scan, region);
  const threshold = findThreshold(scan, region);
  return { mentioned: mentioned || week !== undefined || threshold !== undefined, ...(week && { week }), ...(threshold && { threshold }) };
}

/** Clauses about markdowns, plus the bare clauses that continue them ("markdown at week 6, 45%"). */
function markdownRegion(clauses: Clause[]): Clause[] {
  const region: Clause[] = [];
  let continuing = false;
  for (const clause of clauses) {
    if (MARKDOWN_CLAUSE.test(clause.text)) {
      region.push(clause);
      continuing = true;
    } else if (continuing && !OTHER_FAMILY.test(clause.text) && /\d|%|week|percent|half|third|quarter|fifth/.test(clause.text)) {
      region.push(clause);
    } else {
      continuing = false;
    }
  }
  return region;
}

const inside = (span: Span, region: Clause[]): boolean => region.some((c) => c.start <= span.start && span.end <= c.end);

function findWeek(scan: Scan, region: Clause[]): Found<number> | undefined {
  for (const [pattern, form] of WEEK_PATTERNS) {
    for (const match of scan.all(pattern)) {
      const value = parseCount(match[1] ?? '');
      if (value === undefined || !inside(spanOf(match), region)) continue;
      return take(scan, spanOf(match), value, `markdown checkpoint "${match[0].trim()}" (${form}) → week ${value}`);
    }
  }
  return undefined;
}

function findThreshold(scan: Scan, region: Clause[]): Found<number> | undefined {
  const candidates: { span: Span; value: number; said: boolean }[] = [];
  for (const pattern of THRESHOLD_PATTERNS) {
    for (const match of scan.all(pattern)) {
      const span = spanOf(match, 1);
      const value = parseShare(match[1] ?? '');
      if (value === undefined || !inside(span, region)) continue;
      if (candidates.some((c) => c.span.start < span.end && span.start < c.span.end)) continue;
      const before = scan.lower.slice(Math.max(0, span.start - 40), span.start);
      const after = scan.lower.slice(span.end, span.end + 25);
      if (MARKDOWN_DEPTH.test(after)) continue; // "a 20% markdown", "30% off": how deep, not when
      const said = SAID_AS_THRESHOLD.test(before) || FOLLOWED_BY_SELL_THROUGH.test(after);
      candidates.push({ span, value, said });
    }
  }
  // "mark down 20% at week 8 if sell-through is below 60%": the threshold is the one compared.
  candidates.sort((a, b) => Number(b.said) - Number(a.said) || a.span.start - b.span.start);
  const best = candidates[0];
  if (!best) return undefined;
  return take(scan, best.span, best.value, `markdown threshold "${scan.words(best.span)}" → sell-through ${best.value}`);
}
