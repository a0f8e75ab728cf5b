/**
 * The Demand agent: forecasts every store × category series over the season with the forecasting
 * library, sums them into a season total and weekly curve with intervals, sizes safety stock by the
 * replenishment strategy, and proposes the manufacturing quantity. In-season it re-forecasts the
 * weeks left from the history plus the actuals so far.
 */
import { z } from 'zod';
import { explainedBy } from '../narrator.js';
import { defineAgent } from '../../../engine/index.js';
import { forecastPanel } from '../../../forecasting/index.js';
import type { Store } from '../../../store/index.js';
import type { ContextAssembler, SeriesHistory } from '../context.js';
import { addDays } from '../data/weeks.js';
import { explain } from '../explain.js';
import { PlanParameters } from '../parameters.js';
import { round2, seasonWeekStart, sum } from '../season.js';

/** Normal quantiles for the service levels the safety stock aims at. */
const Z = { 0.9: 1.2816, 0.95: 1.6449 } as const;
const Z95_INTERVAL = 1.959964;

export const demandInput = z.object({
  runId: z.string(),
  parameters: PlanParameters,
  /** 1 for the pre-season plan; w + 1 when re-forecasting after week w's actuals. */
  fromWeek: z.number().int().min(1),
  /** The forecast revision to write (1, then one more per re-forecast or modification). */
  revision: z.number().int().min(1),
  /** A quantity the planner set when modifying the approval. */
  plannerQuantity: z.number().int().positive().optional(),
});
export type DemandInput = z.infer<typeof demandInput>;

const curvePoint = z.object({ week: z.number().int(), week_start: z.string(), forecast: z.number(), lo80: z.number(), hi80: z.number(), lo95: z.number(), hi95: z.number() });

export const demandOutput = z.object({
  /** The parameters this plan was made with (the run's, changed by a planner at the buy approval). */
  parameters: PlanParameters,
  revision: z.number().int(),
  from_week: z.number().int(),
  weeks_planned: z.number().int(),
  series: z.number().int(),
  season_total: z.number(),
  safety_stock: z.number().int(),
  safety_reason: z.string(),
  manufacturing_quantity: z.number().int(),
  quantity_source: z.enum(['forecast', 'planner']),
  by_category: z.array(z.object({ category_id: z.string(), name: z.string().nullable(), total: z.number() })),
  weekly_curve: z.array(curvePoint),
  methods: z.record(z.string(), z.number().int()),
  notes: z.array(z.string()),
  explanation: z.string(),
  explained_by: explainedBy,
});
export type DemandOutput = z.infer<typeof demandOutput>;

export interface SeriesForecast {
  store_id: string;
  category_id: string;
  method: string;
  forecast: number[];
  lo80: number[];
  hi80: number[];
  lo95: number[];
  hi95: number[];
}

export interface ForecastPlan {
  revision: number;
  from_week: number;
  /** Season week of forecast[0]. */
  weeks: string[];
  series: SeriesForecast[];
}

/**
 * History (plus the gap before the season and the in-season weeks so far) for one series. Every
 * series of a panel must end on the same week, so a series with no actuals posted at all gets
 * missing weeks (null) rather than a shorter array, which the panel would misalign.
 */
export function historyFor(series: SeriesHistory, gap: number, inSeasonWeeks: number, actuals: Map<string, number[]>): (number | null)[] {
  const inSeason = actuals.get(series.key) ?? new Array<null>(inSeasonWeeks).fill(null);
  return [...series.values, ...new Array<null>(gap).fill(null), ...inSeason];
}

/**
 * Safety stock. Without replenishment stock cannot move between stores once shipped, so each store
 * carries its own buffer (95% service, summed over stores); with replenishment the DC pools the
 * risk and one chain-wide buffer does (95% bi-weekly, 90% weekly, where the DC reacts sooner).
 * Each week's error spread comes from the forecast's 95% interval; weeks and series are taken as
 * independent, so variances add.
 */
function safetyStock(parameters: PlanParameters, series: SeriesForecast[]): { units: number; reason: string } {
  const variance = (s: SeriesForecast) => sum(s.hi95.map((hi, i) => ((hi - (s.lo95[i] ?? hi)) / (2 * Z95_INTERVAL)) ** 2));
  if (parameters.replenishment_strategy === 'none') {
    const byStore = new Map<string, number>();
    for (const s of series) byStore.set(s.store_id, (byStore.get(s.store_id) ?? 0) + variance(s));
    const units = Math.ceil(sum([...byStore.values()].map((v) => Z[0.95] * Math.sqrt(v))));
    return { units, reason: `no replenishment: shipped stock cannot be moved between stores, so each of ${byStore.size} stores carries its own buffer at 95% service (${explain.units(units)} units in all)` };
  }
  const level = parameters.replenishment_strategy === 'weekly' ? 0.9 : 0.95;
  const units = Math.ceil(Z[level] * Math.sqrt(sum(series.map(variance))));
  return {
    units,
    reason: `${parameters.replenishment_strategy} replenishment: the DC pools the risk, so one chain-wide buffer covers it at ${level * 100}% service (${explain.units(units)} units)`,
  };
}

function summarise(plan: ForecastPlan): DemandOutput['weekly_curve'] {
  return plan.weeks.map((weekStart, i) => {
    const at = (pick: (s: SeriesForecast) => number[]) => sum(plan.series.map((s) => pick(s)[i] ?? 0));
    const mean = at((s) => s.forecast);
    // Interval of the total: spreads add in quadrature (independent series).
    const spread = (lo: (s: SeriesForecast) => number[], hi: (s: SeriesForecast) => number[]) =>
      Math.sqrt(sum(plan.series.map((s) => (((hi(s)[i] ?? 0) - (lo(s)[i] ?? 0)) / 2) ** 2)));
    const s80 = spread((s) => s.lo80, (s) => s.hi80);
    const s95 = spread((s) => s.lo95, (s) => s.hi95);
    return {
      week: plan.from_week + i,
      week_start: weekStart,
      forecast: round2(mean),
      lo80: round2(Math.max(0, mean - s80)),
      hi80: round2(mean + s80),
      lo95: round2(Math.max(0, mean - s95)),
      hi95: round2(mean + s95),
    };
  });
}

export function demandAgent(store: Store, assembler: ContextAssembler) {
  return defineAgent({
    name: 'demand',
    description: 'Forecasts every store × category series over the season and proposes the manufacturing quantity.',
    input: demandInput,
    output: demandOutput,
    timeoutMs: 120_000,
    run: async ({ input, reportProgress, signal }) => {
      const { parameters, fromWeek, revision } = input;
      const context = await assembler.demand(parameters);
      const gap = context.weeksBeforeSeason;
      const horizon = context.horizonWeeks - fromWeek + 1;
      const actuals = new Map<string, number[]>();
      if (fromWeek > 1) {
        for (const a of await store.retail.listActuals(input.runId)) {
          if (a.seasonWeek >= fromWeek) continue;
          const key = `${a.storeId}|${a.categoryId}`;
          const weeks = actuals.get(key) ?? new Array<number>(fromWeek - 1).fill(0);
          weeks[a.seasonWeek - 1] = (weeks[a.seasonWeek - 1] ?? 0) + a.unitsSold;
          actuals.set(key, weeks);
        }
      }
      const series: SeriesForecast[] = [];
      const methods: Record<string, number> = {};
      const noteCounts = new Map<string, number>();
      // A category's stores share a seasonal shape: each category is forecast as one panel (pooled
      // across its stores), one at a time so progress streams and other runs get the event loop.
      const panels = new Map<string, SeriesHistory[]>();
      for (const s of context.series) {
        const members = panels.get(s.categoryId);
        if (members) members.push(s);
        else panels.set(s.categoryId, [s]);
      }
      // The last day the panel's last value covers (history weeks are labelled by their first day, then the
      // gap and the in-season weeks follow): the forecasting library lines Christmas and Easter up with it.
      const lastDay = addDays(context.lastHistoryWeek, 7 * (gap + fromWeek - 1) + 6);
      let done = 0;
      for (const [categoryId, members] of panels) {
        signal.throwIfAborted();
        reportProgress((100 * done) / context.series.length, `forecasting category ${categoryId} (${members.length} stores; ${done} of ${context.series.length} series done)`);
        await new Promise((resolve) => setImmediate(resolve));
        const results = forecastPanel(members.map((s) => ({ id: s.key, group: categoryId, values: historyFor(s, gap, fromWeek - 1, actuals) })), {
          horizon,
          method: 'ensemble',
          lastDay,
        });
        results.forEach((result, i) => {
          const s = members[i]!;
          methods[result.method] = (methods[result.method] ?? 0) + 1;
          for (const note of result.notes) {
            // Notes differing only in their numbers are counted as one kind.
            const kind = note.replace(/\d+(\.\d+)?/g, 'N');
            noteCounts.set(kind, (noteCounts.get(kind) ?? 0) + 1);
          }
          series.push({
            store_id: s.storeId,
            category_id: s.categoryId,
            method: result.method,
            forecast: result.forecast.map(round2),
            lo80: result.lo80.map(round2),
            hi80: result.hi80.map(round2),
            lo95: result.lo95.map(round2),
            hi95: result.hi95.map(round2),
          });
        });
        done += members.length;
      }
      const plan: ForecastPlan = {
        revision,
        from_week: fromWeek,
        weeks: Array.from({ length: horizon }, (_, i) => seasonWeekStart(parameters, fromWeek + i)),
        series,
      };
      await store.retail.savePlan({ runId: input.runId, kind: 'forecast', revision, body: plan, createdAt: Date.now() });

      const seasonTotal = sum(series.map((s) => sum(s.forecast)));
      const safety = safetyStock(parameters, series);
      const suggested = Math.ceil(seasonTotal + safety.units);
      const quantity = input.plannerQuantity ?? suggested;
      const names = new Map(context.categories.map((c) => [c.categoryId, c.name]));
      const byCategory = new Map<string, number>();
      for (const s of series) byCategory.set(s.category_id, (byCategory.get(s.category_id) ?? 0) + sum(s.forecast));
      const notes = [...context.notes, ...[...noteCounts].map(([text, count]) => `${count} series: ${text}`)];
      const scope = fromWeek === 1 ? `the ${horizon}-week season` : `weeks ${fromWeek}–${parameters.forecast_horizon_weeks} (after ${fromWeek - 1} weeks of actuals)`;
      const explanation =
        `Forecast ${series.length} store × category series for ${scope}: ${explain.units(seasonTotal)} units expected. ` +
        `Safety stock ${explain.units(safety.units)} (${safety.reason}). ` +
        (fromWeek > 1
          ? 'The remaining weeks are re-planned against this forecast (the buy stands).'
          : input.plannerQuantity === undefined
          ? `Manufacturing quantity ${explain.units(quantity)} = forecast + safety stock.`
          : `Manufacturing quantity ${explain.units(quantity)} set by the planner (forecast + safety stock suggested ${explain.units(suggested)}).`);
      reportProgress(100, 'forecast saved');
      return {
        parameters,
        revision,
        from_week: fromWeek,
        weeks_planned: horizon,
        series: series.length,
        season_total: round2(seasonTotal),
        safety_stock: safety.units,
        safety_reason: safety.reason,
        manufacturing_quantity: quantity,
        quantity_source: input.plannerQuantity === undefined ? ('forecast' as const) : ('planner' as const),
        by_category: [...byCategory].map(([category_id, total]) => ({ category_id, name: names.get(category_id) ?? null, total: round2(total) })),
        weekly_curve: summarise(plan),
        methods,
        notes,
        explanation,
      };
    },
  });
}
