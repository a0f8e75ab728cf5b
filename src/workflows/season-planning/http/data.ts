/**
 * Retail data over HTTP: CSV uploads with the same checks as `baton data import` (all or nothing,
 * line-numbered errors, re-import updates) and a summary of what is loaded.
 */
import { Readable, Transform } from 'node:stream';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { BatonError } from '../../../errors/index.js';
import { mappingForTable, parseMapping, type ImportTable } from '../data/columns.js';
import { DATE_ORDERS, DEFAULT_CSV_MAX_RECORD_SIZE, DELIMITERS, importCsv } from '../data/csv-import.js';
import type { SeasonData } from '../data/index.js';
import { DataSummary, ImportReport, Quantity } from '../contracts.js';
import { errorResponses } from '../../../server/schemas.js';

export interface DataRouteOptions {
  /** csv-parse's max_record_size for uploads (BATON_CSV_MAX_RECORD_SIZE; default DEFAULT_CSV_MAX_RECORD_SIZE). */
  maxRecordSize?: number;
}

const importQuery = z.strictObject({
  map: z.string().max(2000).optional().describe('Column mapping, e.g. Store=store_id,Dept=category_id (well-known names need none)'),
  name: z.string().max(200).optional().describe('The file name to show in errors and the import log'),
  quantity: Quantity.optional().describe('Sales: what the figures count (default: sales_value for a Weekly_Sales column, else units)'),
  week_dates: z
    .enum(['end', 'start'])
    .optional()
    .describe("Sales: whether each date is the last day of its week (Walmart's Friday Date) or the first (default start)"),
  delimiter: z.enum(DELIMITERS).optional().describe('What separates the fields: , (default), ; (figures may then use decimal commas, 24.924,50) or tab'),
  date_order: z
    .enum(DATE_ORDERS)
    .optional()
    .describe('Sales: whether a slash date names the month first (mdy, default: 2/10/2012 is February 10) or the day (dmy); dotted dates are read day first'),
  replace: z
    .enum(['true', 'false'])
    .optional()
    .transform((value) => value === 'true')
    .describe('Sales: true replaces the whole sales history with the file instead of adding to it (default false)'),
});

// The answers' shapes are the contracts' (the dashboard reads the same declarations).
const importReport = ImportReport.meta({ id: 'ImportReport' });
const dataSummary = DataSummary.meta({ id: 'DataSummary' });

/**
 * The upload as it arrives (the content-type parser hands the request stream on rather than
 * buffering it: a 35 MB file was held as a string several times over). Documented as CSV text.
 */
const csvBody = z
  .custom<Readable>((value) => value instanceof Readable, 'send the CSV file as the body with Content-Type: text/csv')
  .meta({ type: 'string', description: 'CSV text (Content-Type: text/csv), streamed' });

const tooLarge = (limit: number) =>
  new BatonError('PAYLOAD_TOO_LARGE', `the upload is larger than ${limit.toLocaleString('en-US')} bytes`, {
    details: { limit },
    suggestions: ['split the file, or raise the server limit with BATON_UPLOAD_LIMIT'],
  });

/** Passes the body through, failing once more than `limit` bytes came (a chunked upload names no length). */
function limited(payload: Readable, limit: number): Readable {
  let seen = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      seen += chunk.length;
      callback(seen > limit ? tooLarge(limit) : null, chunk);
    },
  });
  // pipe() does not pass the source's errors on; a client that goes away mid-upload ends the import.
  payload.on('error', (error) => counter.destroy(error));
  payload.on('close', () => {
    if (!payload.readableEnded) counter.destroy(new BatonError('BAD_REQUEST', 'the upload was interrupted', { suggestions: ['send the file again'] }));
  });
  return payload.pipe(counter);
}

export const dataRoutes =
  (data: SeasonData, uploadLimit: number, options: DataRouteOptions = {}): FastifyPluginAsyncZod =>
  (app) => {
    app.addContentTypeParser(['text/csv', 'text/plain'], { bodyLimit: uploadLimit }, (request, payload, done) => {
      const length = Number(request.headers['content-length']);
      if (Number.isFinite(length) && length > uploadLimit) {
        done(tooLarge(uploadLimit), undefined);
        return;
      }
      done(null, limited(payload, uploadLimit));
    });
    for (const table of ['stores', 'categories', 'sales'] as const satisfies readonly ImportTable[]) {
      app.post(
        `/api/data/${table}`,
        {
          bodyLimit: uploadLimit,
          schema: {
            tags: ['data'],
            summary: `Import ${table} from a CSV body (Content-Type: text/csv); all or nothing, re-import updates`,
            querystring: importQuery,
            // What the OpenAPI document says the body is: generated clients sent JSON, which these routes refuse.
            consumes: ['text/csv', 'text/plain'],
            body: csvBody,
            response: { 200: importReport, ...errorResponses },
          },
        },
        async (request) => {
          const mapping = mappingForTable(table, parseMapping(request.query.map));
          const { quantity, week_dates, replace, delimiter, date_order } = request.query;
          const { weekDates, ...report } = await importCsv(
            data,
            table,
            { name: request.query.name ?? `${table}.csv`, stream: request.body },
            {
              mapping,
              maxRecordSize: options.maxRecordSize ?? DEFAULT_CSV_MAX_RECORD_SIZE,
              quantity,
              weekDates: week_dates,
              replace,
              delimiter,
              dateOrder: date_order,
            },
          );
          return { ...report, ...(weekDates === undefined ? {} : { week_dates: weekDates }) };
        },
      );
    }

    app.get(
      '/api/data',
      {
        schema: {
          tags: ['data'],
          summary: 'What data is loaded: stores, categories, weeks of history, recent imports',
          response: { 200: dataSummary, ...errorResponses },
        },
      },
      async () => {
        const [summary, stores, categories, imports, quantity] = await Promise.all([
          data.salesSummary(),
          data.listStores(),
          data.listCategories(),
          data.listImports(),
          data.salesQuantity(),
        ]);
        return {
          stores: stores.length,
          categories: categories.length,
          series: summary.series,
          sales_rows: summary.rows,
          weeks: summary.weeks,
          first_week: summary.firstWeek,
          last_week: summary.lastWeek,
          imports: imports.map((i) => ({
            id: i.id,
            kind: i.kind,
            source: i.source,
            rows: i.rows,
            inserted: i.inserted,
            updated: i.updated,
            warnings: i.warnings,
            imported_at: new Date(i.importedAt).toISOString(),
            quantity: i.quantity,
          })),
          quantity,
        };
      },
    );
    return Promise.resolve();
  };
