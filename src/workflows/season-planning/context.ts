/**
 * The seeds' ContextAssembler: what each agent needs, assembled from the retail tables. The data
 * is loaded once and kept until an import changes it (the store's data version, checked with one
 * small query, so another node's import is seen too).
 */
import { BatonError } from '../../errors/index.js';
import type { Category, SalesQuantity, SeasonData, StoreProfile, WeeklySales } from './data/index.js';
import { DEFAULT_ELASTICITY } from '../../pricing/index.js';
import { toDayNumber, fromDayNumber, weekdayName } from './data/weeks.js';
import type { PlanParameters } from './parameters.js';
import { seasonLead } from './season.js';

/** A year of history: less and yearly seasonality cannot be seen. */
export const MIN_HISTORY_WEEKS = 52;

export interface SeriesHistory {
  key: string;
  storeId: string;
  categoryId: string;
  /** Units per week on the snapshot's weekly grid; null where the week is missing. */
  values: (number | null)[];
}

export interface StoreSalesProfile {
  /** Mean weekly units over the last year, all categories. */
  averageWeeklySales: number;
  /** Share of all stores' units over the last year. */
  share: number;
  /** Coefficient of variation of weekly units over the last year: how seasonal the store is. */
  seasonality: number;
  /** Last half year's units ÷ the same weeks a year before; null without 78 weeks. */
  trend: number | null;
}

export interface RetailSnapshot {
  version: number;
  /** The weekly grid: the first history week, then every 7 days to the last. */
  weeks: string[];
  stores: StoreProfile[];
  categories: Category[];
  series: SeriesHistory[];
  salesProfiles: Map<string, StoreSalesProfile>;
  /** What the history's figures count (the latest sales import says): the plan is in the same. */
  quantity: SalesQuantity;
}

/** What the Demand agent needs: every series, and where the season sits after the history. */
export interface DemandContext {
  horizonWeeks: number;
  seasonStart: string;
  replenishment: PlanParameters['replenishment_strategy'];
  lastHistoryWeek: string;
  /** Weeks between the history and the season (forecast together with the season, then dropped). */
  weeksBeforeSeason: number;
  /** The latest season start the history supports (season.ts). */
  latestStart: string;
  notes: string[];
  weeks: readonly string[];
  series: readonly SeriesHistory[];
  categories: readonly Category[];
  /** What the history counts: with sales value the forecast and the buy are money at full price, not units. */
  quantity: SalesQuantity;
}

/** What the Inventory agent needs: the stores, their sales profiles, and the DC's share. */
export interface InventoryContext {
  dcHoldback: number;
  replenishment: PlanParameters['replenishment_strategy'];
  stores: readonly StoreProfile[];
  salesProfiles: ReadonlyMap<string, StoreSalesProfile>;
  /** What the history counts: with sales value the allocation is money at full price, not units. */
  quantity: SalesQuantity;
}

/** What the Pricing agent needs: the checkpoint, the threshold and the price model's inputs. */
export interface PricingContext {
  checkpointWeek: number | null;
  threshold: number | null;
  horizonWeeks: number;
  /** Price of one unit of the history's quantity: full_price for units, 1 for sales value (see `pricing`). */
  fullPrice: number;
  elasticity: number;
  elasticityAssumed: boolean;
  quantity: SalesQuantity;
}

export class ContextAssembler {
  private cached: { version: number; snapshot: Promise<RetailSnapshot> } | undefined;

  constructor(private readonly data: SeasonData) {}

  /** The retail data as agents see it; loaded once per data version. */
  async snapshot(): Promise<RetailSnapshot> {
    const version = await this.data.dataVersion();
    if (this.cached?.version !== version) {
      const snapshot = this.load(version);
      this.cached = { version, snapshot };
      // A failed load must not be served from the cache.
      snapshot.catch(() => {
        if (this.cached?.snapshot === snapshot) this.cached = undefined;
      });
    }
    return this.cached.snapshot;
  }

  /**
   * Refuses, before a run exists, a season the history cannot support: INVALID_PARAMETERS naming the starts it
   * supports, which the Demand agent would otherwise fail the run with. No history (or too little) is left to the
   * agent: its DATA_NOT_FOUND says how to load some, and the run can be retried once there is.
   */
  async admit(parameters: PlanParameters): Promise<void> {
    // The distinct weeks, not the snapshot: an API-only node would otherwise read every sales row (1.7 s on Walmart)
    // and keep them, for three facts. The checks are the snapshot's (grid, weekdays, lead), so both answer alike.
    const weeks = await this.data.historyWeeks();
    const first = weeks[0];
    const last = weeks.at(-1);
    if (first === undefined || last === undefined) return;
    const firstDay = toDayNumber(first);
    const length = gridLength(firstDay, toDayNumber(last));
    // In the snapshot's order: too little history first (left to the agent), then weeks on two weekdays, then the lead.
    if (length < MIN_HISTORY_WEEKS) return;
    const other = weeks.find((week) => (toDayNumber(week) - firstDay) % 7 !== 0);
    if (other !== undefined) throw mixedWeekdays(first, other);
    seasonLead(last, length, parameters.season_start_date);
  }

  /** Throws INVALID_PARAMETERS when the season starts before the history ends or further ahead than it supports. */
  async demand(parameters: PlanParameters): Promise<DemandContext> {
    const snapshot = await this.snapshot();
    const lastHistoryWeek = snapshot.weeks.at(-1) ?? parameters.season_start_date;
    const lead = seasonLead(lastHistoryWeek, snapshot.weeks.length, parameters.season_start_date);
    return {
      horizonWeeks: parameters.forecast_horizon_weeks,
      seasonStart: parameters.season_start_date,
      replenishment: parameters.replenishment_strategy,
      lastHistoryWeek,
      weeksBeforeSeason: lead.gap,
      latestStart: lead.latestStart,
      notes: [
        ...(lead.gap > 0
          ? [
              `the season starts ${lead.gap} week(s) after the history ends (${lead.historyEnds}): those weeks are forecast with the season and left out of the plan`,
            ]
          : []),
        ...(lead.firstSeasonWeek !== parameters.season_start_date
          ? [
              `the season starts on ${parameters.season_start_date}, a ${weekdayName(parameters.season_start_date)}, and the history's weeks start on a ${weekdayName(lastHistoryWeek)}: each season week is forecast as the history's week it shares most days with, week 1 as the week of ${lead.firstSeasonWeek}`,
            ]
          : []),
        ...(snapshot.quantity === 'sales_value'
          ? ['the history is sales value (money), not units: the forecast, safety stock and manufacturing quantity are sales value at full price']
          : []),
      ],
      weeks: snapshot.weeks,
      series: snapshot.series,
      categories: snapshot.categories,
      quantity: snapshot.quantity,
    };
  }

  async inventory(parameters: PlanParameters): Promise<InventoryContext> {
    const snapshot = await this.snapshot();
    return {
      dcHoldback: parameters.dc_holdback_percentage,
      replenishment: parameters.replenishment_strategy,
      stores: snapshot.stores,
      salesProfiles: snapshot.salesProfiles,
      quantity: snapshot.quantity,
    };
  }

  /**
   * Pricing's context is the parameters, the price model's defaults (stated) and what the history
   * counts. With sales value the stock and the forecast are money at full price: one "unit" is one
   * currency unit of goods at full price, so its price is 1 and a markdown of m sells it for 1 − m.
   * The elasticity applies to quantity; value at full price moves with quantity as long as each
   * item's full price stays the same through the season (the assumption the explanations state),
   * so no unit price is needed and full_price is not used.
   */
  async pricing(parameters: PlanParameters): Promise<PricingContext> {
    const quantity = (await this.data.salesQuantity()) ?? 'units';
    return {
      checkpointWeek: parameters.markdown_checkpoint_week,
      threshold: parameters.markdown_threshold,
      horizonWeeks: parameters.forecast_horizon_weeks,
      fullPrice: quantity === 'sales_value' ? 1 : parameters.full_price,
      elasticity: parameters.price_elasticity ?? DEFAULT_ELASTICITY,
      elasticityAssumed: parameters.price_elasticity === undefined,
      quantity,
    };
  }

  /** What the history counts (one small query; no need for the whole snapshot). */
  async quantity(): Promise<SalesQuantity> {
    return (await this.data.salesQuantity()) ?? 'units';
  }

  private async load(version: number): Promise<RetailSnapshot> {
    const [stores, categories, sales, quantity] = await Promise.all([
      this.data.listStores(),
      this.data.listCategories(),
      this.data.listSales(),
      this.data.salesQuantity(),
    ]);
    const weeks = weeklyGrid(sales);
    if (weeks.length < MIN_HISTORY_WEEKS) throw notEnoughHistory(weeks.length);
    const series = seriesOf(sales, weeks);
    return { version, weeks, stores, categories, series, salesProfiles: salesProfiles(series, weeks.length), quantity: quantity ?? 'units' };
  }
}

function notEnoughHistory(weeks: number): BatonError {
  return new BatonError(
    'DATA_NOT_FOUND',
    weeks === 0
      ? 'there is no sales history to plan from'
      : `only ${weeks} weeks of sales history; planning needs at least ${MIN_HISTORY_WEEKS} (a year, to see seasonality)`,
    {
      details: { weeks_of_history: weeks, minimum: MIN_HISTORY_WEEKS },
      suggestions: [
        'generate demo data: baton data generate',
        'or import real history: baton data import --stores stores.csv --sales sales.csv (or POST /api/data/sales)',
      ],
    },
  );
}

function weeklyGrid(sales: readonly WeeklySales[]): string[] {
  if (sales.length === 0) return [];
  let first = Infinity;
  let last = -Infinity;
  for (const row of sales) {
    const day = toDayNumber(row.weekStartDate);
    if (day < first) first = day;
    if (day > last) last = day;
  }
  return Array.from({ length: gridLength(first, last) }, (_, i) => fromDayNumber(first + 7 * i));
}

/** Weeks on a 7-day grid from the first week's day number to the last's, both included. */
const gridLength = (firstDay: number, lastDay: number): number => Math.round((lastDay - firstDay) / 7) + 1;

/**
 * A history whose weeks start on two weekdays (imported before imports refused it, e.g. Walmart once as week
 * starts and once as week ends): snapped onto one grid, every week would count twice.
 */
function mixedWeekdays(first: string, other: string): BatonError {
  return new BatonError('CONFLICT', `the sales history's weeks start on different weekdays (${first} and ${other}): planning on it would count weeks twice`, {
    details: { weeks: [first, other] },
    suggestions: ['import the sales file again with --replace (?replace=true) and the right --week-dates, so the history holds it once'],
  });
}

/** Sales arrive ordered by store, category and week: one pass places them on the grid. */
function seriesOf(sales: readonly WeeklySales[], weeks: readonly string[]): SeriesHistory[] {
  const first = toDayNumber(weeks[0] ?? '1970-01-01');
  const series: SeriesHistory[] = [];
  let current: SeriesHistory | undefined;
  for (const row of sales) {
    const key = `${row.storeId}|${row.categoryId}`;
    if (current?.key !== key) {
      current = { key, storeId: row.storeId, categoryId: row.categoryId, values: new Array<number | null>(weeks.length).fill(null) };
      series.push(current);
    }
    const offset = toDayNumber(row.weekStartDate) - first;
    if (offset % 7 !== 0) throw mixedWeekdays(weeks[0]!, row.weekStartDate);
    const index = offset / 7;
    current.values[index] = (current.values[index] ?? 0) + row.unitsSold;
  }
  return series;
}

function salesProfiles(series: readonly SeriesHistory[], weekCount: number): Map<string, StoreSalesProfile> {
  const yearStart = Math.max(0, weekCount - 52);
  const weeklyByStore = new Map<string, number[]>();
  for (const s of series) {
    let weekly = weeklyByStore.get(s.storeId);
    if (!weekly) weeklyByStore.set(s.storeId, (weekly = new Array<number>(weekCount).fill(0)));
    s.values.forEach((v, i) => {
      if (v !== null) weekly[i] = (weekly[i] ?? 0) + v;
    });
  }
  const lastYear = (weekly: number[]) => weekly.slice(yearStart);
  const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
  const grandTotal = sum([...weeklyByStore.values()].map((w) => sum(lastYear(w))));
  const profiles = new Map<string, StoreSalesProfile>();
  for (const [storeId, weekly] of weeklyByStore) {
    const year = lastYear(weekly);
    const mean = sum(year) / year.length;
    const sd = Math.sqrt(sum(year.map((v) => (v - mean) ** 2)) / year.length);
    const recent = sum(weekly.slice(weekCount - 26));
    const yearAgo = weekCount >= 78 ? sum(weekly.slice(weekCount - 78, weekCount - 52)) : 0;
    profiles.set(storeId, {
      averageWeeklySales: mean,
      share: grandTotal > 0 ? sum(year) / grandTotal : 0,
      seasonality: mean > 0 ? sd / mean : 0,
      trend: yearAgo > 0 ? recent / yearAgo : null,
    });
  }
  return profiles;
}
