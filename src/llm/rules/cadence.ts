/**
 * Replenishment cadence: weekly (every week, restock each week, once a week), bi-weekly
 * (biweekly, fortnightly, every two weeks, every other week) or none (no replenishment, no
 * restocking, one-time allocation). Cadences Baton does not plan (monthly, daily) are reported
 * as said, so validation can name the allowed values instead of guessing.
 */
import type { ReplenishmentStrategy } from '../season-parameters.js';
import { conflicting, type Found, rx, take } from './found.js';
import { isBackground, isCorrection, settle } from './mentions.js';
import { NUMBER } from './numbers.js';
import { spanOf, type Scan, type Span } from './scan.js';

const RESTOCK = String.raw`(?:replenish\w*|replen\b|restock\w*|re-stock\w*|refill\w*|reorder\w*|re-order\w*|top[- ]?ups?|resuppl\w*|deliver\w*|shipments?|drops?|allocations?)`;

// Order matters: "no weekly replenishment" is none, and "bi-weekly" must not be read as weekly. `strong`: a cadence
// stated for restocking, which a different strong one contradicts; a weak one ("one-time allocation", "up front")
// gives way to a strong one (an up-front allocation with weekly replenishment is the usual plan). `group`: the
// words taken when only part of the match is the cadence ("ship everything up front": "up front"; the DC reads the rest).
interface CadencePattern {
  value: Cadence | 'every';
  pattern: RegExp;
  weak?: boolean;
  group?: number;
}
const CADENCES: readonly CadencePattern[] = [
  {
    value: 'none',
    pattern: rx(
      String.raw`\b(?:no|zero|without(?: any)?|not? any)\s+(?:(bi-?\s?weekly|weekly|fortnightly)\s+|(?:further|in-season|ongoing|additional|more)\s+)?${RESTOCK}`,
    ),
  },
  {
    value: 'none',
    pattern: rx(String.raw`\b(?:don'?t|do not|won'?t|will not|never|not)\s+(?:be\s+)?(?:replenish\w*|restock\w*|re-stock\w*|refill\w*|reorder\w*)`),
  },
  {
    value: 'none',
    pattern: rx(
      String.raw`\b(?:one[- ]?time|one[- ]?off|one[- ]?shot|single|initial[- ]only|upfront|up[- ]front)\s+(?:allocation|shipment|delivery|drop|buy|push|fill)s?\b`,
    ),
    weak: true,
  },
  {
    value: 'none',
    pattern: rx(
      String.raw`\b(?:ship|send|push|allocat)\w*\s+(?:out\s+)?(?:everything|it all|all(?:\s+(?:of\s+)?(?:the\s+)?(?:stock|inventory|units|product|goods))?)\s+(?:(?:straight\s+)?to\s+(?:the\s+)?stores?\s+)?(up[- ]?front|at (?:the )?(?:start|launch|once)|in one go)\b`,
    ),
    weak: true,
    group: 1,
  },
  {
    value: 'none',
    pattern: rx(String.raw`\b(?:replenish\w*|restock\w*)(?:\s+(?:strategy|cadence|plan|frequency))?\s*(?::|=|-|\bis\b|\bof\b)?\s*(?:none|nil|off|n/a)\b`),
  },
  {
    value: 'bi-weekly',
    pattern: rx(
      String.raw`\bbi-?\s?weekly\b|\bfortnight(?:ly)?\b|\bevery[\s-]+(?:two|2|second|other)[\s-]+weeks?\b|\bevery[\s-]+(?:14|fourteen)[\s-]+days\b|\b(?:twice|two times)\s+(?:a|per|each)\s+month\b|\bsemi-?monthly\b`,
    ),
  },
  {
    value: 'weekly',
    pattern: rx(
      String.raw`\b(?:weekly|wekly|weeky|weekley|weeklly)\b|\b(?:every|each)[\s-]+(?:single\s+)?week\b|\bonce\s+(?:a|per|each|every)\s+week\b|\bper\s+week\b|\bweek[- ]by[- ]week\b|\bevery\s+(?:7|seven)\s+days\b|\bevery\s+monday\b`,
    ),
  },
  { value: 'monthly', pattern: rx(String.raw`\bmonthly\b|\b(?:every|each)\s+month\b|\bonce\s+(?:a|per|each)\s+month\b`) },
  { value: 'daily', pattern: rx(String.raw`\bdaily\b|\b(?:every|each)\s+day\b|\b(?:twice|two times|three times)\s+(?:a|per)\s+week\b`) },
  // Any other interval is reported as said, so validation names the cadences Baton plans.
  { value: 'every', pattern: rx(String.raw`\bevery\s+(?:${NUMBER})\s+(?:weeks?|days?|months?)\b`) },
];
const NEAR_RESTOCK = new RegExp(RESTOCK);
// "not weekly but bi-weekly": the cadence after "not" is ruled out, not chosen.
const NEGATED_CADENCE = rx(String.raw`\bnot\s+(?:a\s+|on\s+a\s+)?(?:bi-?\s?weekly|fortnightly|weekly|monthly)\b`);

type Cadence = ReplenishmentStrategy | 'monthly' | 'daily' | (string & {});

interface Candidate {
  value: Cadence;
  span: Span;
  said: string;
  restockNearby: boolean;
  strong: boolean;
  /** "no bi-weekly replenishment": the cadence this none rules out. */
  negates?: string;
}

/** The cadence the text gives for restocking stores, preferring one said next to a restock word. */
export function findCadence(scan: Scan): Found<Cadence> | undefined {
  for (const match of scan.all(NEGATED_CADENCE)) scan.claim(spanOf(match));
  const all = candidatesOf(scan);
  // "Last year we replenished weekly": not this season's cadence (its words are still blanked below).
  const candidates = all.filter((c) => !isBackground(scan, c.span));
  for (const c of all) if (!candidates.includes(c)) scan.claim(c.span);
  const positive = candidates.some((c) => c.strong && c.value !== 'none');
  // "No bi-weekly replenishment - we replenish weekly": that none only rules bi-weekly out.
  const meant = candidates.filter((c) => !(c.negates !== undefined && positive));
  const strong = meant.filter((c) => c.strong);
  if (strong.length > 0) {
    const settled = settle(scan, strong);
    if (settled?.kind === 'conflict') {
      const found = conflicting(scan, settled.mentions, 'replenishment');
      for (const other of candidates) scan.claim(other.span);
      return found;
    }
    if (settled)
      return takeBest(
        scan,
        strong.find((c) => c.span === settled.mention.span)!,
        candidates,
        settled.how,
      );
  }
  // "Monthly" alone (a monthly review) says nothing about restocking; weekly words may imply it.
  const usable = meant.filter((c) => c.restockNearby || c.value === 'weekly' || c.value === 'bi-weekly');
  usable.sort((a, b) => Number(b.restockNearby) - Number(a.restockNearby) || a.span.start - b.span.start);
  const best = usable[0];
  return best ? takeBest(scan, best, candidates) : undefined;
}

function candidatesOf(scan: Scan): Candidate[] {
  const clauses = scan.clauses();
  const candidates: Candidate[] = [];
  for (const { value, pattern, weak, group } of CADENCES) {
    for (const match of scan.all(pattern)) {
      const whole = spanOf(match);
      const span = group === undefined ? whole : spanOf(match, group);
      // An earlier pattern already read these words ("no weekly replenishment", "bi-weekly").
      if (candidates.some((c) => c.span.start < whole.end && whole.start < c.span.end)) continue;
      const clause = clauses.find((c) => c.start <= span.start && span.start < c.end);
      const restockNearby = value === 'none' || (clause !== undefined && NEAR_RESTOCK.test(clause.text));
      const said = match[0].trim();
      candidates.push({
        value: value === 'every' ? said : value,
        span,
        said,
        restockNearby,
        // "Actually, bi-weekly.": a correction names the cadence even without a restock word beside it.
        strong: (restockNearby && weak !== true) || (value !== 'none' && isCorrection(scan, span)),
        ...(value === 'none' && group === undefined && match[1] ? { negates: match[1] } : {}),
      });
    }
  }
  return candidates;
}

function takeBest(scan: Scan, best: Candidate, candidates: readonly Candidate[], how?: string): Found<Cadence> {
  const found = take(scan, best.span, best.value, `replenishment "${best.said}" → ${best.value}${how ? ` (${how})` : ''}`);
  // Blank the other cadence words too, so "every two weeks" is never read as a duration.
  for (const other of candidates) if (other !== best) scan.claim(other.span);
  return found;
}
