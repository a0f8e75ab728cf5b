/**
 * Weekly actuals posted to a run (`POST /api/runs/{id}/actuals`): checked against the week the run
 * waits for, then recorded in the same transaction that resolves the wait, fenced on the run's
 * version: of two posts of one week (on one node or two) exactly one is stored, and the other
 * gets 409 having written nothing. A repeated post after the run moved on is refused likewise.
 */
import { z } from 'zod';
import type { Engine, RunStatus } from '../../engine/index.js';
import { BatonError, ConflictError, InvalidParametersError } from '../../errors/index.js';
import type { Store } from '../../store/index.js';
import { ACTUALS_INTAKE, SEASON_PLANNING } from './workflow.js';

/** Far above any store's week (a whole chain sells a few million units) and far below where arithmetic on it overflows. */
const MAX_UNITS = 1e9;
/** A chain of thousands of stores × a hundred categories; the body limit bounds it too. */
const MAX_ROWS = 200_000;

const id = z.string().min(1).max(200);

export const weeklyActuals = z.object({
  week: z.number().int().min(1).max(52),
  sales: z
    .array(
      z.object({
        store_id: id,
        category_id: id,
        units_sold: z.number().finite().min(-MAX_UNITS, `must be at least -${MAX_UNITS}`).max(MAX_UNITS, `must be at most ${MAX_UNITS}`),
      }),
    )
    .min(1, 'send at least one store and category')
    .max(MAX_ROWS, `send at most ${MAX_ROWS} rows a week`),
});
export type WeeklyActuals = z.infer<typeof weeklyActuals>;

export async function postActuals(engine: Engine, store: Store, runId: string, actuals: WeeklyActuals): Promise<RunStatus> {
  const run = await engine.status(runId);
  if (run.workflow !== SEASON_PLANNING) {
    throw new BatonError('INVALID_PARAMETERS', `run "${runId}" is a ${run.workflow} run: only season-planning runs take actuals`, { details: { run_id: runId, workflow: run.workflow } });
  }
  const waiting = run.waitingFor;
  if (run.state !== 'waiting' || waiting?.kind !== 'actuals') {
    throw new ConflictError(`run "${runId}" is not waiting for actuals (it is ${run.state}${run.phase ? ` at ${run.phase}` : ''})`, { run_id: runId, state: run.state, phase: run.phase }, [
      'runs started with actuals: "simulated" make their own; otherwise wait until the run asks (its status shows waiting_for kind "actuals")',
    ]);
  }
  const expected = (waiting.data as { week?: number } | null)?.week;
  if (expected !== actuals.week) {
    throw new ConflictError(`run "${runId}" waits for the actuals of week ${expected}, not week ${actuals.week}`, { run_id: runId, expected_week: expected, week: actuals.week }, [
      `send week ${expected}`,
    ]);
  }
  refuseRepeatedSeries(actuals);
  const writes = store.retail.actualsWrites(
    runId,
    actuals.sales.map((s) => ({ storeId: s.store_id, categoryId: s.category_id, seasonWeek: actuals.week, unitsSold: s.units_sold })),
    Date.now(),
  );
  return engine.resolveWait(runId, waiting.id, { data: { week: actuals.week } }, { intake: ACTUALS_INTAKE, writes });
}

/** One figure per store × category and week: two would leave which one counts to chance. */
function refuseRepeatedSeries(actuals: WeeklyActuals): void {
  const seen = new Map<string, number>();
  const repeated: { path: string; message: string }[] = [];
  actuals.sales.forEach((row, index) => {
    const key = JSON.stringify([row.store_id, row.category_id]);
    const first = seen.get(key);
    if (first === undefined) seen.set(key, index);
    else if (repeated.length < 20) repeated.push({ path: `sales.${index}`, message: `store ${row.store_id} × category ${row.category_id} is already at sales.${first}` });
  });
  if (repeated.length > 0) throw new InvalidParametersError(`week ${actuals.week} lists a store and category more than once`, repeated);
}
