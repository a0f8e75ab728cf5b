/**
 * Which column of an uploaded CSV feeds which field: explicit mappings first, then well-known
 * names (the Walmart files' Store, Dept, Date, Weekly_Sales, Type, Size among them).
 */
import { BatonError } from '../../../errors/index.js';
import type { SalesQuantity } from './types.js';

export const IMPORT_FIELDS = {
  stores: ['store_id', 'store_name', 'region', 'store_size_sqft', 'location_tier', 'median_income', 'store_format'],
  categories: ['category_id', 'name'],
  sales: ['store_id', 'category_id', 'week_start_date', 'units_sold'],
} as const;

export type ImportTable = keyof typeof IMPORT_FIELDS;
export type FieldOf<T extends ImportTable> = (typeof IMPORT_FIELDS)[T][number];

export const REQUIRED_FIELDS: { [T in ImportTable]: readonly FieldOf<T>[] } = {
  stores: ['store_id'],
  categories: ['category_id'],
  sales: ['store_id', 'category_id', 'week_start_date', 'units_sold'],
};

/** Header names (lower case, letters and digits only) understood without a mapping. */
const ALIASES: Record<string, string> = {
  store: 'store_id',
  storeid: 'store_id',
  storenumber: 'store_id',
  storename: 'store_name',
  dept: 'category_id',
  department: 'category_id',
  category: 'category_id',
  categoryid: 'category_id',
  date: 'week_start_date',
  week: 'week_start_date',
  weekstart: 'week_start_date',
  weekstartdate: 'week_start_date',
  // Walmart's Weekly_Sales is dollars: read as sales value unless the import says units (QUANTITY_ALIASES).
  weeklysales: 'units_sold',
  salesvalue: 'units_sold',
  units: 'units_sold',
  unitssold: 'units_sold',
  sales: 'units_sold',
  quantity: 'units_sold',
  qty: 'units_sold',
  type: 'store_format',
  format: 'store_format',
  storeformat: 'store_format',
  size: 'store_size_sqft',
  sqft: 'store_size_sqft',
  storesize: 'store_size_sqft',
  storesizesqft: 'store_size_sqft',
  region: 'region',
  tier: 'location_tier',
  locationtier: 'location_tier',
  income: 'median_income',
  medianincome: 'median_income',
  name: 'name',
  categoryname: 'name',
};

/** Well-known headers whose figures are money, not units: the import reads them as sales value by default and says so. */
const VALUE_HEADERS = new Set(['weeklysales', 'salesvalue']);

/** The field a well-known header names without a mapping (Store → store_id, Weekly_Sales → units_sold), if any. */
export const wellKnownField = (header: string): string | undefined => ALIASES[normalise(header)];

/**
 * What a header says its figures count: money for Weekly_Sales and Sales_Value, units for Units; nothing for
 * units_sold, which files of money seasons use too. Weekly actuals hold a post to it (actuals-csv.ts).
 */
export function headerQuantity(header: string): SalesQuantity | undefined {
  const name = normalise(header);
  return VALUE_HEADERS.has(name) ? 'sales_value' : name === 'units' ? 'units' : undefined;
}

/** A mapping may name `sales_value` for the quantity column: the same column as units_sold, read as money. */
export const SALES_VALUE_FIELD = 'sales_value';

/** How the sales file's quantity column was found, and what it counts by its name or mapping (undefined: nothing says). */
export interface QuantityColumn {
  header: string;
  implied: SalesQuantity | undefined;
  /** True when the header's well-known name (not a mapping) implied sales value: the import warns. */
  byName: boolean;
}

/**
 * What the quantity column of a sales file counts, from its mapping (`Col=units_sold` or
 * `Col=sales_value`) or its well-known name (Weekly_Sales, Sales_Value: money). Call before
 * `resolveColumns`, which reads a `sales_value` mapping as units_sold (see `quantityMapping`).
 */
export function quantityColumn(header: string[], mapping: Record<string, string>): QuantityColumn | undefined {
  for (const [column, field] of Object.entries(mapping)) {
    if (field === SALES_VALUE_FIELD) return { header: column, implied: 'sales_value', byName: false };
    if (field === 'units_sold') return { header: column, implied: 'units', byName: false };
  }
  const named = header.find((name) => ALIASES[normalise(name)] === 'units_sold');
  if (named === undefined) return undefined;
  return VALUE_HEADERS.has(normalise(named)) ? { header: named, implied: 'sales_value', byName: true } : { header: named, implied: undefined, byName: false };
}

/** The mapping with `sales_value` read as units_sold (the column the history stores, whatever it counts). */
export const quantityMapping = (mapping: Record<string, string>): Record<string, string> =>
  Object.fromEntries(Object.entries(mapping).map(([column, field]) => [column, field === SALES_VALUE_FIELD ? 'units_sold' : field]));

/** Longest stretch of a value an error quotes: enough to recognise it, never a whole runaway cell. */
export const MAX_QUOTED = 80;

/** A value for an error message, in quotes, cut to MAX_QUOTED characters with "…" and its length. */
export function quote(value: string): string {
  if (value.length <= MAX_QUOTED) return `"${value}"`;
  return `"${value.slice(0, MAX_QUOTED)}…" (${value.length.toLocaleString('en-US')} characters)`;
}

/** A header for an error: each name quoted and cut, at most 30 of them. */
const listed = (header: string[]): string => header.slice(0, 30).map(quote).join(', ') + (header.length > 30 ? `, … (${header.length} columns)` : '');

const normalise = (header: string): string => header.toLowerCase().replace(/[^a-z0-9]/g, '');

/** Parses `Store=store_id,Dept=category_id` (the CLI's --map) into a mapping. */
export function parseMapping(text: string | undefined): Record<string, string> {
  if (text === undefined || text.trim() === '') return {};
  const mapping: Record<string, string> = {};
  for (const pair of text.split(',')) {
    const [from, to] = pair.split('=').map((s) => s.trim());
    if (!from || !to) {
      throw new BatonError('BAD_REQUEST', `column mapping ${quote(pair)} is not COLUMN=field`, {
        suggestions: ['write the mapping as Source=field pairs separated by commas, e.g. Store=store_id,Dept=category_id'],
      });
    }
    mapping[from] = to;
  }
  return mapping;
}

/** The pairs of a shared mapping (one --map for several files) that name one of this table's fields. */
export function mappingForTable(table: ImportTable, mapping: Record<string, string>): Record<string, string> {
  const fields: readonly string[] = table === 'sales' ? [...IMPORT_FIELDS[table], SALES_VALUE_FIELD] : IMPORT_FIELDS[table];
  return Object.fromEntries(Object.entries(mapping).filter(([, field]) => fields.includes(field)));
}

/** Index of the source column for each field of the table; fails naming every required field it cannot find. */
export function resolveColumns<T extends ImportTable>(table: T, header: string[], mapping: Record<string, string>, source: string): Map<FieldOf<T>, number> {
  const fields = IMPORT_FIELDS[table] as readonly string[];
  for (const [column, field] of Object.entries(mapping)) {
    if (!fields.includes(field)) {
      throw new BatonError('INVALID_PARAMETERS', `mapping ${quote(column)}=${quote(field)}: not a ${table} field`, {
        details: { source, fields },
        suggestions: [`map to one of: ${fields.join(', ')}`],
      });
    }
    if (!header.includes(column)) {
      throw new BatonError('INVALID_PARAMETERS', `mapping ${quote(column)}=${field}: ${source} has no such column`, {
        details: { source, field },
        suggestions: [`columns in the file: ${listed(header)}`],
      });
    }
  }
  const columns = new Map<FieldOf<T>, number>();
  header.forEach((name, index) => {
    const field = mapping[name] ?? (Object.values(mapping).includes(ALIASES[normalise(name)] ?? '') ? undefined : ALIASES[normalise(name)]);
    if (field !== undefined && fields.includes(field) && !columns.has(field as FieldOf<T>)) columns.set(field as FieldOf<T>, index);
  });
  const missing = REQUIRED_FIELDS[table].filter((field) => !columns.has(field));
  if (missing.length > 0) {
    throw new BatonError('INCOMPLETE_INPUT', `${source} has no column for ${missing.join(', ')}`, {
      details: { source, missing },
      suggestions: [...missing.map((field) => `name the column for ${field} with --map <Column>=${field} (?map= on upload)`), `columns in the file: ${listed(header)}`],
    });
  }
  return columns;
}
