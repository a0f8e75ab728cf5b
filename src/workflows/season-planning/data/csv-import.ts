/**
 * `baton data import` and the upload routes: a CSV of stores, categories or weekly sales, mapped
 * to Baton's fields, checked row by row, and written all or nothing. Real files are messy: LF,
 * CRLF or bare CR line endings, quotes, `NA`, negative sales (returns: kept and counted), missing
 * weeks (reported), repeated rows (the last one wins). Errors name the file, line and problem.
 *
 * The file is streamed: parsed and checked as it arrives (an upload is never held whole), the
 * event loop served every few milliseconds, and sales rows kept in typed columns (about 20
 * bytes a row) until every row has passed; only then is anything written, in chunks
 * (src/store/retail/kysely-retail.ts says how they are committed).
 */
import { createReadStream, statSync } from 'node:fs';
import { basename } from 'node:path';
import { Readable } from 'node:stream';
import { Parser } from 'csv-parse';
import { z } from 'zod';
import { BatonError } from '../../../errors/index.js';
import type { Category, ImportOutcome, SalesQuantity, SeasonData, StoreProfile, WeeklySales } from './types.js';
import { IMPORT_FIELDS, quantityColumn, quantityMapping, quote, resolveColumns, type FieldOf, type ImportTable } from './columns.js';
import { addDays, isIsoDate, toDayNumber } from './weeks.js';
import { ambiguousSlashDate, dayFirstDate, delimiterChar, FIGURES, plainFigure, refuseOtherDelimiter, type DateOrder, type Delimiter, DAY_FIRST_ADVICE } from './csv-conventions.js';
import { fileWeekday, sameWeekdayAsHistory, type WeekDates } from './week-grid.js';

export { DATE_ORDERS, DELIMITERS, type DateOrder, type Delimiter } from './csv-conventions.js';
export type { WeekDates } from './week-grid.js';

export interface CsvSource {
  /** Shown in errors and the import log. */
  name: string;
  /** A file path, the file's content, or a stream of it (uploads). */
  path?: string;
  content?: string | Buffer;
  stream?: Readable;
}

/**
 * The longest record (line) accepted, in characters: a sales row is ~40, a store row a few
 * hundred; the bound keeps one runaway cell (an unclosed quote, a pasted blob) from being held
 * and echoed whole. Settable per import (`maxRecordSize`; the server's BATON_CSV_MAX_RECORD_SIZE).
 */
export const DEFAULT_CSV_MAX_RECORD_SIZE = 65_536;

export interface ImportOptions {
  mapping?: Record<string, string>;
  /** Called with the fraction of the file read so far (0–1). */
  onProgress?: (fraction: number) => void;
  now?: number;
  /** csv-parse's max_record_size (default DEFAULT_CSV_MAX_RECORD_SIZE). */
  maxRecordSize?: number;
  /**
   * What separates the fields (default `,`). With `;`, the convention of locales that write decimal commas,
   * figures may use them: `24.924,50` is read as 24924.5. With `,`, quoted figures may carry thousands
   * separators: `"24,924.50"`.
   */
  delimiter?: Delimiter;
  /**
   * Sales: which part of a slash date comes first, the month (`mdy`, the default: 2/10/2012 is February 10)
   * or the day (`dmy`: 10/2/2012). Dotted dates (10.02.2012) are always read day first, ISO dates as they are.
   */
  dateOrder?: DateOrder;
  /**
   * Sales: what the quantity column counts. Unset, a `Col=sales_value` mapping or a well-known
   * money header (Weekly_Sales) says sales value (with a warning for the header); otherwise units.
   */
  quantity?: SalesQuantity;
  /**
   * Sales: whether each date is the first day of its week (`start`, the default) or the last
   * (`end`, Walmart's Friday `Date`; as `baton forecast --week-dates`): with `end` a week is
   * stored from the day after the previous week's date (date − 6 days).
   */
  weekDates?: WeekDates;
  /** Sales: the file replaces the whole sales history instead of adding to it (`--replace`, `?replace=true`). */
  replace?: boolean;
}


export interface ImportReport extends ImportOutcome {
  table: ImportTable;
  source: string;
  warnings: string[];
  /** Sales: what the figures count, as recorded for the history. */
  quantity?: SalesQuantity;
  /** Sales: how the dates were read. */
  weekDates?: WeekDates;
}

/** Sales rows without units (NA): skipped, counted, the first one named. */
interface Skipped {
  count: number;
  firstLine?: number;
}

interface RowProblem {
  line: number;
  field?: string;
  message: string;
}

const MISSING = new Set(['', 'na', 'n/a', 'null', 'nan', '-']);
/** Problems listed in an error (each quotes its value at most once, truncated): the count says how many there were. */
export const MAX_LISTED_PROBLEMS = 20;
/** How long the parser runs before letting the event loop answer others (health checks, lease renewals). */
const TURN_MS = 10;

const isMissing = (value: string | undefined): boolean => value === undefined || MISSING.has(value.trim().toLowerCase());

const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** ISO dates as they are; US dates (M/D/YYYY) turned into ISO. A sales file repeats a few hundred dates, so each is checked once. */
const checkedDates = new Map<string, string | undefined>();
function toIsoDate(text: string): string | undefined {
  if (checkedDates.has(text)) return checkedDates.get(text);
  const iso = parseDate(text);
  if (checkedDates.size > 100_000) checkedDates.clear();
  checkedDates.set(text, iso);
  return iso;
}

function parseDate(text: string): string | undefined {
  const value = text.trim();
  if (isIsoDate(value)) return value;
  const us = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(value);
  if (us) {
    const iso = `${us[3]}-${us[1]!.padStart(2, '0')}-${us[2]!.padStart(2, '0')}`;
    if (isIsoDate(iso)) return iso;
  }
  return undefined;
}

const text = z.string().trim().min(1, 'is empty');
const optionalText = z.string().trim().nullable();
const number = z.string().transform((value, ctx) => {
  const n = Number(value.trim());
  if (value.trim() === '' || !Number.isFinite(n)) {
    ctx.addIssue({ code: 'custom', message: `${quote(value)} is not a number` });
    return z.NEVER;
  }
  return n;
});
const optionalNumber = number.nullable();
const date = z.string().transform((value, ctx) => {
  const iso = toIsoDate(value);
  if (iso === undefined) {
    ctx.addIssue({ code: 'custom', message: `${quote(value)} is not a date (YYYY-MM-DD or M/D/YYYY)` });
    return z.NEVER;
  }
  return iso;
});

/** The rules for each table's rows (sales rows are checked by `checkSalesRow`, to the same rules). */
export const ROW_SCHEMAS = {
  stores: z.object({
    store_id: text,
    store_name: optionalText,
    region: optionalText,
    store_size_sqft: optionalNumber.refine((n) => n === null || n > 0, 'must be positive'),
    location_tier: optionalText,
    median_income: optionalNumber.refine((n) => n === null || n >= 0, 'must not be negative'),
    store_format: optionalText,
  }),
  categories: z.object({ category_id: text, name: optionalText }),
  sales: z.object({ store_id: text, category_id: text, week_start_date: date, units_sold: number }),
} as const;

export type ParsedRow<T extends ImportTable> = z.output<(typeof ROW_SCHEMAS)[T]>;

/**
 * csv-parse with each record's line attached as it is pushed. (An `on_record` hook did the same
 * but csv-parse builds a 15-field info object per record for it: a fifth of a large import's CPU,
 * most of it in the garbage collector.)
 */
class LineParser extends Parser {
  override push(record: unknown, encoding?: BufferEncoding): boolean {
    return super.push(record === null ? null : { fields: record as string[], line: this.info.lines }, encoding);
  }
}

/**
 * The sales row check by hand: the same rules and messages as ROW_SCHEMAS.sales, which stays the
 * reference (a test holds them equal), at a fraction of the cost per row (1.5 M rows: zod's
 * object parse and its garbage were a quarter of the import).
 */
export function checkSalesRow(raw: Record<string, string | null>, line: number, problems: Problems): ParsedRow<'sales'> | undefined {
  const before = problems.count;
  const storeId = presentId(raw.store_id, 'store_id', line, problems);
  const categoryId = presentId(raw.category_id, 'category_id', line, problems);
  const dateText = present(raw.week_start_date, 'week_start_date', line, problems);
  const week = dateText === undefined ? undefined : toIsoDate(dateText);
  if (dateText !== undefined && week === undefined) problems.add({ line, field: 'week_start_date', message: `${quote(dateText)} is not a date (YYYY-MM-DD or M/D/YYYY)` });
  const unitsText = present(raw.units_sold, 'units_sold', line, problems);
  const units = unitsText === undefined || unitsText.trim() === '' ? NaN : Number(unitsText.trim());
  if (unitsText !== undefined && !Number.isFinite(units)) problems.add({ line, field: 'units_sold', message: `${quote(unitsText)} is not a number` });
  return problems.count === before ? { store_id: storeId, category_id: categoryId, week_start_date: week!, units_sold: units } : undefined;
}

function present(value: string | null | undefined, field: string, line: number, problems: Problems): string | undefined {
  if (value === null || value === undefined) problems.add({ line, field, message: 'is missing' });
  return value ?? undefined;
}

function presentId(value: string | null | undefined, field: string, line: number, problems: Problems): string {
  const id = present(value, field, line, problems)?.trim();
  if (id === '') problems.add({ line, field, message: 'is empty' });
  return id ?? '';
}

const UNREADABLE: Record<string, string> = { ENOENT: 'no such file', EACCES: 'permission denied', EPERM: 'permission denied' };

/**
 * The size of the CSV file at `path`, or a BAD_REQUEST naming it when it is missing, a folder or unreadable.
 * Checked before the file is opened: a stream opened on a missing file fails later, outside any caller's reach.
 */
export function csvFileSize(path: string): number {
  let reason: string;
  try {
    const stats = statSync(path);
    if (stats.isFile()) return stats.size;
    reason = stats.isDirectory() ? 'is a folder, not a file' : 'is not a regular file';
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unknown error';
    reason = UNREADABLE[code] ?? `cannot be read (${code})`;
  }
  throw new BatonError('BAD_REQUEST', `${path}: ${reason}`, { details: { file: path, problem: reason }, suggestions: ['check the path (relative paths start from the current folder)'] });
}

/** The source as a stream, and its size in bytes when known (for progress). */
function open(source: CsvSource): { input: Readable; size?: number } {
  if (source.stream) return { input: source.stream };
  if (source.path !== undefined) {
    const size = csvFileSize(source.path);
    return { input: createReadStream(source.path), size };
  }
  return { input: Readable.from([source.content ?? '']) };
}

const clip = (message: string, max = 300): string => (message.length > max ? `${message.slice(0, max)}…` : message);

async function* records(source: CsvSource, options: ImportOptions): AsyncGenerator<{ fields: string[]; line: number }> {
  const { input, size } = open(source);
  const { onProgress } = options;
  const maxRecordSize = options.maxRecordSize ?? DEFAULT_CSV_MAX_RECORD_SIZE;
  let read = 0;
  let reported = 0;
  if (size !== undefined && onProgress) {
    input.on('data', (chunk: Buffer | string) => {
      read += chunk.length;
      if (read - reported > size / 100) onProgress(Math.min(1, (reported = read) / size));
    });
  }
  // Line endings are detected from the file (LF, CRLF or bare CR); rows of the wrong length are
  // reported by this module with their line rather than failing the parser.
  const parser = new LineParser({
    delimiter: delimiterChar(options.delimiter),
    bom: true,
    skip_empty_lines: true,
    relax_column_count: true,
    max_record_size: maxRecordSize,
  });
  // pipe() does not pass the source's errors on (an upload over its limit, a client gone).
  input.on('error', (error) => parser.destroy(error));
  input.pipe(parser);
  let turn = performance.now();
  let count = 0;
  try {
    for await (const record of parser) {
      yield record as { fields: string[]; line: number };
      // csv-parse hands over whole buffered chunks through microtasks, which never let timers or
      // sockets run: give the event loop a turn every TURN_MS.
      if (++count % 256 === 0 && performance.now() - turn > TURN_MS) {
        await yieldToEventLoop();
        turn = performance.now();
      }
    }
  } catch (error) {
    if (error instanceof BatonError) throw error;
    const line = error instanceof Error && 'lines' in error ? Number(error.lines) : undefined;
    const where = `${source.name}${line ? ` line ${line}` : ''}`;
    if (error instanceof Error && 'code' in error && error.code === 'CSV_MAX_RECORD_SIZE') {
      throw new BatonError('PAYLOAD_TOO_LARGE', `${where}: a record is longer than ${maxRecordSize.toLocaleString('en-US')} characters`, {
        details: { source: source.name, line, max_record_size: maxRecordSize },
        suggestions: ['check the quoting around that line (a quote opened and never closed swallows the rest of the file)', 'a server takes longer records with BATON_CSV_MAX_RECORD_SIZE'],
        cause: error,
      });
    }
    throw new BatonError('BAD_REQUEST', `${where}: ${clip(error instanceof Error ? error.message : String(error))}`, {
      details: { source: source.name, line },
      suggestions: ['check the quoting around that line (a quote opened and never closed swallows the rest of the file)'],
      cause: error,
    });
  } finally {
    // An early exit (a bad header) stops reading; the source is left to its owner (an HTTP
    // request is drained by the server after the reply).
    input.unpipe(parser);
    if (source.stream === undefined) input.destroy();
  }
  onProgress?.(1);
}

/** Collects the bad rows of a file: every one counted, the first MAX_LISTED_PROBLEMS listed. */
export class Problems {
  readonly listed: RowProblem[] = [];
  count = 0;
  add(problem: RowProblem): void {
    this.count++;
    if (this.listed.length < MAX_LISTED_PROBLEMS) this.listed.push(problem);
  }
  /** Throws one error listing the bad rows; each value appears once (in its problem's message), truncated. */
  throwIfAny(source: string): void {
    if (this.count === 0) return;
    // The suggestion names lines and fields only: the values are in details.problems, once.
    const shown = this.listed.slice(0, 5).map((p) => `${p.line}${p.field ? ` (${p.field})` : ''}`);
    const more = this.count > shown.length ? ' and the others in details.problems' : '';
    throw new BatonError('INVALID_PARAMETERS', `${source}: ${this.count} row${this.count === 1 ? ' is' : 's are'} invalid; nothing was imported`, {
      details: { source, problem_count: this.count, problems: this.listed },
      suggestions: [`fix ${source} line${this.count === 1 ? '' : 's'} ${shown.join(', ')}${more}, then import the file again`],
    });
  }
}

/** What reading the rows noticed besides the rows: skipped rows, and slash dates read month first (maybe written day first). */
interface RowsRead {
  skipped: Skipped;
  slashDatesMonthFirst: boolean;
}

/** Reads the header, then maps and checks each row, handing the good ones to `accept`; throws one error listing the bad rows. */
async function readRows<T extends ImportTable>(
  table: T,
  source: CsvSource,
  options: ImportOptions,
  accept: (row: ParsedRow<T>, line: number) => void,
  onHeader?: (header: string[]) => void,
): Promise<RowsRead> {
  const schema = ROW_SCHEMAS[table] as unknown as z.ZodType<ParsedRow<T>>;
  let columns: [FieldOf<T>, number][] | undefined;
  let width = 0;
  let accepted = 0;
  const problems = new Problems();
  const skipped: Skipped = { count: 0 };
  const figures = FIGURES[table];
  const decimalComma = options.delimiter === ';';
  const dateOrder = options.dateOrder ?? 'mdy';
  let slashDatesMonthFirst = false;
  for await (const { fields, line } of records(source, options)) {
    if (columns === undefined) {
      const header = fields.map((f) => f.trim());
      refuseOtherDelimiter(header, source.name, options.delimiter);
      onHeader?.(header);
      columns = [...resolveColumns(table, header, table === 'sales' ? quantityMapping(options.mapping ?? {}) : (options.mapping ?? {}), source.name)];
      width = header.length;
      continue;
    }
    if (fields.length !== width) {
      problems.add({ line, message: `has ${fields.length} fields, the header has ${width}` });
      continue;
    }
    // No database stores the NUL character in text (PostgreSQL refuses it): a row with one is bad input, said as such.
    if (fields.some((f) => f.includes('\u0000'))) {
      problems.add({ line, message: 'a cell contains the NUL character' });
      continue;
    }
    const raw: Record<string, string | null> = {};
    for (const field of IMPORT_FIELDS[table]) raw[field] = null;
    for (const [field, index] of columns) raw[field] = isMissing(fields[index]) ? null : (fields[index] ?? null);
    for (const field of figures) if (raw[field] != null) raw[field] = plainFigure(raw[field], decimalComma);
    if (table === 'sales' && raw.week_start_date != null) {
      const date = raw.week_start_date;
      const dayFirst = dayFirstDate(date, dateOrder);
      if (dayFirst !== undefined) raw.week_start_date = dayFirst;
      else if (dateOrder === 'mdy' && date.includes('/')) {
        // 13/02/2012 is no date month first, but is one day first: said so, rather than "not a date".
        if (toIsoDate(date) === undefined && dayFirstDate(date, 'dmy') !== undefined) {
          problems.add({ line, field: 'week_start_date', message: `${quote(date)} is not a date month first (M/D/YYYY); the file seems to write the day first: import it with --date-order dmy (?date_order=dmy)` });
          continue;
        }
        // Only a date that reads either way (both parts 12 or less) may have been meant day first.
        if (!slashDatesMonthFirst && ambiguousSlashDate(date)) slashDatesMonthFirst = true;
      }
    }
    if (table === 'sales' && raw.units_sold === null) {
      skipped.count++;
      skipped.firstLine ??= line;
      continue;
    }
    // Rows after the first bad one are still checked (the error lists them) but not kept.
    if (table === 'sales') {
      const row = checkSalesRow(raw, line, problems);
      if (row === undefined) continue;
      if (problems.count === 0) accept(row as ParsedRow<T>, line);
      accepted++;
      continue;
    }
    const parsed = schema.safeParse(raw);
    if (parsed.success) {
      if (problems.count === 0) accept(parsed.data, line);
      accepted++;
    } else for (const issue of parsed.error.issues) problems.add({ line, field: issue.path.join('.'), message: issue.code === 'invalid_type' ? 'is missing' : issue.message });
  }
  if (columns === undefined) {
    throw new BatonError('INCOMPLETE_INPUT', `${source.name} is empty`, { details: { source: source.name }, suggestions: ['the first line must be a header naming the columns'] });
  }
  problems.throwIfAny(source.name);
  if (accepted === 0) {
    throw new BatonError('INCOMPLETE_INPUT', `${source.name} has a header but no rows`, { details: { source: source.name }, suggestions: ['add data rows below the header'] });
  }
  return { skipped, slashDatesMonthFirst };
}

/** Later rows with the same key replace earlier ones (a database would refuse both in one statement). */
function lastByKey<R>(rows: R[], key: (row: R) => string): { rows: R[]; repeated: number } {
  const byKey = new Map<string, R>();
  for (const row of rows) byKey.set(key(row), row);
  return { rows: [...byKey.values()], repeated: rows.length - byKey.size };
}

const plural = (n: number, word: string): string => `${n.toLocaleString('en-US')} ${word}${n === 1 || word.endsWith('s') ? '' : 's'}`;

/** Strings numbered in order of first appearance: a sales file names a few stores, departments and weeks over and over. */
class Interned {
  readonly values: string[] = [];
  private readonly index = new Map<string, number>();
  of(value: string): number {
    let i = this.index.get(value);
    if (i === undefined) {
      this.index.set(value, (i = this.values.length));
      this.values.push(value);
    }
    return i;
  }
}

/** A growable typed column. */
class Column<A extends Int32Array | Float64Array> {
  constructor(
    public data: A,
    private readonly make: (length: number) => A,
  ) {}
  set(i: number, value: number): void {
    if (i >= this.data.length) {
      const bigger = this.make(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[i] = value;
  }
}

/**
 * Checked sales rows in columns (store, category and week as numbers into interned strings):
 * 1.5 M rows take ~30 MB here against ~500 MB as objects. Rows are grouped by series (store ×
 * category) to find repeated weeks (the last row wins) and missing weeks.
 */
class SalesRows {
  readonly stores = new Interned();
  readonly categories = new Interned();
  readonly weeks = new Interned();
  private readonly store = new Column(new Int32Array(1024), (n) => new Int32Array(n));
  private readonly category = new Column(new Int32Array(1024), (n) => new Int32Array(n));
  private readonly week = new Column(new Int32Array(1024), (n) => new Int32Array(n));
  private readonly units = new Column(new Float64Array(1024), (n) => new Float64Array(n));
  /** Row numbers of each series, by store then category. */
  private readonly series: Map<number, number[]>[] = [];
  length = 0;
  /** 1 for a row a later row with the same store, category and week replaces. */
  private replaced = new Uint8Array(0);

  add(row: ParsedRow<'sales'>): void {
    const i = this.length++;
    const store = this.stores.of(row.store_id);
    const category = this.categories.of(row.category_id);
    this.store.set(i, store);
    this.category.set(i, category);
    this.week.set(i, this.weeks.of(row.week_start_date));
    this.units.set(i, row.units_sold);
    const byCategory = (this.series[store] ??= new Map());
    let rows = byCategory.get(category);
    if (!rows) byCategory.set(category, (rows = []));
    rows.push(i);
  }

  /** Marks repeated rows and counts what the warnings report; yields to the event loop as it goes. */
  async settle(): Promise<{ unique: number; repeated: number; negative: number; gappy: number; missingWeeks: number }> {
    this.replaced = new Uint8Array(this.length);
    const day = this.weeks.values.map(toDayNumber);
    const week = this.week.data;
    let repeated = 0;
    let gappy = 0;
    let missingWeeks = 0;
    let turn = performance.now();
    for (const byCategory of this.series) {
      for (const rows of byCategory?.values() ?? []) {
        // Files come sorted by week within a series more often than not: sort only when needed.
        let sorted = true;
        for (let k = 1; k < rows.length && sorted; k++) sorted = day[week[rows[k - 1]!]!]! <= day[week[rows[k]!]!]!;
        if (!sorted) rows.sort((a, b) => day[week[a]!]! - day[week[b]!]! || a - b);
        let missing = 0;
        for (let k = 1; k < rows.length; k++) {
          const gap = day[week[rows[k]!]!]! - day[week[rows[k - 1]!]!]!;
          if (gap === 0) {
            // Same week: of the two, the earlier row in the file is replaced (a stable sort keeps file order).
            this.replaced[rows[k - 1]!] = 1;
            repeated++;
          } else missing += Math.max(0, Math.round(gap / 7) - 1);
        }
        if (missing > 0) gappy++;
        missingWeeks += missing;
        if (performance.now() - turn > TURN_MS) {
          await yieldToEventLoop();
          turn = performance.now();
        }
      }
    }
    let negative = 0;
    const units = this.units.data;
    for (let i = 0; i < this.length; i++) if (units[i]! < 0 && this.replaced[i] === 0) negative++;
    return { unique: this.length - repeated, repeated, negative, gappy, missingWeeks };
  }

  /** The rows to write, in file order, without replaced ones (call `settle` first). */
  *rows(): Generator<WeeklySales> {
    const { stores, categories, weeks, replaced } = this;
    const [store, category, week, units] = [this.store.data, this.category.data, this.week.data, this.units.data];
    for (let i = 0; i < this.length; i++) {
      if (replaced[i] === 1) continue;
      yield { storeId: stores.values[store[i]!]!, categoryId: categories.values[category[i]!]!, weekStartDate: weeks.values[week[i]!]!, unitsSold: units[i]! };
    }
  }
}

export async function importCsv(data: SeasonData, table: ImportTable, source: CsvSource, options: ImportOptions = {}): Promise<ImportReport> {
  if (options.replace === true && table !== 'sales') {
    throw new BatonError('BAD_REQUEST', `replacing applies to the sales history, not to ${table}: re-importing ${table} updates them`, {
      details: { table },
      suggestions: ['leave --replace (?replace=) out for stores and categories'],
    });
  }
  const at = options.now ?? Date.now();
  const name = source.path !== undefined && source.name === '' ? basename(source.path) : source.name;
  const named = { ...source, name };
  let outcome: ImportOutcome;
  let warnings: string[];
  if (table === 'stores') {
    const rows: ParsedRow<'stores'>[] = [];
    await readRows('stores', named, options, (row) => rows.push(row));
    const unique = lastByKey(rows, (r) => r.store_id);
    const profiles: StoreProfile[] = unique.rows.map((r) => ({
      storeId: r.store_id,
      storeName: r.store_name,
      region: r.region,
      storeSizeSqft: r.store_size_sqft,
      locationTier: r.location_tier,
      medianIncome: r.median_income,
      storeFormat: r.store_format,
    }));
    warnings = unique.repeated > 0 ? [`${plural(unique.repeated, 'store')} listed twice: the last row was kept`] : [];
    outcome = await data.importStores({ source: name, rows: profiles, warnings, at });
  } else if (table === 'categories') {
    const rows: ParsedRow<'categories'>[] = [];
    await readRows('categories', named, options, (row) => rows.push(row));
    const unique = lastByKey(rows, (r) => r.category_id);
    const categories: Category[] = unique.rows.map((r) => ({ categoryId: r.category_id, name: r.name }));
    warnings = unique.repeated > 0 ? [`${plural(unique.repeated, 'category')} listed twice: the last row was kept`] : [];
    outcome = await data.importCategories({ source: name, rows: categories, warnings, at });
  } else {
    const sales = new SalesRows();
    const weekDates = options.weekDates ?? 'start';
    let quantity: SalesQuantity = options.quantity ?? 'units';
    const notes: string[] = [];
    // A week's last day → its first: each distinct date shifted once (a file repeats a few hundred).
    const starts = new Map<string, string>();
    const weekStart = (date: string): string => {
      let start = starts.get(date);
      if (start === undefined) starts.set(date, (start = addDays(date, -6)));
      return start;
    };
    const { skipped, slashDatesMonthFirst } = await readRows(
      'sales',
      named,
      options,
      (row) => sales.add(weekDates === 'end' ? { ...row, week_start_date: weekStart(row.week_start_date) } : row),
      (header) => {
        const column = quantityColumn(header, options.mapping ?? {});
        if (column?.implied !== undefined && options.quantity !== undefined && column.implied !== options.quantity && !column.byName) {
          throw new BatonError('INVALID_PARAMETERS', `the mapping reads ${quote(column.header)} as ${column.implied} but the import says the quantity is ${options.quantity}`, {
            details: { source: name, column: column.header, mapped_as: column.implied, quantity: options.quantity },
            suggestions: [`map ${quote(column.header)} to ${options.quantity === 'units' ? 'units_sold' : 'sales_value'}, or leave --quantity (?quantity=) out`],
          });
        }
        if (options.quantity === undefined && column?.implied !== undefined) quantity = column.implied;
        if (column?.byName && options.quantity === undefined) {
          notes.push(`${quote(column.header)} read as sales value (money), not units: the plan and its reports will be in sales value; import with --quantity units (?quantity=units) if it counts units`);
        }
        // A Walmart-style file: its Date is the Friday a week ends, which only the import can be told.
        if (column?.byName && options.weekDates === undefined) {
          notes.push(`dates read as the first day of each week; if they are the day a week ends (Walmart's Date is a Friday), import with --week-dates end (?week_dates=end)`);
        }
      },
    );
    const counts = await sales.settle();
    // Day-first dates whose days are all 12 or less read as month-first dates: only the weekdays show it.
    const dateAdvice = slashDatesMonthFirst ? [DAY_FIRST_ADVICE] : [];
    const weekDay = fileWeekday(sales.weeks.values, name, weekDates, dateAdvice);
    if (weekDay !== undefined && options.replace !== true) await sameWeekdayAsHistory(data, name, weekDay, weekDates, dateAdvice);
    warnings = [...notes];
    const figure = quantity === 'sales_value' ? 'sales value' : 'units';
    if (counts.negative > 0) warnings.push(`${plural(counts.negative, 'row')} with negative ${figure} (returns exceeding sales): kept as they are`);
    if (skipped.count > 0) warnings.push(`${plural(skipped.count, 'row')} without ${figure} (NA) skipped, first at line ${skipped.firstLine}`);
    if (counts.repeated > 0) warnings.push(`${plural(counts.repeated, 'row')} repeated a store, category and week: the last one was kept`);
    if (counts.gappy > 0) warnings.push(`${plural(counts.gappy, 'series')} (store × category) miss weeks: ${plural(counts.missingWeeks, 'week')} in all; forecasting fills them`);
    const known = new Set((await data.listStores()).map((s) => s.storeId));
    const unknown = sales.stores.values.filter((id) => !known.has(id)).length;
    if (unknown > 0) warnings.push(`${plural(unknown, 'store')} not in the stores table (added without attributes; import stores to describe them)`);
    const before = options.replace === true ? null : await data.salesQuantity();
    if (before !== null && before !== quantity) {
      warnings.push(`the history held ${before === 'units' ? 'units' : 'sales value'} and this file is ${quantity === 'units' ? 'units' : 'sales value'}: the history is now read as ${quantity === 'units' ? 'units' : 'sales value'}, so re-import every sales file the same way`);
    }
    if (options.replace === true) warnings.push('the sales history was replaced by this file');
    outcome = await data.importSales({ source: name, rows: sales.rows(), warnings, at, quantity, replace: options.replace === true });
    return { table, source: name, ...outcome, warnings, quantity, weekDates };
  }
  return { table, source: name, ...outcome, warnings };
}
