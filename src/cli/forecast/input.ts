/**
 * Reading forecast input: long CSV `series_id,date,value[,group]` or the M4 wide format (`"V1","V2",…`, the id
 * first, shorter series padded with empty cells), told apart by the header. Every problem names its line.
 * Series of one group are put on a common grid ending at the group's last week, as a panel needs.
 */
import { readFile } from 'node:fs/promises';
import { parse } from 'csv-parse/sync';
import { alignToGrid, type DatedValue } from '../../forecasting/index.js';
import { addDays, daysBetween } from '../../workflows/season-planning/data/weeks.js';
import { ForecastInputError } from './errors.js';

export interface InputSeries {
  id: string;
  /** Regular weekly values; NaN marks a missing week. */
  values: number[];
  /** The long CSV's optional `group` column: series of one group are forecast together (pooled). */
  group?: string;
  /** The date of the last value (long CSV only): YYYY-MM-DD, as the input labels its weeks. */
  lastDate?: string;
}

interface Row {
  record: string[];
  info: { lines: number };
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

function parseNumber(file: string, line: number, cell: string, what: string): number {
  const value = Number(cell.trim());
  if (cell.trim() === '' || !Number.isFinite(value)) throw new ForecastInputError(file, line, `${what} "${cell}" is not a number`);
  return value;
}

interface LongSeries {
  points: DatedValue[];
  group: string;
  /** The line that first gave the group, for the error when another row disagrees. */
  groupLine: number;
}

function readLong(file: string, rows: Row[], header: string[]): InputSeries[] {
  const column = (name: string) => header.findIndex((h) => h.trim().toLowerCase() === name);
  const [idAt, dateAt, valueAt, groupAt] = [column('series_id'), column('date'), column('value'), column('group')];
  if (idAt < 0 || dateAt < 0 || valueAt < 0) {
    throw new ForecastInputError(file, 1, `header must name series_id, date and value, and may name group (found: ${header.join(', ')})`);
  }
  const bySeries = new Map<string, LongSeries>();
  for (const { record, info } of rows) {
    const id = record[idAt]?.trim() ?? '';
    const date = record[dateAt]?.trim() ?? '';
    const cell = record[valueAt]?.trim() ?? '';
    const group = groupAt < 0 ? '' : (record[groupAt]?.trim() ?? '');
    if (id === '') throw new ForecastInputError(file, info.lines, 'series_id is empty');
    if (!ISO_DATE.test(date) || Number.isNaN(Date.parse(`${date}T00:00:00Z`))) {
      throw new ForecastInputError(file, info.lines, `date "${date}" is not a YYYY-MM-DD date`);
    }
    let series = bySeries.get(id);
    if (series === undefined) {
      series = { points: [], group, groupLine: info.lines };
      bySeries.set(id, series);
    } else if (series.group !== group) {
      throw new ForecastInputError(file, info.lines, `series ${id} is in group "${group}" here but in "${series.group}" on line ${series.groupLine}`);
    }
    // An empty value is a week known to be missing; it still extends the grid.
    series.points.push({ date, value: cell === '' ? Number.NaN : parseNumber(file, info.lines, cell, 'value') });
  }
  const result = [...bySeries].map(([id, { points, group }]) => {
    const present = points.filter((p) => !Number.isNaN(p.value));
    const used = present.length > 0 ? present : points;
    const grid = alignToGrid(used);
    const series: InputSeries = { id, values: grid.values, lastDate: addDays(grid.firstDate!, 7 * (grid.values.length - 1)) };
    if (group !== '') series.group = group;
    return series;
  });
  // A panel needs its series to end in the same week: a series that stops early is missing its last weeks.
  const groupEnds = new Map<string, string>();
  for (const s of result) {
    // ISO dates sort as text.
    if (s.group !== undefined && s.lastDate! > (groupEnds.get(s.group) ?? '')) groupEnds.set(s.group, s.lastDate!);
  }
  for (const s of result) {
    if (s.group === undefined) continue;
    const end = groupEnds.get(s.group)!;
    const missing = Math.round(daysBetween(s.lastDate!, end) / 7);
    if (missing > 0) s.values.push(...new Array<number>(missing).fill(Number.NaN));
    s.lastDate = end;
  }
  return result;
}

function readWide(file: string, rows: Row[]): InputSeries[] {
  return rows.map(({ record, info }) => {
    const id = record[0]?.trim() ?? '';
    if (id === '') throw new ForecastInputError(file, info.lines, 'the series id (first column) is empty');
    const cells = record.slice(1);
    let end = cells.length;
    while (end > 0 && cells[end - 1]!.trim() === '') end--;
    const values = cells.slice(0, end).map((cell, i) => (cell.trim() === '' ? Number.NaN : parseNumber(file, info.lines, cell, `V${i + 2}`)));
    return { id, values };
  });
}

export async function readForecastInput(file: string): Promise<InputSeries[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new ForecastInputError(file, null, `cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  let parsed: Row[];
  try {
    parsed = parse(text, { info: true, relax_column_count: true, skip_empty_lines: true, bom: true }) as unknown as Row[];
  } catch (error) {
    const line = (error as { lines?: number }).lines ?? null;
    throw new ForecastInputError(file, line, `is not valid CSV: ${(error as Error).message}`);
  }
  const [head, ...rows] = parsed;
  if (head === undefined) throw new ForecastInputError(file, null, 'is empty');
  const wide = head.record[0]?.trim() === 'V1';
  const series = wide ? readWide(file, rows) : readLong(file, rows, head.record);
  if (series.length === 0) throw new ForecastInputError(file, null, 'has a header but no series');
  return series;
}
