/**
 * Weekly actuals posted to a run (`POST /api/runs/{id}/actuals`): checked against the week the run
 * waits for, then recorded in the same transaction that resolves the wait, fenced on the run's
 * version: of two posts of one week (on one node or two) exactly one is stored, and the other
 * gets 409 having written nothing. A repeated post after the run moved on is refused likewise.
 * Series an earlier week was posted without (stores that reported late) ride with a later week's post
 * as `late` rows, in the same transaction: they add to that week, never replace what it holds. A figure
 * an earlier week holds that was wrong rides likewise as a `correction`: it replaces that figure for what
 * reads the season from then on (stock, pace, variance, re-forecasts), while the comparison that week made
 * stays as it was; the post records each corrected figure with the one it replaced.
 */
import { z } from 'zod';
import type { Actor } from '../../actors/contracts.js';
import type { Engine, RunStatus } from '../../engine/index.js';
import { BatonError, ConflictError, InvalidParametersError } from '../../errors/index.js';
import type { SalesQuantity, SeasonActual, SeasonData } from './data/index.js';
import { ACTUALS_INTAKE, SEASON_PLANNING } from './workflow.js';
import { planBodyOrNone } from './checked.js';
import { refuseImplausibleWeek } from './actuals-plausibility.js';
import type { ForecastPlan } from './contracts.js';

/** Far above any store's week (a whole chain sells a few million units) and far below where arithmetic on it overflows. */
export const MAX_UNITS = 1e9;
/** A chain of thousands of stores × a hundred categories; the body limit bounds it too. */
export const MAX_ROWS = 200_000;

const id = z.string().min(1).max(200);
const unitsSold = z.number().finite().min(-MAX_UNITS, `must be at least -${MAX_UNITS}`).max(MAX_UNITS, `must be at most ${MAX_UNITS}`);

export const weeklyActuals = z.strictObject({
  week: z.number().int().min(1).max(52),
  sales: z
    .array(
      z.strictObject({
        store_id: id,
        category_id: id,
        units_sold: unitsSold,
      }),
    )
    .min(1, 'send at least one store and category')
    .max(MAX_ROWS, `send at most ${MAX_ROWS} rows a week`),
  measure: z
    .enum(['units', 'sales_value'])
    .optional()
    .describe(
      "what the figures count, when the sender knows (a CSV's Units or Weekly_Sales/sales_value column says so): refused if the season's history counts the other",
    ),
  partial: z
    .boolean()
    .optional()
    .describe("true to post a week without every planned store × category: the missing ones are left out of the week's comparison, never read as zero sales"),
  confirm_unusual: z
    .boolean()
    .optional()
    .describe('true to post a week 10× its forecast or more, or with sales a twentieth or less (refused otherwise as another measure or another file)'),
  late: z
    .array(z.strictObject({ week: z.number().int().min(1).max(52), store_id: id, category_id: id, units_sold: unitsSold }))
    .max(MAX_ROWS, `send at most ${MAX_ROWS} late rows`)
    .optional()
    .describe('sales of earlier weeks for series those weeks were posted without (stores that reported late): added to their week, which keeps its comparison'),
  corrections: z
    .array(z.strictObject({ week: z.number().int().min(1).max(52), store_id: id, category_id: id, units_sold: unitsSold }))
    .max(MAX_ROWS, `send at most ${MAX_ROWS} corrections`)
    .optional()
    .describe(
      'figures of earlier weeks that were posted wrong: each replaces the figure its week holds for what reads the season from now on (stock, pace, variance, re-forecasts); the comparison that week made stays as it was, and this post records the figures replaced',
    ),
});
export type WeeklyActuals = z.infer<typeof weeklyActuals>;

/** Takes a week's actuals into a run waiting for them; `actor` (who posted them) is recorded with the week. */
export async function postActuals(engine: Engine, data: SeasonData, runId: string, actuals: WeeklyActuals, actor?: Actor): Promise<RunStatus> {
  const run = await engine.status(runId);
  if (run.workflow !== SEASON_PLANNING) {
    throw new BatonError('INVALID_PARAMETERS', `run "${runId}" is a ${run.workflow} run: only season-planning runs take actuals`, {
      details: { run_id: runId, workflow: run.workflow },
    });
  }
  const waiting = run.waitingFor;
  if (run.state !== 'waiting' || waiting?.kind !== 'actuals') {
    throw new ConflictError(
      `run "${runId}" is not waiting for actuals (it is ${run.state}${run.phase ? ` at ${run.phase}` : ''})`,
      { run_id: runId, state: run.state, phase: run.phase },
      ['runs started with actuals: "simulated" make their own; otherwise wait until the run asks (its status shows waiting_for kind "actuals")'],
    );
  }
  const expected = (waiting.data as { week?: number } | null)?.week;
  if (expected !== actuals.week) {
    // An earlier week posted partial takes its missing series late, with the week the run waits for.
    const missing = expected !== undefined && actuals.week < expected ? await missingFrom(data, runId, actuals.week) : 0;
    throw new ConflictError(
      `run "${runId}" waits for the actuals of week ${expected}, not week ${actuals.week}`,
      { run_id: runId, expected_week: expected, week: actuals.week },
      [
        `send week ${expected}`,
        ...(missing > 0
          ? [
              `week ${actuals.week} was posted without ${missing} series: those (stores that reported late) go with week ${expected}'s post as late rows ("late"; baton runs post-actuals --late FILE)`,
            ]
          : []),
      ],
    );
  }
  // Read at most once: a post naming its measure is held to it, and the plausibility check below compares in it.
  let quantity: Promise<SalesQuantity> | undefined;
  const salesQuantity = () => (quantity ??= data.salesQuantity().then((q) => q ?? 'units'));
  if (actuals.measure !== undefined) refuseOtherMeasure(actuals.measure, await salesQuantity());
  refuseRepeatedSeries(
    actuals.week,
    actuals.sales.map((row, index) => ({ ...row, week: actuals.week, path: `sales.${index}` })),
  );
  const late = actuals.late ?? [];
  const corrections = actuals.corrections ?? [];
  // A series of an earlier week is late or corrected, once: together they would leave which figure counts to chance.
  refuseRepeatedSeries(actuals.week, [
    ...late.map((row, index) => ({ ...row, path: `late.${index}` })),
    ...corrections.map((row, index) => ({ ...row, path: `corrections.${index}` })),
  ]);
  const { missing, plan, forecast } = await checkAgainstPlan(data, runId, actuals);
  // What earlier weeks hold, read once for the checks of late rows, corrections and returns (thousands of rows a
  // week on Walmart); a post with none of them reads none.
  const needsPosted = late.length > 0 || corrections.length > 0 || actuals.sales.some((r) => r.units_sold < 0);
  const held = needsPosted ? await data.listActuals(runId) : [];
  if (late.length > 0) checkLate(held, actuals.week, late, plan);
  const replaced = corrections.length > 0 ? checkCorrections(held, actuals.week, corrections, plan) : [];
  // The corrected figures stand in for those they replace in every check below.
  const corrected = new Set(corrections.map((c) => figureKey(c.week, c.store_id, c.category_id)));
  const posted = held.filter((a) => !corrected.has(figureKey(a.seasonWeek, a.storeId, a.categoryId)));
  refuseNegativeWeeks(posted, [
    ...actuals.sales.map((row, index) => ({ ...row, week: actuals.week, path: `sales.${index}.units_sold` })),
    ...late.map((row, index) => ({ ...row, path: `late.${index}.units_sold` })),
    ...corrections.map((row, index) => ({ ...row, path: `corrections.${index}.units_sold` })),
  ]);
  if (actuals.confirm_unusual !== true) {
    const [markdown, measure, forecasts] = await Promise.all([
      data.latestPlan(runId, 'markdown'),
      salesQuantity(),
      corrections.length > 0 ? data.listPlans(runId, 'forecast') : [],
    ]);
    const check = (week: number, rows: readonly { store_id: string; category_id: string; units_sold: number }[], against = forecast) =>
      refuseImplausibleWeek({
        week,
        rows,
        forecast: against,
        markdown: planBodyOrNone('markdown', markdown),
        elasticity: (run.parameters as { price_elasticity?: number } | null)?.price_elasticity,
        quantity: measure,
      });
    check(actuals.week, actuals.sales);
    // A corrected week is judged whole, as it will stand, against the forecast it was compared with (a re-forecast
    // since, likely after the wrong figure, covers only the weeks after it).
    const revisions = forecasts.flatMap((record) => planBodyOrNone('forecast', record) ?? []);
    for (const week of new Set(corrections.map((c) => c.week))) {
      const covering = revisions.findLast((plan) => plan.from_week <= week);
      if (covering) check(week, weekAsCorrected(posted, corrections, week), covering);
    }
  }
  const writes = data.actualsWrites(
    runId,
    [...actuals.sales.map((s) => ({ ...s, week: actuals.week })), ...late, ...corrections].map((s) => ({
      storeId: s.store_id,
      categoryId: s.category_id,
      seasonWeek: s.week,
      unitsSold: s.units_sold,
    })),
    Date.now(),
  );
  const week = {
    week: actuals.week,
    ...(missing > 0 ? { partial: true, missing } : {}),
    ...(late.length > 0 ? { late: late.length } : {}),
    ...(replaced.length > 0 ? { corrected: replaced.length, corrections: replaced.slice(0, MAX_RECORDED_CORRECTIONS) } : {}),
  };
  return engine.resolveWait(runId, waiting.id, { data: week }, { intake: ACTUALS_INTAKE, writes, ...(actor ? { actor } : {}) });
}

/**
 * Figures in units posted to a season planned in money (or the reverse) would be compared with a forecast 10 to
 * 50 times off; the 10× check catches only the grosser cases, so a sender that names its measure is held to it.
 */
function refuseOtherMeasure(measure: SalesQuantity, planned: SalesQuantity): void {
  if (measure === planned) return;
  const words = { units: 'units', sales_value: 'sales value (money)' } as const;
  throw new BatonError('INVALID_PARAMETERS', `this season is planned in ${words[planned]}, and these figures are ${words[measure]}`, {
    details: { measure, season_measure: planned },
    suggestions: [`post the week in ${words[planned]}, as the sales history counts it (a CSV column ${planned === 'units' ? 'units_sold' : 'sales_value'})`],
  });
}

const LISTED = 10;
const seriesKey = (storeId: string, categoryId: string) => `${storeId} × ${categoryId}`;
/** A series' figure in one week. */
const figureKey = (week: number, storeId: string, categoryId: string) => `${week}|${seriesKey(storeId, categoryId)}`;
const listed = (items: readonly string[]) => `${items.slice(0, LISTED).join(', ')}${items.length > LISTED ? `, … (${items.length} in all)` : ''}`;
/** Ids as people mistype them: case, spaces, leading zeros ("s1" for "S001"). */
const loose = (id: string) =>
  id
    .trim()
    .toLowerCase()
    .replace(/(^|[^0-9])0+(?=[0-9])/g, '$1');

function closest(id: string, known: readonly string[]): string | undefined {
  const wanted = loose(id);
  return known.find((k) => loose(k) === wanted);
}

/**
 * Posted rows must be series the season planned: an unknown store or category is a mistake to
 * name, not a new series to take silently. A week without every planned series is refused unless
 * marked partial. Returns how many planned series a partial week leaves out.
 */
async function checkAgainstPlan(
  data: SeasonData,
  runId: string,
  actuals: WeeklyActuals,
): Promise<{ missing: number; plan: PlannedSeries; forecast: ForecastPlan }> {
  const forecast = planBodyOrNone('forecast', await data.latestPlan(runId, 'forecast'));
  if (!forecast) throw new ConflictError(`run "${runId}" has no forecast to take actuals against yet`, { run_id: runId });
  const plan = plannedSeries(forecast.series);
  refuseUnplanned(`week ${actuals.week}`, actuals.sales, plan);
  const missing = missingSeries(
    plan.planned,
    actuals.sales.map((r) => seriesKey(r.store_id, r.category_id)),
  );
  if (missing.length > 0 && actuals.partial !== true) {
    throw new BatonError(
      'INVALID_PARAMETERS',
      `week ${actuals.week} is missing ${missing.length} of the season's ${plan.planned.size} store × category series: ${listed(missing)}`,
      {
        details: { missing_series: missing.slice(0, 100), missing: missing.length, planned: plan.planned.size },
        suggestions: [
          'send every planned series (0 for a series that sold nothing)',
          'or post what you have as partial ("partial": true; baton runs post-actuals --partial): missing series are then left out of the comparison, not read as zero sales',
        ],
      },
    );
  }
  return { missing: missing.length, plan, forecast };
}

/** The season's planned series, and its stores and categories (sorted, for suggestions). */
interface PlannedSeries {
  planned: Set<string>;
  stores: string[];
  categories: string[];
}

function plannedSeries(series: readonly { store_id: string; category_id: string }[]): PlannedSeries {
  return {
    planned: new Set(series.map((s) => seriesKey(s.store_id, s.category_id))),
    stores: [...new Set(series.map((s) => s.store_id))].sort(),
    categories: [...new Set(series.map((s) => s.category_id))].sort(),
  };
}

/** Refuses rows naming a store, category or series the season did not plan, with the close matches. */
function refuseUnplanned(
  what: string,
  rows: readonly { store_id: string; category_id: string }[],
  { planned, stores, categories }: PlannedSeries,
  plural = false,
): void {
  const knownStores = new Set(stores);
  const knownCategories = new Set(categories);
  const unknownStores = [...new Set(rows.map((r) => r.store_id).filter((id) => !knownStores.has(id)))];
  const unknownCategories = [...new Set(rows.map((r) => r.category_id).filter((id) => !knownCategories.has(id)))];
  const unplanned = rows
    .filter((r) => knownStores.has(r.store_id) && knownCategories.has(r.category_id) && !planned.has(seriesKey(r.store_id, r.category_id)))
    .map((r) => seriesKey(r.store_id, r.category_id));
  if (unknownStores.length + unknownCategories.length + unplanned.length === 0) return;
  const guesses = [...unknownStores.map((id) => [id, closest(id, stores)]), ...unknownCategories.map((id) => [id, closest(id, categories)])].filter(
    ([, guess]) => guess !== undefined,
  );
  const problems = [
    unknownStores.length > 0 ? `unknown store${unknownStores.length === 1 ? '' : 's'} ${listed(unknownStores)}` : '',
    unknownCategories.length > 0 ? `unknown categor${unknownCategories.length === 1 ? 'y' : 'ies'} ${listed(unknownCategories)}` : '',
    unplanned.length > 0 ? `series this season did not plan: ${listed(unplanned)}` : '',
  ].filter(Boolean);
  throw new BatonError('INVALID_PARAMETERS', `${what} ${plural ? 'name' : 'names'} ${problems.join('; ')}`, {
    details: { unknown_stores: unknownStores.slice(0, 100), unknown_categories: unknownCategories.slice(0, 100), unplanned_series: unplanned.slice(0, 100) },
    suggestions: [
      ...guesses.map(([id, guess]) => `"${id}": did you mean "${guess}"?`),
      `this season's stores: ${listed(stores)}`,
      `this season's categories: ${listed(categories)}`,
    ],
  });
}

/**
 * Late rows must be of weeks before `week` and of series those weeks were posted without: a late row never
 * replaces a figure already taken (that week's comparison was made on it), so one that would is refused (409).
 */
function checkLate(postedRows: readonly SeasonActual[], week: number, late: NonNullable<WeeklyActuals['late']>, plan: PlannedSeries): void {
  refuseOutsideEarlierWeeks('late', late, week, plan, `late rows must be of weeks before week ${week}`);
  const posted = new Set(postedRows.map((a) => figureKey(a.seasonWeek, a.storeId, a.categoryId)));
  const taken = late
    .filter((r) => posted.has(figureKey(r.week, r.store_id, r.category_id)))
    .map((r) => `week ${r.week} ${seriesKey(r.store_id, r.category_id)}`);
  if (taken.length > 0) {
    throw new ConflictError(
      `${taken.length} late row${taken.length === 1 ? ' is' : 's are'} of series their week already holds: ${listed(taken)}`,
      { already_posted: taken.slice(0, 100) },
      ["late rows only add the series a week was posted without; a week's figures, once taken, are not replaced", 'leave those rows out and post again'],
    );
  }
}

/** Rows of earlier weeks riding with a post (late ones, corrections) must be of weeks before it and of planned series. */
function refuseOutsideEarlierWeeks(
  field: 'late' | 'corrections',
  rows: readonly { week: number; store_id: string; category_id: string }[],
  week: number,
  plan: PlannedSeries,
  message: string,
): void {
  const notEarlier = rows.flatMap((r, index) =>
    r.week >= week ? [{ path: `${field}.${index}.week`, message: `week ${r.week} is not before week ${week}` }] : [],
  );
  if (notEarlier.length > 0) throw new InvalidParametersError(message, notEarlier.slice(0, 20));
  refuseUnplanned(`the ${field === 'late' ? 'late rows' : 'corrections'}`, rows, plan, true);
}

/** The corrections a post records in full (with the figures they replaced); past this, their count. */
const MAX_RECORDED_CORRECTIONS = 100;

/**
 * Corrections must be of weeks before `week` and of figures those weeks hold: a series a week was posted without
 * is a late row, not a correction. Returns each correction with the figure it replaces.
 */
function checkCorrections(
  held: readonly SeasonActual[],
  week: number,
  corrections: NonNullable<WeeklyActuals['corrections']>,
  plan: PlannedSeries,
): { week: number; store_id: string; category_id: string; from: number; to: number }[] {
  refuseOutsideEarlierWeeks('corrections', corrections, week, plan, `corrections must be of weeks before week ${week}: this week's figures go in "sales"`);
  const figures = new Map(held.map((a) => [figureKey(a.seasonWeek, a.storeId, a.categoryId), a.unitsSold]));
  const replaced = corrections.map((r) => ({ ...r, from: figures.get(figureKey(r.week, r.store_id, r.category_id)) }));
  const absent = replaced.flatMap((r, index) =>
    r.from === undefined ? [{ path: `corrections.${index}`, message: `week ${r.week} holds no figure for ${seriesKey(r.store_id, r.category_id)}` }] : [],
  );
  if (absent.length > 0) {
    throw new BatonError('INVALID_PARAMETERS', `${absent.length} correction${absent.length === 1 ? ' is' : 's are'} of figures their week does not hold`, {
      details: { issues: absent.slice(0, 20) },
      suggestions: ['a series a week was posted without is added as a late row ("late"), not corrected'],
    });
  }
  return replaced.map(({ week: w, store_id, category_id, from, units_sold }) => ({ week: w, store_id, category_id, from: from ?? 0, to: units_sold }));
}

/** A week's rows as they will stand once corrected: its other figures as held, the corrected ones as sent. */
function weekAsCorrected(
  posted: readonly SeasonActual[],
  corrections: NonNullable<WeeklyActuals['corrections']>,
  week: number,
): { store_id: string; category_id: string; units_sold: number }[] {
  return [
    ...posted.filter((a) => a.seasonWeek === week).map((a) => ({ store_id: a.storeId, category_id: a.categoryId, units_sold: a.unitsSold })),
    ...corrections.filter((c) => c.week === week),
  ];
}

/** How many planned series a posted week lacks (0 for a week posted whole). */
async function missingFrom(data: SeasonData, runId: string, week: number): Promise<number> {
  const [forecast, actuals] = await Promise.all([data.latestPlan(runId, 'forecast'), data.listActuals(runId)]);
  const planned = plannedSeries(planBodyOrNone('forecast', forecast)?.series ?? []).planned;
  return missingSeries(
    planned,
    actuals.filter((a) => a.seasonWeek === week).map((a) => seriesKey(a.storeId, a.categoryId)),
  ).length;
}

/** The planned series (`seriesKey`s) a week's posted rows leave out. */
function missingSeries(planned: ReadonlySet<string>, posted: readonly string[]): string[] {
  const present = new Set(posted);
  return [...planned].filter((key) => !present.has(key));
}

/** One figure per store × category and week: two would leave which one counts to chance. */
function refuseRepeatedSeries(week: number, rows: readonly { week: number; store_id: string; category_id: string; path: string }[]): void {
  const seen = new Map<string, string>();
  const repeated: { path: string; message: string }[] = [];
  for (const row of rows) {
    const key = JSON.stringify([row.week, row.store_id, row.category_id]);
    const first = seen.get(key);
    if (first === undefined) seen.set(key, row.path);
    else if (repeated.length < 20) repeated.push({ path: row.path, message: `store ${row.store_id} × category ${row.category_id} is already at ${first}` });
  }
  if (repeated.length > 0) throw new InvalidParametersError(`week ${week}'s post lists a store and category more than once`, repeated);
}

/** Within half a cent: figures in money are rounded to cents, and a sum of them is not exact. */
const RETURNS_EPSILON = 0.005;

/**
 * A negative figure is returns. A series may return goods sold before the season (Walmart's real week 1 holds such
 * rows), and a quiet week may be a store's returns alone, so neither a row beyond its series' season sales nor a
 * week netting below zero is wrong by itself. Both at once are a mistyped sign: "-5" on every row read as a collapse
 * and cut the re-forecast by 30%. Earlier weeks count with what they already hold.
 */
function refuseNegativeWeeks(
  posted: readonly SeasonActual[],
  rows: readonly { week: number; store_id: string; category_id: string; units_sold: number; path: string }[],
): void {
  const negative = rows.filter((r) => r.units_sold < 0);
  if (negative.length === 0) return;
  const weekTotals = new Map<number, number>();
  const seriesFigures = new Map<string, { week: number; units: number }[]>();
  const add = (week: number, key: string, units: number) => {
    weekTotals.set(week, (weekTotals.get(week) ?? 0) + units);
    const list = seriesFigures.get(key) ?? [];
    list.push({ week, units });
    seriesFigures.set(key, list);
  };
  for (const a of posted) add(a.seasonWeek, seriesKey(a.storeId, a.categoryId), a.unitsSold);
  for (const r of rows) add(r.week, seriesKey(r.store_id, r.category_id), r.units_sold);
  const issues = negative.flatMap((row) => {
    const key = seriesKey(row.store_id, row.category_id);
    const weekTotal = weekTotals.get(row.week) ?? 0;
    const soldThrough = (seriesFigures.get(key) ?? []).filter((f) => f.week <= row.week).reduce((sum, f) => sum + f.units, 0);
    if (weekTotal >= -RETURNS_EPSILON || soldThrough >= -RETURNS_EPSILON) return [];
    const net = Math.round(weekTotal * 100) / 100;
    return [{ path: row.path, message: `${key} returns ${-row.units_sold} in week ${row.week}, more than it sold in the season, and the week nets to ${net}` }];
  });
  if (issues.length === 0) return;
  const weeks = [...new Set(negative.filter((r) => (weekTotals.get(r.week) ?? 0) < -RETURNS_EPSILON).map((r) => r.week))].sort((a, b) => a - b);
  throw new InvalidParametersError(
    `week${weeks.length === 1 ? '' : 's'} ${weeks.join(', ')} would return more than ${weeks.length === 1 ? 'it sold' : 'they sold'}: check the sign of the negative figures`,
    issues.slice(0, 20),
  );
}
