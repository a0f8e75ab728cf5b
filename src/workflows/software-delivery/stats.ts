/** Per-project figures: runs by state, success rate, mean duration, and the states where runs fail, go back or are rolled back most. */
import type { AuditEntry } from './audit.js';
import type { DeliveryStatus } from './status.js';
import type { DeliveryState } from './states.js';

export interface StateCount {
  state: DeliveryState;
  count: number;
}

export interface ProjectStats {
  project: string;
  runs: number;
  /** Where each run stands now; sums to `runs`. */
  by_state: Partial<Record<DeliveryState, number>>;
  completed: number;
  failed: number;
  cancelled: number;
  in_progress: number;
  /** completed ÷ (completed + failed + cancelled); null before any run finished. */
  success_rate: number | null;
  /** Over completed runs, from start to COMPLETE. */
  mean_duration_ms: number | null;
  /** Entries into ERROR, by the state that failed, most first. */
  failures_by_state: StateCount[];
  /** Work sent back (failed tests, requested changes, retry requests), by the state that sent it, most first. */
  retries_by_state: StateCount[];
  /** Rollbacks, by the state the run was rolled back from. */
  rollbacks_by_state: StateCount[];
}

function countBy(entries: readonly AuditEntry[], key: (e: AuditEntry) => DeliveryState): StateCount[] {
  const counts = new Map<DeliveryState, number>();
  for (const e of entries) counts.set(key(e), (counts.get(key(e)) ?? 0) + 1);
  return [...counts].map(([state, count]) => ({ state, count })).sort((a, b) => b.count - a.count || a.state.localeCompare(b.state));
}

export function projectStatsOf(project: string, runs: readonly DeliveryStatus[], trails: readonly AuditEntry[][]): ProjectStats {
  const byState: Partial<Record<DeliveryState, number>> = {};
  for (const run of runs) byState[run.state] = (byState[run.state] ?? 0) + 1;
  const done = runs.filter((r) => r.state === 'COMPLETE');
  const failed = runs.filter((r) => r.state === 'ERROR').length;
  const cancelled = runs.filter((r) => r.run_state === 'cancelled' || r.run_state === 'rejected').length;
  const finished = done.length + failed + cancelled;
  const durations = done.flatMap((r) => (r.finished_at === null ? [] : [r.finished_at - r.created_at]));
  const entries = trails.flat();
  return {
    project,
    runs: runs.length,
    by_state: byState,
    completed: done.length,
    failed,
    cancelled,
    in_progress: runs.length - finished,
    success_rate: finished === 0 ? null : done.length / finished,
    mean_duration_ms: durations.length === 0 ? null : durations.reduce((a, b) => a + b, 0) / durations.length,
    failures_by_state: countBy(
      entries.filter((e) => e.move === 'error'),
      (e) => e.from_state,
    ),
    retries_by_state: countBy(
      entries.filter((e) => e.move === 'retry'),
      (e) => e.from_state,
    ),
    rollbacks_by_state: countBy(
      entries.filter((e) => e.move === 'rollback'),
      (e) => e.from_state,
    ),
  };
}
