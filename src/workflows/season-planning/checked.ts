/**
 * Checked reads of what season planning stored: a plan body or a phase's result is parsed by its
 * contract where it is read, and a mismatch fails with the run, the plan kind (or phase) and the
 * path that is wrong, instead of travelling on as a cast until something reads `undefined`.
 */
import type { z } from 'zod';
import { isSkipped } from '../../engine/contracts.js';
import { BatonError } from '../../errors/index.js';
import { issuesOf } from '../../errors/zod-issues.js';
import { PHASE_RESULTS, PLAN_BODIES, type PhaseResult, type PlanBody, type PlanKind, type SeasonPhase } from './contracts.js';

/** What a read needs of a stored plan (a `PlanRecord`). */
interface StoredPlan {
  runId: string;
  kind: string;
  revision: number;
  body: unknown;
}

type Reader<T> = (value: unknown, what: string, details: Record<string, unknown>) => T;

const reader =
  <S extends z.ZodType>(schema: S): Reader<z.output<S>> =>
  (value, what, details) => {
    const result = schema.safeParse(value);
    if (result.success) return result.data;
    const issues = issuesOf(result.error);
    throw new BatonError('INTERNAL_ERROR', `${what} does not match its contract: ${issues.map((i) => `${i.path || '(root)'} ${i.message}`).join('; ')}`, {
      details: { ...details, issues },
      suggestions: ['the stored data was written by another version of season planning, or changed by hand: roll the run back to the phase that writes it'],
    });
  };

// One reader per plan kind and per phase, so each read is typed by its own contract.
const PLAN_READERS: { [K in PlanKind]: Reader<PlanBody<K>> } = {
  forecast: reader(PLAN_BODIES.forecast),
  allocation: reader(PLAN_BODIES.allocation),
  replenishment: reader(PLAN_BODIES.replenishment),
  markdown: reader(PLAN_BODIES.markdown),
  summary: reader(PLAN_BODIES.summary),
};
const RESULT_READERS: { [P in SeasonPhase]: Reader<PhaseResult<P>> } = {
  demand: reader(PHASE_RESULTS.demand),
  manufacturing_approval: reader(PHASE_RESULTS.manufacturing_approval),
  allocation: reader(PHASE_RESULTS.allocation),
  simulate_actuals: reader(PHASE_RESULTS.simulate_actuals),
  week_actuals: reader(PHASE_RESULTS.week_actuals),
  monitor: reader(PHASE_RESULTS.monitor),
  reforecast: reader(PHASE_RESULTS.reforecast),
  replenishment: reader(PHASE_RESULTS.replenishment),
  markdown_check: reader(PHASE_RESULTS.markdown_check),
  markdown_approval: reader(PHASE_RESULTS.markdown_approval),
  week_end: reader(PHASE_RESULTS.week_end),
  season_close: reader(PHASE_RESULTS.season_close),
};

/** The body of a stored plan of `kind`, checked. */
export function planBody<K extends PlanKind>(kind: K, plan: StoredPlan): PlanBody<K> {
  const read: Reader<PlanBody<K>> = PLAN_READERS[kind];
  return read(plan.body, `run "${plan.runId}" ${kind} plan revision ${plan.revision}`, { run_id: plan.runId, kind, revision: plan.revision });
}

/** The body of a stored plan of `kind` that may not exist yet (`latestPlan`, `firstPlan`). */
export const planBodyOrNone = <K extends PlanKind>(kind: K, plan: StoredPlan | undefined): PlanBody<K> | undefined =>
  plan === undefined ? undefined : planBody(kind, plan);

/** A phase's output (as the engine hands it to `next`, or as the run's results hold it), checked. */
export function phaseOutput<P extends SeasonPhase>(phase: P, output: unknown, runId?: string): PhaseResult<P> {
  const read: Reader<PhaseResult<P>> = RESULT_READERS[phase];
  return read(output, `${runId ? `run "${runId}" ` : ''}${phase} result`, { ...(runId ? { run_id: runId } : {}), phase });
}

/** A phase's latest result in a run's context, checked; undefined until the phase has run on this timeline, or when it was skipped. */
export function phaseResult<P extends SeasonPhase>(
  context: { runId: string; results: Readonly<Record<string, unknown>> },
  phase: P,
): PhaseResult<P> | undefined {
  const value = context.results[phase];
  return value === undefined || isSkipped(value) ? undefined : phaseOutput(phase, value, context.runId);
}
