// Posted weekly actuals on real SQLite and PostgreSQL: what the intake refuses, what it takes as stated, and how the ledger reads it.
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { Engine } from '../../../src/engine/index.js';
import type { BatonError } from '../../../src/errors/index.js';
import type { BatonStore } from '../../../src/store/index.js';
import type { ForecastPlan } from '../../../src/workflows/season-planning/agents/demand.js';
import type { MonitorOutput } from '../../../src/workflows/season-planning/agents/monitor.js';
import { postActuals, type WeeklyActuals } from '../../../src/workflows/season-planning/actuals-intake.js';
import { stockPosition, type AllocationPlanBody } from '../../../src/workflows/season-planning/ledger.js';
import { describeEachStore, type TestStore } from '../../support/stores.js';
import { completeOf, loadSmallChain, season, SEASON_PLANNING, seasonEngine } from './support.js';
import { seasonData } from '../../../src/workflows/season-planning/data/index.js';

type Row = WeeklyActuals['sales'][number];

describeEachStore('season planning: posted actuals', (kind) => {
  let t: TestStore;
  let store: BatonStore;
  let engine: Engine;
  const errors: unknown[] = [];
  beforeEach(async () => {
    t = await kind.create();
    store = t.store;
    errors.length = 0;
  });
  afterEach(async () => {
    await engine?.close();
    await t.dispose();
    expect(errors).toEqual([]);
  });

  /** A manual season waiting for week 1's actuals, with its forecast's series. */
  async function waitingForWeekOne(overrides: Parameters<typeof season>[1] = {}) {
    await loadSmallChain(store);
    engine = seasonEngine(store, errors);
    await engine.start();
    const run = await engine.startRun(
      SEASON_PLANNING,
      season(4, { actuals: 'manual', replenishment_strategy: 'none', dc_holdback_percentage: 0, ...overrides }),
    );
    const buy = await engine.settled(run.id);
    await engine.resolveWait(run.id, buy.waitingFor!.id, { action: 'accept' });
    const waiting = await engine.settled(run.id);
    expect(waiting.waitingFor).toMatchObject({ kind: 'actuals', data: { week: 1 } });
    const plan = (await seasonData(store).latestPlan(run.id, 'forecast'))!.body as ForecastPlan;
    const rows = (units: (storeId: string, categoryId: string) => number): Row[] =>
      plan.series.map((s) => ({ store_id: s.store_id, category_id: s.category_id, units_sold: units(s.store_id, s.category_id) }));
    return { runId: run.id, plan, rows };
  }

  const refusal = async (posting: Promise<unknown>): Promise<BatonError> => {
    const error = await posting.then(
      () => undefined,
      (e: unknown) => e as BatonError,
    );
    expect(error, 'the post was refused').toBeDefined();
    return error!;
  };

  it('refuses unknown stores and categories with 422 naming them and suggesting the close match, storing nothing', async () => {
    const { runId, rows } = await waitingForWeekOne();
    const all = rows(() => 5);
    const first = all[0]!;
    const mistyped = first.store_id.toLowerCase().replace(/0+(?=\d)/, '');
    const error = await refusal(
      postActuals(engine, seasonData(store), runId, {
        week: 1,
        sales: [...all.slice(1), { ...first, store_id: mistyped }, { store_id: 'ATLANTIS', category_id: 'C99', units_sold: 2 }],
      }),
    );
    expect(error.code).toBe('INVALID_PARAMETERS');
    expect(error.details).toMatchObject({ unknown_stores: [mistyped, 'ATLANTIS'], unknown_categories: ['C99'] });
    expect(error.message).toContain('ATLANTIS');
    expect(error.suggestions).toContain(`"${mistyped}": did you mean "${first.store_id}"?`);
    expect(await seasonData(store).listActuals(runId)).toEqual([]);
    expect((await engine.status(runId)).waitingFor).toMatchObject({ kind: 'actuals', data: { week: 1 } });
  });

  it('refuses a week in another measure (its total 10× the forecast or a twentieth), or one store’s, storing nothing, unless confirmed', async () => {
    const { runId, plan, rows } = await waitingForWeekOne();
    const forecastOf = (storeId: string, categoryId: string) => plan.series.find((s) => s.store_id === storeId && s.category_id === categoryId)!.forecast[0]!;
    // Money posted to a plan in units: every figure × the full price (50). Before, it alerted +4900% and the
    // re-forecast learnt money as units.
    const money = await refusal(postActuals(engine, seasonData(store), runId, { week: 1, sales: rows((st, c) => 50 * forecastOf(st, c)) }));
    expect(money.code).toBe('INVALID_PARAMETERS');
    expect(money.message).toMatch(/^week 1 looks like another measure or another file: its total [\d.]+ is 50× the forecast .* The plan counts units$/);
    expect(money.suggestions.join(' ')).toContain('"confirm_unusual": true');
    // A twentieth or less of the forecast: units posted to a plan in sales value (a fiftieth at 50), or the wrong file.
    const tiny = await refusal(postActuals(engine, seasonData(store), runId, { week: 1, sales: rows((st, c) => forecastOf(st, c) / 50) }));
    expect(tiny.details).toMatchObject({ ratio: 0.02 });
    // One store's file in money: the chain is 7× its forecast, but that store alone is 50×.
    const oneStore = plan.series[0]!.store_id;
    const storeOff = await refusal(
      postActuals(engine, seasonData(store), runId, { week: 1, sales: rows((st, c) => (st === oneStore ? 50 : 1) * forecastOf(st, c)) }),
    );
    expect(storeOff.details).toMatchObject({ stores: [{ store_id: oneStore, ratio: 50 }] });
    expect(await seasonData(store).listActuals(runId)).toEqual([]);
    expect((await engine.status(runId)).waitingFor).toMatchObject({ kind: 'actuals', data: { week: 1 } });
    // Twice the forecast is a good week, taken; so is anything the planner confirms.
    await postActuals(engine, seasonData(store), runId, { week: 1, sales: rows((st, c) => 2 * forecastOf(st, c)) });
    await engine.settled(runId);
    await postActuals(engine, seasonData(store), runId, { week: 2, sales: rows((st, c) => 30 * forecastOf(st, c)), confirm_unusual: true });
    expect((await engine.settled(runId)).waitingFor).toMatchObject({ kind: 'actuals', data: { week: 3 } });
    // A week of nothing (the stores closed) is no other measure: taken as posted.
    await postActuals(engine, seasonData(store), runId, { week: 3, sales: rows(() => 0) });
    expect((await engine.settled(runId)).waitingFor).toMatchObject({ kind: 'actuals', data: { week: 4 } });
  });

  it('holds a post that names its measure to the season’s: sales value to a season in units is refused, even at plausible figures', async () => {
    const { runId, plan, rows } = await waitingForWeekOne();
    const forecastOf = (storeId: string, categoryId: string) => plan.series.find((s) => s.store_id === storeId && s.category_id === categoryId)!.forecast[0]!;
    // Money at a price of 3 is within the 10× check: only the measure the file named tells it apart.
    const week = rows((st, c) => Math.round(3 * forecastOf(st, c)));
    const other = await refusal(postActuals(engine, seasonData(store), runId, { week: 1, sales: week, measure: 'sales_value' }));
    expect(other.code).toBe('INVALID_PARAMETERS');
    expect(other.message).toBe('this season is planned in units, and these figures are sales value (money)');
    expect(other.details).toMatchObject({ measure: 'sales_value', season_measure: 'units' });
    expect(await seasonData(store).listActuals(runId)).toEqual([]);
    // Units named as units are taken, as are figures that name no measure.
    await postActuals(engine, seasonData(store), runId, { week: 1, sales: rows((st, c) => Math.round(forecastOf(st, c))), measure: 'units' });
    expect((await engine.settled(runId)).waitingFor).toMatchObject({ kind: 'actuals', data: { week: 2 } });
  });

  it('refuses a week with planned series missing, listing them, unless it is posted as partial', async () => {
    const { runId, rows, plan } = await waitingForWeekOne();
    const all = rows(() => 5);
    const error = await refusal(postActuals(engine, seasonData(store), runId, { week: 1, sales: all.slice(2) }));
    expect(error.code).toBe('INVALID_PARAMETERS');
    expect(error.details).toMatchObject({
      missing: 2,
      planned: plan.series.length,
      missing_series: all.slice(0, 2).map((r) => `${r.store_id} × ${r.category_id}`),
    });
    expect(await seasonData(store).listActuals(runId)).toEqual([]);

    // Partial: the missing series are left out of the comparison rather than read as zero sales.
    const forecastOf = (r: Row) => plan.series.find((s) => s.store_id === r.store_id && s.category_id === r.category_id)!.forecast[0]!;
    const posted = all.slice(2).map((r) => ({ ...r, units_sold: Math.round(forecastOf(r)) }));
    const status = await postActuals(engine, seasonData(store), runId, { week: 1, sales: posted, partial: true });
    expect(status.state).not.toBe('failed');
    await engine.settled(runId);
    const [monitored] = completeOf(await engine.readEvents(runId), 'monitor') as unknown as MonitorOutput[];
    expect(monitored!.actual).toBe(posted.reduce((s, r) => s + r.units_sold, 0));
    expect(Math.abs(monitored!.variance!)).toBeLessThan(0.02);
    expect(monitored!.alert).toBe(false);
    expect(await seasonData(store).listActuals(runId)).toHaveLength(posted.length);
  });

  it('adds the series a partial week lacked as late rows with a later week, and never replaces what a week holds', async () => {
    const { runId, rows } = await waitingForWeekOne();
    const week1 = rows(() => 5);
    const [lateA, lateB] = week1.slice(0, 2);
    await postActuals(engine, seasonData(store), runId, { week: 1, sales: week1.slice(2), partial: true });
    await engine.settled(runId);
    const before = await stockPosition(seasonData(store), runId);
    expect(before.postedToDate).toBe(5 * (week1.length - 2));

    // Week 1 again with its missing rows: refused, saying where late rows go.
    const again = await refusal(postActuals(engine, seasonData(store), runId, { week: 1, sales: [lateA!, lateB!], partial: true }));
    expect(again.code).toBe('CONFLICT');
    expect(again.suggestions.join(' ')).toContain("week 1 was posted without 2 series: those (stores that reported late) go with week 2's post as late rows");
    // A late row of the current week, or of a series week 1 already holds, is refused and nothing is written.
    const late = [lateA!, lateB!].map((r) => ({ ...r, week: 1, units_sold: 7 }));
    const notEarlier = await refusal(postActuals(engine, seasonData(store), runId, { week: 2, sales: rows(() => 5), late: [{ ...late[0]!, week: 2 }] }));
    expect(notEarlier.code).toBe('INVALID_PARAMETERS');
    const taken = await refusal(postActuals(engine, seasonData(store), runId, { week: 2, sales: rows(() => 5), late: [...late, { ...week1[3]!, week: 1 }] }));
    expect(taken).toMatchObject({ code: 'CONFLICT', details: { already_posted: [`week 1 ${week1[3]!.store_id} × ${week1[3]!.category_id}`] } });
    const unknown = await refusal(
      postActuals(engine, seasonData(store), runId, { week: 2, sales: rows(() => 5), late: [{ ...late[0]!, store_id: 'ATLANTIS' }] }),
    );
    expect(unknown.message).toBe('the late rows name unknown store ATLANTIS');
    expect(await seasonData(store).listActuals(runId)).toHaveLength(week1.length - 2);

    // With week 2: the two late rows land in week 1, in the same transaction that takes week 2.
    await postActuals(engine, seasonData(store), runId, { week: 2, sales: rows(() => 5), late });
    await engine.settled(runId);
    const stored = await seasonData(store).listActuals(runId);
    expect(stored.filter((a) => a.seasonWeek === 1)).toHaveLength(week1.length);
    expect(stored.filter((a) => a.seasonWeek === 1 && a.unitsSold === 7)).toHaveLength(2);
    const after = await stockPosition(seasonData(store), runId);
    expect(after.postedToDate).toBe(before.postedToDate + 14 + 5 * week1.length);
    const resolution = (await engine.readEvents(runId)).filter((e) => e.type === 'wait_resolved').at(-1);
    expect(resolution?.payload, JSON.stringify(resolution?.payload)).toMatchObject({ resolution: { data: { week: 2, late: 2 } } });
    // Week 2 again (a retry after a lost answer): it was posted whole, so nothing is said of late rows.
    const retried = await refusal(postActuals(engine, seasonData(store), runId, { week: 2, sales: rows(() => 5) }));
    expect(retried.code).toBe('CONFLICT');
    expect(retried.suggestions.join(' ')).not.toContain('late rows');
    // The same late rows again, with week 3: week 1 now holds them.
    const twice = await refusal(postActuals(engine, seasonData(store), runId, { week: 3, sales: rows(() => 5), late }));
    expect(twice.code).toBe('CONFLICT');
    expect(await seasonData(store).listActuals(runId)).toHaveLength(2 * week1.length);
  });

  it('corrects figures an earlier week holds with a later week’s post: what reads the season sees them, the post records what they replaced', async () => {
    const { runId, rows, plan } = await waitingForWeekOne();
    const forecastOf = (storeId: string, categoryId: string) =>
      Math.round(plan.series.find((s) => s.store_id === storeId && s.category_id === categoryId)!.forecast[0]!);
    const week1 = rows(forecastOf);
    const [missing, mistyped] = week1;
    // Week 1 as the forecast, one series not yet reported and one typed with an extra digit.
    const typo = { ...mistyped!, units_sold: mistyped!.units_sold * 10 + 1 };
    await postActuals(engine, seasonData(store), runId, { week: 1, sales: [typo, ...week1.slice(2)], partial: true, confirm_unusual: true });
    await engine.settled(runId);
    const before = await stockPosition(seasonData(store), runId);
    const fix = { week: 1, store_id: typo.store_id, category_id: typo.category_id, units_sold: mistyped!.units_sold };
    const week2 = rows(forecastOf);

    // Refused, writing nothing: a correction of this week, of a figure week 1 does not hold (a late row), one listed twice.
    const current = await refusal(postActuals(engine, seasonData(store), runId, { week: 2, sales: week2, corrections: [{ ...fix, week: 2 }] }));
    expect(current.code).toBe('INVALID_PARAMETERS');
    expect(current.message).toBe(
      'corrections must be of weeks before week 2: this week\'s figures go in "sales": corrections.0.week week 2 is not before week 2',
    );
    const absent = await refusal(postActuals(engine, seasonData(store), runId, { week: 2, sales: week2, corrections: [{ ...missing!, week: 1 }] }));
    expect(absent.message).toBe('1 correction is of figures their week does not hold');
    expect(absent.suggestions).toEqual(['a series a week was posted without is added as a late row ("late"), not corrected']);
    const both = await refusal(
      postActuals(engine, seasonData(store), runId, { week: 2, sales: week2, late: [{ ...missing!, week: 1 }], corrections: [{ ...missing!, week: 1 }] }),
    );
    expect(both.code).toBe('INVALID_PARAMETERS');
    // A correction is judged as its week will stand: a thousandfold figure is another measure unless confirmed.
    const wild = await refusal(postActuals(engine, seasonData(store), runId, { week: 2, sales: week2, corrections: [{ ...fix, units_sold: 1e8 }] }));
    expect(wild.message).toMatch(/^week 1 /);
    expect((await seasonData(store).listActuals(runId)).filter((a) => a.seasonWeek === 1)).toHaveLength(week1.length - 1);

    // With week 2: the late series and the corrected figure land in week 1, in the transaction that takes week 2.
    await postActuals(engine, seasonData(store), runId, { week: 2, sales: week2, late: [{ ...missing!, week: 1 }], corrections: [fix] });
    await engine.settled(runId);
    const stored = await seasonData(store).listActuals(runId);
    expect(stored.find((a) => a.seasonWeek === 1 && a.storeId === fix.store_id && a.categoryId === fix.category_id)?.unitsSold).toBe(fix.units_sold);
    const after = await stockPosition(seasonData(store), runId);
    const sum = (list: readonly Row[]) => list.reduce((total, r) => total + r.units_sold, 0);
    expect(after.postedToDate).toBe(before.postedToDate - typo.units_sold + fix.units_sold + missing!.units_sold + sum(week2));
    const resolution = (await engine.readEvents(runId)).filter((e) => e.type === 'wait_resolved').at(-1);
    expect(resolution?.payload, JSON.stringify(resolution?.payload)).toMatchObject({
      resolution: {
        data: {
          week: 2,
          late: 1,
          corrected: 1,
          corrections: [{ week: 1, store_id: fix.store_id, category_id: fix.category_id, from: typo.units_sold, to: fix.units_sold }],
        },
      },
    });
  });

  it('judges the chain on a partial week only when its posted series carry half the week forecast', async () => {
    const { runId, rows, plan } = await waitingForWeekOne();
    const forecastOf = (r: Row, week: number) => plan.series.find((s) => s.store_id === r.store_id && s.category_id === r.category_id)!.forecast[week - 1]!;
    const weekForecast = (week: number) => plan.series.reduce((sum, s) => sum + s.forecast[week - 1]!, 0);
    // Two of 16 series at three times their forecast: far beyond the threshold, yet they say little about the chain.
    const few = rows(() => 0)
      .slice(0, 2)
      .map((r) => ({ ...r, units_sold: Math.round(3 * forecastOf(r, 1)) }));
    await postActuals(engine, seasonData(store), runId, { week: 1, sales: few, partial: true });
    await engine.settled(runId);
    const [first] = completeOf(await engine.readEvents(runId), 'monitor') as unknown as MonitorOutput[];
    expect(first!.variance!).toBeGreaterThan(1);
    const share = few.reduce((sum, r) => sum + forecastOf(r, 1), 0) / weekForecast(1);
    expect(first!.coverage).toBeCloseTo(share, 3);
    expect(first!.coverage).toBeLessThan(0.5);
    expect(first).toMatchObject({ alert: false, reforecast: false });
    expect(first!.explanation).toContain('under the 50% the chain is judged on');
    expect((await engine.readEvents(runId)).filter((e) => e.type === 'variance_alert')).toEqual([]);

    // All but two series at 60% over: they carry most of the week, so the chain alerts and is re-forecast.
    const most = rows(() => 0)
      .slice(2)
      .map((r) => ({ ...r, units_sold: Math.round(1.6 * forecastOf(r, 2)) }));
    await postActuals(engine, seasonData(store), runId, { week: 2, sales: most, partial: true });
    await engine.settled(runId);
    const second = (completeOf(await engine.readEvents(runId), 'monitor') as unknown as MonitorOutput[]).at(-1)!;
    expect(second.week).toBe(2);
    expect(second.coverage).toBeGreaterThan(0.5);
    expect(second.coverage).toBeLessThan(1);
    expect(second).toMatchObject({ alert: true, reforecast: true, replan_categories: null });
    expect((await engine.readEvents(runId)).filter((e) => e.type === 'variance_alert')).toHaveLength(1);
  });

  it('stores sales above the stock as posted, but the ledger caps them at what each store held and counts the rest as unmet demand', async () => {
    const { runId, rows } = await waitingForWeekOne();
    const allocation = (await seasonData(store).latestPlan(runId, 'allocation'))!.body as AllocationPlanBody;
    const [oversold] = Object.keys(allocation.store_units);
    const held = allocation.store_units[oversold!]!;
    const categories = rows(() => 0).filter((r) => r.store_id === oversold).length;
    // The oversold store posts twice its whole allocation in week 1, spread over its categories.
    const perCategory = Math.ceil((2 * held) / categories);
    const week1 = rows((storeId) => (storeId === oversold ? perCategory : 1));
    await postActuals(engine, seasonData(store), runId, { week: 1, sales: week1 });
    await engine.settled(runId);
    const stored = (await seasonData(store).listActuals(runId)).filter((a) => a.storeId === oversold);
    expect(stored.every((a) => a.unitsSold === perCategory)).toBe(true);
    const position = await stockPosition(seasonData(store), runId);
    const p = position.stores.get(oversold!)!;
    expect(p).toMatchObject({ received: held, sold: held, onHand: 0, unmet: perCategory * categories - held });
    expect(position.unmetByWeek.get(1)).toBe(perCategory * categories - held);
    expect(position.postedToDate).toBe(week1.reduce((s, r) => s + r.units_sold, 0));

    // A return (negative week) goes back on the shelf, up to what the store sold.
    const week2 = rows((storeId, categoryId) => (storeId === oversold && categoryId === week1.find((r) => r.store_id === oversold)!.category_id ? -3 : 0));
    await postActuals(engine, seasonData(store), runId, { week: 2, sales: week2 });
    await engine.settled(runId);
    const after = (await stockPosition(seasonData(store), runId)).stores.get(oversold!)!;
    expect(after).toMatchObject({ sold: held - 3, onHand: 3 });

    for (const week of [3, 4]) {
      await postActuals(engine, seasonData(store), runId, { week, sales: rows(() => 0) });
      await engine.settled(runId);
    }
    const done = await engine.settled(runId);
    expect(done.state).toBe('completed');
    const [close] = completeOf(await engine.readEvents(runId), 'season_close');
    expect(close).toMatchObject({ unmet_demand: perCategory * categories - held });
    expect(close!.units_sold as number).toBeLessThanOrEqual(allocation.approved_quantity);
    expect(close!.explanation).toContain('unmet demand');
  });

  it('takes returns of goods sold before the season, but refuses returns beyond season sales in a week that nets below zero (a mistyped sign)', async () => {
    const { runId, rows } = await waitingForWeekOne();
    const error = await refusal(postActuals(engine, seasonData(store), runId, { week: 1, sales: rows(() => -5) }));
    expect(error.code).toBe('INVALID_PARAMETERS');
    expect(error.message).toContain('week 1 would return more than it sold');
    expect((error.details.issues as { path: string }[])[0]!.path).toBe('sales.0.units_sold');
    expect(await seasonData(store).listActuals(runId)).toEqual([]);

    // Week 1 posted without one series, with one series returning what it sold before the season (Walmart's real
    // week 1 holds such rows): taken. A late row that would turn week 1 negative is refused; one that does not is taken.
    const [lateOne, returning, ...reported] = rows(() => 6);
    await postActuals(engine, seasonData(store), runId, { week: 1, sales: [{ ...returning!, units_sold: -3 }, ...reported], partial: true });
    await engine.settled(runId);
    const week2 = rows(() => 6);
    const lateRefused = await refusal(
      postActuals(engine, seasonData(store), runId, { week: 2, sales: week2, late: [{ week: 1, ...lateOne!, units_sold: -1000 }] }),
    );
    expect(lateRefused.message).toContain(`${lateOne!.store_id} × ${lateOne!.category_id} returns 1000 in week 1, more than it sold in the season`);
    await postActuals(engine, seasonData(store), runId, { week: 2, sales: week2, late: [{ week: 1, ...lateOne!, units_sold: -2 }] });
    expect((await engine.settled(runId)).waitingFor).toMatchObject({ kind: 'actuals', data: { week: 3 } });
  });

  it('refuses a repeated week once the run has moved on, keeping the first figures', async () => {
    const { runId, rows } = await waitingForWeekOne();
    await postActuals(engine, seasonData(store), runId, { week: 1, sales: rows(() => 4) });
    await engine.settled(runId);
    const error = await refusal(postActuals(engine, seasonData(store), runId, { week: 1, sales: rows(() => 40) }));
    expect(error.code).toBe('CONFLICT');
    expect(error.details).toMatchObject({ expected_week: 2, week: 1 });
    expect(new Set((await seasonData(store).listActuals(runId)).map((a) => a.unitsSold))).toEqual(new Set([4]));
  });
});
