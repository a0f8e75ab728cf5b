/**
 * A posted week far from its forecast is most often the wrong measure or the wrong file: money posted to a plan in
 * units is about full_price times its forecast, units posted to a plan in sales value a small fraction of it. Learnt,
 * such a week alerted +5024%, turned the re-forecast into money (13,820 → 1,104,771 "units") and sent the DC's stock
 * out for good. It is refused before anything is stored, unless the planner confirms the week was so.
 */
import { BatonError } from '../../errors/index.js';
import type { ForecastPlan, MarkdownPlanBody } from './contracts.js';
import { markdownLift } from './markdown-lift.js';

/** How far above its forecast a week may be before it is checked with the planner: ten times. */
export const IMPLAUSIBLE_RATIO = 10;
/**
 * How far below: a twentieth, and only with sales. Units posted to a plan in money at a full price of 50 are a
 * fiftieth; a week of returns alone, or of nothing (the stores closed), is something else, and taken.
 */
export const IMPLAUSIBLY_LOW = 1 / 20;
/** Below this forecast (in the plan's measure) a ratio says little: a few units either way. */
const MIN_JUDGED_FORECAST = 50;
/** A store alone is judged when its excess is at least this share of the posted series' forecast. */
const STORE_SHARE = 0.05;

export interface PostedRow {
  store_id: string;
  category_id: string;
  units_sold: number;
}

export interface WeekCheck {
  week: number;
  rows: readonly PostedRow[];
  forecast: ForecastPlan;
  /** The accepted markdown's chosen depth and its week, if any: marked-down weeks sell more. */
  markdown: MarkdownPlanBody | undefined;
  elasticity: number | undefined;
  quantity: 'units' | 'sales_value';
}

/** Refuses a week whose total, or one store's, is IMPLAUSIBLE_RATIO times its forecast or more (or the chain's IMPLAUSIBLY_LOW or less). */
export function refuseImplausibleWeek(check: WeekCheck): void {
  const { week, rows, forecast } = check;
  const index = week - forecast.from_week;
  const forecastOf = new Map(forecast.series.map((s) => [`${s.store_id}|${s.category_id}`, Math.max(0, s.forecast[index] ?? 0)]));
  const byStore = new Map<string, { posted: number; forecast: number }>();
  for (const row of rows) {
    const store = byStore.get(row.store_id) ?? { posted: 0, forecast: 0 };
    store.posted += row.units_sold;
    store.forecast += forecastOf.get(`${row.store_id}|${row.category_id}`) ?? 0;
    byStore.set(row.store_id, store);
  }
  const posted = [...byStore.values()].reduce((total, s) => total + s.posted, 0);
  const expected = [...byStore.values()].reduce((total, s) => total + s.forecast, 0);
  if (expected < MIN_JUDGED_FORECAST) return;
  // After the markdown's week, shoppers buy (1 − m)^ε times as much: up to 100× at 90% off.
  const markdown = check.markdown ? { rate: check.markdown.chosen.markdown, fromWeek: check.markdown.week } : null;
  const lift = markdownLift(markdown, check.elasticity)(week);
  const ceiling = IMPLAUSIBLE_RATIO * lift;
  const chainRatio = posted / expected;
  const stores = [...byStore]
    .filter(([, s]) => s.posted > ceiling * s.forecast && s.posted - s.forecast * lift >= STORE_SHARE * expected)
    .map(([storeId, s]) => ({
      store_id: storeId,
      posted: round(s.posted),
      forecast: round(s.forecast),
      ratio: s.forecast > 0 ? round(s.posted / s.forecast) : null,
    }));
  const tooLow = posted > 0 && chainRatio <= IMPLAUSIBLY_LOW;
  if (chainRatio < ceiling && !tooLow && stores.length === 0) return;
  const measure = check.quantity === 'sales_value' ? 'sales value (money at full price)' : 'units';
  const other = check.quantity === 'sales_value' ? 'units' : 'money (sales value)';
  const what =
    chainRatio >= ceiling || tooLow
      ? `its total ${round(posted)} is ${round(chainRatio)}× the forecast of the same series (${round(expected)})`
      : `${stores.length} store${stores.length === 1 ? '' : 's'} posted ${ceiling}× their forecast or more (${stores
          .slice(0, 5)
          .map((s) => `${s.store_id}: ${s.posted} against ${s.forecast}`)
          .join('; ')})`;
  throw new BatonError('INVALID_PARAMETERS', `week ${week} looks like another measure or another file: ${what}. The plan counts ${measure}`, {
    details: {
      week,
      posted_total: round(posted),
      forecast_total: round(expected),
      ratio: round(chainRatio),
      quantity: check.quantity,
      stores: stores.slice(0, 100),
    },
    suggestions: [
      `check the file: the figures must be ${measure}, not ${other}, and for week ${week}`,
      'if the week really was so (a store opening, a promotion, closures), post it again with "confirm_unusual": true (baton runs post-actuals --confirm-unusual)',
    ],
  });
}

const round = (value: number): number => Math.round(value * 100) / 100;
