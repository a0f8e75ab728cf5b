/**
 * The season's length: "12 weeks", "a 12-week season", "16w", "twelve weeks", "three months", "a quarter",
 * "a year". Months convert as round(N × 52 / 12) weeks, a quarter is 13 weeks, a year 52. Read here
 * rather than by chrono-node, which turns "12 weeks" into a date. Lengths that are not the season's
 * ("6 weeks of lead time", "2 weeks of cover", "not a 12-week season") are left aside; a range
 * ("8-10 weeks") or two different lengths are a contradiction.
 */
import { conflicting, type Found, rx, take } from './found.js';
import { type Mention, settle } from './mentions.js';
import { NUMBER, parseNumber } from './numbers.js';
import { spanOf, type Scan } from './scan.js';

const DURATION = rx(String.raw`(${NUMBER}|\ba\b|\ban\b|\bfull\b)\s*-?\s*(weeks?|wks?|w|months?|mos?|years?|yrs?)\b(?:[- ]long)?`);
const HALF_YEAR = rx(String.raw`\bhalf[- ](?:a[- ])?year\b`);
// "a quarter-long season", "a season of one quarter", "lasts a quarter": never "a quarter at the DC".
const QUARTER = rx(
  String.raw`\b(?:a|one|1)\s+quarter(?=[- ]long\b|\s+(?:season|long)\b)(?:[- ]long)?|(?<=\b(?:season\s+of|lasting|lasts|runs?\s+(?:for\s+)?|for)\s+)(?:a|one)\s+quarter\b(?!\s+(?:of|at|in)\b)`,
);
const NOT_THE_SEASON_AFTER =
  /^\s*(?:of\s+(?:cover|stock|supply|inventory|lead)|lead|ago|before|after|ahead|earlier|later|prior|notice|out\b|early|late|behind|delay)/;
const NOT_THE_SEASON_BEFORE = /(?:\bnot\s+(?:a\s+|an\s+)?|\blead[- ]?time\s+(?:is\s+|of\s+)?(?:about\s+|around\s+)?)$/;
const RANGE_BEFORE = new RegExp(String.raw`(${NUMBER})\s*(?:-|–|to|or)\s*$`);

/** Weeks in N months, the convention of DESIGN.md. */
export const weeksInMonths = (months: number): number => Math.round((months * 52) / 12);

interface Length {
  weeks: number;
  how: string;
  /** Said in months, quarters or years: "12 weeks (three months)" agrees within a week. */
  approximate: boolean;
}

export function findHorizon(scan: Scan): Found<number> | undefined {
  const mentions: Mention<Length>[] = [];
  const halves = scan.all(HALF_YEAR).map((match) => spanOf(match));
  for (const match of scan.all(DURATION)) {
    const span = spanOf(match);
    // "half a year" holds "a year", which is not a second length.
    if (halves.some((half) => half.start < span.end && span.start < half.end)) continue;
    const before = scan.lower.slice(Math.max(0, span.start - 30), span.start);
    if (NOT_THE_SEASON_BEFORE.test(before) || NOT_THE_SEASON_AFTER.test(scan.lower.slice(span.end, span.end + 20))) continue;
    const amount = match[1] === 'full' ? 1 : parseNumber(match[1] ?? '');
    if (amount === undefined) continue;
    const unit = match[2] ?? '';
    const weeks = unit.startsWith('w') ? amount : unit.startsWith('m') ? weeksInMonths(amount) : Math.round(amount * 52);
    const how = unit.startsWith('w')
      ? `${amount} weeks`
      : unit.startsWith('m')
        ? `${amount} months = round(${amount} × 52 / 12) = ${weeks} weeks`
        : `${amount} year(s) = ${weeks} weeks`;
    // On the unread text: a number a date already took ("Mar 10 - 8 weeks") is no range's start.
    const range = RANGE_BEFORE.exec(scan.text.slice(Math.max(0, span.start - 30), span.start));
    const low = range ? parseNumber(range[1] ?? '') : undefined;
    if (range && low !== undefined && low !== amount) {
      // "8-10 weeks": a range is two lengths; the planner has to pick one.
      const lowSpan = { start: span.start - range[0].length, end: span.start - range[0].length + (range[1]?.length ?? 0) };
      mentions.push({ value: { weeks: low, how: `${low} weeks`, approximate: false }, span: lowSpan });
    }
    mentions.push({ value: { weeks, how, approximate: !unit.startsWith('w') }, span });
  }
  for (const span of halves) mentions.push({ value: { weeks: 26, how: '26 weeks', approximate: true }, span });
  for (const match of scan.all(QUARTER)) mentions.push({ value: { weeks: 13, how: 'a quarter = 13 weeks', approximate: true }, span: spanOf(match) });
  const settled = settle(scan, mentions, (a, b) => a.weeks === b.weeks || ((a.approximate || b.approximate) && Math.abs(a.weeks - b.weeks) <= 1));
  if (settled === undefined) return undefined;
  if (settled.kind === 'conflict') {
    const found = conflicting(scan, settled.mentions, 'season length');
    return { ...found, value: settled.mentions[0]!.value.weeks };
  }
  // Settled without leaving anything aside, every mention agrees: the one said in weeks is exact ("12 weeks, about three months").
  const chosen = settled.how ? settled.mention : (mentions.find((m) => !m.value.approximate) ?? settled.mention);
  const found = take(
    scan,
    chosen.span,
    chosen.value.weeks,
    `horizon "${scan.words(chosen.span)}" → ${chosen.value.how}${settled.how ? ` (${settled.how})` : ''}`,
  );
  for (const m of mentions) if (m !== chosen) scan.claim(m.span);
  return found;
}
