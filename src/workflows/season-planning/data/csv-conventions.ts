/**
 * How CSV files from other locales and tools write what an import reads: the field separator, figures
 * with decimal commas or thousands separators, dates written day first. csv-import.ts applies them.
 */
import { BatonError } from '../../../errors/index.js';
import { quote, type ImportTable } from './columns.js';
import { isIsoDate } from './weeks.js';

export const DATE_ORDERS = ['mdy', 'dmy'] as const;
export type DateOrder = (typeof DATE_ORDERS)[number];
const SLASH_OR_DOT_DATE = /^(\d{1,2})([/.])(\d{1,2})\2(\d{4})$/;

/** Said when slash dates read month first land on the wrong weekdays: a day-first file whose days are all 12 or less reads without error. */
export const DAY_FIRST_ADVICE = 'if the file writes the day first (05/02/2012 for 5 February), import it with --date-order dmy (?date_order=dmy)';

/**
 * A slash or dotted date written day first, as ISO (undefined when it is not one): dotted dates are always
 * day first; slash dates only under `dmy`. Month-first slash dates are the row check's (M/D/YYYY).
 */
export function dayFirstDate(text: string, dateOrder: DateOrder): string | undefined {
  const parts = SLASH_OR_DOT_DATE.exec(text.trim());
  if (!parts || (parts[2] === '/' && dateOrder !== 'dmy')) return undefined;
  const iso = `${parts[4]}-${parts[3]!.padStart(2, '0')}-${parts[1]!.padStart(2, '0')}`;
  return isIsoDate(iso) ? iso : undefined;
}

/** A slash date whose first two parts are both 12 or less (05/02/2012): it reads as a date either way round. */
export function ambiguousSlashDate(text: string): boolean {
  const parts = SLASH_OR_DOT_DATE.exec(text.trim());
  return parts?.[2] === '/' && Number(parts[1]) <= 12 && Number(parts[3]) <= 12;
}

export const DELIMITERS = [',', ';', 'tab'] as const;
export type Delimiter = (typeof DELIMITERS)[number];
export const delimiterChar = (delimiter: Delimiter | undefined): string => (delimiter === 'tab' ? '\t' : (delimiter ?? ','));
const DELIMITER_NAMES: Record<string, string> = { ';': 'semicolons', '\t': 'tabs', ',': 'commas' };

/** The fields each table reads as figures. */
export const FIGURES: Readonly<Record<ImportTable, readonly string[]>> = { stores: ['store_size_sqft', 'median_income'], categories: [], sales: ['units_sold'] };
const THOUSANDS_COMMAS = /^[-+]?\d{1,3}(,\d{3})+(\.\d+)?$/;
const DECIMAL_COMMA = /^[-+]?(\d{1,3}(\.\d{3})+|\d+)(,\d+)?$/;

/**
 * A figure as JavaScript reads it. Separated by semicolons, the file follows the decimal-comma convention:
 * a comma is the decimal mark and dots group thousands in threes (`1.234` is 1234, `24.924,50` 24924.5;
 * `24924.50`, not grouped in threes, stays a decimal dot). Otherwise commas may group thousands. Anything
 * else is left for the row check to report; a text without the marks looked for costs an indexOf or two.
 */
export function plainFigure(text: string, decimalComma: boolean): string {
  if (decimalComma) {
    if (!text.includes(',') && !text.includes('.')) return text;
    const value = text.trim();
    return DECIMAL_COMMA.test(value) ? value.replaceAll('.', '').replace(',', '.') : text;
  }
  if (!text.includes(',')) return text;
  const value = text.trim();
  return THOUSANDS_COMMAS.test(value) ? value.replaceAll(',', '') : text;
}


/**
 * A header read as one column that holds another separator is a file separated by it (a spreadsheet saved
 * in a locale that writes decimal commas uses semicolons): said so, rather than every column reported missing.
 */
export function refuseOtherDelimiter(header: readonly string[], source: string, delimiter: Delimiter | undefined): void {
  if (header.length !== 1) return;
  const used = [';', '\t', ','].find((c) => c !== delimiterChar(delimiter) && header[0]!.includes(c));
  if (used === undefined) return;
  const option = used === '\t' ? 'tab' : used;
  throw new BatonError('BAD_REQUEST', `${source}: its header ${quote(header[0]!)} is one column: the file seems separated by ${DELIMITER_NAMES[used]}, not ${DELIMITER_NAMES[delimiterChar(delimiter)]}`, {
    details: { source, header: header[0], delimiter: delimiter ?? ',', seems: option },
    suggestions: [`import it with --delimiter '${option}' (?delimiter=${encodeURIComponent(option)} on upload)${used === ';' ? ': decimal commas are then read too (24.924,50)' : ''}`],
  });
}
