/** A week's actual sales from a CSV file (store_id,category_id,units_sold), for `baton runs post-actuals`. */
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { BatonError, IncompleteInputError } from '../../errors/index.js';
import type { WeeklyActualsBody } from './backend.js';

const COLUMNS = ['store_id', 'category_id', 'units_sold'] as const;

const bad = (file: string, line: number, message: string) =>
  new BatonError('BAD_REQUEST', `${file}, line ${line}: ${message}`, {
    details: { file, line },
    suggestions: [`the file needs the columns ${COLUMNS.join(',')} with a number of units on every row`],
  });

export function readActualsCsv(file: string, week: number): WeeklyActualsBody {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new BatonError('NOT_FOUND', `cannot read ${file}: ${(error as Error).message}`, { details: { file } });
  }
  let records: { record: Record<string, string>; info: { lines: number } }[];
  try {
    records = parse<{ record: Record<string, string>; info: { lines: number } }>(text, {
      columns: (header: string[]) => header.map((h) => h.trim().toLowerCase()),
      skip_empty_lines: true,
      trim: true,
      bom: true,
      info: true,
    });
  } catch (error) {
    const line = (error as { lines?: number }).lines ?? 0;
    throw bad(file, line, (error as Error).message);
  }
  const first = records[0]?.record;
  if (!first)
    throw new BatonError('BAD_REQUEST', `${file} has no rows`, {
      details: { file },
      suggestions: [`give a header ${COLUMNS.join(',')} and one row per store and category`],
    });
  const missing = COLUMNS.filter((c) => !(c in first));
  if (missing.length > 0) throw new IncompleteInputError(`the columns of ${file}`, missing);
  return {
    week,
    sales: records.map(({ record, info }) => {
      const units = record.units_sold ?? '';
      // Number('') is 0 and Number('1e3') is 1000: plain decimal numbers only.
      if (!/^-?\d+(\.\d+)?$/.test(units)) throw bad(file, info.lines, `units_sold "${units}" is not a number`);
      if (!record.store_id || !record.category_id) throw bad(file, info.lines, 'store_id and category_id must not be empty');
      return { store_id: record.store_id, category_id: record.category_id, units_sold: Number(units) };
    }),
  };
}
