/**
 * What runs wait for (approvals, submissions, signals): checking a resolution against the wait,
 * committing it and moving the run on, and closing waits whose deadline passed.
 */
import { z } from 'zod';
import { holdsRole, refOf, type Actor } from '../actors/contracts.js';
import { BatonError, ConflictError, IncompleteInputError, InvalidParametersError, NotFoundError, StaleRunError } from '../errors/index.js';
import { issuesOf } from '../errors/zod-issues.js';
import type { WaitVote } from '../store/contracts.js';
import type { DataWrite, RunRecord, WaitRecord } from '../store/types.js';
import { commitRun, RunMemory, type EngineCore } from './core.js';
import { events } from './events.js';
import { assignRoles } from './quorum.js';
import { advance, afterWait, phaseIndexOrNull, unknownPhaseError } from './navigation.js';
import { destinationEvents } from './run-driver.js';
import type { WaitPhase, WaitResolution, WorkflowDefinition } from './workflow.js';
import type { Lease, Worker } from './worker.js';

/** What a caller sends to resolve a wait; which fields matter depends on the wait's kind. */
export const resolutionInput = z.object({
  action: z.enum(['accept', 'modify', 'reject']).optional(),
  data: z.unknown().optional(),
  comment: z.string().max(10_000).optional(),
  role: z.string().optional(),
});
export type ResolutionInput = z.infer<typeof resolutionInput>;

export interface ResolveOptions {
  /** Who resolves it: checked against the wait's role and policy, and recorded. */
  actor?: Actor;
  /** The dedicated intake resolving the wait; a wait whose phase names an intake takes only that one. */
  intake?: string;
  /** The workflow's rows that come with the resolution, written in its transaction (none if it loses). */
  writes?: readonly DataWrite[];
}

export class Waits {
  constructor(
    private readonly core: EngineCore,
    /** Takes a run that goes on running: a slot for its write, then drives it (or leaves it for a claim). */
    private readonly worker: Pick<Worker, 'takeOn'>,
  ) {}

  /**
   * Resolves what a run waits for. Approvals take accept | modify (with data) | reject. A quorum's
   * approval is recorded as a vote until every role is filled. Each attempt is fenced on the run's
   * version: when another resolution or vote lands first, the wait is read again and checked again,
   * so two approvers at once both count, or the later one is told why it no longer can.
   */
  async resolve(runId: string, waitId: string, input: ResolutionInput, options: ResolveOptions = {}): Promise<RunRecord> {
    const parsedInput = resolutionInput.safeParse(input);
    if (!parsedInput.success) throw new InvalidParametersError('the resolution is invalid', issuesOf(parsedInput.error));
    for (let tries = 1; ; tries++) {
      try {
        return await this.resolveOnce(runId, waitId, parsedInput.data, options);
      } catch (error) {
        if (!(error instanceof StaleRunError) || tries >= 5) throw error;
      }
    }
  }

  private async resolveOnce(runId: string, waitId: string, input: ResolutionInput, options: ResolveOptions): Promise<RunRecord> {
    const run = await this.core.store.getRun(runId);
    if (!run) throw new NotFoundError('run', runId);
    const wait = await this.core.store.getWait(waitId);
    if (!wait || wait.runId !== run.id) throw new NotFoundError(wait?.kind ?? 'approval', waitId, ['list the run to see what it waits for']);
    if (wait.status !== 'pending' || run.state !== 'waiting' || run.waitingFor !== wait.id) {
      throw new ConflictError(`${wait.kind} "${waitId}" is not pending (it is ${wait.status}; the run is ${run.state})`, {
        wait_status: wait.status,
        run_state: run.state,
      });
    }
    const workflow = this.core.workflow(run.workflow);
    const phase = waitPhaseOf(workflow, wait.phase);
    if (!phase) throw unknownPhaseError(workflow, wait.phase);
    checkIntake(phase, wait, options.intake);
    const { actor } = options;
    checkRole(wait, input, actor);
    // A caller that names no actor (code embedding the engine; every route and the CLI name one) is trusted as before actors: no votes to count.
    const quorum = wait.kind === 'approval' && actor ? (wait.policy?.quorum ?? []) : [];
    if (quorum.length > 0 && actor) checkHoldsQuorumRole(wait, quorum, input, actor);
    if (actor) await this.checkPolicy(run, wait, actor);
    const resolution = checkResolution(phase, wait, input, actor);
    if (quorum.length > 0 && actor) return this.vote(run, phase, wait, quorum, resolution, input, actor, options.writes);
    return this.finish(run, phase, wait, resolution, 'resolved', options.writes);
  }

  /** The policy's refusals: the run's starter, and whoever resolved a named phase's latest wait (submitted the work). */
  private async checkPolicy(run: RunRecord, wait: WaitRecord, actor: Actor): Promise<void> {
    const policy = wait.policy;
    if (!policy) return;
    const refuse = (message: string, details: Record<string, unknown>) =>
      new BatonError('FORBIDDEN', message, { details: { wait_id: wait.id, actor: actor.id, ...details }, suggestions: ['ask someone else to decide'] });
    if (policy.not_starter && run.startedBy?.id === actor.id) {
      throw refuse(`${actor.name} started this run and may not resolve its ${wait.kind} of phase "${wait.phase}"`, { rule: 'not_starter' });
    }
    const phases = policy.not_submitter_of ?? [];
    if (phases.length === 0) return;
    const waits = await this.core.store.listWaits(run.id);
    for (const phase of phases) {
      const latest = waits.filter((w) => w.phase === phase && w.status === 'resolved').at(-1);
      if (resolverOf(latest)?.id === actor.id) {
        throw refuse(`${actor.name} submitted the work of phase "${phase}" and may not resolve the ${wait.kind} of phase "${wait.phase}"`, {
          rule: 'not_submitter_of',
          phase,
        });
      }
    }
  }

  /**
   * A quorum's approval: one vote per role, each from a different actor. A reject from an actor who
   * could fill a role still needed ends it at once; the vote that fills the last role resolves it.
   */
  private async vote(
    run: RunRecord,
    phase: WaitPhase,
    wait: WaitRecord,
    quorum: readonly string[],
    resolution: WaitResolution,
    input: ResolutionInput,
    actor: Actor,
    writes?: readonly DataWrite[],
  ): Promise<RunRecord> {
    if (resolution.action === 'modify' && quorum.length > 1) {
      throw new InvalidParametersError(`the ${wait.kind} of phase "${wait.phase}" needs ${quorum.length} approvals (${quorum.join(', ')})`, [
        { path: 'action', message: 'modify cannot be shared by a quorum: reject with a comment, or accept' },
      ]);
    }
    const votes = wait.votes;
    const needed = assignRoles(quorum, votes.map(voterOf)).remaining;
    const ref = refOf(actor);
    if (votes.some((v) => v.actor.id === actor.id)) {
      throw new ConflictError(
        `${actor.name} has already approved the ${wait.kind} of phase "${wait.phase}": a different actor is needed`,
        { wait_id: wait.id, actor: ref, roles_needed: needed },
        [`ask someone holding ${needed.join(' or ')}`],
      );
    }
    const holds = heldQuorumRoles(quorum, input, actor);
    const at = this.core.now();
    const said = resolution.comment === undefined ? {} : { comment: resolution.comment };
    const next = [...votes, { actor: ref, role: '', at, holds, ...said }];
    const { roles, remaining } = assignRoles(quorum, next.map(voterOf));
    if (holds.length === 0 || roles === undefined) throw quorumRefusal(wait, actor, input.role, needed);
    const placed: WaitVote[] = next.map((v, i) => ({ ...v, role: roles[i] as string }));
    // A reject ends the quorum at once: it says which of the needed roles let its author decide.
    if (resolution.action === 'reject') {
      const role = holds.find((r) => needed.includes(r)) ?? holds[0];
      return this.finish(run, phase, wait, { ...resolution, votes, ...(role === undefined ? {} : { role }) }, 'resolved', writes);
    }
    if (remaining.length === 0) return this.finish(run, phase, wait, { ...resolution, votes: placed }, 'resolved', writes);
    const mine = placed.at(-1) as WaitVote;
    const updated = await commitRun(this.core, run, {
      updateWait: { id: wait.id, votes: placed },
      events: [events.approvalVote(wait.id, wait.kind, wait.phase, ref, mine.role, remaining, resolution.comment)],
    });
    return updated;
  }

  private async finish(
    run: RunRecord,
    phase: WaitPhase,
    wait: WaitRecord,
    resolution: WaitResolution,
    status: 'resolved' | 'expired',
    writes?: readonly DataWrite[],
  ): Promise<RunRecord> {
    const workflow = this.core.workflow(run.workflow);
    const memory = new RunMemory(await this.core.store.listSteps(run.id));
    const visit = (run.visits[phase.name] ?? 0) + 1;
    const context = memory.context(run, phase.name, visit);
    const destination = afterWait(workflow, phase, { ...context, results: { ...context.results, [phase.name]: resolution } }, resolution);
    const now = this.core.now();
    const patch = advance(workflow, run, phase.name, destination, now);
    const commit = (lease?: Lease) =>
      commitRun(this.core, run, {
        closeWait: { id: wait.id, status, resolution },
        ...(writes === undefined ? {} : { writes }),
        step: { stepKey: wait.stepKey, phase: phase.name, visit, kind: 'wait', agent: null, output: resolution, committedAt: now, agentRun: null },
        patch: { ...patch, ...lease },
        events: [
          events.waitResolved(wait.id, wait.kind, resolution),
          ...(patch.state === 'running' ? [events.runState('waiting', 'running', destination.reason)] : []),
          ...destinationEvents(run, phase.name, destination, run.result),
        ],
      });
    // A run that goes on running is the worker's to take (a slot for its write, then its driver); one that ends or waits again is not.
    return patch.state === 'running' ? this.worker.takeOn(commit, (resumed) => resumed) : commit();
  }

  /** Closes an overdue wait as its phase's `onDeadline` says; waits of workflows this process does not run are left to a node that does. */
  async expire(wait: WaitRecord): Promise<void> {
    const run = await this.core.store.getRun(wait.runId);
    if (!run || run.state !== 'waiting' || run.waitingFor !== wait.id || !this.core.knows(run.workflow)) return;
    const workflow = this.core.workflow(run.workflow);
    const phase = waitPhaseOf(workflow, wait.phase);
    if (!phase) return this.failUnknownPhase(run, wait, workflow);
    const onDeadline = phase.wait.onDeadline ?? 'fail';
    if (onDeadline === 'accept' || onDeadline === 'reject') {
      await this.finish(run, phase, wait, { action: onDeadline, comment: 'deadline passed', expired: true }, 'expired');
      return;
    }
    if (onDeadline === 'expire') {
      // Nobody answered in time: the run ends `expired` at this phase (a rollback asks again), with the wait closed as expired.
      const reason = `${wait.kind} for phase "${wait.phase}" was not answered by its deadline (${new Date(wait.deadlineAt ?? this.core.now()).toISOString()})`;
      const resolution: WaitResolution = { action: 'expired', comment: reason };
      await commitRun(this.core, run, {
        closeWait: { id: wait.id, status: 'expired', resolution },
        patch: { state: 'expired', waitingFor: null, leaseOwner: null, leaseExpiresAt: null, finishedAt: this.core.now() },
        events: [events.waitResolved(wait.id, wait.kind, resolution), events.runState('waiting', 'expired', reason), events.workflowComplete('expired', null)],
      });
      return;
    }
    const error = new BatonError('DEADLINE_EXCEEDED', `${wait.kind} for phase "${wait.phase}" was not resolved before its deadline`, {
      details: { wait_id: wait.id, deadline_at: wait.deadlineAt },
      suggestions: ['retry the run to ask again'],
    });
    await commitRun(this.core, run, {
      closeWait: { id: wait.id, status: 'expired', resolution: { action: 'expired' } },
      patch: { state: 'failed', waitingFor: null, error: error.toJSON(), finishedAt: this.core.now() },
      events: [events.error(error.toJSON()), events.runState('waiting', 'failed', error.message), events.workflowComplete('failed', null)],
    });
  }

  /** A wait at a phase the definition no longer has cannot be decided: the run fails once, naming the phase and the version. */
  private async failUnknownPhase(run: RunRecord, wait: WaitRecord, workflow: WorkflowDefinition): Promise<void> {
    const error = unknownPhaseError(workflow, wait.phase).toJSON();
    await commitRun(this.core, run, {
      closeWait: { id: wait.id, status: 'cancelled', resolution: { reason: error.message } },
      patch: { state: 'failed', waitingFor: null, error, finishedAt: this.core.now() },
      events: [events.error(error), events.runState('waiting', 'failed', error.message), events.workflowComplete('failed', null)],
    });
  }
}

function waitPhaseOf(workflow: WorkflowDefinition, name: string): WaitPhase | undefined {
  const index = phaseIndexOrNull(workflow, name);
  return index === null ? undefined : (workflow.phases[index] as WaitPhase);
}

/** Waits with an intake of their own (actuals, submissions) carry data only that intake checks: nothing else may resolve them. */
function checkIntake(phase: WaitPhase, wait: WaitRecord, intake: string | undefined): void {
  const own = phase.wait.intake;
  if (own === undefined || own.name === intake) return;
  throw new ConflictError(`${wait.kind} "${wait.id}" is answered through ${own.route}, not here`, { wait_id: wait.id, kind: wait.kind, route: own.route }, [
    `send it to ${own.route}`,
  ]);
}

const voterOf = (vote: WaitVote) => ({ holds: vote.holds ?? [vote.role], role: vote.role });

/** Who resolved a wait, as its resolution records. */
const resolverOf = (wait: WaitRecord | undefined): { id: string } | undefined => {
  const by = (wait?.resolution as { by?: { id?: unknown } } | null | undefined)?.by;
  return typeof by?.id === 'string' ? { id: by.id } : undefined;
};

/**
 * Why an actor may not vote: the role it declared (when it declared one the quorum does not need, or one it does
 * not hold: "does not hold buyer" misled a buyer who had sent another role), else the roles still needed.
 */
function quorumRefusal(wait: WaitRecord, actor: Actor, declared: string | undefined, needed: readonly string[]): BatonError {
  const heldNeeded = needed.find((role) => holdsRole(actor, role));
  const sendHeld = (otherwise: string) => [heldNeeded === undefined ? otherwise : `send role "${heldNeeded}" (${actor.name} holds it), or leave role out`];
  const what = `the ${wait.kind} of phase "${wait.phase}" still needs ${needed.join(' and ')}`;
  let why: string;
  let suggestions: string[];
  if (declared !== undefined && !needed.includes(declared)) {
    why = `${actor.name} sent the role ${declared}, which it does not need`;
    suggestions = sendHeld(`ask someone holding ${needed.join(' or ')}`);
  } else if (declared !== undefined && !holdsRole(actor, declared)) {
    why = `${actor.name} does not hold ${declared}`;
    suggestions = sendHeld(`ask someone holding ${declared}`);
  } else {
    why = `${actor.name} ${needed.length > 1 ? 'holds none of them' : 'does not hold it'}`;
    suggestions = [`ask someone holding ${needed.join(' or ')}`, `or have an admin grant it: baton actors roles ${actor.name} --add ${needed[0] ?? 'ROLE'}`];
  }
  return new BatonError('FORBIDDEN', `${what}; ${why}`, {
    details: { wait_id: wait.id, actor: actor.id, required_roles: needed, required_role: needed[0] ?? null, role: declared ?? null },
    suggestions,
  });
}

/** The quorum's roles this actor holds, narrowed to the one it declared, if any. */
const heldQuorumRoles = (quorum: readonly string[], input: ResolutionInput, actor: Actor): string[] =>
  [...new Set(quorum)].filter((role) => (input.role === undefined || input.role === role) && holdsRole(actor, role));

/**
 * Who holds none of a quorum's roles is refused before the decision's data is read: a person without the
 * role learns that first (403), not what was wrong with a buy they may not approve anyway (422). Whether
 * the roles still open can be filled by this actor is the vote's to say (`assignRoles`); a second vote
 * by the same actor is the vote's conflict to report.
 */
function checkHoldsQuorumRole(wait: WaitRecord, quorum: readonly string[], input: ResolutionInput, actor: Actor): void {
  if (wait.votes.some((v) => v.actor.id === actor.id)) return;
  if (heldQuorumRoles(quorum, input, actor).length > 0) return;
  throw quorumRefusal(wait, actor, input.role, assignRoles(quorum, wait.votes.map(voterOf)).remaining);
}

/**
 * Who may end or undo a run while it waits on a decision that needs a role (cancel, roll back): someone who could
 * decide it, the run's starter, or an admin. Otherwise cancelling would reject the buy for a person the approval
 * itself refuses. Callers given no actor, and actors holding every role, pass as before actors existed.
 */
export function assertMayOverrideWait(run: RunRecord, wait: WaitRecord | undefined, actor: Actor | undefined, what: string): void {
  if (!actor || actor.any_role || actor.scope === 'admin' || !wait || wait.status !== 'pending') return;
  const roles = [...new Set([...(wait.role === null ? [] : [wait.role]), ...(wait.policy?.quorum ?? [])])];
  if (roles.length === 0 || run.startedBy?.id === actor.id || roles.some((role) => holdsRole(actor, role))) return;
  throw new BatonError(
    'FORBIDDEN',
    `run "${run.id}" waits for the ${wait.kind} of phase "${wait.phase}", which needs ${roles.join(' or ')}: ${actor.name} holds none and may not ${what} it`,
    {
      details: { run_id: run.id, wait_id: wait.id, required_roles: roles, actor: actor.id },
      suggestions: [`ask someone holding ${roles.join(' or ')}, the run's starter or an admin`],
    },
  );
}

/**
 * A wait's role must be held by whoever resolves it; a role the caller declares must be the wait's.
 * Callers holding every role (the local mode, BATON_API_TOKEN) and callers the engine was given no
 * actor for declare the role as before actors existed, so existing delivery flows keep working.
 */
function checkRole(wait: WaitRecord, input: ResolutionInput, actor: Actor | undefined): void {
  const needed = wait.role;
  if (needed === null) return;
  const refuse = (why: string) =>
    new BatonError('FORBIDDEN', `only role ${needed} may resolve the ${wait.kind} of phase "${wait.phase}"${why}`, {
      details: { required_role: needed, expected_role: needed, role: input.role ?? null, ...(actor ? { actor: actor.id } : {}) },
      suggestions: [`resolve it as an actor holding ${needed}`],
    });
  if (input.role !== undefined && input.role !== needed) throw refuse(`, not ${input.role}`);
  if (!actor || actor.any_role) {
    if (input.role !== needed) throw refuse('');
    return;
  }
  if (!holdsRole(actor, needed)) throw refuse(`; ${actor.name} does not hold it`);
}

/** Checks a resolution against the wait's kind and data schema; `by` names the actor. */
function checkResolution(phase: WaitPhase, wait: WaitRecord, input: ResolutionInput, actor: Actor | undefined): WaitResolution {
  const comment = { ...(input.comment === undefined ? {} : { comment: input.comment }), ...(actor ? { by: refOf(actor) } : {}) };
  const data = (): unknown => {
    const spec = phase.wait.schema;
    if (!spec) return input.data;
    const schema = typeof spec === 'function' ? spec(wait.data) : spec;
    const parsed = schema.safeParse(input.data);
    if (!parsed.success) throw new InvalidParametersError(`the data for ${wait.kind} "${wait.id}" is invalid`, issuesOf(parsed.error));
    return parsed.data;
  };
  if (wait.kind === 'approval') {
    // Left out, they make the answer incomplete (400), as a missing field does anywhere else.
    if (input.action === undefined) throw new IncompleteInputError('an approval needs an action (accept, modify or reject)', ['action']);
    if (input.action === 'modify') {
      if (input.data === undefined) throw new IncompleteInputError('modify needs the modified values', ['data']);
      return { action: 'modify', data: data(), ...comment };
    }
    // Values sent with accept or reject were dropped without a word: the planner believed the buy changed.
    if (input.data !== undefined && input.data !== null) {
      throw new InvalidParametersError(`${input.action} takes no data`, [
        { path: 'data', message: `is not read with ${input.action}: send action "modify" to accept with changed values` },
      ]);
    }
    return { action: input.action, ...comment };
  }
  if (wait.role !== null) return { action: 'submit', role: wait.role, data: data(), ...comment };
  return { action: 'signal', data: data(), ...comment };
}
