/**
 * The monitoring agent: a week's actuals against the forecast, per category and in all. Above the
 * threshold it raises a `variance_alert` and the run goes back to re-forecast what is left.
 */
import { z } from 'zod';
import { explainedBy } from '../narrator.js';
import { exceedsThreshold, relativeVariance } from '../../../allocation/index.js';
import { defineAgent } from '../../../engine/index.js';
import { DEFAULT_ELASTICITY, demandAt } from '../../../pricing/index.js';
import { AgentError } from '../../../errors/index.js';
import type { Store } from '../../../store/index.js';
import { explain } from '../explain.js';
import { PlanParameters } from '../parameters.js';
import { stockPosition } from '../ledger.js';
import { round2 } from '../season.js';
import type { ForecastPlan } from './demand.js';

export const monitorInput = z.object({
  runId: z.string(),
  parameters: PlanParameters,
  week: z.number().int().min(1),
  /** A markdown in force (fraction off): the forecast, made at full price, is lifted by the price model before comparing. */
  markdown: z.number().min(0).lt(1).default(0),
  /** The week was posted without every series: compare only the series posted, never read the rest as zero. */
  partial: z.boolean().default(false),
});

const varianceLine = z.object({ category_id: z.string(), actual: z.number(), forecast: z.number(), variance: z.number().nullable() });

export const monitorOutput = z.object({
  week: z.number().int(),
  actual: z.number(),
  forecast: z.number(),
  variance: z.number().nullable(),
  by_category: z.array(varianceLine),
  threshold: z.number(),
  alert: z.boolean(),
  reforecast: z.boolean(),
  forecast_revision: z.number().int(),
  sold_out_stores: z.number().int(),
  explanation: z.string(),
  explained_by: explainedBy,
});
export type MonitorOutput = z.infer<typeof monitorOutput>;

/**
 * A category whose forecast is under this share of the week's total is reported but does not
 * trigger a re-forecast on its own: with 81 Walmart departments, a 38-unit department swinging
 * by 28% re-planned the whole season every week.
 */
export const MATERIAL_SHARE = 0.02;
/** Categories named in an explanation; the rest are summarised. */
const LISTED = 5;

const asPercent = (v: number | null) => (v === null ? 'sales against a zero forecast' : `${v >= 0 ? '+' : ''}${explain.percent(v)}`);

export function monitorAgent(store: Store) {
  return defineAgent({
    name: 'monitor',
    description: "Compares the week's actual sales with the forecast and raises a variance alert above the threshold.",
    input: monitorInput,
    output: monitorOutput,
    run: async ({ input, emit }) => {
      const { parameters, week, runId } = input;
      const [record, actuals, position] = await Promise.all([store.retail.latestPlan(runId, 'forecast'), store.retail.listActuals(runId), stockPosition(store, runId)]);
      if (!record) throw new AgentError('no forecast to monitor against', { retryable: false });
      const plan = record.body as ForecastPlan;
      // A store that sold out shows what it had, not what shoppers wanted: its week says nothing
      // about the forecast, so it is left out (and counted) rather than read as a fall in demand.
      const soldOut = new Set([...position.stores].filter(([, p]) => p.onHand <= 0 && p.received > 0).map(([id]) => id));
      const postedThisWeek = new Set(actuals.filter((a) => a.seasonWeek === week).map((a) => `${a.storeId}\u0000${a.categoryId}`));
      const compared = (s: { store_id: string; category_id: string }) => !soldOut.has(s.store_id) && (!input.partial || postedThisWeek.has(`${s.store_id}\u0000${s.category_id}`));
      const forecastByCategory = new Map<string, number>();
      const lift = input.markdown > 0 ? demandAt(1, 1, 1 - input.markdown, parameters.price_elasticity ?? DEFAULT_ELASTICITY) : 1;
      for (const s of plan.series) {
        if (!compared(s)) continue;
        forecastByCategory.set(s.category_id, (forecastByCategory.get(s.category_id) ?? 0) + lift * (s.forecast[week - plan.from_week] ?? 0));
      }
      const actualByCategory = new Map<string, number>();
      for (const a of actuals) if (a.seasonWeek === week && !soldOut.has(a.storeId)) actualByCategory.set(a.categoryId, (actualByCategory.get(a.categoryId) ?? 0) + a.unitsSold);
      const categories = [...new Set([...forecastByCategory.keys(), ...actualByCategory.keys()])].sort();
      const byCategory = categories.map((category_id) => {
        const actual = actualByCategory.get(category_id) ?? 0;
        const forecast = round2(forecastByCategory.get(category_id) ?? 0);
        const v = relativeVariance(actual, forecast);
        return { category_id, actual, forecast, variance: v === null ? null : round2(v * 1000) / 1000 };
      });
      const actual = byCategory.reduce((s, c) => s + c.actual, 0);
      const forecast = round2(byCategory.reduce((s, c) => s + c.forecast, 0));
      const total = relativeVariance(actual, forecast);
      const threshold = parameters.variance_threshold;
      const material = (c: { forecast: number; actual: number }) => Math.max(c.forecast, c.actual) >= MATERIAL_SHARE * Math.max(forecast, actual);
      const beyond = byCategory.filter((c) => exceedsThreshold(c.variance, threshold));
      const outliers = beyond.filter(material);
      const alert = outliers.length > 0 || exceedsThreshold(total, threshold);
      const reforecast = alert && week < parameters.forecast_horizon_weeks;
      if (alert) {
        const action = reforecast ? 're-forecast the remaining weeks' : 'none: the season ends this week';
        emit('variance_alert', {
          week,
          threshold,
          variance: total,
          actual,
          forecast,
          categories: outliers.map((c) => ({ category_id: c.category_id, actual: c.actual, forecast: c.forecast, variance: c.variance })),
          action,
          // The specification's names for the same facts (percent, a direction, a flag and a sentence).
          week_number: week,
          variance_percentage: total === null ? null : round2(total * 100),
          variance_direction: actual >= forecast ? 'over' : 'under',
          reforecast_triggered: reforecast,
          message: `Week ${week}: ${explain.units(actual)} sold against ${explain.units(forecast)} forecast (${asPercent(total)}, beyond ±${explain.percent(threshold)}${outliers.length > 0 ? ` in ${outliers.map((c) => c.category_id).join(', ')}` : ''}); ${action}.`,
        });
      }
      const shown = [...beyond].sort((a, b) => Math.abs(b.variance ?? Infinity) - Math.abs(a.variance ?? Infinity)).slice(0, LISTED);
      const detail =
        byCategory.length <= LISTED
          ? byCategory.map((c) => `${c.category_id} ${asPercent(c.variance)}`).join(', ')
          : `${beyond.length} of ${byCategory.length} categories beyond ±${explain.percent(threshold)}${shown.length > 0 ? `: ${shown.map((c) => `${c.category_id} ${asPercent(c.variance)}`).join(', ')}${beyond.length > LISTED ? ', …' : ''}` : ''}`;
      const immaterial = beyond.length - outliers.length;
      const markdownNote = lift !== 1 ? ` (forecast lifted ×${lift.toFixed(2)} for the ${explain.percent(input.markdown)} markdown in force)` : '';
      const immaterialNote = immaterial > 0 ? ` ${immaterial} small categor${immaterial === 1 ? 'y' : 'ies'} (under ${explain.percent(MATERIAL_SHARE)} of the week) beyond it too, not enough to re-plan.` : '';
      const soldOutNote = soldOut.size > 0 ? ` ${soldOut.size} store${soldOut.size === 1 ? '' : 's'} sold out and ${soldOut.size === 1 ? 'is' : 'are'} left out of the comparison.` : '';
      return {
        week,
        actual,
        forecast,
        variance: total === null ? null : round2(total * 1000) / 1000,
        by_category: byCategory,
        threshold,
        alert,
        reforecast,
        forecast_revision: plan.revision,
        sold_out_stores: soldOut.size,
        explanation:
          (byCategory.length === 0 ? `Week ${week}: every store has sold out; sales no longer show demand.` : `Week ${week}: ${explain.units(actual)} sold against ${explain.units(forecast)} forecast${markdownNote} (${asPercent(total)}; ${detail}).`) +
          `${soldOutNote}${immaterialNote} ` +
          (alert
            ? `Beyond the ±${explain.percent(threshold)} threshold${outliers.length > 0 ? ` in ${outliers.map((c) => c.category_id).join(', ')}` : ''}: ${reforecast ? 're-forecasting the remaining weeks' : 'no weeks left to re-plan'}.`
            : `Within ±${explain.percent(threshold)}: the plan stands.`),
      };
    },
  });
}
