/** `baton data generate` and `baton data import`: fill the retail tables from synthetic data or CSV files. */
import { SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import { BatonError } from '../errors/index.js';
import { DEFAULT_SQLITE_PATH, type BatonStore } from '../store/index.js';
import { seasonData, type SalesQuantity } from '../workflows/season-planning/data/index.js';
import { openBatonStore as openStore } from './modules.js';
import { mappingForTable, parseMapping } from '../workflows/season-planning/data/columns.js';
import {
  csvFileSize,
  DATE_ORDERS,
  DELIMITERS,
  importCsv,
  type DateOrder,
  type Delimiter,
  type ImportReport,
  type WeekDates,
} from '../workflows/season-planning/data/csv-import.js';
import { DEFAULT_SYNTHETIC, loadSyntheticData } from '../workflows/season-planning/data/load-synthetic.js';
import { addDays, isIsoDate, mondayOnOrBefore, todayIso } from '../workflows/season-planning/data/weeks.js';

async function withStore<T>(db: string, use: (store: BatonStore) => Promise<T>): Promise<T> {
  const store = await openStore({ databaseUrl: process.env.DATABASE_URL, sqlitePath: db, origin: `cli-${process.pid}` });
  try {
    return await use(store);
  } finally {
    await store.close();
  }
}

function wholeNumber(name: string, min: number, max: number) {
  return (raw: string): number => {
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      throw new BatonError('INVALID_PARAMETERS', `--${name} must be a whole number from ${min} to ${max} (got "${raw}")`, {
        details: { option: name, value: raw, min, max },
      });
    }
    return value;
  };
}

/** An option that takes one of a few words (commander's choices() gives a plain error, not a BatonError with details). */
function oneOf<T extends string>(name: string, values: readonly T[]) {
  return (raw: string): T => {
    if (!(values as readonly string[]).includes(raw)) {
      throw new BatonError('INVALID_PARAMETERS', `--${name} must be ${values.join(' or ')} (got "${raw}")`, {
        details: { option: name, value: raw, allowed: values },
      });
    }
    return raw as T;
  };
}

/** A progress bar on a terminal; nothing when output goes to a file or a pipe. */
function progressBar(label: string): { update(fraction: number): void; stop(): void } {
  if (!process.stderr.isTTY) return { update: () => undefined, stop: () => undefined };
  const bar = new SingleBar({ format: `${label} [{bar}] {percentage}%`, stream: process.stderr, hideCursor: true, clearOnComplete: true });
  bar.start(100, 0);
  return { update: (fraction) => bar.update(Math.round(fraction * 100)), stop: () => bar.stop() };
}

/** The bad rows an import error lists (each with its value, quoted once there), before the error itself. */
function printProblems(error: unknown): void {
  const problems =
    error instanceof BatonError ? (error.details as { problems?: { line: number; field?: string; message: string }[] } | undefined)?.problems : undefined;
  for (const p of problems ?? []) console.error(`  line ${p.line}: ${p.field ? `${p.field} ` : ''}${p.message}`);
}

function printReport(report: ImportReport): void {
  const read =
    report.quantity === undefined
      ? ''
      : `; ${report.quantity === 'sales_value' ? 'sales value (money)' : 'units'}, dates as week ${report.weekDates ?? 'start'}s`;
  console.log(
    `${report.source}: ${report.rows.toLocaleString('en-US')} ${report.table} rows (${report.inserted.toLocaleString('en-US')} new, ${report.updated.toLocaleString('en-US')} updated${read})`,
  );
  for (const warning of report.warnings) console.log(`  warning: ${warning}`);
}

export function registerDataCommands(program: Command): void {
  const data = program.command('data').description('the retail data season planning reads: stores, categories, weekly sales');

  data
    .command('generate')
    .description('write realistic synthetic history (trend, seasonality, holidays, store effects, noise)')
    .option('--stores <n>', 'stores', wholeNumber('stores', 1, 5000), DEFAULT_SYNTHETIC.stores)
    .option('--categories <n>', 'categories', wholeNumber('categories', 1, 200), DEFAULT_SYNTHETIC.categories)
    .option('--weeks <n>', 'weeks of history', wholeNumber('weeks', 1, 1040), DEFAULT_SYNTHETIC.weeks)
    .option('--seed <n>', 'random seed (same seed, same data)', wholeNumber('seed', 0, 2 ** 31), DEFAULT_SYNTHETIC.seed)
    .option('--last-week <date>', 'the first day of the last history week (default: the Monday of the week before this one)')
    .option('--db <path>', 'SQLite file', process.env.BATON_SQLITE_PATH ?? DEFAULT_SQLITE_PATH)
    .action(async (options: { stores: number; categories: number; weeks: number; seed: number; lastWeek?: string; db: string }) => {
      const lastWeek = options.lastWeek ?? addDays(mondayOnOrBefore(todayIso()), -7);
      if (!isIsoDate(lastWeek)) {
        throw new BatonError('INVALID_PARAMETERS', `--last-week must be a date as YYYY-MM-DD (got "${lastWeek}")`, {
          details: { option: 'last-week', value: lastWeek },
        });
      }
      await withStore(options.db, async (store) => {
        const started = performance.now();
        const load = await loadSyntheticData(store, { ...options, lastWeek });
        const seconds = ((performance.now() - started) / 1000).toFixed(2);
        console.log(
          `generated ${load.stores.rows} stores, ${load.categories.rows} categories, ${load.sales.rows.toLocaleString('en-US')} weekly sales rows ` +
            `(${options.weeks} weeks to ${lastWeek}, seed ${options.seed}) in ${seconds} s`,
        );
      });
    });

  data
    .command('import')
    .description('import stores, categories and weekly sales from CSV files (all or nothing per file; re-import updates)')
    .option('--stores <file>', 'stores CSV (e.g. Store,Type,Size)')
    .option('--categories <file>', 'categories CSV (category_id,name)')
    .option('--sales <file>', 'weekly sales CSV (e.g. Store,Dept,Date,Weekly_Sales)')
    .option(
      '--map <pairs>',
      'column mapping, e.g. Store=store_id,Dept=category_id (well-known names are recognised without it); Col=sales_value reads a column as money',
    )
    .option(
      '--quantity <units|sales_value>',
      'what the sales figures count (default: sales_value for a Weekly_Sales column, else units)',
      oneOf<SalesQuantity>('quantity', ['units', 'sales_value']),
    )
    .option(
      '--week-dates <end|start>',
      "whether each sales date is the last day of its week (Walmart's Friday Date) or the first (default start)",
      oneOf<WeekDates>('week-dates', ['end', 'start']),
    )
    .option('--db <path>', 'SQLite file', process.env.BATON_SQLITE_PATH ?? DEFAULT_SQLITE_PATH)
    .option(
      '--delimiter <,|;|tab>',
      'what separates the fields (default ,); with ; figures may use decimal commas (24.924,50), as spreadsheets in such locales save them',
      oneOf<Delimiter>('delimiter', DELIMITERS),
    )
    .option(
      '--date-order <mdy|dmy>',
      'sales: whether a slash date names the month first (mdy, the default: 2/10/2012 is February 10) or the day (dmy); dotted dates (10.02.2012) are read day first',
      oneOf<DateOrder>('date-order', DATE_ORDERS),
    )
    .option('--replace', 'the sales file replaces the whole sales history instead of adding to it (all or nothing)')
    .action(
      async (options: {
        stores?: string;
        categories?: string;
        sales?: string;
        map?: string;
        quantity?: SalesQuantity;
        weekDates?: WeekDates;
        replace?: boolean;
        delimiter?: Delimiter;
        dateOrder?: DateOrder;
        db: string;
      }) => {
        const files = (['stores', 'categories', 'sales'] as const).flatMap((table) => (options[table] ? [{ table, path: options[table] }] : []));
        if (files.length === 0) {
          throw new BatonError('INCOMPLETE_INPUT', 'no file to import', { suggestions: ['give --stores FILE, --categories FILE and/or --sales FILE'] });
        }
        if (options.replace === true && options.sales === undefined) {
          throw new BatonError('BAD_REQUEST', '--replace replaces the sales history: give the sales file with --sales FILE', {
            details: { option: 'replace' },
          });
        }
        const mapping = parseMapping(options.map);
        // Every path before any import: a typo in --sales must not leave the stores imported and the sales not.
        for (const { path } of files) csvFileSize(path);
        await withStore(options.db, async (store) => {
          // Stores first, so sales can name them.
          for (const { table, path } of files) {
            const started = performance.now();
            const bar = progressBar(`importing ${path}`);
            let report: ImportReport;
            try {
              report = await importCsv(
                seasonData(store),
                table,
                { name: path, path },
                {
                  mapping: mappingForTable(table, mapping),
                  onProgress: (fraction) => bar.update(fraction),
                  quantity: options.quantity,
                  weekDates: options.weekDates,
                  replace: options.replace,
                  delimiter: options.delimiter,
                  dateOrder: options.dateOrder,
                },
              );
            } catch (error) {
              bar.stop();
              printProblems(error);
              throw error;
            } finally {
              bar.stop();
            }
            printReport(report);
            console.log(`  in ${((performance.now() - started) / 1000).toFixed(2)} s`);
          }
        });
      },
    );
}
