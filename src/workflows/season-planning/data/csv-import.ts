/**
 * `baton data import` and the upload routes: a CSV of stores, categories or weekly sales, mapped
 * to Baton's fields, checked row by row, and written all or nothing. Real files are messy: LF,
 * CRLF or bare CR line endings, quotes, `NA`, negative sales (returns: kept and counted), missing
 * weeks (reported), repeated rows (the last one wins). Errors name the file, line and problem.
 */
import { createReadStream, statSync } from 'node:fs';
import { basename } from 'node:path';
import { Readable } from 'node:stream';
import { parse, type InfoRecord, type Options } from 'csv-parse';
import { z } from 'zod';
import { BatonError } from '../../../errors/index.js';
import type { Category, ImportOutcome, Store, StoreProfile, WeeklySales } from '../../../store/index.js';
import { IMPORT_FIELDS, resolveColumns, type FieldOf, type ImportTable } from './columns.js';
import { isIsoDate, toDayNumber } from './weeks.js';

export interface CsvSource {
  /** Shown in errors and the import log. */
  name: string;
  /** A file path, or the file's content (uploads). */
  path?: string;
  content?: string | Buffer;
}

export interface ImportOptions {
  mapping?: Record<string, string>;
  /** Called with the fraction of the file read so far (0–1). */
  onProgress?: (fraction: number) => void;
  now?: number;
}

export interface ImportReport extends ImportOutcome {
  table: ImportTable;
  source: string;
  warnings: string[];
}

interface RowProblem {
  line: number;
  field?: string;
  message: string;
}

const MISSING = new Set(['', 'na', 'n/a', 'null', 'nan', '-']);
const MAX_LISTED_PROBLEMS = 20;

const isMissing = (value: string | undefined): boolean => value === undefined || MISSING.has(value.trim().toLowerCase());

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
    ctx.addIssue({ code: 'custom', message: `"${value}" is not a number` });
    return z.NEVER;
  }
  return n;
});
const optionalNumber = number.nullable();
const date = z.string().transform((value, ctx) => {
  const iso = toIsoDate(value);
  if (iso === undefined) {
    ctx.addIssue({ code: 'custom', message: `"${value}" is not a date (YYYY-MM-DD or M/D/YYYY)` });
    return z.NEVER;
  }
  return iso;
});

const ROW_SCHEMAS = {
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

type ParsedRow<T extends ImportTable> = z.output<(typeof ROW_SCHEMAS)[T]>;

const withLine = (fields: string[], context: InfoRecord) => ({ fields, line: context.lines });

async function* records(source: CsvSource, onProgress?: (fraction: number) => void): AsyncGenerator<{ fields: string[]; line: number }> {
  const input = source.path !== undefined ? createReadStream(source.path) : Readable.from([source.content ?? '']);
  const total = source.path !== undefined ? statSync(source.path).size : 1;
  let read = 0;
  let reported = 0;
  if (source.path !== undefined && onProgress) {
    input.on('data', (chunk: Buffer | string) => {
      read += chunk.length;
      if (read - reported > total / 100) onProgress(Math.min(1, (reported = read) / total));
    });
  }
  // Line endings are detected from the file (LF, CRLF or bare CR); rows of the wrong length are
  // reported by this module with their line rather than failing the parser.
  const parser = input.pipe(
    parse({
      bom: true,
      skip_empty_lines: true,
      relax_column_count: true,
      // csv-parse's types only let on_record return a record of the input's shape; it may return anything.
      on_record: withLine as unknown as Options['on_record'],
    }),
  );
  try {
    for await (const record of parser) yield record as { fields: string[]; line: number };
  } catch (error) {
    const line = error instanceof Error && 'lines' in error ? Number(error.lines) : undefined;
    throw new BatonError('BAD_REQUEST', `${source.name}${line ? ` line ${line}` : ''}: ${error instanceof Error ? error.message : String(error)}`, {
      details: { source: source.name, line },
      suggestions: ['check the quoting around that line (a quote opened and never closed swallows the rest of the file)'],
      cause: error,
    });
  }
  onProgress?.(1);
}

/** Reads, maps and checks every row; throws one error listing the bad rows, or returns the good ones. */
async function readRows<T extends ImportTable>(table: T, source: CsvSource, options: ImportOptions): Promise<{ rows: { row: ParsedRow<T>; line: number }[]; skipped: RowProblem[] }> {
  const schema = ROW_SCHEMAS[table] as unknown as z.ZodType<ParsedRow<T>>;
  let columns: Map<FieldOf<T>, number> | undefined;
  let width = 0;
  const rows: { row: ParsedRow<T>; line: number }[] = [];
  const problems: RowProblem[] = [];
  const skipped: RowProblem[] = [];
  let problemCount = 0;
  const problem = (p: RowProblem) => {
    problemCount++;
    if (problems.length < MAX_LISTED_PROBLEMS) problems.push(p);
  };
  for await (const { fields, line } of records(source, options.onProgress)) {
    if (columns === undefined) {
      const header = fields.map((f) => f.trim());
      columns = resolveColumns(table, header, options.mapping ?? {}, source.name);
      width = header.length;
      continue;
    }
    if (fields.length !== width) {
      problem({ line, message: `has ${fields.length} fields, the header has ${width}` });
      continue;
    }
    const raw: Record<string, string | null> = Object.fromEntries(IMPORT_FIELDS[table].map((field) => [field, null]));
    for (const [field, index] of columns) raw[field] = isMissing(fields[index]) ? null : (fields[index] ?? null);
    if (table === 'sales' && raw.units_sold === null) {
      skipped.push({ line, field: 'units_sold', message: 'no units (NA)' });
      continue;
    }
    const parsed = schema.safeParse(raw);
    if (parsed.success) rows.push({ row: parsed.data, line });
    else for (const issue of parsed.error.issues) problem({ line, field: issue.path.join('.'), message: issue.code === 'invalid_type' ? 'is missing' : issue.message });
  }
  if (columns === undefined) {
    throw new BatonError('INCOMPLETE_INPUT', `${source.name} is empty`, { details: { source: source.name }, suggestions: ['the first line must be a header naming the columns'] });
  }
  if (problemCount > 0) {
    throw new BatonError('INVALID_PARAMETERS', `${source.name}: ${problemCount} row${problemCount === 1 ? ' is' : 's are'} invalid; nothing was imported`, {
      details: { source: source.name, problem_count: problemCount, problems },
      suggestions: problems.slice(0, 5).map((p) => `${source.name} line ${p.line}: ${p.field ? `${p.field} ` : ''}${p.message}`),
    });
  }
  if (rows.length === 0) {
    throw new BatonError('INCOMPLETE_INPUT', `${source.name} has a header but no rows`, { details: { source: source.name }, suggestions: ['add data rows below the header'] });
  }
  return { rows, skipped };
}

/** Later rows with the same key replace earlier ones (a database would refuse both in one statement). */
function lastByKey<R>(rows: { row: R; line: number }[], key: (row: R) => string): { rows: R[]; repeated: number } {
  const byKey = new Map<string, R>();
  for (const { row } of rows) byKey.set(key(row), row);
  return { rows: [...byKey.values()], repeated: rows.length - byKey.size };
}

const plural = (n: number, word: string): string => `${n.toLocaleString('en-US')} ${word}${n === 1 || word.endsWith('s') ? '' : 's'}`;

function salesWarnings(rows: WeeklySales[], skipped: RowProblem[], repeated: number): string[] {
  const warnings: string[] = [];
  const negative = rows.filter((r) => r.unitsSold < 0).length;
  if (negative > 0) warnings.push(`${plural(negative, 'row')} with negative units (returns exceeding sales): kept as they are`);
  if (skipped.length > 0) warnings.push(`${plural(skipped.length, 'row')} without units (NA) skipped, first at line ${skipped[0]?.line}`);
  if (repeated > 0) warnings.push(`${plural(repeated, 'row')} repeated a store, category and week: the last one was kept`);
  const weeksBySeries = new Map<string, number[]>();
  for (const r of rows) {
    const key = `${r.storeId}|${r.categoryId}`;
    let days = weeksBySeries.get(key);
    if (!days) weeksBySeries.set(key, (days = []));
    days.push(toDayNumber(r.weekStartDate));
  }
  let gappy = 0;
  let missingWeeks = 0;
  for (const days of weeksBySeries.values()) {
    days.sort((a, b) => a - b);
    let missing = 0;
    for (let i = 1; i < days.length; i++) missing += Math.max(0, Math.round(((days[i] ?? 0) - (days[i - 1] ?? 0)) / 7) - 1);
    if (missing > 0) gappy++;
    missingWeeks += missing;
  }
  if (gappy > 0) warnings.push(`${plural(gappy, 'series')} (store × category) miss weeks: ${plural(missingWeeks, 'week')} in all; forecasting fills them`);
  return warnings;
}

export async function importCsv(store: Store, table: ImportTable, source: CsvSource, options: ImportOptions = {}): Promise<ImportReport> {
  const at = options.now ?? Date.now();
  const name = source.path !== undefined && source.name === '' ? basename(source.path) : source.name;
  const named = { ...source, name };
  let outcome: ImportOutcome;
  let warnings: string[];
  if (table === 'stores') {
    const { rows, skipped } = await readRows('stores', named, options);
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
    warnings = [...(unique.repeated > 0 ? [`${plural(unique.repeated, 'store')} listed twice: the last row was kept`] : []), ...skipped.map((s) => `line ${s.line}: ${s.message}`)];
    outcome = await store.retail.importStores({ source: name, rows: profiles, warnings, at });
  } else if (table === 'categories') {
    const { rows } = await readRows('categories', named, options);
    const unique = lastByKey(rows, (r) => r.category_id);
    const categories: Category[] = unique.rows.map((r) => ({ categoryId: r.category_id, name: r.name }));
    warnings = unique.repeated > 0 ? [`${plural(unique.repeated, 'category')} listed twice: the last row was kept`] : [];
    outcome = await store.retail.importCategories({ source: name, rows: categories, warnings, at });
  } else {
    const { rows, skipped } = await readRows('sales', named, options);
    const unique = lastByKey(rows, (r) => `${r.store_id}|${r.category_id}|${r.week_start_date}`);
    const sales: WeeklySales[] = unique.rows.map((r) => ({ storeId: r.store_id, categoryId: r.category_id, weekStartDate: r.week_start_date, unitsSold: r.units_sold }));
    warnings = salesWarnings(sales, skipped, unique.repeated);
    const known = new Set((await store.retail.listStores()).map((s) => s.storeId));
    const unknown = new Set(sales.map((s) => s.storeId).filter((id) => !known.has(id)));
    if (unknown.size > 0) warnings.push(`${plural(unknown.size, 'store')} not in the stores table (added without attributes; import stores to describe them)`);
    outcome = await store.retail.importSales({ source: name, rows: sales, warnings, at });
  }
  return { table, source: name, ...outcome, warnings };
}
