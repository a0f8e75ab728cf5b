/**
 * What a rollback means for software delivery: its states roll back (a role state is worked again
 * from its first phase, the work after it abandoned), its rounds do not (WorkflowContext.round). It
 * keeps no data of its own beyond the engine's steps and events, so the hook only refuses what the
 * delivery service refuses, whichever route asks; the audit marks what a rollback abandoned.
 */
import { z } from 'zod';
import type { RollbackHook } from '../../engine/index.js';
import { InvalidTransitionError } from '../../errors/index.js';
import type { EventRecord } from '../../store/index.js';
import type { AuditEntry } from './audit.js';
import { DeliveryState } from './contracts.js';
import { firstPhaseOf, stateOfPhase } from './phases.js';
import { orderOf, rollbackTargets } from './states.js';

const ErrorRecord = z.object({ failed_state: DeliveryState });

/**
 * Refuses a rollback the delivery service would refuse, so that the engine's own rollback route
 * (POST /api/runs/{id}/rollback) and /api/delivery agree: a delivered change (COMPLETE) is not
 * rolled back, and a run goes back only to the first phase of a role state behind it (or, from
 * ERROR, the state that failed), never into a handoff or a role's second phase.
 */
export const deliveryRollback: RollbackHook = ({ run, toPhase, abandoned }) => {
  const from = run.phase === null ? 'COMPLETE' : stateOfPhase(run.phase);
  if (from === 'COMPLETE') throw new InvalidTransitionError('COMPLETE', toPhase, [], 'rollback');
  const failedAt = from === 'ERROR' ? ErrorRecord.safeParse(abandoned.findLast((s) => s.phase === 'ERROR')?.output).data?.failed_state : undefined;
  const allowed = rollbackTargets(from === 'ERROR' ? (failedAt ?? 'DISCOVERY') : from, from === 'ERROR').map(firstPhaseOf);
  if (!allowed.includes(toPhase)) throw new InvalidTransitionError(from, toPhase, allowed, 'rollback');
  return Promise.resolve(undefined);
};

export type MarkedAuditEntry = AuditEntry & { abandoned: boolean };

/**
 * The audit trail with every entry a later rollback abandoned marked (kept, as the engine keeps the
 * steps): a rollback to a state abandons the work from where the run first reached that state on
 * its timeline, as the engine does. Only rollbacks that started a timeline abandon anything (their
 * phase_transition carries it); the engine's retry of a failed phase and a cancellation do not.
 */
export function markAbandoned(trail: readonly AuditEntry[], events: readonly EventRecord[]): MarkedAuditEntry[] {
  const timelines = new Set(events.filter((e) => e.type === 'phase_transition' && typeof e.payload.timeline === 'number').map((e) => e.seq));
  const marked = trail.map((entry) => ({ ...entry, abandoned: false }));
  let standing: MarkedAuditEntry[] = [];
  for (const entry of marked) {
    if (entry.move !== 'rollback' && entry.move !== 'cancel') {
      standing.push(entry);
      continue;
    }
    if (!timelines.has(entry.seq)) continue;
    const first = standing.findIndex((s) => orderOf(s.from_state) >= orderOf(entry.to_state));
    if (first < 0) continue;
    for (const s of standing.slice(first)) s.abandoned = true;
    standing = standing.slice(0, first);
  }
  return marked;
}
