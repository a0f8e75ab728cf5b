/** Weekly units sold per category across all stores, from the loaded history: what the dashboard draws before a forecast. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ContextAssembler } from '../context.js';
import { CategoryHistory } from '../contracts.js';
import { errorResponses } from '../../../server/schemas.js';

const historyQuery = z.strictObject({ weeks: z.coerce.number().int().min(1).max(520).default(52).describe('How many of the latest weeks to return') });

const categoryHistory = CategoryHistory.meta({ id: 'CategoryHistory' });

export const salesHistoryRoutes =
  (assembler: ContextAssembler): FastifyPluginAsyncZod =>
  (app) => {
    app.get(
      '/api/data/history',
      {
        schema: {
          tags: ['data'],
          summary: 'Weekly units sold per category over all stores (the latest weeks of the loaded history)',
          querystring: historyQuery,
          response: { 200: categoryHistory, ...errorResponses },
        },
      },
      async (request) => {
        const snapshot = await assembler.snapshot();
        const from = Math.max(0, snapshot.weeks.length - request.query.weeks);
        const totals = new Map(snapshot.categories.map((c) => [c.categoryId, new Array<number>(snapshot.weeks.length - from).fill(0)]));
        for (const series of snapshot.series) {
          const units = totals.get(series.categoryId);
          if (!units) continue;
          for (let i = from; i < series.values.length; i++) units[i - from]! += series.values[i] ?? 0;
        }
        return {
          weeks: snapshot.weeks.slice(from),
          categories: snapshot.categories.map((c) => ({ category_id: c.categoryId, name: c.name, units: totals.get(c.categoryId) ?? [] })),
        };
      },
    );
    return Promise.resolve();
  };
