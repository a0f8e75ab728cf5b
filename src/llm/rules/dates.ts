/**
 * Season dates: absolute ones through chrono-node (ISO "2025-03-03", written "1 September 2025",
 * "Feb 3rd", US "03/03/2025", ranges "from X to Y"), relative ones read here against the
 * reference date ("next Monday", "today", "starting in two weeks"). A date without a year is its
 * next occurrence on or after the reference date (an end date: on or after the start).
 */
import type { ParsedComponents } from 'chrono-node';
// English only: the package's root loads every locale (266 modules, ~0.2 s of each start) for parsers never used.
import { strict as englishStrict } from 'chrono-node/en';
import { addDays, isoOf, weekdayOf } from '../season-parameters.js';
import { conflicting, type Found, rx, take } from './found.js';
import { isBackground, isCorrection } from './mentions.js';
import { NUMBER, parseNumber } from './numbers.js';
import { spanOf, type Scan, type Span } from './scan.js';

type Role = 'start' | 'end' | 'either';
interface DateFind {
  span: Span;
  /** Resolves the date once the anchor for year-less dates is known. */
  resolve: (anchor: string) => string | undefined;
  role: Role;
  how: string;
}

export interface DatesFound {
  start?: Found<string>;
  end?: Found<string>;
}

const END_CUE =
  /(?:\bto|\buntil|\btil|\btill|\bthrough|\bthru|\bending|\bends?|\bend date|\bfinish\w*|\bclos\w*|\bwraps?(?: up)?|\bwrapping(?: up)?|\bby|->|→|\s-)\s*(?:on\s+|is\s+|of\s+|:\s*)?(?:the\s+)?$/;
const START_CUE =
  /(?:\b(?:start|launch|kick[- ]?off|go[- ]live|in[- ]store|opening|first|set)\s+(?:date|day)|\bstart\w*|\bbegin\w*|\bfrom|\bkick\w* off|\blaunch\w*|\bcommenc\w*|\bopen\w*|\bgo(?:es|ing)? live|\bon|\bstart date)\s*(?:on\s+|is\s+|of\s+|:\s*)?(?:the\s+)?$/;
// Calendar-date parsers only: chrono's time, weekday and duration parsers read "2025-06-02, 10"
// as ten o'clock and "12 weeks" as a date. Relative dates are read below, by the conventions.
const CALENDAR_PARSERS = new Set([
  'ENYearMonthDayParser',
  'ISOFormatParser',
  'SlashDateFormatParser',
  'ENMonthNameLittleEndianParser',
  'ENMonthNameMiddleEndianParser',
  'ENYearMonthNameParser',
]);
const calendarDates = englishStrict.clone();
const calendarParsers = calendarDates.parsers.filter((parser) => CALENDAR_PARSERS.has(parser.constructor.name));
// chrono-node is pinned; should a release rename its parsers, keep them all (results are still filtered below).
if (calendarParsers.length > 0) calendarDates.parsers = calendarParsers;
const YEARLESS_SLASH = /^\d{1,2}\s?\/\s?\d{1,2}$/;

const WEEKDAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'] as const;
// A weekday counts only with a word that makes it a day to come ("next Monday", "starting Monday"),
// never inside "the first Monday of March" (read below) or "Monday in week 3".
const WEEKDAY = rx(
  String.raw`\b(next|this coming|the coming|coming|following|this|on|starting|from|beginning|begins|starts|kicking off|launching)\s+(${WEEKDAYS.join('|')})\b(?!\s+(?:of|in|after)\b)`,
);
const MONTHS = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'] as const;
const NTH_WEEKDAY = rx(
  String.raw`\b(?:the\s+)?(first|1st|second|2nd|third|3rd|fourth|4th|last)\s+(${WEEKDAYS.join('|')})\s+(?:of|in)\s+(sept|${MONTHS.map((m) => `${m.slice(0, 3)}(?:${m.slice(3)})?`).join('|')})\b\.?(?:,?\s+(\d{4}))?`,
);
const START_WORDS = String.raw`(?:start\w*|begin\w*|kick\w* off|launch\w*|commenc\w*|go(?:es|ing)? live|open\w*)`;
const IN_N_UNITS = rx(
  String.raw`\b${START_WORDS}\s+(?:in\s+(${NUMBER}|a|an)\s+(days?|weeks?)(?:'s?\s+time)?|(${NUMBER}|a|an)\s+(days?|weeks?)\s+from\s+(?:now|today))\b`,
);
/** How far ahead "starting in N days/weeks" may reach: ten years. */
const MAX_RELATIVE_DAYS = 3_660;
const NAMED_DAY = rx(String.raw`\b(?:the\s+(?:start|beginning)\s+of\s+)?(today|tomorrow|next week|next month)\b|\b(?:from|starting|beginning|as of)\s+(now)\b`);

/** The start and end dates the text gives, resolved against `referenceDate` (YYYY-MM-DD). */
export function findDates(scan: Scan, referenceDate: string): DatesFound {
  const absolute = absoluteDates(scan, referenceDate);
  const all = [...absolute, ...relativeDates(scan, referenceDate, absolute)].sort((a, b) => a.span.start - b.span.start);
  // "Last year we started 2024-03-04" is not this season's start.
  const finds = all.filter((f) => !isBackground(scan, f.span));
  for (const f of all) if (!finds.includes(f)) scan.claim(f.span);
  // "Starts 2025-03-03 … Actually start on 2025-04-07 instead": the corrected start replaces the first.
  const corrected = finds.filter((f, i) => i > 0 && f.role !== 'end' && isCorrection(scan, f.span)).at(-1);
  const startFind = corrected ?? finds.find((f) => f.role === 'start') ?? finds.find((f) => f.role === 'either');
  const starts = corrected ? [] : finds.filter((f) => f.role === 'start');
  const said = starts.map((f) => ({ value: f.resolve(referenceDate), span: f.span }));
  if (new Set(said.map((m) => m.value)).size > 1) {
    // "Season starts 2025-03-03 … kick off is 2025-03-10": two starts and no correction; neither is guessed.
    const start = conflicting(scan, said, 'season start') as Found<string>;
    return { start };
  }
  const start = startFind && resolveAndTake(scan, startFind, referenceDate, 'start');
  const endFind =
    finds.find((f) => f.role === 'end' && f !== startFind) ??
    finds.find((f) => f.role === 'either' && f !== startFind && startFind !== undefined && f.span.start > startFind.span.start);
  const end = endFind && resolveAndTake(scan, endFind, start?.value ?? referenceDate, 'end');
  // The corrected start's predecessors are not an end date.
  if (corrected) for (const f of finds) if (f !== corrected && f.span.start < corrected.span.start && f.role !== 'end') scan.claim(f.span);
  return { ...(start && { start }), ...(end && { end }) };
}

function resolveAndTake(scan: Scan, find: DateFind, anchor: string, role: 'start' | 'end'): Found<string> | undefined {
  const iso = find.resolve(anchor);
  return iso === undefined ? undefined : take(scan, find.span, iso, `${role} "${scan.words(find.span)}" (${find.how}) → ${iso}`);
}

const MONTH_NAME = String.raw`(?:sept|${MONTHS.map((m) => `${m.slice(0, 3)}(?:${m.slice(3)})?`).join('|')})\.?`;
// "March 3, 40 stores", "Jan 6, 12 weeks", "first Monday of March, 12 weeks": chrono reads the number after the
// comma as a year (2040, 2012) or a day. A year is four digits; the comma is made a list separator for chrono.
const COMMA_BEFORE_COUNT = rx(String.raw`\b${MONTH_NAME}(?:\s+\d{1,2}(?:st|nd|rd|th)?)?(,)(?=\s*\d{1,3}(?![\d/.:-]))`);
// "Launch Mar 10 - 8 weeks": a dash before a length is not a range to "Mar 8" (a 52-week season).
const DASH_BEFORE_LENGTH = rx(
  String.raw`(?:\b${MONTH_NAME}\s+\d{1,2}(?:st|nd|rd|th)?|\d{4}-\d{2}-\d{2})\s*([-–])(?=\s*\d{1,3}\s*-?\s*(?:weeks?|wks?|w|months?|mos?)\b)`,
);
// "06.01.2025" is day first, as in the places that write dates with dots (and as data import reads them).
const DOTTED_DATE = rx(String.raw`(?<![\d.])(\d{1,2})\.(\d{1,2})\.(\d{4})(?![\d.]|\.\d)`);
// "week 2 of 2025", "W10 2025", "wk 10, 2025": the Monday of that ISO week.
const ISO_WEEK = rx(String.raw`\b(?:iso\s+)?(?:week|wk|w)\s?(\d{1,2})(?:\s+of|,)?\s+(\d{4})\b`);

/** The text chrono reads: same length, with what it would misread made neutral. */
function chronoText(scan: Scan, own: readonly Span[]): string {
  let text = scan.text;
  for (const pattern of [COMMA_BEFORE_COUNT, DASH_BEFORE_LENGTH]) {
    for (const match of scan.all(pattern)) {
      const separator = spanOf(match, 1);
      text = `${text.slice(0, separator.start)};${text.slice(separator.end)}`;
    }
  }
  for (const span of own) text = text.slice(0, span.start) + ' '.repeat(span.end - span.start) + text.slice(span.end);
  return text;
}

/** Dates read here rather than by chrono: dotted day-first dates and ISO weeks. */
function ownDates(scan: Scan): DateFind[] {
  const finds: DateFind[] = [];
  const roleOf = (span: Span): Role => {
    const before = scan.lower.slice(Math.max(0, span.start - 30), span.start);
    return END_CUE.test(before) ? 'end' : START_CUE.test(before) ? 'start' : 'either';
  };
  for (const match of scan.all(DOTTED_DATE)) {
    const span = spanOf(match);
    const parts = { day: Number(match[1]), month: Number(match[2]), year: Number(match[3]) };
    finds.push({ span, resolve: (a) => dateOf(parts, a), role: roleOf(span), how: 'dotted date, day first' });
  }
  for (const match of scan.all(ISO_WEEK)) {
    const span = spanOf(match);
    const week = Number(match[1]);
    const year = Number(match[2]);
    finds.push({ span, resolve: () => isoWeekMonday(year, week), role: roleOf(span), how: `ISO week ${week} of ${year}` });
  }
  return finds;
}

/** The Monday of ISO week 1 of `year`: the week holding 4 January (so the year's first Thursday). */
function firstIsoMonday(year: number): string {
  const jan4 = isoOf(Date.UTC(year, 0, 4));
  return addDays(jan4, -((weekdayOf(jan4) + 6) % 7));
}

/** The Monday of ISO week `week` of `year`, or undefined past its last week. */
function isoWeekMonday(year: number, week: number): string | undefined {
  const monday = addDays(firstIsoMonday(year), 7 * (week - 1));
  return week >= 1 && monday < firstIsoMonday(year + 1) ? monday : undefined;
}

function absoluteDates(scan: Scan, referenceDate: string): DateFind[] {
  const finds: DateFind[] = ownDates(scan);
  const results = calendarDates.parse(
    chronoText(
      scan,
      finds.map((f) => f.span),
    ),
    { instant: new Date(`${referenceDate}T12:00:00Z`), timezone: 0 },
  );
  for (const result of results) {
    // chrono reads durations ("12 weeks from now") and times ("at 8") too; keep calendar dates only.
    if (!result.start.isCertain('day') || !result.start.isCertain('month') || result.tags().has('result/relativeDate')) continue;
    const before = scan.lower.slice(Math.max(0, result.index - 30), result.index);
    if (YEARLESS_SLASH.test(result.text) && !START_CUE.test(before) && !END_CUE.test(before)) continue; // "1/5 of stock"
    const span = { start: result.index, end: result.index + result.text.length };
    const startParts = partsOf(result.start);
    if (result.end?.isCertain('day')) {
      const endParts = partsOf(result.end);
      // "March 3 to May 26, 2025": the start takes the end's year (the year before if it is later in the year).
      if (startParts.year === undefined && endParts.year !== undefined) {
        const later = startParts.month * 100 + startParts.day > endParts.month * 100 + endParts.day;
        startParts.year = later ? endParts.year - 1 : endParts.year;
      }
      finds.push({ span, resolve: (a) => dateOf(startParts, a), role: 'start', how: 'range start' });
      finds.push({ span, resolve: (a) => dateOf(endParts, a), role: 'end', how: 'range end' });
      continue;
    }
    const role: Role = END_CUE.test(before) ? 'end' : START_CUE.test(before) ? 'start' : 'either';
    finds.push({ span, resolve: (a) => dateOf(startParts, a), role, how: startParts.year === undefined ? 'no year: next occurrence' : 'calendar date' });
  }
  return finds;
}

interface DateParts {
  year: number | undefined;
  month: number;
  day: number;
}

function partsOf(component: ParsedComponents): DateParts {
  return {
    year: component.isCertain('year') ? (component.get('year') ?? undefined) : undefined,
    month: component.get('month') ?? 1,
    day: component.get('day') ?? 1,
  };
}

/** The date itself, or for a year-less one its next occurrence on or after `anchor`. */
function dateOf(parts: DateParts, anchor: string): string | undefined {
  const make = (year: number): string | undefined => {
    // A Date holds years up to 275760; an ISO date has four digits. Beyond, isoOf would throw.
    if (year < 1 || year > 9999) return undefined;
    const ms = Date.UTC(year, parts.month - 1, parts.day);
    const iso = isoOf(ms);
    return iso === `${String(year).padStart(4, '0')}-${String(parts.month).padStart(2, '0')}-${String(parts.day).padStart(2, '0')}` ? iso : undefined;
  };
  if (parts.year !== undefined) return make(parts.year);
  const anchorYear = Number(anchor.slice(0, 4));
  // Up to 8 years ahead so 29 February finds its next leap year.
  for (let year = anchorYear; year <= anchorYear + 8; year++) {
    const iso = make(year);
    if (iso !== undefined && iso >= anchor) return iso;
  }
  return undefined;
}

function relativeDates(scan: Scan, referenceDate: string, absolute: DateFind[]): DateFind[] {
  const finds: DateFind[] = [];
  for (const match of scan.all(WEEKDAY)) {
    // "Monday, March 3, 2025": the weekday belongs to the calendar date beside it.
    const end = match.index + match[0].length;
    if (absolute.some((date) => /^[\s,]*$/.test(scan.lower.slice(end, date.span.start)) || /^[\s,(]*$/.test(scan.lower.slice(date.span.end, match.index))))
      continue;
    const qualifier = match[1];
    const weekday = WEEKDAYS.indexOf(match[2] as (typeof WEEKDAYS)[number]);
    // "next Monday" is the first Monday strictly after the reference date; "this Monday" may be today.
    const fromToday = qualifier === 'this' ? 0 : 1;
    const iso = addDays(referenceDate, fromToday + ((weekday - weekdayOf(addDays(referenceDate, fromToday)) + 7) % 7));
    finds.push(relative(scan, spanOf(match), iso, `${qualifier ?? 'coming'} ${match[2] ?? ''}`));
  }
  for (const match of scan.all(NTH_WEEKDAY)) {
    const [, nth = '', day = '', month = '', year] = match;
    const monthIndex = MONTHS.findIndex((m) => m.startsWith(month.slice(0, 3)));
    const resolve = (anchor: string): string | undefined => {
      const first = Number(year ?? anchor.slice(0, 4));
      for (let y = first; y <= first + 1; y++) {
        const iso = nthWeekday(y, monthIndex, WEEKDAYS.indexOf(day as (typeof WEEKDAYS)[number]), nth);
        if (year !== undefined || iso >= anchor) return iso;
      }
      return undefined;
    };
    const before = scan.lower.slice(Math.max(0, match.index - 30), match.index);
    finds.push({ span: spanOf(match), resolve, role: END_CUE.test(before) ? 'end' : 'start', how: `${nth} ${day} of ${month}` });
  }
  for (const match of scan.all(IN_N_UNITS)) {
    const count = parseNumber(match[1] ?? match[3] ?? '');
    const unit = match[2] ?? match[4] ?? '';
    // "starting in 99999999999 weeks" is no date; the bound keeps addDays inside what a Date holds.
    if (count === undefined || count > MAX_RELATIVE_DAYS / (unit.startsWith('week') ? 7 : 1)) continue;
    const iso = addDays(referenceDate, unit.startsWith('week') ? count * 7 : count);
    finds.push({ ...relative(scan, spanOf(match), iso, `${count} ${unit} after the reference date`), role: 'start' });
  }
  for (const match of scan.all(NAMED_DAY)) {
    const name = match[1] ?? match[2] ?? '';
    const iso =
      name === 'tomorrow'
        ? addDays(referenceDate, 1)
        : name === 'next week'
          ? nextMonday(referenceDate)
          : name === 'next month'
            ? firstOfNextMonth(referenceDate)
            : referenceDate;
    finds.push(relative(scan, spanOf(match), iso, name));
  }
  return finds;
}

function relative(scan: Scan, span: Span, iso: string, how: string): DateFind {
  const before = scan.lower.slice(Math.max(0, span.start - 30), span.start);
  return { span, resolve: () => iso, role: END_CUE.test(before) ? 'end' : 'start', how: `${how}, relative to the reference date` };
}

const WEEK_OF_MONTH: Record<string, number> = { first: 0, '1st': 0, second: 1, '2nd': 1, third: 2, '3rd': 2, fourth: 3, '4th': 3 };

/** The first…fourth or last given weekday of a month (monthIndex 0–11), as YYYY-MM-DD. */
function nthWeekday(year: number, monthIndex: number, weekday: number, nth: string): string {
  if (nth === 'last') {
    const lastDay = isoOf(Date.UTC(year, monthIndex + 1, 0));
    return addDays(lastDay, -((weekdayOf(lastDay) - weekday + 7) % 7));
  }
  const firstDay = isoOf(Date.UTC(year, monthIndex, 1));
  return addDays(firstDay, ((weekday - weekdayOf(firstDay) + 7) % 7) + 7 * (WEEK_OF_MONTH[nth] ?? 0));
}

const nextMonday = (iso: string): string => addDays(iso, 1 + ((1 - weekdayOf(addDays(iso, 1)) + 7) % 7));

function firstOfNextMonth(iso: string): string {
  const year = Number(iso.slice(0, 4));
  const month = Number(iso.slice(5, 7));
  return isoOf(Date.UTC(month === 12 ? year + 1 : year, month === 12 ? 0 : month, 1));
}
