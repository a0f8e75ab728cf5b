/** How the build panel writes its figures: commits shortened, percentages, dollars from cents, durations. */

export const short = (sha: string | null | undefined): string => (sha ? sha.slice(0, 8) : '—');

export const pct = (n: number | null | undefined): string => (typeof n === 'number' ? `${n.toFixed(1)}%` : '—');

export const dollars = (cents: number): string =>
  `${cents < 0 ? '−' : ''}$${(Math.abs(cents) / 100).toLocaleString('en', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;

/** A month's cost change: "+$13.14", "−$4.99", "no change", or "new" when nothing was deployed before. */
export const change = (cents: number, previous: number | null): string =>
  previous === null ? 'new' : cents === 0 ? 'no change' : `${cents > 0 ? '+' : ''}${dollars(cents)}`;

/** Seconds between two ISO times, or since the first while it runs (null: not started). */
export function duration(startedAt: string | null, endedAt: string | null, now: number): string | null {
  if (!startedAt) return null;
  const ms = (endedAt ? Date.parse(endedAt) : now) - Date.parse(startedAt);
  if (!Number.isFinite(ms) || ms < 0) return null;
  return ms < 10_000
    ? `${(ms / 1000).toFixed(1)} s`
    : ms < 120_000
      ? `${Math.round(ms / 1000)} s`
      : `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

export const label = (name: string): string => name.replaceAll('_', ' ');
