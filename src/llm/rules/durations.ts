/**
 * The season's length: "12 weeks", "a 12-week season", "twelve weeks", "three months",
 * "a year". Months convert as round(N × 52 / 12) weeks, a year is 52 weeks. Read here rather
 * than by chrono-node, which turns "12 weeks" into a date.
 */
import { type Found, rx, take } from './found.js';
import { NUMBER, parseNumber } from './numbers.js';
import { spanOf, type Scan } from './scan.js';

const DURATION = rx(String.raw`(${NUMBER}|\ba\b|\ban\b|\bfull\b)\s*-?\s*(weeks?|wks?|months?|mos?|years?|yrs?)\b(?:[- ]long)?`);
const HALF_YEAR = rx(String.raw`\bhalf[- ](?:a[- ])?year\b`);

/** Weeks in N months, the convention of DESIGN.md. */
export const weeksInMonths = (months: number): number => Math.round((months * 52) / 12);

export function findHorizon(scan: Scan): Found<number> | undefined {
  const half = scan.all(HALF_YEAR)[0];
  for (const match of scan.all(DURATION)) {
    if (half && half.index < match.index) break;
    const amount = match[1] === 'full' ? 1 : parseNumber(match[1] ?? '');
    if (amount === undefined) continue;
    const unit = match[2] ?? '';
    const weeks = unit.startsWith('w') ? amount : unit.startsWith('m') ? weeksInMonths(amount) : Math.round(amount * 52);
    const how = unit.startsWith('w')
      ? `${amount} weeks`
      : unit.startsWith('m')
        ? `${amount} months = round(${amount} × 52 / 12) = ${weeks} weeks`
        : `${amount} year(s) = ${weeks} weeks`;
    return take(scan, spanOf(match), weeks, `horizon "${match[0].trim()}" → ${how}`);
  }
  if (half) return take(scan, spanOf(half), 26, `horizon "${half[0].trim()}" → 26 weeks`);
  return undefined;
}
