/** The files `baton runs post-actuals` reads: the week's (an optional week column carries late rows), a late one and corrections (the same columns). */
import { readFileSync } from 'node:fs';
import { BatonError } from '../../errors/index.js';
import { parseActualsCsv, parseLateCsv } from '../../workflows/season-planning/actuals-csv.js';
import type { Delimiter } from '../../workflows/season-planning/data/csv-conventions.js';
import type { WeeklyActualsBody } from './backend.js';

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new BatonError('NOT_FOUND', `cannot read ${file}: ${(error as Error).message}`, { details: { file } });
  }
}

export function readActualsCsv(file: string, week: number, delimiter?: Delimiter): WeeklyActualsBody {
  const { sales, late, measure } = parseActualsCsv(readText(file), file, week, delimiter);
  return { week, sales, ...(late.length > 0 ? { late } : {}), ...(measure ? { measure } : {}) };
}

/** Rows of earlier weeks (week,store_id,category_id,units_sold): the late ones, or the corrections. */
export function readEarlierWeeksCsv(file: string, delimiter?: Delimiter): NonNullable<WeeklyActualsBody['late']> {
  return parseLateCsv(readText(file), file, delimiter);
}
