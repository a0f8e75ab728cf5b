/** What the read endpoints show of a run's plans: forecast, allocation (with clusters), variance, markdowns. */
import { BatonError } from '../../errors/index.js';
import type { SeasonData } from './data/index.js';
import { stockPosition } from './ledger.js';
import { round2, roundTo, sum } from './season.js';
import { planBody } from './checked.js';

const noPlan = (kind: string, runId: string): BatonError =>
  new BatonError('NOT_FOUND', `run "${runId}" has no ${kind} yet`, {
    details: { run_id: runId, kind },
    suggestions: ['check the run id, or wait until the run reaches that phase (GET /api/runs/{id})'],
  });

export async function forecastReport(data: SeasonData, runId: string) {
  const plans = await data.listPlans(runId, 'forecast');
  const latest = plans.at(-1);
  if (!latest) throw noPlan('forecast', runId);
  const plan = planBody('forecast', latest);
  return { run_id: runId, ...plan, revisions: plans.map((p) => ({ revision: p.revision, from_week: planBody('forecast', p).from_week })) };
}

export async function allocationReport(data: SeasonData, runId: string) {
  const record = await data.latestPlan(runId, 'allocation');
  if (!record) throw noPlan('allocation', runId);
  const plan = planBody('allocation', record);
  const position = await stockPosition(data, runId);
  // A season planned in money sums posted cents in binary floating point: shown to the cent (units stay whole).
  return {
    run_id: runId,
    approved_quantity: plan.approved_quantity,
    dc_units: plan.dc_units,
    dc_now: round2(position.dcUnits),
    stores: Object.entries(plan.store_units).map(([store_id, units]) => {
      const store = position.stores.get(store_id);
      return {
        store_id,
        cluster: plan.clusters[store_id] ?? 0,
        allocated: units,
        received: round2(store?.received ?? units),
        sold: round2(store?.sold ?? 0),
        on_hand: round2(store?.onHand ?? units),
        unmet: round2(store?.unmet ?? 0),
      };
    }),
    unmet_demand: round2(position.unmetToDate),
  };
}

export async function varianceReport(data: SeasonData, runId: string) {
  const [plans, actuals] = await Promise.all([data.listPlans(runId, 'forecast'), data.listActuals(runId)]);
  if (plans.length === 0) throw noPlan('forecast', runId);
  const weeks = [...new Set(actuals.map((a) => a.seasonWeek))].sort((a, b) => a - b);
  const forecasts = plans.map((p) => planBody('forecast', p));
  return {
    run_id: runId,
    weeks: weeks.map((week) => {
      // The forecast a week was judged against: the newest revision made before the week's actuals.
      const plan = forecasts.filter((p) => p.from_week <= week).at(-1) ?? forecasts[0]!;
      const posted = actuals.filter((a) => a.seasonWeek === week);
      // Against the forecast of the series the week holds: a partial week (the stores that reported) is not a fall
      // against the whole chain's forecast. Late rows, once posted, make it whole.
      const held = new Set(posted.map((a) => `${a.storeId}|${a.categoryId}`));
      const forecast = sum(plan.series.filter((s) => held.has(`${s.store_id}|${s.category_id}`)).map((s) => s.forecast[week - plan.from_week] ?? 0));
      // Money is posted to the cent and a sum of thousands of cents drifts (47859263.78000007): shown as posted.
      const actual = round2(sum(posted.map((a) => a.unitsSold)));
      return {
        week,
        actual,
        forecast: round2(forecast),
        variance: forecast > 0 ? roundTo((actual - forecast) / forecast, 5) : null,
        forecast_revision: plan.revision,
      };
    }),
  };
}

export async function markdownReport(data: SeasonData, runId: string) {
  const plans = await data.listPlans(runId, 'markdown');
  if (plans.length === 0) throw noPlan('markdown decision', runId);
  return { run_id: runId, decisions: plans.map((p) => ({ revision: p.revision, ...planBody('markdown', p) })) };
}
