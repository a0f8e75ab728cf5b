/** Forecasting a batch of units (a series alone, or a group of series as one panel) into output rows; shared by the main thread and the workers. */
import { forecast, forecastPanel, type ForecastResult, type Method } from '../../forecasting/index.js';
import { addDays } from '../../workflows/season-planning/data/weeks.js';
import type { InputSeries } from './input.js';

/** What each input date marks: the last day of its week (week-ending data, as Walmart's) or the first. */
export type WeekDates = 'end' | 'start';

/** Series forecast together: one series alone, or every series of a group as a panel (pooled). */
export interface ForecastUnit {
  /** Positions of the unit's series in the input, so the output keeps the input order. */
  indices: number[];
  series: InputSeries[];
  pooled: boolean;
}

export interface BatchOptions {
  horizon: number;
  method: Method;
  weekDates: WeekDates;
}

export interface BatchJob extends BatchOptions {
  units: ForecastUnit[];
}

/** series_id, step, forecast, lo80, hi80, lo95, hi95 */
export type OutputRow = [string, number, number, number, number, number, number];

/** The last day the series' last value covers, for the library's calendar (Christmas and Easter); none without dates. */
function lastDayOf(series: InputSeries, weekDates: WeekDates): string | undefined {
  if (series.lastDate === undefined) return undefined;
  return weekDates === 'end' ? series.lastDate : addDays(series.lastDate, 6);
}

function rowsOf(id: string, result: ForecastResult): OutputRow[] {
  return result.forecast.map((value, i) => [id, i + 1, value, result.lo80[i]!, result.hi80[i]!, result.lo95[i]!, result.hi95[i]!]);
}

/** The output rows of each series of the unit, in the unit's order. */
export function forecastUnit(unit: ForecastUnit, options: BatchOptions): OutputRow[][] {
  const { horizon, method, weekDates } = options;
  if (!unit.pooled) {
    return unit.series.map((s) => rowsOf(s.id, forecast(s.values, { horizon, method, seasonPeriod: 52, lastDay: lastDayOf(s, weekDates) })));
  }
  // The series of a group end on the same week (input.ts pads them), so the first one's last day is the group's.
  const lastDay = unit.series[0] === undefined ? undefined : lastDayOf(unit.series[0], weekDates);
  const results = forecastPanel(
    unit.series.map((s) => ({ id: s.id, group: s.group ?? '', values: s.values.map((v) => (Number.isNaN(v) ? null : v)) })),
    { horizon, method, seasonPeriod: 52, lastDay },
  );
  return results.map((r) => rowsOf(r.id, r));
}

/** Units from the input: every group one panel (in the order groups first appear), every other series alone. */
export function unitsOf(series: readonly InputSeries[]): ForecastUnit[] {
  const units: ForecastUnit[] = [];
  const groups = new Map<string, ForecastUnit>();
  series.forEach((s, i) => {
    if (s.group === undefined) {
      units.push({ indices: [i], series: [s], pooled: false });
      return;
    }
    let unit = groups.get(s.group);
    if (unit === undefined) {
      unit = { indices: [], series: [], pooled: true };
      groups.set(s.group, unit);
      units.push(unit);
    }
    unit.indices.push(i);
    unit.series.push(s);
  });
  return units;
}
