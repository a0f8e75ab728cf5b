/**
 * Replenishment cadence: weekly (every week, restock each week, once a week), bi-weekly
 * (biweekly, fortnightly, every two weeks, every other week) or none (no replenishment, no
 * restocking, one-time allocation). Cadences Baton does not plan (monthly, daily) are reported
 * as said, so validation can name the allowed values instead of guessing.
 */
import type { ReplenishmentStrategy } from '../season-parameters.js';
import { type Found, rx, take } from './found.js';
import { spanOf, type Scan, type Span } from './scan.js';

const RESTOCK = String.raw`(?:replenish\w*|replen\b|restock\w*|re-stock\w*|refill\w*|reorder\w*|re-order\w*|top[- ]?ups?|resuppl\w*|deliver\w*|shipments?|drops?|allocations?)`;

// Order matters: "no weekly replenishment" is none, and "bi-weekly" must not be read as weekly.
const CADENCES: readonly (readonly [ReplenishmentStrategy | 'monthly' | 'daily', RegExp])[] = [
  ['none', rx(String.raw`\b(?:no|zero|without(?: any)?|not? any)\s+(?:(?:bi-?\s?weekly|weekly|further|in-season|ongoing|additional|more)\s+)?${RESTOCK}`)],
  ['none', rx(String.raw`\b(?:don'?t|do not|won'?t|will not|never|not)\s+(?:be\s+)?(?:replenish\w*|restock\w*|re-stock\w*|refill\w*|reorder\w*)`)],
  [
    'none',
    rx(
      String.raw`\b(?:one[- ]?time|one[- ]?off|one[- ]?shot|single|initial[- ]only|upfront|up[- ]front)\s+(?:allocation|shipment|delivery|drop|buy|push|fill)s?\b`,
    ),
  ],
  ['none', rx(String.raw`\b(?:replenish\w*|restock\w*)(?:\s+(?:strategy|cadence|plan|frequency))?\s*(?::|=|-|\bis\b|\bof\b)?\s*(?:none|nil|off|n/a)\b`)],
  [
    'bi-weekly',
    rx(
      String.raw`\bbi-?\s?weekly\b|\bfortnight(?:ly)?\b|\bevery[\s-]+(?:two|2|second|other)[\s-]+weeks?\b|\bevery[\s-]+(?:14|fourteen)[\s-]+days\b|\b(?:twice|two times)\s+(?:a|per|each)\s+month\b|\bsemi-?monthly\b`,
    ),
  ],
  [
    'weekly',
    rx(
      String.raw`\bweekly\b|\b(?:every|each)[\s-]+(?:single\s+)?week\b|\bonce\s+(?:a|per|each|every)\s+week\b|\bper\s+week\b|\bweek[- ]by[- ]week\b|\bevery\s+(?:7|seven)\s+days\b|\bevery\s+monday\b`,
    ),
  ],
  ['monthly', rx(String.raw`\bmonthly\b|\b(?:every|each)\s+month\b|\bonce\s+(?:a|per|each)\s+month\b`)],
  ['daily', rx(String.raw`\bdaily\b|\b(?:every|each)\s+day\b|\b(?:twice|two times|three times)\s+(?:a|per)\s+week\b`)],
];
const NEAR_RESTOCK = new RegExp(RESTOCK);

type Cadence = ReplenishmentStrategy | 'monthly' | 'daily';

/** The cadence the text gives for restocking stores, preferring one said next to a restock word. */
export function findCadence(scan: Scan): Found<Cadence> | undefined {
  const clauses = scan.clauses();
  const candidates: { value: Cadence; span: Span; said: string; restockNearby: boolean }[] = [];
  for (const [value, pattern] of CADENCES) {
    for (const match of scan.all(pattern)) {
      const span = spanOf(match);
      // An earlier pattern already read these words ("no weekly replenishment", "bi-weekly").
      if (candidates.some((c) => c.span.start < span.end && span.start < c.span.end)) continue;
      const clause = clauses.find((c) => c.start <= span.start && span.start < c.end);
      const restockNearby = value === 'none' || (clause !== undefined && NEAR_RESTOCK.test(clause.text));
      candidates.push({ value, span, said: match[0].trim(), restockNearby });
    }
  }
  // "Monthly" alone (a monthly review) says nothing about restocking; weekly words may imply it.
  const usable = candidates.filter((c) => c.restockNearby || c.value === 'weekly' || c.value === 'bi-weekly');
  usable.sort((a, b) => Number(b.restockNearby) - Number(a.restockNearby) || a.span.start - b.span.start);
  const best = usable[0];
  if (!best) return undefined;
  const found = take(scan, best.span, best.value, `replenishment "${best.said}" → ${best.value}`);
  // Blank the other cadence words too, so "every two weeks" is never read as a duration.
  for (const other of candidates) if (other !== best) scan.claim(other.span);
  return found;
}
