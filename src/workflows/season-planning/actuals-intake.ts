/**
 * Weekly actuals posted to a run (`POST /api/runs/{id}/actuals`): checked against the week the run
 * waits for, recorded, and handed to the run, which then monitors them. A repeated post of the
 * same week after the run moved on is refused rather than counted twice.
 */
import { z } from 'zod';
import type { Engine, RunStatus } from '../../engine/index.js';
import { BatonError, ConflictError } from '../../errors/index.js';
import type { Store } from '../../store/index.js';
import { SEASON_PLANNING } from './workflow.js';

export const weeklyActuals = z.object({
  week: z.number().int().min(1).max(52),
  sales: z
    .array(z.object({ store_id: z.string().min(1), category_id: z.string().min(1), units_sold: z.number().finite() }))
    .min(1, 'send at least one store and category'),
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
  await store.retail.recordActuals(
    runId,
    actuals.sales.map((s) => ({ storeId: s.store_id, categoryId: s.category_id, seasonWeek: actuals.week, unitsSold: s.units_sold })),
    Date.now(),
  );
  return engine.resolveWait(runId, waiting.id, { data: { week: actuals.week } });
}
