/**
 * The audit's view of runs' logs: every event that names an actor (a decision), read across runs
 * from the store's decisions index and described in one shape (who, what, on which phase, why).
 */
import { ActorRef } from '../actors/contracts.js';
import type { DecisionCursor, DecisionRecord, RunStore } from '../store/types.js';
import { WaitResolution, type Decision, type DecisionAction } from './contracts.js';

export interface DecisionQuery {
  /** Only this actor's decisions. */
  actorId?: string;
  /** From this time on (included). */
  since?: Date | number;
  /** Before this time. */
  until?: Date | number;
  /** Strictly after this decision (a page's `next` cursor). */
  after?: DecisionCursor;
  /** At most this many, oldest first (default 100, at most 1000). */
  limit?: number;
}

export const DEFAULT_DECISIONS = 100;
export const MAX_DECISIONS = 1000;

const epoch = (time: Date | number | undefined): number | undefined => (time instanceof Date ? time.getTime() : time);
const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

export async function listDecisions(store: RunStore, query: DecisionQuery): Promise<Decision[]> {
  const since = epoch(query.since);
  const until = epoch(query.until);
  const records = await store.listDecisions({
    ...(query.actorId === undefined ? {} : { actorId: query.actorId }),
    ...(since === undefined ? {} : { since }),
    ...(until === undefined ? {} : { until }),
    ...(query.after === undefined ? {} : { after: query.after }),
    limit: Math.min(Math.max(1, Math.trunc(query.limit ?? DEFAULT_DECISIONS)), MAX_DECISIONS),
  });
  // A resolution's event names its wait, not the wait's phase: one read of the waits per run listed.
  const phaseOfWait = new Map<string, string>();
  const resolvedRuns = new Set(records.filter((r) => r.type.endsWith('_resolved')).map((r) => r.runId));
  for (const runId of resolvedRuns) for (const wait of await store.listWaits(runId)) phaseOfWait.set(wait.id, wait.phase);
  return records.map((record) => describe(record, phaseOfWait));
}

function describe(record: DecisionRecord, phaseOfWait: ReadonlyMap<string, string>): Decision {
  const p = record.payload;
  const resolution = WaitResolution.safeParse(p.resolution);
  const named = ActorRef.safeParse(p.actor ?? (resolution.success ? resolution.data.by : undefined));
  const waitId = text(p.approval_id) ?? text(p.wait_id);
  let action: DecisionAction | undefined;
  let phase: string | undefined;
  let role: string | undefined;
  let reason = text(p.reason);
  switch (record.type) {
    case 'run_created':
      action = 'start';
      break;
    case 'run_state':
      action = p.to === 'cancelled' ? 'cancel' : p.from === 'failed' && p.to === 'running' ? 'retry' : undefined;
      break;
    case 'phase_transition':
      action = 'rollback';
      phase = text(p.to_phase);
      break;
    case 'approval_vote':
      // A vote is an acceptance that a quorum counts; its event says which role it filled.
      action = 'accept';
      phase = text(p.phase);
      role = text(p.role);
      reason = text(p.comment);
      break;
    default:
      if (resolution.success) {
        const answer = resolution.data.action;
        action = answer === 'expired' ? undefined : answer;
        // A quorum's last approval filled a role too: the one its vote took.
        const { by, votes } = resolution.data;
        role = resolution.data.role ?? (by === undefined ? undefined : votes?.find((vote) => vote.actor.id === by.id)?.role);
        reason = resolution.data.comment;
      }
      phase = waitId === undefined ? undefined : phaseOfWait.get(waitId);
  }
  return {
    run_id: record.runId,
    workflow: record.workflow,
    seq: record.seq,
    type: record.type,
    at: new Date(record.at).toISOString(),
    // An event written with an actor id but no readable actor in its payload still says whose it was.
    actor: named.success ? named.data : { id: record.actorId, name: record.actorId, token_id: null },
    ...(phase === undefined ? {} : { phase }),
    ...(action === undefined ? {} : { action }),
    ...(waitId === undefined ? {} : { wait_id: waitId }),
    ...(role === undefined ? {} : { role }),
    ...(reason === undefined ? {} : { reason }),
  };
}
