/**
 * The monitoring agent: a week's actuals against the forecast, per category and in all. The chain beyond the
 * threshold, or a category beyond it and outside its own measured band two weeks running, raises a
 * `variance_alert`; the run then re-forecasts what is left (every category, or only those that alerted).
 */
import { z } from 'zod';
import { MonitorOutput, type ReforecastPaid } from '../contracts.js';
import { exceedsThreshold, relativeVariance } from '../../../allocation/index.js';
import { defineAgent } from '../../../engine/index.js';
import { DEFAULT_ELASTICITY, demandAt } from '../../../pricing/index.js';
import { AgentError } from '../../../errors/index.js';
import type { SeasonData } from '../data/index.js';
import { explain } from '../explain.js';
import { PlanParameters } from '../parameters.js';
import { stockPosition } from '../ledger.js';
import { round2, roundTo } from '../season.js';
import type { Band, ForecastPlan } from './demand.js';
import { planBody } from '../checked.js';

export const monitorInput = z.object({
  runId: z.string(),
  parameters: PlanParameters,
  week: z.number().int().min(1),
  /** A markdown in force (fraction off): the forecast, made at full price, is lifted by the price model before comparing. */
  markdown: z.number().min(0).lt(1).default(0),
  /** The week was posted without every series: compare only the series posted, never read the rest as zero. */
  partial: z.boolean().default(false),
  /** Categories last week's monitor found significant without alerting (a first week off plan), with their direction. */
  watching: z.array(z.object({ category_id: z.string(), direction: z.enum(['over', 'under']) })).default([]),
});

/** The agent's output (with whether the latest re-forecast paid), declared once in the contracts. */
export const monitorOutput = MonitorOutput;
export type { MonitorOutput, ReforecastPaid };

/**
 * A category whose forecast is under this share of the week's total is reported but does not
 * trigger a re-forecast on its own: with 81 Walmart departments, a 38-unit department swinging
 * by 28% re-planned the whole season every week.
 */
export const MATERIAL_SHARE = 0.02;
/**
 * The share of the week's forecast a partial week's posted series must carry for the chain's variance to alert:
 * two of 3,313 Walmart series at +28% re-forecast every category, though they said nothing about the chain.
 */
export const CHAIN_COVERAGE = 0.5;
/**
 * The band a category's week must fall outside to count as off plan, not noise: the plan's 95% band of the
 * category total, whose spread comes from back-tests of that total on the history.
 */
export const BAND_LEVEL = 0.95;
const Z_BAND = 1.959963984540054;
/** Categories named in an explanation; the rest are summarised. */
const LISTED = 5;

/**
 * A week's spread (one standard deviation) of a category total compared over `compared` units of forecast: the band's
 * spread at that week, in proportion when the comparison leaves stores out or lifts the forecast for a markdown.
 */
export function bandSpread(band: Band | undefined, index: number, compared: number): number | null {
  const f = band?.forecast[index];
  const hi = band?.hi95[index];
  // Nothing compared (series planned at zero, e.g. a store's first sales of a category) has no spread to measure a
  // week against: a z over it was infinite, and the Monitor's output failed the run for good.
  if (f === undefined || hi === undefined || !(f > 0) || !(hi > f) || !(compared > 0)) return null;
  return ((hi - f) / Z_BAND) * (compared / f);
}

/** Σ|actual − forecast| ÷ Σ actual over store × category weeks, or null with no sales. */
function wape(pairs: Iterable<[number, number]>): number | null {
  let error = 0;
  let volume = 0;
  for (const [a, f] of pairs) {
    error += Math.abs(a - f);
    volume += Math.abs(a);
  }
  return volume > 0 ? Math.round((error / volume) * 1e4) / 1e4 : null;
}

/**
 * The latest revision against the one before on the weeks posted since the latest was made (its first week to
 * `week`): did re-forecasting cut the error of the weeks it re-planned? Null before any re-forecast has a week posted.
 */
export function reforecastPayoff(
  plans: ForecastPlan[],
  actuals: readonly { storeId: string; categoryId: string; seasonWeek: number; unitsSold: number }[],
  week: number,
): ReforecastPaid | null {
  const sorted = [...plans].sort((a, b) => a.revision - b.revision);
  const latest = sorted.at(-1);
  const previous = sorted.at(-2);
  // A revision from week 1 is a modified buy re-planned before the season, not a re-forecast from its actuals.
  if (!latest || !previous || latest.from_week === 1 || latest.from_week > week || previous.from_week > latest.from_week) return null;
  const weeks = Array.from({ length: week - latest.from_week + 1 }, (_, i) => latest.from_week + i);
  const posted = new Map<string, number>();
  for (const a of actuals)
    if (a.seasonWeek >= latest.from_week && a.seasonWeek <= week)
      posted.set(`${a.storeId}|${a.categoryId}|${a.seasonWeek}`, (posted.get(`${a.storeId}|${a.categoryId}|${a.seasonWeek}`) ?? 0) + a.unitsSold);
  const scored = latest.replanned ? new Set(latest.replanned) : null;
  const pairs = function* (plan: ForecastPlan): Generator<[number, number]> {
    for (const s of plan.series) {
      if (scored && !scored.has(s.category_id)) continue;
      for (const w of weeks) {
        const a = posted.get(`${s.store_id}|${s.category_id}|${w}`);
        if (a !== undefined) yield [a, s.forecast[w - plan.from_week] ?? 0];
      }
    }
  };
  const error = wape(pairs(latest));
  const previousError = wape(pairs(previous));
  return {
    revision: latest.revision,
    previous_revision: previous.revision,
    categories: latest.replanned ?? null,
    weeks,
    error,
    previous_error: previousError,
    // Paid only when it cut the error: an equal one is no gain (a modified buy's revision scored "paid" at 10.45% against 10.45%).
    paid: error === null || previousError === null ? null : error < previousError,
  };
}

const asPercent = (v: number | null) => (v === null ? 'sales against a zero forecast' : `${v >= 0 ? '+' : ''}${explain.percent(v)}`);

export function monitorAgent(data: SeasonData) {
  return defineAgent({
    name: 'monitor',
    description: "Compares the week's actual sales with the forecast and raises a variance alert above the threshold.",
    input: monitorInput,
    output: monitorOutput,
    run: async ({ input, emit }) => {
      const { parameters, week, runId } = input;
      const [plans, actuals] = await Promise.all([data.listPlans(runId, 'forecast'), data.listActuals(runId)]);
      const position = await stockPosition(data, runId, { posted: actuals, throughWeek: week });
      const forecasts = plans.map((p) => planBody('forecast', p));
      const plan = [...forecasts].sort((a, b) => a.revision - b.revision).at(-1);
      if (!plan) throw new AgentError('no forecast to monitor against', { retryable: false });
      // A store whose week sold all it had (or that had nothing to sell) shows its stock, not what shoppers wanted:
      // its week says nothing about the forecast, so it is left out (and counted) rather than read as a fall in demand.
      const soldOut = position.stockBoundByWeek.get(week) ?? new Set<string>();
      const postedThisWeek = new Set(actuals.filter((a) => a.seasonWeek === week).map((a) => `${a.storeId}\u0000${a.categoryId}`));
      const compared = (s: { store_id: string; category_id: string }) =>
        !soldOut.has(s.store_id) && (!input.partial || postedThisWeek.has(`${s.store_id}\u0000${s.category_id}`));
      const forecastByCategory = new Map<string, number>();
      const lift = input.markdown > 0 ? demandAt(1, 1, 1 - input.markdown, parameters.price_elasticity ?? DEFAULT_ELASTICITY) : 1;
      const index = week - plan.from_week;
      // The week's whole forecast (stores that can still sell): what a partial week's posted series are a share of.
      let weekForecast = 0;
      let postedForecast = 0;
      for (const s of plan.series) {
        if (soldOut.has(s.store_id)) continue;
        const f = lift * (s.forecast[index] ?? 0);
        weekForecast += f;
        if (!compared(s)) continue;
        postedForecast += f;
        forecastByCategory.set(s.category_id, (forecastByCategory.get(s.category_id) ?? 0) + f);
      }
      const actualByCategory = new Map<string, number>();
      for (const a of actuals)
        if (a.seasonWeek === week && !soldOut.has(a.storeId)) actualByCategory.set(a.categoryId, (actualByCategory.get(a.categoryId) ?? 0) + a.unitsSold);
      const categories = [...new Set([...forecastByCategory.keys(), ...actualByCategory.keys()])].sort();
      const byCategory = categories.map((category_id) => {
        // Money sums posted cents in binary floating point (912577.1500000001): to the cent, as the forecast is.
        const actual = round2(actualByCategory.get(category_id) ?? 0);
        const forecast = round2(forecastByCategory.get(category_id) ?? 0);
        const v = relativeVariance(actual, forecast);
        const sd = bandSpread(plan.totals?.categories[category_id], index, forecast);
        const z = sd === null ? null : round2((actual - forecast) / sd);
        return {
          category_id,
          actual,
          forecast,
          variance: v === null ? null : roundTo(v, 5),
          z,
          outside_band: z === null ? null : Math.abs(z) > Z_BAND,
        };
      });
      const actual = round2(byCategory.reduce((s, c) => s + c.actual, 0));
      const forecast = round2(byCategory.reduce((s, c) => s + c.forecast, 0));
      const total = relativeVariance(actual, forecast);
      const threshold = parameters.variance_threshold;
      // A full week covers it all; a partial one its posted series' share, within [0, 1] (a series with returns in
      // its history may be forecast below zero).
      const coverage = input.partial && weekForecast > 0 ? Math.min(1, Math.max(0, Math.round((postedForecast / weekForecast) * 1e4) / 1e4)) : 1;
      // Material against the whole week, not the posted part: a re-forecast of a category re-plans it in every store.
      const material = (c: { forecast: number; actual: number }) => Math.max(c.forecast, c.actual) >= MATERIAL_SHARE * Math.max(weekForecast, actual);
      const direction = (c: { actual: number; forecast: number }) => (c.actual >= c.forecast ? ('over' as const) : ('under' as const));
      const beyond = byCategory.filter((c) => exceedsThreshold(c.variance, threshold));
      // A category is off plan when it is beyond the threshold, a material share of the week and outside its
      // own band (a plan without bands: the first two alone). One such week may be a spike: it is watched, and
      // alerts only when the next week is off plan the same way.
      const significant = beyond.filter((c) => material(c) && c.outside_band !== false);
      const watched = new Map(input.watching.map((w) => [w.category_id, w.direction]));
      const confirmed = significant.filter((c) => watched.get(c.category_id) === direction(c));
      // The chain beyond the threshold alerts at once, band or not: the threshold is the planner's tolerance for the whole buy.
      // A partial week speaks for the chain only when its posted series carry enough of the week's forecast.
      const chainJudged = coverage >= CHAIN_COVERAGE;
      const chainAlert = chainJudged && exceedsThreshold(total, threshold);
      const alert = chainAlert || confirmed.length > 0;
      const reforecast = alert && week < parameters.forecast_horizon_weeks;
      const replanCategories = chainAlert ? null : confirmed.map((c) => c.category_id);
      const watch = chainAlert ? [] : significant.filter((c) => !confirmed.includes(c)).map((c) => ({ category_id: c.category_id, direction: direction(c) }));
      const paid = reforecastPayoff(forecasts, actuals, week);
      const scopeText = replanCategories === null ? 'every category' : replanCategories.join(', ');
      if (alert) {
        const action = reforecast
          ? chainAlert
            ? 're-forecast the remaining weeks'
            : `re-forecast the remaining weeks of ${scopeText}`
          : 'none: the season ends this week';
        emit('variance_alert', {
          week,
          threshold,
          variance: total === null ? null : roundTo(total, 5),
          actual,
          forecast,
          categories: confirmed.map((c) => ({ category_id: c.category_id, actual: c.actual, forecast: c.forecast, variance: c.variance, z: c.z })),
          action,
          chain_alert: chainAlert,
          band_level: BAND_LEVEL,
          replan_categories: replanCategories,
          reforecast_paid: paid,
          // The specification's names for the same facts (percent, a direction, a flag and a sentence).
          week_number: week,
          variance_percentage: total === null ? null : round2(total * 100),
          variance_direction: actual >= forecast ? 'over' : 'under',
          reforecast_triggered: reforecast,
          message:
            `Week ${week}: ${explain.units(actual)} sold against ${explain.units(forecast)} forecast (${asPercent(total)}${chainAlert ? `, beyond ±${explain.percent(threshold)}` : `, within ±${explain.percent(threshold)}`}` +
            `${confirmed.length > 0 ? `; ${confirmed.map((c) => `${c.category_id} ${asPercent(c.variance)}`).join(', ')} beyond it and outside ${confirmed.length === 1 ? 'its' : 'their'} ${explain.percent(BAND_LEVEL)} band a second week` : ''}); ${action}.`,
        });
      }
      const shown = [...beyond].sort((a, b) => Math.abs(b.variance ?? Infinity) - Math.abs(a.variance ?? Infinity)).slice(0, LISTED);
      const detail =
        byCategory.length <= LISTED
          ? byCategory.map((c) => `${c.category_id} ${asPercent(c.variance)}`).join(', ')
          : `${beyond.length} of ${byCategory.length} categories beyond ±${explain.percent(threshold)}${shown.length > 0 ? `: ${shown.map((c) => `${c.category_id} ${asPercent(c.variance)}`).join(', ')}${beyond.length > LISTED ? ', …' : ''}` : ''}`;
      const noise = beyond.filter((c) => !significant.includes(c));
      const markdownNote = lift !== 1 ? ` (forecast lifted ×${lift.toFixed(2)} for the ${explain.percent(input.markdown)} markdown in force)` : '';
      const noiseNote =
        noise.length > 0
          ? ` ${noise.length} categor${noise.length === 1 ? 'y' : 'ies'} beyond it but within ${noise.length === 1 ? 'its' : 'their'} ${explain.percent(BAND_LEVEL)} band or under ${explain.percent(MATERIAL_SHARE)} of the week: noise, not re-planned.`
          : '';
      const watchNote =
        watch.length > 0
          ? ` ${watch.map((w) => w.category_id).join(', ')} off plan for a first week (beyond the threshold and outside ${watch.length === 1 ? 'its' : 'their'} band): watched, re-forecast if next week agrees.`
          : '';
      const paidNote =
        paid && paid.error !== null && paid.previous_error !== null
          ? ` Revision ${paid.revision}${paid.categories ? ` (${paid.categories.join(', ')})` : ''} on week${paid.weeks.length === 1 ? ` ${week}` : `s ${paid.weeks[0]}–${week}`}: error ${explain.percent(paid.error)} against ${explain.percent(paid.previous_error)} for revision ${paid.previous_revision} (${paid.paid ? 'the re-forecast paid' : 'the re-forecast did not pay'}).`
          : '';
      const coverageNote =
        coverage < 1
          ? ` The posted series carry ${explain.percent(coverage)} of the week's forecast${chainJudged ? '' : `, under the ${explain.percent(CHAIN_COVERAGE)} the chain is judged on: categories are judged on their own`}.`
          : '';
      const soldOutNote =
        soldOut.size > 0
          ? ` ${soldOut.size} store${soldOut.size === 1 ? '' : 's'} sold out and ${soldOut.size === 1 ? 'is' : 'are'} left out of the comparison.`
          : '';
      return {
        week,
        actual,
        forecast,
        variance: total === null ? null : roundTo(total, 5),
        by_category: byCategory,
        threshold,
        alert,
        reforecast,
        forecast_revision: plan.revision,
        watch,
        replan_categories: reforecast ? replanCategories : null,
        reforecast_paid: paid,
        sold_out_stores: soldOut.size,
        coverage,
        explanation:
          (byCategory.length === 0
            ? `Week ${week}: every store has sold out; sales no longer show demand.`
            : `Week ${week}: ${explain.units(actual)} sold against ${explain.units(forecast)} forecast${markdownNote} (${asPercent(total)}; ${detail}).`) +
          `${coverageNote}${soldOutNote}${noiseNote}${watchNote}${paidNote} ` +
          (alert
            ? `${chainAlert ? `The chain is beyond the ±${explain.percent(threshold)} threshold` : `${scopeText} beyond the ±${explain.percent(threshold)} threshold and outside ${confirmed.length === 1 ? 'its' : 'their'} ${explain.percent(BAND_LEVEL)} band two weeks running`}: ${reforecast ? `re-forecasting the remaining weeks of ${scopeText}` : 'no weeks left to re-plan'}.`
            : `No alert: the plan stands.`),
      };
    },
  });
}
