/**
 * The markdown checkpoint: which week to review prices and the sell-through below which to
 * mark down ("markdown check at week 8 below 60% sell-through"), or "no markdowns" → both null.
 * Read before durations, so "after 6 weeks" in a markdown clause is a checkpoint, not a season.
 */
import { conflicting, type Found, rx, take } from './found.js';
import { isBackground, type Mention, settle } from './mentions.js';
import { NUMBER, ORDINAL, parseCount, parseShare, PERCENT, FRACTION, DIGIT_NUMBER } from './numbers.js';
import { type Clause, spanOf, type Scan, type Span } from './scan.js';

const PRICE_CUT = String.raw`(?:cut|cutting|reduce|reducing|lower|lowering|drop|dropping)\s+(?:the\s+|our\s+)?prices?|price (?:cuts?|reductions?|drops?)`;
// "MD" and "ST" are how planners abbreviate markdown and sell-through ("MD checkpoint wk 16, trigger if ST < 50%").
const MARKDOWN_WORD = String.raw`mark[- ]?downs?|marked down|marking down|\bmds?\b|discount\w*|${PRICE_CUT}|clearance`;
const SELL_THROUGH = String.raw`sell[- ]?through|sell[- ]?thru|sellthrough|threshold|\bst\b`;

const NO_MARKDOWN = [
  rx(
    String.raw`\b(?:no|without(?: any)?|zero|skip(?:ping)?(?: the| any)?|exclud\w*(?: the| any)?|(?:don'?t|do not|won'?t|will not|never|not|aren'?t|are not|isn'?t)(?: plan\w*| want\w*| need\w*| tak\w*| do\w*| run\w*| us\w*)?(?: any| the)?)\s+(?:planned\s+|in-season\s+|season\s+)?(?:${MARKDOWN_WORD})(?:\s+(?:phase|checkpoint|check|review|step))?\b`,
  ),
  rx(
    String.raw`\b(?:${MARKDOWN_WORD})(?:\s+(?:phase|checkpoint|check|review|step))?\s*(?::|=|-|\bare\b|\bis\b)?\s*(?:none|no|off|n/a|not needed|not planned)\b`,
  ),
  rx(String.raw`\bfull[- ]price\s+(?:only|throughout|all season|the whole season)\b`),
];
// Only words that can mean nothing else: a "clearance run" or a "discount store" asks for no checkpoint.
// A markdown budget or spend is money, not a checkpoint: it asks for no week or threshold.
const MARKDOWN_MENTION = rx(
  String.raw`\b(?:mark[- ]?downs?|marked down|marking down|mds?|${PRICE_CUT})\b(?!\s+(?:budget|spend|costs?|allowance|reserve|money|dollars|funds?)\b)`,
);
const MARKDOWN_CLAUSE = new RegExp(String.raw`\b(?:${MARKDOWN_WORD}|${SELL_THROUGH})`);
const OTHER_FAMILY = /\b(?:d\.?c\.?|distribution cent|warehouse|reserve|hold|held|keep|kept|replenish|restock)/;

const WEEK_PATTERNS: readonly (readonly [RegExp, string])[] = [
  [rx(String.raw`\b(?:week|wk)\.?\s*(?:#|no\.?|number)?\s*(${NUMBER})(?![\d%])`), 'week N'],
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
  // "at 0.55 sell-through", "@ 0.55": a share below 1 after "at" (never "at week 8", which is a whole number).
  rx(String.raw`(?:@|\bat)\s*(0?\.\d+)(?![\d%])`),
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
  const none = noMarkdown(scan);
  // A clause is about last season when a background phrase comes before its end with no turn back ("but this year").
  const region = markdownRegion(scan.clauses()).filter((clause) => !isBackground(scan, { start: clause.end, end: clause.end }));
  // Last season's markdown ("previous season had a markdown at week 6") is not this season's.
  const mentioned = scan.all(MARKDOWN_MENTION).some((match) => !isBackground(scan, spanOf(match)));
  const week = region.length > 0 ? findWeek(scan, region) : undefined;
  if (none) {
    const weekSpans = week === undefined ? [] : week.kind === 'one' ? [week.span] : week.mentions.map((m) => m.span);
    // "markdown at week 8 below 60%, no markdowns": both said, neither is guessed.
    if (weekSpans.length === 0 || /\b(?:otherwise|or else|if not)\W*$/.test(scan.lower.slice(Math.max(0, none.span.start - 15), none.span.start))) {
      return { none: take(scan, none.span, null, `"${none.said}" → no markdown phase`), mentioned: true };
    }
    const said = [...weekSpans.map((span) => scan.words(span)), none.said];
    for (const span of [...weekSpans, none.span]) scan.claim(span);
    const conflict = { value: null, words: said.join(' / '), how: `markdowns said both ways: ${said.map((w) => `"${w}"`).join(' and ')}`, conflict: said };
    return { none: conflict, mentioned: true };
  }
  if (region.length === 0) return { mentioned };
  if (week?.kind === 'conflict') {
    // Two checkpoints ("week 6 below 50%, week 8 below 40%"): one is planned, so neither week nor threshold is guessed.
    const found = conflicting(scan, week.mentions, 'markdown checkpoint');
    const threshold = findThreshold(scan, region);
    return { mentioned: true, week: found, ...(threshold && { threshold: { ...threshold, conflict: found.conflict! } }) };
  }
  // A sell-through figure with no markdown word and no week is a target, not a checkpoint ("target 65% sell-through").
  if (!mentioned && week === undefined) return { mentioned };
  const weekFound = week && take(scan, week.span, week.value, week.how);
  const threshold = findThreshold(scan, region);
  return { mentioned: true, ...(weekFound && { week: weekFound }), ...(threshold && { threshold }) };
}

function noMarkdown(scan: Scan): { span: Span; said: string } | undefined {
  for (const pattern of NO_MARKDOWN) {
    for (const match of scan.all(pattern)) {
      const span = spanOf(match);
      if (isBackground(scan, span)) scan.claim(span);
      else return { span, said: match[0].trim() };
    }
  }
  return undefined;
}

/** Clauses about markdowns, plus the bare clauses that continue them ("markdown at week 6, 45%"). */
function markdownRegion(clauses: Clause[]): Clause[] {
  const region: Clause[] = [];
  let continuing = false;
  clauses.forEach((clause, i) => {
    if (MARKDOWN_CLAUSE.test(clause.text)) {
      // "6 weeks in, if sell-through is below half, mark down": a checkpoint said just before the markdown words.
      const previous = clauses[i - 1];
      if (previous && !region.includes(previous) && !OTHER_FAMILY.test(previous.text) && WEEK_PATTERNS.some(([p]) => new RegExp(p.source).test(previous.text)))
        region.push(previous);
      region.push(clause);
      continuing = true;
    } else if (continuing && !OTHER_FAMILY.test(clause.text) && /\d|%|week|percent|half|third|quarter|fifth/.test(clause.text)) {
      region.push(clause);
    } else {
      continuing = false;
    }
  });
  return region.sort((a, b) => a.start - b.start);
}

const inside = (span: Span, region: Clause[]): boolean => region.some((c) => c.start <= span.start && span.end <= c.end);

type WeekFind = { kind: 'one'; value: number; span: Span; how: string } | { kind: 'conflict'; mentions: Mention<number>[] };

/** The checkpoint week; two different weeks are a conflict (one checkpoint is planned). */
function findWeek(scan: Scan, region: Clause[]): WeekFind | undefined {
  const mentions: (Mention<number> & { how: string })[] = [];
  for (const [pattern, form] of WEEK_PATTERNS) {
    for (const match of scan.all(pattern)) {
      const span = spanOf(match);
      const value = parseCount(match[1] ?? '');
      if (value === undefined || !inside(span, region) || mentions.some((m) => m.span.start < span.end && span.start < m.span.end)) continue;
      mentions.push({ value, span, how: `markdown checkpoint "${match[0].trim()}" (${form}) → week ${value}` });
    }
  }
  const settled = settle(scan, mentions);
  if (settled === undefined) return undefined;
  if (settled.kind === 'conflict') return settled;
  const chosen = mentions.find((m) => m.span === settled.mention.span)!;
  for (const m of mentions) if (m !== chosen) scan.claim(m.span);
  return { kind: 'one', value: chosen.value, span: chosen.span, how: chosen.how };
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
