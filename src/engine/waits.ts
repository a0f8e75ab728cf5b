/**
 * What runs wait for (approvals, submissions, signals): checking a resolution against the wait,
 * committing it and moving the run on, and closing waits whose deadline passed.
 */
import { z } from 'zod';
import type { Actor } from '../actors/contracts.js';
import { BatonError, ConflictError, InvalidParametersError, NotFoundError } from '../errors/index.js';
import { issuesOf } from '../errors/zod-issues.js';
import type { DataWrite, RunRecord, WaitRecord } from '../store/types.js';
import { commitRun, RunMemory, type EngineCore } from './core.js';
import { events } from './events.js';
import { advance, afterWait, phaseIndexOrNull, unknownPhaseError } from './navigation.js';
import { destinationEvents } from './run-driver.js';
import type { WaitPhase, WaitResolution, WorkflowDefinition } from './workflow.js';

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
    /** Hands a run that goes on running to the worker. */
    private readonly launch: (run: RunRecord) => void,
    private readonly leaseForNow: () => { leaseOwner: string; leaseExpiresAt: number },
  ) {}

  /** Resolves what a run waits for. Approvals take accept | modify (with data) | reject. */
  async resolve(runId: string, waitId: string, input: ResolutionInput, options: ResolveOptions = {}): Promise<RunRecord> {
    const parsedInput = resolutionInput.safeParse(input);
    if (!parsedInput.success) throw new InvalidParametersError('the resolution is invalid', issuesOf(parsedInput.error));
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
    return this.finish(run, phase, wait, checkResolution(phase, wait, parsedInput.data), 'resolved', options.writes);
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
    if (patch.state === 'running') Object.assign(patch, this.leaseForNow());
    const updated = await commitRun(this.core, run, {
      closeWait: { id: wait.id, status, resolution },
      ...(writes === undefined ? {} : { writes }),
      step: { stepKey: wait.stepKey, phase: phase.name, visit, kind: 'wait', agent: null, output: resolution, committedAt: now, agentRun: null },
      patch,
      events: [
        events.waitResolved(wait.id, wait.kind, resolution),
        ...(patch.state === 'running' ? [events.runState('waiting', 'running', destination.reason)] : []),
        ...destinationEvents(run, phase.name, destination, run.result),
      ],
    });
    this.launch(updated);
    return updated;
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

/** Checks a resolution against the wait's kind, role and data schema. */
function checkResolution(phase: WaitPhase, wait: WaitRecord, input: ResolutionInput): WaitResolution {
  const comment = input.comment === undefined ? {} : { comment: input.comment };
  const data = (): unknown => {
    const schema = phase.wait.schema;
    if (!schema) return input.data;
    const parsed = schema.safeParse(input.data);
    if (!parsed.success) throw new InvalidParametersError(`the data for ${wait.kind} "${wait.id}" is invalid`, issuesOf(parsed.error));
    return parsed.data;
  };
  if (wait.role !== null && input.role !== wait.role) {
    throw new BatonError('FORBIDDEN', `only role ${wait.role} may resolve the ${wait.kind} of phase "${wait.phase}"`, {
      details: { expected_role: wait.role, role: input.role ?? null },
    });
  }
  if (wait.kind === 'approval') {
    if (input.action === undefined)
      throw new InvalidParametersError('an approval needs an action', [{ path: 'action', message: 'expected accept, modify or reject' }]);
    if (input.action === 'modify') {
      if (input.data === undefined) throw new InvalidParametersError('modify needs data', [{ path: 'data', message: 'the modified values are required' }]);
      return { action: 'modify', data: data(), ...comment };
    }
    return { action: input.action, ...comment };
  }
  if (wait.role !== null) return { action: 'submit', role: wait.role, data: data(), ...comment };
  return { action: 'signal', data: data(), ...comment };
}
