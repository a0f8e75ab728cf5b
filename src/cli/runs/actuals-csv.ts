/**
 * A week's actual sales from a CSV file (store_id,category_id,units_sold), and late rows of earlier weeks
 * (week,store_id,category_id,units_sold), for `baton runs post-actuals`.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { BatonError, IncompleteInputError } from '../../errors/index.js';
import { delimiterChar, plainFigure, refuseOtherDelimiter, type Delimiter } from '../../workflows/season-planning/data/csv-conventions.js';
import type { WeeklyActualsBody } from './backend.js';

const COLUMNS = ['store_id', 'category_id', 'units_sold'] as const;
const LATE_COLUMNS = ['week', ...COLUMNS] as const;

const bad = (file: string, line: number, message: string, columns: readonly string[] = COLUMNS) =>
  new BatonError('BAD_REQUEST', `${file}, line ${line}: ${message}`, {
    details: { file, line },
    suggestions: [`the file needs the columns ${columns.join(',')} with a number of units on every row`],
  });

export function readActualsCsv(file: string, week: number, delimiter?: Delimiter): WeeklyActualsBody {
  return { week, sales: readRows(file, COLUMNS, delimiter).map(({ record, line }) => salesRow(file, record, line, COLUMNS, delimiter)) };
}

/** Late rows: series earlier weeks were posted without, each with its week. */
export function readLateCsv(file: string, delimiter?: Delimiter): NonNullable<WeeklyActualsBody['late']> {
  return readRows(file, LATE_COLUMNS, delimiter).map(({ record, line }) => {
    const week = record.week ?? '';
    if (!/^\d+$/.test(week)) throw bad(file, line, `week "${week}" is not a whole number`, LATE_COLUMNS);
    return { week: Number(week), ...salesRow(file, record, line, LATE_COLUMNS, delimiter) };
  });
}

function salesRow(file: string, record: Record<string, string>, line: number, columns: readonly string[], delimiter: Delimiter | undefined) {
  // The import's convention: separated by semicolons, a figure may write a decimal comma (24.924,50).
  const units = plainFigure(record.units_sold ?? '', delimiter === ';');
  // Number('') is 0 and Number('1e3') is 1000: plain decimal numbers only.
  if (!/^-?\d+(\.\d+)?$/.test(units)) throw bad(file, line, `units_sold "${units}" is not a number`, columns);
  if (!record.store_id || !record.category_id) throw bad(file, line, 'store_id and category_id must not be empty', columns);
  return { store_id: record.store_id, category_id: record.category_id, units_sold: Number(units) };
}

function readRows(file: string, columns: readonly string[], delimiter: Delimiter | undefined): { record: Record<string, string>; line: number }[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new BatonError('NOT_FOUND', `cannot read ${file}: ${(error as Error).message}`, { details: { file } });
  }
  let records: { record: Record<string, string>; info: { lines: number } }[];
  try {
    records = parse<{ record: Record<string, string>; info: { lines: number } }>(text, {
      delimiter: delimiterChar(delimiter),
      columns: (header: string[]) => {
        refuseOtherDelimiter(header, file, delimiter);
        return header.map((h) => h.trim().toLowerCase());
      },
      skip_empty_lines: true,
      trim: true,
      bom: true,
      info: true,
    });
  } catch (error) {
    if (error instanceof BatonError) throw error;
    const line = (error as { lines?: number }).lines ?? 0;
    throw bad(file, line, (error as Error).message, columns);
  }
  const first = records[0]?.record;
  if (!first)
    throw new BatonError('BAD_REQUEST', `${file} has no rows`, {
      details: { file },
      suggestions: [`give a header ${columns.join(',')} and one row per store and category`],
    });
  const missing = columns.filter((c) => !(c in first));
  if (missing.length > 0) throw new IncompleteInputError(`the columns of ${file}`, missing);
  return records.map(({ record, info }) => ({ record, line: info.lines }));
}
