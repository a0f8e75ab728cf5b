/**
 * `forecastPanel`: forecasts many series that come in groups (the stores of one department or category),
 * pooling each group before forecasting. Series of a group are denoised together (pooling.ts), and the
 * ensemble's choice for short histories (last year's pattern or the non-seasonal combination) is made on
 * the evidence of the whole group rather than of one series' few weeks.
 */
import { z } from 'zod';
import { InvalidParametersError } from '../errors/index.js';
import { forecastSeries, type SeriesRun } from './forecast-series.js';
import { MIN_EVIDENCE_SEASON_SHARE, yearAgoBeatsNaive, yearAgoEvidence, yearAgoFor, type SeasonalChoice } from './methods.js';
import { lowRankReconstruction } from './pooling.js';
import { prepareSeries, type PreparedSeries } from './prepare.js';
import { forecastOptionsSchema, type ForecastResult } from './types.js';

export const panelSeriesSchema = z.object({
  id: z.string().min(1),
  /** Series sharing a group are pooled; a group of one is forecast on its own. */
  group: z.string(),
  /** One value per period, null for a missing one; every series ends at the same period (arrays are aligned at their end). */
  values: z.array(z.number().nullable()),
});
export type PanelSeries = z.input<typeof panelSeriesSchema>;

export const panelOptionsSchema = forecastOptionsSchema.extend({
  /** Dominant patterns kept per group; 0 turns pooling off. Capped at a quarter of the group's series. */
  rank: z.number().int().min(0).max(50).default(10),
});
export type PanelOptions = z.input<typeof panelOptionsSchema>;
type ResolvedPanelOptions = z.output<typeof panelOptionsSchema>;

export interface PanelForecastResult extends ForecastResult {
  id: string;
  group: string;
}

/** Pooling needs a few series to find a shared pattern; with fewer each one is forecast alone. */
const MIN_POOLED_SERIES = 3;
const SERIES_PER_PATTERN = 4;

function invalid(message: string, issues: { path: string; message: string }[]): InvalidParametersError {
  return new InvalidParametersError(message, issues);
}

function parse(series: readonly PanelSeries[], options: PanelOptions) {
  const parsedOptions = panelOptionsSchema.safeParse(options);
  if (!parsedOptions.success) {
    throw invalid(
      'invalid forecast options',
      parsedOptions.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
    );
  }
  const parsedSeries = z.array(panelSeriesSchema).safeParse(series);
  if (!parsedSeries.success) {
    throw invalid(
      'invalid panel series',
      parsedSeries.error.issues.slice(0, 10).map((i) => ({ path: i.path.join('.'), message: i.message })),
    );
  }
  const seen = new Set<string>();
  const duplicates = parsedSeries.data.filter((s) => seen.size === seen.add(s.id).size).map((s) => s.id);
  if (duplicates.length > 0) {
    throw invalid('invalid panel series', [{ path: 'id', message: `duplicate series id(s): ${[...new Set(duplicates)].slice(0, 5).join(', ')}` }]);
  }
  return { series: parsedSeries.data, options: parsedOptions.data };
}

/** The runs for one group: pooled over the last `window` periods for the series that cover them, alone for the rest. */
function groupRuns(prepared: readonly PreparedSeries[], options: ResolvedPanelOptions): SeriesRun[] {
  const runs: SeriesRun[] = prepared.map((p) => ({ values: p.values, notes: p.notes, nonNegative: p.nonNegative, trailingMissing: p.trailingMissing }));
  const lengths = prepared
    .filter((p) => p.trailingMissing === 0)
    .map((p) => p.values.length)
    .sort((a, b) => a - b);
  // The median length: at least half the group is pooled, and one long-lived series cannot shut the rest out.
  const window = lengths[(lengths.length - 1) >> 1] ?? 0;
  // Pooling lines the series up at their last period: one whose last weeks are missing ends earlier and is forecast alone.
  const pooled = prepared.map((p, i) => ({ p, i })).filter(({ p }) => window > 0 && p.trailingMissing === 0 && p.values.length >= window);
  const rank = Math.min(options.rank, Math.ceil(pooled.length / SERIES_PER_PATTERN));
  if (pooled.length < MIN_POOLED_SERIES || rank === 0 || window < 2) return runs;
  const recent = pooled.map(({ p }) => p.values.slice(p.values.length - window));
  const fit = lowRankReconstruction(recent, rank);
  pooled.forEach(({ p, i }, k) => {
    const smooth = fit.rows[k]!;
    let squares = 0;
    for (let t = 0; t < window; t++) squares += (recent[k]![t]! - smooth[t]!) ** 2;
    runs[i] = {
      values: [...p.values.slice(0, p.values.length - window), ...smooth],
      notes: [...p.notes, `pooled with ${pooled.length - 1} other series of its group over the last ${window} periods (${fit.rank} shared pattern(s))`],
      nonNegative: p.nonNegative,
      trailingMissing: 0,
      extraVariance: squares / window,
    };
  });
  if (options.method === 'ensemble') {
    const period = options.seasonPeriod;
    const total = { seasonalError: 0, naiveError: 0, weeks: 0 };
    for (const { i } of pooled) {
      const values = runs[i]!.values;
      const evidence = yearAgoEvidence(values, period, Math.min(options.horizon, period), yearAgoFor(values.length, period, options.lastDay));
      total.seasonalError += evidence.seasonalError;
      total.naiveError += evidence.naiveError;
      total.weeks += evidence.weeks;
    }
    // Grouping series is the caller saying they share a seasonal shape; with under half a season of year-over-year
    // evidence per series that is trusted (Walmart, 65 weeks of history: anchor 0.846 × seasonal naive, combination 1.6).
    const tooLittleEvidence = total.weeks < MIN_EVIDENCE_SEASON_SHARE * period * pooled.length;
    const choice: SeasonalChoice = tooLittleEvidence || yearAgoBeatsNaive(total, period) ? 'anchor' : 'per-series';
    for (const { i } of pooled) runs[i] = { ...runs[i]!, choice };
  }
  return runs;
}

/**
 * Forecasts every series; results come back in the input order, each with its id and group.
 * Throws INVALID_PARAMETERS for invalid options or series (duplicate ids, non-numbers); never for odd data.
 */
export function forecastPanel(series: readonly PanelSeries[], options: PanelOptions): PanelForecastResult[] {
  const steps = panelSteps(series, options);
  for (let step = steps.next(); ; step = steps.next()) if (step.done) return step.value;
}

/**
 * forecastPanel for a process that must keep answering while it forecasts (a worker renewing its leases, a server):
 * it gives the event loop a turn whenever `sliceMs` of forecasting have passed. A category of 300 series is ~1 s of
 * CPU in one piece otherwise, and a node forecasting several seasons stalled for longer than its lease.
 */
export async function forecastPanelInSlices(series: readonly PanelSeries[], options: PanelOptions, sliceMs = 50): Promise<PanelForecastResult[]> {
  const steps = panelSteps(series, options);
  let sliceStart = performance.now();
  for (let step = steps.next(); ; step = steps.next()) {
    if (step.done) return step.value;
    if (performance.now() - sliceStart >= sliceMs) {
      await new Promise((resolve) => setImmediate(resolve));
      sliceStart = performance.now();
    }
  }
}

/** The panel's work, pausable between one series and the next (and after a group's pooling). */
function* panelSteps(series: readonly PanelSeries[], options: PanelOptions): Generator<void, PanelForecastResult[]> {
  const parsed = parse(series, options);
  const groups = new Map<string, number[]>();
  parsed.series.forEach((s, i) => {
    const members = groups.get(s.group);
    if (members === undefined) groups.set(s.group, [i]);
    else members.push(i);
  });
  const results = new Array<PanelForecastResult | undefined>(parsed.series.length);
  for (const [group, members] of groups) {
    const runs = groupRuns(
      members.map((i) => prepareSeries(parsed.series[i]!.values, parsed.options.floorAtZero)),
      parsed.options,
    );
    yield;
    for (const [k, i] of members.entries()) {
      results[i] = { id: parsed.series[i]!.id, group, ...forecastSeries(runs[k]!, parsed.options) };
      yield;
    }
  }
  return results.map((r) => r!);
}
