/**
 * Retail data over HTTP: CSV uploads with the same checks as `baton data import` (all or nothing,
 * line-numbered errors, re-import updates) and a summary of what is loaded.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Store } from '../../store/index.js';
import { mappingForTable, parseMapping, type ImportTable } from '../../workflows/season-planning/data/columns.js';
import { importCsv } from '../../workflows/season-planning/data/csv-import.js';
import { errorResponses } from '../schemas.js';

const importQuery = z.object({
  map: z.string().optional().describe('Column mapping, e.g. Store=store_id,Dept=category_id (well-known names need none)'),
  name: z.string().max(200).optional().describe('The file name to show in errors and the import log'),
});

const importReport = z
  .object({ table: z.enum(['stores', 'categories', 'sales']), source: z.string(), rows: z.number().int(), inserted: z.number().int(), updated: z.number().int(), warnings: z.array(z.string()) })
  .meta({ id: 'ImportReport' });

const dataSummary = z
  .object({
    stores: z.number().int(),
    categories: z.number().int(),
    series: z.number().int(),
    sales_rows: z.number().int(),
    weeks: z.number().int(),
    first_week: z.string().nullable(),
    last_week: z.string().nullable(),
    imports: z.array(z.object({ id: z.number().int(), kind: z.string(), source: z.string(), rows: z.number().int(), inserted: z.number().int(), updated: z.number().int(), warnings: z.array(z.string()), imported_at: z.string() })),
  })
  .meta({ id: 'DataSummary' });

export const dataRoutes =
  (store: Store, uploadLimit: number): FastifyPluginAsyncZod =>
  (app) => {
    app.addContentTypeParser(['text/csv', 'text/plain'], { parseAs: 'string', bodyLimit: uploadLimit }, (_request, body, done) => done(null, body));
    for (const table of ['stores', 'categories', 'sales'] as const satisfies readonly ImportTable[]) {
      app.post(
        `/api/data/${table}`,
        {
          bodyLimit: uploadLimit,
          schema: {
            tags: ['data'],
            summary: `Import ${table} from a CSV body (Content-Type: text/csv); all or nothing, re-import updates`,
            querystring: importQuery,
            body: z.string().min(1, 'send the CSV file as the body').describe('CSV text'),
            response: { 200: importReport, ...errorResponses },
          },
        },
        async (request) => {
          const mapping = mappingForTable(table, parseMapping(request.query.map));
          return importCsv(store, table, { name: request.query.name ?? `${table}.csv`, content: request.body }, { mapping });
        },
      );
    }

    app.get('/api/data', { schema: { tags: ['data'], summary: 'What data is loaded: stores, categories, weeks of history, recent imports', response: { 200: dataSummary, ...errorResponses } } }, async () => {
      const [summary, stores, categories, imports] = await Promise.all([store.retail.salesSummary(), store.retail.listStores(), store.retail.listCategories(), store.retail.listImports()]);
      return {
        stores: stores.length,
        categories: categories.length,
        series: summary.series,
        sales_rows: summary.rows,
        weeks: summary.weeks,
        first_week: summary.firstWeek,
        last_week: summary.lastWeek,
        imports: imports.map((i) => ({ id: i.id, kind: i.kind, source: i.source, rows: i.rows, inserted: i.inserted, updated: i.updated, warnings: i.warnings, imported_at: new Date(i.importedAt).toISOString() })),
      };
    });
    return Promise.resolve();
  };
