/**
 * The share of stock the distribution centre keeps back: "15% DC holdback", "hold back a
 * fifth at the warehouse", "10 percent in reserve", "DC holdback 0.12"; zero for "ship
 * everything", "nothing held back", "no DC reserve"; and 1 − x for "85% goes to stores".
 * Read last, on what the other families left, so percentages of sell-through are already taken.
 */
import { conflicting, type Found, rx, take } from './found.js';
import { isCorrection, type Mention, settle } from './mentions.js';
import { DIGIT_NUMBER, FRACTION, parseShare, PERCENT } from './numbers.js';
import { spanOf, type Scan, type Span } from './scan.js';

const DC_WORD =
  /\b(?:d\.?c\.?s?\b|distribution cent(?:er|re)s?|warehouses?|reserve[sd]?\b|hold[- ]?backs?|hold(?:s|ing)?\b|held\b|keep(?:s|ing)?\b|kept\b|withh(?:o|e)ld\w*|retain\w*|buffer\b|centrally\b|set aside)/;
const ZERO_WORD = /\b(?:no|none|nothing|zero|without|don'?t|do not|won'?t|never|nil)\b/;
// A share said as such; a bare number counts only when no share or "nothing held" is said anywhere, and never
// as a count ("2 distribution centers", "1,200 units"), money ("$50,000") or part of a longer figure.
const PERCENT_SHARE = rx(String.raw`(${PERCENT})`);
const SAID_SHARES = [PERCENT_SHARE, rx(String.raw`(${FRACTION})`)];
const BARE_NUMBER = rx(
  String.raw`(?<![\d.,$€£])(${DIGIT_NUMBER})(?![\d%]|[.,]\d|\s?k\b|\s?m\b)(?!\s*(?:units?|pieces?|pcs|items?|skus?|stores?|weeks?|days?|months?|cartons?|cases?|pallets?|d\.?c\.?s?\b|distribution|warehouses?|cent(?:er|re)s?|locations?|sites?)\b)`,
);
// "hold 10% at the DC instead of shipping everything": shipping everything is what is not done.
const NOT_DONE = String.raw`(?<!\b(?:instead of|rather than|not|never|without|don'?t|do not)\s+(?:\w+\s+)?)`;
const EVERYTHING_TO_STORES = [
  rx(
    String.raw`${NOT_DONE}\b(?:ship|send|push|allocate|move|put)(?:s|ping|ing|ed)?\s+(?:out\s+)?(?:everything|it all|all(?:\s+(?:of\s+)?(?:the\s+)?(?:stock|inventory|units|product|goods|merchandise))?)\b(?!\s+(?:else|but|except|apart|other|remaining|left))`,
  ),
  rx(
    String.raw`${NOT_DONE}\b(?:everything|all(?:\s+(?:of\s+)?(?:the\s+)?(?:stock|inventory|units|product|goods|merchandise)))\s+(?:is\s+|goes\s+|gets\s+|shipped\s+|sent\s+|pushed\s+|allocated\s+|out\s+)*(?:straight\s+|directly\s+)?(?:to|into)\s+(?:the\s+)?stores?\b`,
  ),
  rx(String.raw`\bnothing\s+(?:is\s+|gets\s+|will be\s+)?(?:held|kept|set aside|reserved)(?:\s+back)?\b`),
];
const SHARE_TO_STORES = rx(
  String.raw`(${PERCENT}|${FRACTION})\s+(?:of\s+(?:the\s+)?(?:stock|inventory|units|buy)\s+)?(?:goes\s+|going\s+|is\s+|gets\s+)?(?:shipped\s+|sent\s+|allocated\s+|pushed\s+)?(?:straight\s+|directly\s+)?(?:to|into)\s+(?:the\s+)?stores?\b`,
);
// "-10%" and "minus 10%": a sign the share keeps, so validation refuses it instead of reading 10%.
const MINUS_BEFORE = /(?:(?:^|[\s:(=])-\s?|\bminus\s+)$/;

interface ShareMention extends Mention<number> {
  how: string;
}

export function findDcShare(scan: Scan): Found<number> | undefined {
  const clauses = scan.clauses().filter((clause) => DC_WORD.test(clause.text));
  const inClauses = (span: Span) => clauses.some((c) => c.start <= span.start && span.end <= c.end);
  const mentions: ShareMention[] = [];
  for (const pattern of SAID_SHARES) {
    for (const match of scan.all(pattern)) {
      const span = spanOf(match, 1);
      const value = parseShare(match[1] ?? '');
      if (value === undefined || !inClauses(span) || mentions.some((m) => m.span.start < span.end && span.start < m.span.end)) continue;
      const signed = MINUS_BEFORE.test(scan.lower.slice(Math.max(0, span.start - 7), span.start)) ? -value : value;
      mentions.push({ value: signed, span, how: `DC holdback "${scan.words(span)}" → ${signed}` });
    }
  }
  for (const clause of clauses) {
    if (mentions.some((m) => clause.start <= m.span.start && m.span.end <= clause.end)) continue;
    if (ZERO_WORD.test(clause.text)) mentions.push({ value: 0, span: clause, how: `"${scan.words(clause)}" → nothing held back at the DC (0)` });
  }
  for (const pattern of EVERYTHING_TO_STORES) {
    for (const match of scan.all(pattern)) {
      const span = spanOf(match);
      if (mentions.some((m) => m.span.start < span.end && span.start < m.span.end)) continue;
      mentions.push({ value: 0, span, how: `"${match[0].trim()}" → everything to stores, DC holdback 0` });
    }
  }
  for (const match of scan.all(SHARE_TO_STORES)) {
    const storesShare = parseShare(match[1] ?? '');
    const span = spanOf(match);
    if (storesShare === undefined || mentions.some((m) => m.span.start < span.end && span.start < m.span.end)) continue;
    const value = Math.round((1 - storesShare) * 1e9) / 1e9;
    mentions.push({ value, span, how: `"${match[0].trim()}" → the DC keeps the rest, ${value}` });
  }
  // "DC HB 10%… let's go with 15% instead": a share said as a correction, after a DC share, corrects it.
  const firstDc = mentions.reduce((first, m) => Math.min(first, m.span.start), Infinity);
  for (const match of scan.all(PERCENT_SHARE)) {
    const span = spanOf(match, 1);
    const value = parseShare(match[1] ?? '');
    if (value === undefined || span.start < firstDc || inClauses(span) || !isCorrection(scan, span)) continue;
    mentions.push({ value, span, how: `DC holdback corrected to "${scan.words(span)}" → ${value}` });
  }
  if (mentions.length === 0) {
    for (const match of scan.all(BARE_NUMBER)) {
      const span = spanOf(match, 1);
      const value = parseShare(match[1] ?? '');
      if (value !== undefined && inClauses(span)) mentions.push({ value, span, how: `DC holdback "${scan.words(span)}" → ${value}` });
    }
  }
  const settled = settle(scan, mentions);
  if (settled === undefined) return undefined;
  if (settled.kind === 'conflict') return conflicting(scan, settled.mentions, 'DC holdback');
  const chosen = mentions.find((m) => m.span === settled.mention.span)!;
  const found = take(scan, chosen.span, chosen.value, `${chosen.how}${settled.how ? ` (${settled.how})` : ''}`);
  for (const m of mentions) if (m !== chosen) scan.claim(m.span);
  return found;
}
