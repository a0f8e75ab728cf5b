/**
 * The share of stock the distribution centre keeps back: "15% DC holdback", "hold back a
 * fifth at the warehouse", "10 percent in reserve", "DC holdback 0.12"; zero for "ship
 * everything", "nothing held back", "no DC reserve"; and 1 − x for "85% goes to stores".
 * Read last, on what the other families left, so percentages of sell-through are already taken.
 */
import { type Found, rx, take } from './found.js';
import { DIGIT_NUMBER, FRACTION, parseShare, PERCENT } from './numbers.js';
import { spanOf, type Scan, type Span } from './scan.js';

const DC_WORD =
  /\b(?:d\.?c\.?s?\b|distribution cent(?:er|re)s?|warehouses?|reserve[sd]?\b|hold[- ]?backs?|hold(?:s|ing)?\b|held\b|keep(?:s|ing)?\b|kept\b|withh(?:o|e)ld\w*|retain\w*|buffer\b|centrally\b|set aside)/;
const ZERO_WORD = /\b(?:no|none|nothing|zero|without|don'?t|do not|won'?t|never|nil)\b/;
const SHARE_IN_CLAUSE = [
  rx(String.raw`(${PERCENT})`),
  rx(String.raw`(${FRACTION})`),
  rx(String.raw`(?<![\d.,])(${DIGIT_NUMBER})(?![\d%])(?!\s*(?:units?|pieces?|pcs|items?|skus?|stores?|weeks?|days?|months?|cartons?|cases?|pallets?)\b)`),
];
const EVERYTHING_TO_STORES = [
  rx(
    String.raw`\b(?:ship|send|push|allocate|move|put)(?:s|ping|ing|ed)?\s+(?:out\s+)?(?:everything|it all|all(?:\s+(?:of\s+)?(?:the\s+)?(?:stock|inventory|units|product|goods|merchandise))?)\b`,
  ),
  rx(
    String.raw`\b(?:everything|all(?:\s+(?:of\s+)?(?:the\s+)?(?:stock|inventory|units|product|goods|merchandise)))\s+(?:is\s+|goes\s+|gets\s+|shipped\s+|sent\s+|pushed\s+|allocated\s+|out\s+)*(?:straight\s+|directly\s+)?(?:to|into)\s+(?:the\s+)?stores?\b`,
  ),
  rx(String.raw`\bnothing\s+(?:is\s+|gets\s+|will be\s+)?(?:held|kept|set aside|reserved)(?:\s+back)?\b`),
];
const SHARE_TO_STORES = rx(
  String.raw`(${PERCENT}|${FRACTION})\s+(?:of\s+(?:the\s+)?(?:stock|inventory|units|buy)\s+)?(?:goes\s+|going\s+|is\s+|gets\s+)?(?:shipped\s+|sent\s+|allocated\s+|pushed\s+)?(?:straight\s+|directly\s+)?(?:to|into)\s+(?:the\s+)?stores?\b`,
);

export function findDcShare(scan: Scan): Found<number> | undefined {
  const clauses = scan.clauses().filter((clause) => DC_WORD.test(clause.text));
  for (const clause of clauses) {
    const share = firstShare(scan, clause);
    if (share) return take(scan, share.span, share.value, `DC holdback "${scan.words(share.span)}" in "${scan.words(clause)}" → ${share.value}`);
  }
  for (const clause of clauses) {
    const zero = ZERO_WORD.exec(clause.text);
    if (zero) return take(scan, clause, 0, `"${scan.words(clause)}" → nothing held back at the DC (0)`);
  }
  for (const pattern of EVERYTHING_TO_STORES) {
    const match = scan.all(pattern)[0];
    if (match) return take(scan, spanOf(match), 0, `"${match[0].trim()}" → everything to stores, DC holdback 0`);
  }
  const toStores = scan.all(SHARE_TO_STORES)[0];
  const storesShare = toStores && parseShare(toStores[1] ?? '');
  if (toStores && storesShare !== undefined) {
    const value = Math.round((1 - storesShare) * 1e9) / 1e9;
    return take(scan, spanOf(toStores), value, `"${toStores[0].trim()}" → the DC keeps the rest, ${value}`);
  }
  return undefined;
}

function firstShare(scan: Scan, clause: Span): { span: Span; value: number } | undefined {
  const found: { span: Span; value: number }[] = [];
  for (const pattern of SHARE_IN_CLAUSE) {
    for (const match of scan.all(pattern)) {
      const span = spanOf(match, 1);
      if (span.start < clause.start || span.end > clause.end) continue;
      const value = parseShare(match[1] ?? '');
      if (value !== undefined) found.push({ span, value });
    }
    // Percentages and fractions are unambiguous; a bare number counts only when nothing else was said.
    if (found.length > 0) break;
  }
  return found.sort((a, b) => a.span.start - b.span.start)[0];
}
