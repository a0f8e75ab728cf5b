/**
 * Making real series forecastable: weekly dates aligned with missing weeks marked, interior gaps filled
 * by interpolation, trailing missing weeks cut off (they are future, not history), negative values
 * (returns) kept but noted. Every change is reported as a sentence.
 */

export interface PreparedSeries {
  values: number[];
  notes: string[];
  /** True when forecasts and lower bounds are floored at zero: the history has no negative value, or the caller forecasts demand. */
  nonNegative: boolean;
  /**
   * Missing values cut from the end: the history stops that many periods before the input did, so a
   * forecast for the periods after the input is that many steps further ahead (forecastSeries adds them).
   */
  trailingMissing: number;
}

const DAY_MS = 86_400_000;

export interface DatedValue {
  date: string;
  value: number;
}

/**
 * Places dated observations on a regular grid of `stepDays` (7 for weekly), from the first date to the
 * last: a missing week becomes NaN, and several values in one week are summed (a week's sales). `firstDate`
 * is the date of the grid's first slot.
 * Dates must be ISO `YYYY-MM-DD`; the caller validates them.
 */
export function alignToGrid(points: readonly DatedValue[], stepDays = 7): { values: number[]; notes: string[]; firstDate?: string } {
  if (points.length === 0) return { values: [], notes: [] };
  const times = points.map((p) => Date.parse(`${p.date}T00:00:00Z`));
  const start = Math.min(...times);
  const slots = new Map<number, number>();
  let merged = 0;
  points.forEach((p, i) => {
    const slot = Math.round((times[i]! - start) / (stepDays * DAY_MS));
    if (slots.has(slot)) merged++;
    slots.set(slot, (slots.get(slot) ?? 0) + p.value);
  });
  const length = Math.max(...slots.keys()) + 1;
  const values = Array.from({ length }, (_, slot) => slots.get(slot) ?? Number.NaN);
  const notes: string[] = [];
  if (merged > 0) notes.push(`${merged} value(s) fell in a week that already had one and were added to it`);
  return { values, notes, firstDate: new Date(start).toISOString().slice(0, 10) };
}

/**
 * Fills NaN/null gaps: interior gaps linearly, leading ones dropped. Trailing ones are cut off, never
 * filled: carrying the last value forward made the last week of history a flat level for the months
 * between the history and a season bought ahead (Outerwear 30,671 units forecast against 7,659 sold).
 */
export function prepareSeries(raw: readonly (number | null | undefined)[], floorAtZero = false): PreparedSeries {
  const notes: string[] = [];
  const values = raw.map((v) => (typeof v === 'number' && Number.isFinite(v) ? v : Number.NaN));
  const first = values.findIndex((v) => !Number.isNaN(v));
  if (first < 0) {
    if (values.length > 0) notes.push('the series has no usable value');
    return { values: [], notes, nonNegative: true, trailingMissing: 0 };
  }
  if (first > 0) notes.push(`${first} leading missing value(s) dropped`);
  let end = values.length;
  while (Number.isNaN(values[end - 1]!)) end--;
  const trailingMissing = values.length - end;
  if (trailingMissing > 0)
    notes.push(
      `${trailingMissing} trailing missing value(s) are not history: forecast from the last observed period, ${trailingMissing} step(s) further ahead`,
    );
  const series = values.slice(first, end);
  let filled = 0;
  let lastKnown = 0;
  for (let t = 0; t < series.length; t++) {
    if (!Number.isNaN(series[t]!)) {
      lastKnown = t;
      continue;
    }
    let next = t + 1;
    while (next < series.length && Number.isNaN(series[next]!)) next++;
    // The series ends on an observed value, so every gap here has one on both sides.
    const from = series[lastKnown]!;
    const to = series[next]!;
    for (let u = t; u < next; u++) series[u] = from + ((to - from) * (u - lastKnown)) / (next - lastKnown);
    filled += next - t;
    t = next - 1;
  }
  if (filled > 0) notes.push(`${filled} missing value(s) filled by interpolation`);
  const negatives = series.filter((v) => v < 0).length;
  if (negatives > 0)
    notes.push(
      `${negatives} negative value(s) kept as returns; ${floorAtZero ? 'forecasts are floored at zero (demand)' : 'forecasts are not floored at zero'}`,
    );
  return { values: series, notes, nonNegative: floorAtZero || negatives === 0, trailingMissing };
}
