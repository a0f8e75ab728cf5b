/**
 * The Demand agent: forecasts every store × category series over the weeks between the history and the
 * season and the season itself, keeps the season's weeks, sums them into a season total and weekly curve
 * whose bands (and the safety stock) come from back-tests of the chain and category totals on the history,
 * and proposes the manufacturing quantity. In-season it re-forecasts the weeks left from the history, the
 * gap's forecast and the actuals so far.
 */
import { z } from 'zod';
import { DemandOutput, MarkdownInForce, type TotalUncertainty } from '../contracts.js';
import { defineAgent } from '../../../engine/index.js';
import { calibrateTotal, forecast, forecastPanelInSlices, growthAt, spreadOf, sumSpread, type TotalCalibration } from '../../../forecasting/index.js';
import type { SalesQuantity, SeasonActual, SeasonData } from '../data/index.js';
import type { ContextAssembler, SeriesHistory } from '../context.js';
import { addDays } from '../data/weeks.js';
import { explain } from '../explain.js';
import { PlanParameters } from '../parameters.js';
import { round2, roundTo, seasonWeekStart, sum } from '../season.js';
import { planBodyOrNone } from '../checked.js';
import { stockPosition } from '../ledger.js';
import { markdownLift } from '../markdown-lift.js';
import type { Band, ForecastPlan, SeriesForecast } from '../contracts.js';

/**
 * The service level the safety stock aims at, the same for every replenishment strategy: the chance that the
 * season's demand stays within the buy. (Weekly replenishment used to aim at 90% and bi-weekly at 95%.)
 */
export const SERVICE_LEVEL = 0.95;
const Z_SERVICE = 1.6448536269514722;
const Z80 = 1.2815515655446004;
const Z95 = 1.959963984540054;
/** Back-tests of the totals: four origins a quarter apart, so over the history's last year. */
const BACKTEST = { origins: 4, spacing: 13 } as const;

export const demandInput = z.object({
  runId: z.string(),
  parameters: PlanParameters,
  /** 1 for the pre-season plan; w + 1 when re-forecasting after week w's actuals. */
  fromWeek: z.number().int().min(1),
  /** The forecast revision to write (1, then one more per re-forecast or modification). */
  revision: z.number().int().min(1),
  /** A quantity the planner set when modifying the approval. */
  plannerQuantity: z.number().int().positive().optional(),
  /**
   * In-season only: the categories to re-plan (those whose variance alerted); the others keep the latest forecast's
   * remaining weeks. Absent: every category is re-planned.
   */
  categories: z.array(z.string()).min(1).optional(),
  /** In-season only: the markdown in force, whose weeks are learnt without its lift (forecasts are full-price demand). */
  markdown: MarkdownInForce.nullable().optional(),
});
export type DemandInput = z.infer<typeof demandInput>;

/** The agent's output (and the totals' uncertainty in it), declared once in the contracts. */
export const demandOutput = DemandOutput;
export type { DemandOutput, TotalUncertainty };

/** The forecast plan's shapes, declared once in the contracts (the body this agent stores as plan kind `forecast`). */
export type { Band, ForecastPlan, SeriesForecast } from '../contracts.js';

/**
 * A category kept from the last plan: its band from this week on, and its season band over the weeks left from the
 * same weekly spreads and correlation its back-tests measured (no back-test is run again).
 */
function keptTotal(band: Band, summary: TotalUncertainty, offset: number, horizon: number): { band: Band; summary: TotalUncertainty } | null {
  const slice = (values: number[]) => values.slice(offset, offset + horizon);
  const kept: Band = { forecast: slice(band.forecast), lo80: slice(band.lo80), hi80: slice(band.hi80), lo95: slice(band.lo95), hi95: slice(band.hi95) };
  if (kept.forecast.length !== horizon) return null;
  const sd = kept.forecast.map((f, i) => Math.max(0, (kept.hi95[i]! - f) / Z95));
  const spread = sumSpread(sd, summary.correlation);
  const total = sum(kept.forecast);
  return {
    band: kept,
    summary: {
      ...summary,
      season_lo80: round2(Math.max(0, total - Z80 * spread)),
      season_hi80: round2(total + Z80 * spread),
      season_lo95: round2(Math.max(0, total - Z95 * spread)),
      season_hi95: round2(total + Z95 * spread),
    },
  };
}

/**
 * What the panel is given for one series. Before the season: the history alone; the weeks up to the season
 * are forecast with it (never filled). In-season: the history, the first plan's forecast of the weeks
 * before the season (`lead`), then the actuals so far. Every series of a panel must end on the same week,
 * so a series with no actuals posted at all gets missing weeks (null) rather than a shorter array, which
 * the panel would misalign (the library forecasts missing last weeks rather than filling them).
 */
export function historyFor(
  series: SeriesHistory,
  lead: readonly (number | null)[],
  inSeasonWeeks: number,
  actuals: ReadonlyMap<string, readonly (number | null)[]>,
): (number | null)[] {
  if (inSeasonWeeks === 0) return [...series.values];
  const inSeason = actuals.get(series.key) ?? new Array<null>(inSeasonWeeks).fill(null);
  return [...series.values, ...lead, ...inSeason];
}

/**
 * The demand the season's weeks before `fromWeek` showed, per series (`store|category`), for a re-forecast to learn.
 * A week a series was not posted (a partial week) is missing, never no sales; so is a store's week that sold all it
 * had or had nothing (`stockBoundByWeek`): it shows the stock, and a store given little would otherwise be forecast
 * less and less.
 */
export function demandSoFar(
  posted: readonly SeasonActual[],
  stockBoundByWeek: ReadonlyMap<number, ReadonlySet<string>>,
  fromWeek: number,
  liftOf: (week: number) => number = () => 1,
): Map<string, (number | null)[]> {
  const series = new Map<string, (number | null)[]>();
  for (const a of posted) {
    if (a.seasonWeek >= fromWeek) continue;
    const key = `${a.storeId}|${a.categoryId}`;
    const weeks = series.get(key) ?? new Array<number | null>(fromWeek - 1).fill(null);
    if (!(stockBoundByWeek.get(a.seasonWeek)?.has(a.storeId) ?? false))
      weeks[a.seasonWeek - 1] = (weeks[a.seasonWeek - 1] ?? 0) + a.unitsSold / liftOf(a.seasonWeek);
    series.set(key, weeks);
  }
  return series;
}

/** Sums series week by week; a week where every series is missing stays missing, otherwise a missing value counts as no sales. */
export function totalOf(series: readonly (readonly (number | null)[])[]): (number | null)[] {
  const length = Math.max(0, ...series.map((s) => s.length));
  const total = new Array<number | null>(length).fill(null);
  for (const s of series) {
    // Arrays are aligned at their end, as the panel takes them.
    const offset = length - s.length;
    s.forEach((v, i) => {
      if (v !== null) total[offset + i] = (total[offset + i] ?? 0) + v;
    });
  }
  return total;
}

/** A total's weekly band around the plan's own total (the sum of its series), with the spread its back-tests support. */
function bandOf(forecast: readonly number[], sd: readonly number[]): Band {
  const at = (z: number, sign: 1 | -1) => forecast.map((f, i) => round2(Math.max(0, f + sign * z * (sd[i] ?? 0))));
  return { forecast: forecast.map(round2), lo80: at(Z80, -1), hi80: at(Z80, 1), lo95: at(Z95, -1), hi95: at(Z95, 1) };
}

interface MeasuredTotal {
  band: Band;
  /** Spread of each planned week's total. */
  sd: number[];
  seasonSpread: number;
  calibration: TotalCalibration;
  summary: TotalUncertainty;
}

/**
 * A total (the chain's or a category's): the forecaster's own forecast of it gives the spread's shape over the
 * lead and the season, its back-tests on the history (`calibration`) the spread's size and how much weeks'
 * errors move together; the band is centred on the plan's total.
 */
function measureTotal(
  values: readonly (number | null)[],
  history: readonly (number | null)[],
  planned: readonly number[],
  skip: number,
  options: { horizon: number; lastDay: string; historyLastDay: string },
): MeasuredTotal {
  const own = forecast(values, { horizon: options.horizon, lastDay: options.lastDay, floorAtZero: true });
  const modelSd = own.forecast.map((_, i) => spreadOf(own, i));
  const calibration = calibrateTotal(history, { horizon: options.horizon, lastDay: options.historyLastDay, floorAtZero: true, ...BACKTEST });
  const sd = modelSd.slice(skip, skip + planned.length).map((s, i) => s * Math.sqrt(growthAt(calibration.growth, skip + i)));
  const seasonSpread = sumSpread(sd, calibration.correlation);
  const total = sum(planned);
  return {
    band: bandOf(planned, sd),
    sd,
    seasonSpread,
    calibration,
    summary: {
      backtests: calibration.origins.length,
      weeks_scored: calibration.scored,
      measured: calibration.measured,
      weekly_error: Number.isFinite(calibration.weeklyError) ? roundTo(calibration.weeklyError, 6) : null,
      scale: roundTo(calibration.scale, 5),
      correlation: roundTo(calibration.correlation, 5),
      season_lo80: round2(Math.max(0, total - Z80 * seasonSpread)),
      season_hi80: round2(total + Z80 * seasonSpread),
      season_lo95: round2(Math.max(0, total - Z95 * seasonSpread)),
      season_hi95: round2(total + Z95 * seasonSpread),
    },
  };
}

/** Where a total's figure came from, in a sentence. */
function sourceOf(what: string, u: TotalUncertainty): string {
  if (!u.measured) return `${what}: too little history to back-test (${u.weeks_scored} week(s) scored), so the forecaster's own spread is used`;
  const error = u.weekly_error === null ? '' : `${explain.percent(u.weekly_error)} per week, `;
  return `${what}'s error measured on ${u.backtests} back-test(s) over the history's last ${u.backtests * BACKTEST.spacing} weeks: ${error}${u.scale.toFixed(2)} × the forecaster's own spread, weeks' errors correlated ${u.correlation.toFixed(2)}`;
}

/**
 * Safety stock at SERVICE_LEVEL for every strategy: the buy covers the season's chain demand that often,
 * from the spread of the chain's season total measured on the history. Without replenishment stock cannot
 * move between stores once shipped, so each store needs its own buffer: the stores' buffers (from their
 * series' own spreads, categories independent, weeks correlated as the chain's back-tests found) are summed,
 * and the larger of that and the chain's buffer is held.
 */
function safetyStock(parameters: PlanParameters, series: SeriesForecast[], chain: MeasuredTotal, quantity: SalesQuantity): { units: number; reason: string } {
  const level = explain.percent(SERVICE_LEVEL);
  const amount = (n: number) => explain.amount(n, quantity);
  const chainUnits = Math.ceil(Z_SERVICE * chain.seasonSpread);
  const chainReason = `${level} service: the chain's season total is uncertain by ±${amount(chain.seasonSpread)} (one standard deviation, measured on the history)`;
  if (parameters.replenishment_strategy !== 'none') {
    return {
      units: chainUnits,
      reason: `${parameters.replenishment_strategy} replenishment: the DC pools the risk, so one chain-wide buffer covers it at ${chainReason}; ${amount(chainUnits)}`,
    };
  }
  const weeklyVariance = new Map<string, number[]>();
  for (const s of series) {
    const weeks = weeklyVariance.get(s.store_id) ?? new Array<number>(s.forecast.length).fill(0);
    s.forecast.forEach((_, i) => {
      weeks[i] = (weeks[i] ?? 0) + spreadOf(s, i) ** 2;
    });
    weeklyVariance.set(s.store_id, weeks);
  }
  const storeUnits = Math.ceil(sum([...weeklyVariance.values()].map((weeks) => Z_SERVICE * sumSpread(weeks.map(Math.sqrt), chain.calibration.correlation))));
  const units = Math.max(storeUnits, chainUnits);
  return {
    units,
    reason:
      `no replenishment: shipped stock cannot be moved between stores, so each of ${weeklyVariance.size} stores carries its own buffer at ${level} service ` +
      `(${amount(storeUnits)} in all; the chain alone would need ${explain.units(chainUnits)} at ${chainReason}); ${amount(units)}`,
  };
}

function summarise(plan: ForecastPlan, chain: Band): DemandOutput['weekly_curve'] {
  return plan.weeks.map((weekStart, i) => ({
    week: plan.from_week + i,
    week_start: weekStart,
    forecast: chain.forecast[i] ?? 0,
    lo80: chain.lo80[i] ?? 0,
    hi80: chain.hi80[i] ?? 0,
    lo95: chain.lo95[i] ?? 0,
    hi95: chain.hi95[i] ?? 0,
  }));
}

export function demandAgent(data: SeasonData, assembler: ContextAssembler) {
  return defineAgent({
    name: 'demand',
    description: 'Forecasts every store × category series over the season and proposes the manufacturing quantity.',
    input: demandInput,
    output: demandOutput,
    timeoutMs: 120_000,
    run: async ({ input, reportProgress, signal, now }) => {
      const { parameters, fromWeek, revision } = input;
      const context = await assembler.demand(parameters);
      const gap = context.weeksBeforeSeason;
      const horizon = context.horizonWeeks - fromWeek + 1;
      // Before the season the gap is forecast with it and dropped; in-season the gap is already behind the
      // forecast (the first plan's forecast of it stands in for the weeks no one posted).
      const skip = fromWeek === 1 ? gap : 0;
      let actuals = new Map<string, (number | null)[]>();
      const leads = new Map<string, number[]>();
      // A re-forecast of some categories keeps the others' latest forecast, from this week on.
      const scope = fromWeek > 1 && input.categories ? new Set(input.categories) : null;
      const kept = new Map<string, SeriesForecast[]>();
      let keptRevision = revision - 1;
      let previousPlan: ForecastPlan | undefined;
      // In-season, the season's own series: history imported since may name stores and categories it never bought for.
      let planned: Set<string> | undefined;
      if (fromWeek > 1) {
        const [posted, first] = await Promise.all([data.listActuals(input.runId), data.firstPlan(input.runId, 'forecast')]);
        const position = await stockPosition(data, input.runId, { posted });
        actuals = demandSoFar(posted, position.stockBoundByWeek, fromWeek, markdownLift(input.markdown, parameters.price_elasticity));
        const firstSeries = planBodyOrNone('forecast', first)?.series;
        if (firstSeries) planned = new Set(firstSeries.map((s) => `${s.store_id}|${s.category_id}`));
        if (gap > 0 || scope) {
          const previous = planBodyOrNone('forecast', await data.latestPlan(input.runId, 'forecast'));
          for (const s of previous?.series ?? []) if (s.lead) leads.set(`${s.store_id}|${s.category_id}`, s.lead);
          const offset = fromWeek - (previous?.from_week ?? fromWeek);
          keptRevision = previous?.revision ?? keptRevision;
          previousPlan = previous;
          for (const s of scope && previous && offset >= 0 ? previous.series : []) {
            if (scope!.has(s.category_id)) continue;
            const slice = (values: number[]) => values.slice(offset, offset + horizon);
            const list = kept.get(s.category_id) ?? [];
            list.push({ ...s, forecast: slice(s.forecast), lo80: slice(s.lo80), hi80: slice(s.hi80), lo95: slice(s.lo95), hi95: slice(s.hi95) });
            kept.set(s.category_id, list);
          }
        }
      }
      const missingLead = new Array<null>(gap).fill(null);
      const inputOf = (s: SeriesHistory) => historyFor(s, leads.get(s.key) ?? missingLead, fromWeek - 1, actuals);
      const series: SeriesForecast[] = [];
      const methods: Record<string, number> = {};
      const noteCounts = new Map<string, number>();
      // A category's stores share a seasonal shape: each category is forecast as one panel (pooled
      // across its stores), one at a time so progress streams and other runs get the event loop.
      const panels = new Map<string, SeriesHistory[]>();
      const seasonSeries = planned ? context.series.filter((s) => planned.has(s.key)) : context.series;
      for (const s of seasonSeries) {
        const members = panels.get(s.categoryId);
        if (members) members.push(s);
        else panels.set(s.categoryId, [s]);
      }
      // The last day the panel's last value covers (history weeks are labelled by their first day; in-season
      // the gap and the weeks so far follow): the forecasting library lines Christmas and Easter up with it.
      const historyLastDay = addDays(context.lastHistoryWeek, 6);
      const lastDay = fromWeek === 1 ? historyLastDay : addDays(context.lastHistoryWeek, 7 * (gap + fromWeek - 1) + 6);
      const planOptions = { horizon: skip + horizon, lastDay, historyLastDay };
      const categoryTotals = new Map<string, { band: Band; summary: TotalUncertainty }>();
      const categoryInputs: { values: (number | null)[]; history: (number | null)[] }[] = [];
      let done = 0;
      let replanned = 0;
      const replannedIds: string[] = [];
      for (const [categoryId, members] of panels) {
        signal.throwIfAborted();
        const keptByKey = new Map((kept.get(categoryId) ?? []).map((s) => [`${s.store_id}|${s.category_id}`, s]));
        const previous = members.map((m) => keptByKey.get(m.key)).filter((s): s is SeriesForecast => s !== undefined && s.forecast.length === horizon);
        // Kept only when the last forecast covers every store of the category over every week left; otherwise re-planned.
        const previousBand = previousPlan?.totals?.categories[categoryId];
        const previousSummary = previousPlan?.totals?.measured?.[categoryId];
        const keptBand = previousBand && previousSummary ? keptTotal(previousBand, previousSummary, fromWeek - previousPlan!.from_week, horizon) : null;
        if (kept.has(categoryId) && previous.length === members.length && keptBand) {
          // Not re-planned: its series and band as last forecast, from this week on (no forecast or back-test is run for it).
          const inputs = members.map(inputOf);
          for (const s of previous) {
            methods[s.method] = (methods[s.method] ?? 0) + 1;
            series.push(s);
          }
          categoryInputs.push({ values: totalOf(inputs), history: totalOf(members.map((s) => s.values)) });
          categoryTotals.set(categoryId, keptBand);
          done += members.length;
          continue;
        }
        replanned += members.length;
        replannedIds.push(categoryId);
        reportProgress(
          (100 * done) / seasonSeries.length,
          `forecasting category ${categoryId} (${members.length} stores; ${done} of ${seasonSeries.length} series done)`,
        );
        const inputs = members.map(inputOf);
        const results = await forecastPanelInSlices(
          members.map((s, i) => ({ id: s.key, group: categoryId, values: inputs[i]! })),
          // Demand is never negative: Walmart's departments with returns forecast below zero otherwise (87 series).
          { horizon: skip + horizon, method: 'ensemble', lastDay, floorAtZero: true },
        );
        const planned = new Array<number>(horizon).fill(0);
        results.forEach((result, i) => {
          const s = members[i]!;
          methods[result.method] = (methods[result.method] ?? 0) + 1;
          for (const note of result.notes) {
            // Notes differing only in their numbers are counted as one kind.
            const kind = note.replace(/\d+(\.\d+)?/g, 'N');
            noteCounts.set(kind, (noteCounts.get(kind) ?? 0) + 1);
          }
          const season = (values: number[]) => values.slice(skip).map(round2);
          const forecastWeeks = season(result.forecast);
          forecastWeeks.forEach((v, w) => (planned[w]! += v));
          const lead = fromWeek === 1 ? result.forecast.slice(0, gap).map(round2) : leads.get(s.key);
          series.push({
            store_id: s.storeId,
            category_id: s.categoryId,
            method: result.method,
            forecast: forecastWeeks,
            lo80: season(result.lo80),
            hi80: season(result.hi80),
            lo95: season(result.lo95),
            hi95: season(result.hi95),
            ...(lead && lead.length > 0 ? { lead } : {}),
          });
        });
        // The category's total: its own forecast's spread, sized by back-tests of the total on the history.
        const values = totalOf(inputs);
        const history = totalOf(members.map((s) => s.values));
        categoryInputs.push({ values, history });
        categoryTotals.set(categoryId, measureTotal(values, history, planned, skip, planOptions));
        done += members.length;
      }
      reportProgress(95, 'measuring the chain total on the history');
      const chainPlanned = new Array<number>(horizon).fill(0);
      for (const t of categoryTotals.values()) t.band.forecast.forEach((v, w) => (chainPlanned[w]! += v));
      const chain = measureTotal(totalOf(categoryInputs.map((c) => c.values)), totalOf(categoryInputs.map((c) => c.history)), chainPlanned, skip, planOptions);
      const plan: ForecastPlan = {
        revision,
        from_week: fromWeek,
        weeks: Array.from({ length: horizon }, (_, i) => seasonWeekStart(parameters, fromWeek + i)),
        series,
        ...(scope ? { replanned: replannedIds } : {}),
        totals: {
          chain: chain.band,
          categories: Object.fromEntries([...categoryTotals].map(([id, t]) => [id, t.band])),
          measured: Object.fromEntries([...categoryTotals].map(([id, t]) => [id, t.summary])),
        },
      };
      await data.savePlan({ runId: input.runId, kind: 'forecast', revision, body: plan, createdAt: now() });

      const seasonTotal = sum(series.map((s) => sum(s.forecast)));
      const safety = safetyStock(parameters, series, chain, context.quantity);
      const suggested = Math.ceil(seasonTotal + safety.units);
      const quantity = input.plannerQuantity ?? suggested;
      const names = new Map(context.categories.map((c) => [c.categoryId, c.name]));
      const notes = [...context.notes, ...[...noteCounts].map(([text, count]) => `${count} series: ${text}`)];
      if (chain.calibration.measured && Math.abs(chain.calibration.bias) > 0.5) {
        notes.push(
          `the chain total's back-tests ran ${chain.calibration.bias > 0 ? 'below' : 'above'} the actuals on average (${chain.calibration.bias.toFixed(2)} spreads); the forecast is not corrected for it`,
        );
      }
      const replannedCategories = scope ? replannedIds : null;
      const keptNote = scope
        ? ` Re-planned ${replannedCategories!.join(', ')} (${replanned} series, the categories whose variance alerted); the other ${panels.size - replannedCategories!.length} categor${panels.size - replannedCategories!.length === 1 ? 'y keeps' : 'ies keep'} revision ${keptRevision}'s forecast.`
        : '';
      const span =
        fromWeek === 1 ? `the ${horizon}-week season` : `weeks ${fromWeek}–${parameters.forecast_horizon_weeks} (after ${fromWeek - 1} weeks of actuals)`;
      const leadNote =
        fromWeek === 1 && gap > 0
          ? ` The season starts ${gap} week(s) after the history: those weeks were forecast with it and left out, and the bands widen with the lead.`
          : '';
      const explanation =
        `Forecast ${series.length} store × category series for ${span}: ${explain.amount(seasonTotal, context.quantity)} expected ` +
        `(80%: ${explain.units(chain.summary.season_lo80)}–${explain.units(chain.summary.season_hi80)}).${leadNote}${keptNote} ` +
        `Bands and safety stock from the data: ${sourceOf('the chain total', chain.summary)}. ` +
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
        replanned_categories: replannedCategories,
        series_replanned: replanned,
        season_total: round2(seasonTotal),
        safety_stock: safety.units,
        safety_reason: safety.reason,
        service_level: SERVICE_LEVEL,
        lead_weeks: gap,
        uncertainty: chain.summary,
        manufacturing_quantity: quantity,
        quantity_source: input.plannerQuantity === undefined ? ('forecast' as const) : ('planner' as const),
        quantity: context.quantity,
        by_category: [...categoryTotals].map(([category_id, t]) => ({
          category_id,
          name: names.get(category_id) ?? null,
          total: round2(sum(t.band.forecast)),
          uncertainty: t.summary,
        })),
        weekly_curve: summarise(plan, chain.band),
        methods,
        notes,
        explanation,
      };
    },
  });
}
