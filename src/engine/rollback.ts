/**
 * Rollback: a run goes back to an earlier phase on a new timeline. The steps from where it first
 * reached that phase on are abandoned (kept, marked), its visits and completed phases are
 * recomputed from the steps that stand, and its workflow may write what the rollback means for
 * its own data, or refuse it, in the same transaction.
 */
import type { ActorRef } from '../actors/contracts.js';
import { ConflictError, InvalidTransitionError } from '../errors/index.js';
import type { NewStep, RunRecord } from '../store/types.js';
import type { CommitParts, EngineCore } from './core.js';
import { events, withoutAudit } from './events.js';
import { phaseIndexOrNull } from './navigation.js';
import { assertRunTransition } from './run-states.js';
import { abandonedBy, positionOf, timelineOf, type RollbackOutput } from './timeline.js';

/** What to commit to roll `run` back to `toPhase`; throws (and nothing is written) when the move or the workflow refuses it. */
export async function rollbackCommit(
  core: EngineCore,
  run: RunRecord,
  toPhase: string,
  reason: string,
  lease: { leaseOwner: string | null; leaseExpiresAt: number | null },
  actor?: ActorRef,
): Promise<CommitParts> {
  const workflow = core.workflow(run.workflow);
  if (run.state === 'running') {
    throw new ConflictError(`run "${run.id}" is running; cancel it or wait until it waits or ends`, { state: run.state });
  }
  // A run at a phase this version lacks (its definition changed) may go back to any phase the version has.
  const here = run.phase === null ? workflow.phases.length : (phaseIndexOrNull(workflow, run.phase) ?? workflow.phases.length);
  const earlier = workflow.phases.slice(0, here).map((p) => p.name);
  if (!earlier.includes(toPhase)) throw new InvalidTransitionError(run.phase ?? '(end)', toPhase, earlier, 'rollback');
  assertRunTransition(run.state, 'running');

  const timeline = timelineOf(await core.store.listSteps(run.id));
  const abandoned = abandonedBy(workflow, timeline.current, toPhase);
  const own = await workflow.rollback?.({ run, toPhase, abandoned });
  const { visits, completedPhases } = positionOf(timeline.current.slice(0, timeline.current.length - abandoned.length));
  const now = core.now();
  const number = timeline.number + 1;
  // The marker commits at the run's next version: with nothing to abandon, it abandons nothing.
  const output: RollbackOutput = { to: toPhase, abandonedFromVersion: abandoned[0]?.version ?? run.version + 1, reason };
  const marker: NewStep = {
    stepKey: `rollback#${number}`,
    phase: toPhase,
    visit: number,
    kind: 'rollback',
    agent: null,
    output,
    committedAt: now,
    agentRun: null,
  };
  return {
    step: marker,
    ...(own?.writes ? { writes: own.writes } : {}),
    patch: {
      state: 'running',
      phase: toPhase,
      visits,
      completedPhases,
      waitingFor: null,
      error: null,
      result: null,
      finishedAt: null,
      ...lease,
    },
    ...(run.waitingFor ? { closeWait: { id: run.waitingFor, status: 'cancelled' as const, resolution: { reason, ...(actor ? { by: actor } : {}) } } } : {}),
    events: [
      // The transition is the decision the audit lists (actor column); the state change names the actor too, for readers of the log.
      events.phaseTransition(run.phase ?? '(end)', toPhase, reason, { timeline: number, abandonedSteps: abandoned.map((s) => s.stepKey) }, actor),
      withoutAudit(events.runState(run.state, 'running', reason, actor)),
    ],
  };
}
