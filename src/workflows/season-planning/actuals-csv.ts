/**
 * A week's actual sales from CSV text (store_id,category_id,units_sold), for `baton runs post-actuals` and the
 * dashboard's upload. An optional `week` column lets one file carry late rows too: rows of the posted week are
 * the week, rows of earlier weeks are late (series those weeks were posted without); a late file alone has it.
 */
import { parse } from 'csv-parse/sync';
import { BatonError, IncompleteInputError } from '../../errors/index.js';
import { delimiterChar, plainFigure, refuseOtherDelimiter, type Delimiter } from './data/csv-conventions.js';
import { MAX_ROWS, MAX_UNITS, type WeeklyActuals } from './actuals-intake.js';
import { headerQuantity, wellKnownField } from './data/columns.js';
import type { SalesQuantity } from './data/index.js';

const COLUMNS = ['store_id', 'category_id', 'units_sold'] as const;
const LATE_COLUMNS = ['week', ...COLUMNS] as const;
type SalesRow = WeeklyActuals['sales'][number];
type LateRow = NonNullable<WeeklyActuals['late']>[number];

/** An error naming the file and line. */
const lineError =
  (code: 'BAD_REQUEST' | 'INVALID_PARAMETERS') =>
  (source: string, line: number, message: string, columns: readonly string[] = COLUMNS) =>
    new BatonError(code, `${source}, line ${line}: ${message}`, {
      details: { source, line },
      suggestions: [
        `the file needs the columns ${columns.join(',')} (or an export's Store, Dept and Weekly_Sales or sales_value) with the week's figure on every row`,
      ],
    });
/** A file that cannot be read as CSV: 400, as malformed JSON is. */
const unreadable = lineError('BAD_REQUEST');
/** A row whose value is wrong (not a number, a later week, a repeat): 422, as the same value posted as JSON. */
const bad = lineError('INVALID_PARAMETERS');

/** What the file's figure column says it counts, if it says (the sales import's reading of its header). */
function measureOf(header: readonly string[]): SalesQuantity | undefined {
  for (const name of header) {
    const measure = headerQuantity(name);
    if (measure !== undefined) return measure;
  }
  return undefined;
}

/**
 * The week's rows and, with a `week` column, the late rows of earlier weeks; a later week's row is refused.
 * `measure` is what the figure column's header says it counts (Units, sales_value, Weekly_Sales), if it says.
 */
export function parseActualsCsv(
  text: string,
  source: string,
  week: number,
  delimiter?: Delimiter,
): { sales: SalesRow[]; late: LateRow[]; measure?: SalesQuantity } {
  const { rows, header } = readRows(text, source, COLUMNS, delimiter);
  const sales: SalesRow[] = [];
  const late: LateRow[] = [];
  // What the intake would refuse by row index is refused here by line: a file's reader looks for lines.
  const lineOf = new Map<string, number>();
  for (const { record, line } of rows) {
    const row = salesRow(source, record, line, COLUMNS, delimiter);
    const rowWeek = record.week === undefined ? week : weekOf(source, record, line);
    if (rowWeek > week) throw bad(source, line, `week ${rowWeek} is after week ${week}, the week posted`, LATE_COLUMNS);
    const key = JSON.stringify([rowWeek, row.store_id, row.category_id]);
    const first = lineOf.get(key);
    if (first !== undefined) throw bad(source, line, `store ${row.store_id} × category ${row.category_id} of week ${rowWeek} is already on line ${first}`);
    lineOf.set(key, line);
    if (rowWeek === week) sales.push(row);
    else late.push({ week: rowWeek, ...row });
  }
  if (sales.length === 0) {
    throw new BatonError('BAD_REQUEST', `${source} has no rows of week ${week}, the week posted`, {
      details: { source, week, late_rows: late.length },
      suggestions: [`give week ${week}'s rows (its week column ${week}, or no week column); rows of earlier weeks only come with them`],
    });
  }
  const measure = measureOf(header);
  return measure === undefined ? { sales, late } : { sales, late, measure };
}

/** Late rows alone: series earlier weeks were posted without, each with its week. */
export function parseLateCsv(text: string, source: string, delimiter?: Delimiter): LateRow[] {
  return readRows(text, source, LATE_COLUMNS, delimiter).rows.map(({ record, line }) => ({
    week: weekOf(source, record, line),
    ...salesRow(source, record, line, LATE_COLUMNS, delimiter),
  }));
}

function weekOf(source: string, record: Record<string, string>, line: number): number {
  const week = record.week ?? '';
  if (!/^\d+$/.test(week) || Number(week) < 1) throw bad(source, line, `week "${week}" is not a season week (1, 2, …)`, LATE_COLUMNS);
  return Number(week);
}

function salesRow(source: string, record: Record<string, string>, line: number, columns: readonly string[], delimiter: Delimiter | undefined): SalesRow {
  // The import's convention: separated by semicolons, a figure may write a decimal comma (24.924,50).
  const units = plainFigure(record.units_sold ?? '', delimiter === ';');
  // Number('') is 0 and Number('1e3') is 1000: plain decimal numbers only.
  if (!/^-?\d+(\.\d+)?$/.test(units)) throw bad(source, line, `units_sold "${units}" is not a number`, columns);
  if (Math.abs(Number(units)) > MAX_UNITS) throw bad(source, line, `units_sold ${units} is beyond ±${MAX_UNITS.toExponential()}`, columns);
  if (!record.store_id || !record.category_id) throw bad(source, line, 'store_id and category_id must not be empty', columns);
  return { store_id: record.store_id, category_id: record.category_id, units_sold: Number(units) };
}

/**
 * The header's columns as this file's fields. A weekly export's headers are read as the sales import reads them
 * (Walmart's Store, Dept, Weekly_Sales; sales_value, units, quantity), for this file's three columns only: its
 * Date and other columns are left aside, and `week` stays the season week. Two headers read as one field
 * (units and sales_value, say) are refused, not one silently kept.
 */
function columnsOf(header: readonly string[], source: string): string[] {
  const named = header.map((h) => {
    const field = wellKnownField(h);
    return field !== undefined && (COLUMNS as readonly string[]).includes(field) ? field : h.trim().toLowerCase();
  });
  const twice = named.find((name, i) => COLUMNS.includes(name as (typeof COLUMNS)[number]) && named.indexOf(name) !== i);
  if (twice !== undefined) {
    const headers = header.filter((_, i) => named[i] === twice).map((h) => `"${h.trim()}"`);
    throw new BatonError('BAD_REQUEST', `${source}: the columns ${headers.join(' and ')} both read as ${twice}`, {
      details: { source, field: twice, columns: headers },
      suggestions: [`keep one of them, or rename the other`],
    });
  }
  return named;
}

function readRows(
  text: string,
  source: string,
  columns: readonly string[],
  delimiter: Delimiter | undefined,
): { rows: { record: Record<string, string>; line: number }[]; header: string[] } {
  let records: { record: Record<string, string>; info: { lines: number } }[];
  let header: string[] = [];
  try {
    records = parse<{ record: Record<string, string>; info: { lines: number } }>(text, {
      delimiter: delimiterChar(delimiter),
      columns: (names: string[]) => {
        refuseOtherDelimiter(names, source, delimiter);
        header = names;
        return columnsOf(names, source);
      },
      skip_empty_lines: true,
      trim: true,
      bom: true,
      info: true,
      // Parsed whole in the request: stop one row past what a post may hold, and at rows no week needs.
      to_line: MAX_ROWS + 2,
      max_record_size: 64 * 1024,
    });
  } catch (error) {
    if (error instanceof BatonError) throw error;
    const line = (error as { lines?: number }).lines ?? 0;
    throw unreadable(source, line, (error as Error).message, columns);
  }
  const first = records[0]?.record;
  if (!first)
    throw new BatonError('BAD_REQUEST', `${source} has no rows`, {
      details: { source },
      suggestions: [`give a header ${columns.join(',')} and one row per store and category`],
    });
  const missing = columns.filter((c) => !(c in first));
  if (missing.length > 0) throw new IncompleteInputError(`the columns of ${source}`, missing);
  if (records.length > MAX_ROWS) {
    throw new BatonError('PAYLOAD_TOO_LARGE', `${source} has more than ${MAX_ROWS.toLocaleString('en-US')} rows`, {
      details: { source, max_rows: MAX_ROWS },
      suggestions: ['post at most one row per store and category of the week'],
    });
  }
  return { rows: records.map(({ record, info }) => ({ record, line: info.lines })), header };
}
