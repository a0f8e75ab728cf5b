/**
 * The delivery operations on top of the engine: start a change for a project, advance it (a
 * role's submission), send work back, roll back, and read status, audit trail and project stats.
 * The checks a person should hear about in delivery terms happen here (409 naming the allowed next
 * states, 403 naming the owning role); the engine checks role and data again when the wait resolves.
 */
import { isDeepStrictEqual } from 'node:util';
import { z } from 'zod';
import { holdsRole, LOCAL_ACTOR, refOf, type Actor } from '../../actors/contracts.js';
import type { Engine, RunStatus } from '../../engine/index.js';
import { BatonError, ConflictError, InvalidParametersError, InvalidTransitionError, NotFoundError } from '../../errors/index.js';
import { isMissing, issuesOf } from '../../errors/zod-issues.js';
import { auditTrail, type AuditEntry } from './audit.js';
import { markAbandoned, type MarkedAuditEntry } from './rollback.js';
import { outcomeOf, ROLE_OUTPUTS, testGate, type RoleOutput, type Submission } from './outputs.js';
import { sessionOf } from './parameters.js';
import { firstPhaseOf, stateOfPhase } from './phases.js';
import { AdvanceRequest, RetryRequest, RollbackRequest, StartDelivery } from './requests.js';
import {
  allowedNext,
  assertTransition,
  isRoleState,
  ownerOf,
  retryTargets,
  rollbackTargets,
  ROLES,
  type DeliveryState,
  type Role,
  type RoleState,
} from './states.js';
import { projectStatsOf, type ProjectStats } from './stats.js';
import { deliveryStateOf, deliveryStatusOf, type DeliveryStatus } from './status.js';
import { SOFTWARE_DELIVERY, SUBMISSION_INTAKE } from './workflow.js';
import { earlierOutput, parametersOf } from './checked.js';
import type { RoleContext } from './context.js';

const EVENT_PAGE = 10_000;
/** How long a submission waits for its state to open while the engine moves between states. */
const SETTLE_WAIT_MS = 5_000;

function parse<T>(schema: z.ZodType<T>, input: unknown, what: string): T {
  const parsed = schema.safeParse(input);
  if (!parsed.success) throw new InvalidParametersError(`the ${what} is invalid`, issuesOf(parsed.error));
  return parsed.data;
}

/** A role output with required fields missing is incomplete (400); one with wrong values is invalid (422). */
function checkOutput(state: RoleState, output: unknown): Extract<Submission, { action: 'advance' }>['output'] {
  const schema = ROLE_OUTPUTS[state];
  const required = (z.toJSONSchema(schema, { io: 'input' }) as { required?: string[] }).required ?? [];
  const incomplete = (issues: { path: string; message: string }[]) =>
    new BatonError('INCOMPLETE_INPUT', `the ${state} output is incomplete: ${issues.map((i) => `${i.path} ${i.message}`).join('; ')}`, {
      details: { issues, state, required },
      suggestions: [`send output with ${required.join(', ')}`],
    });
  if (output === undefined || output === null) throw incomplete([{ path: 'output', message: 'is required' }]);
  const parsed = schema.safeParse(output);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((i) => ({
    path: ['output', ...i.path.map(String)].join('.'),
    message: i.message,
    missing: isMissing(i, output),
  }));
  const fields = issues.map(({ path, message }) => ({ path, message: issues.every((i) => i.missing) ? 'is required' : message }));
  if (issues.every((i) => i.missing)) throw incomplete(fields);
  throw new InvalidParametersError(`the ${state} output is invalid`, fields);
}

/** Who calls: the authenticated actor (the HTTP routes pass `request.actor`); none means the local single user, as the CLI is. */
export interface Caller {
  actor?: Actor | undefined;
}

/** What a role's request names about the turn it answers. */
interface Answering {
  role?: Role | undefined;
  from_state?: DeliveryState | undefined;
  wait_id?: string | undefined;
}

function refuseOtherAnswer(request: Answering, state: DeliveryState, waitId: string | undefined): void {
  if (request.from_state !== undefined && request.from_state !== state) {
    throw new ConflictError(`the submission answers ${request.from_state}, but the change is at ${state}`, { from_state: request.from_state, state }, [
      'read the run again: the submission may already have been applied',
    ]);
  }
  if (request.wait_id !== undefined && request.wait_id !== waitId) {
    throw new ConflictError(
      `the run no longer waits for "${request.wait_id}" (it is at ${state})`,
      { wait_id: request.wait_id, waiting_for: waitId ?? null, state },
      ['read the run again: the submission may already have been applied'],
    );
  }
}

/**
 * Whether an actor holds a delivery role. Actors' role names are lower-case (`RoleName`), the
 * specification's delivery roles upper-case: an actor given `code_writer` holds CODE_WRITER.
 */
export const holdsDeliveryRole = (actor: Actor, role: Role): boolean => holdsRole(actor, role) || holdsRole(actor, role.toLowerCase());

/** The actor as the engine checks it against a wait's delivery role: its delivery roles also under their upper-case names. */
function asDeliveryActor(actor: Actor): Actor {
  if (actor.any_role) return actor;
  const extra = ROLES.filter((role) => !actor.roles.includes(role) && holdsDeliveryRole(actor, role));
  return extra.length === 0 ? actor : { ...actor, roles: [...actor.roles, ...extra] };
}

/**
 * The role a caller acts in at a state `owner` owns: the declared one if the actor holds it (and it
 * owns the state), else, with none declared, the owner if the actor holds that role. A role is never
 * taken on a caller's word: only actors holding every role (local mode, BATON_API_TOKEN) may name any.
 */
function actingRole(actor: Actor, declared: Role | undefined, state: DeliveryState, owner: Role): Role {
  if (declared !== undefined && !holdsDeliveryRole(actor, declared)) {
    throw new BatonError('FORBIDDEN', `${actor.name} does not hold role ${declared}`, {
      details: { state, role: declared, expected_role: owner, actor: actor.id },
      suggestions: [`ask an admin to give ${actor.name} the role ${declared} (baton actors roles), or act in a role you hold`],
    });
  }
  const role = declared ?? owner;
  if (role !== owner) {
    throw new BatonError('FORBIDDEN', `role ${role} does not own ${state}; ${owner} does`, {
      details: { state, expected_role: owner, role },
      suggestions: [`submit as ${owner}, or wait for a state ${role} owns`],
    });
  }
  if (!holdsDeliveryRole(actor, owner)) {
    throw new BatonError('FORBIDDEN', `${state} needs role ${owner}, which ${actor.name} does not hold`, {
      details: { state, expected_role: owner, role: null, actor: actor.id },
      suggestions: [`ask someone holding ${owner} to submit, or an admin to give ${actor.name} the role`],
    });
  }
  return owner;
}

/** The testing gate, in delivery terms: 422 naming the handed-over test cases a report leaves out (or the counts it contradicts). */
function checkTestReport(context: unknown, report: RoleOutput<'TESTING'>): void {
  const handedOver = earlierOutput('IMPLEMENTATION', (context as Partial<RoleContext> | null)?.earlier?.IMPLEMENTATION)?.test_cases ?? [];
  const finding = testGate(handedOver, report);
  if (finding === null) return;
  throw new BatonError(
    'INVALID_PARAMETERS',
    `the TESTING report does not account for the test cases handed over: ${finding.issues.map((i) => `${i.path} ${i.message}`).join('; ')}`,
    {
      details: { issues: finding.issues, missing_tests: finding.missing, handed_over: handedOver.map((c) => c.name) },
      suggestions: [
        ...(finding.missing.length > 0
          ? [
              `add to output.results one entry per missing test case: ${finding.missing.map((m) => `{"test": "${m}", "outcome": "passed" | "failed" | "explained", "message": "…"}`).join(', ')}`,
            ]
          : []),
        'passed and failed must count at least the test cases reported so',
      ],
    },
  );
}

/** The advance `input` is the one `previous` recorded for `answered`: same output (read as that state's), target and reason. */
function sameAdvance(answered: RoleState, previous: Extract<Submission, { action: 'advance' }>, input: AdvanceRequest): boolean {
  if (input.to_state !== undefined && input.to_state !== previous.to_state) return false;
  if ((input.reason || undefined) !== previous.reason) return false;
  if (input.output === undefined || previous.output === undefined) return input.output === previous.output;
  const parsed = ROLE_OUTPUTS[answered].safeParse(input.output);
  return parsed.success && isDeepStrictEqual(parsed.data, previous.output);
}

export class DeliveryService {
  constructor(
    readonly engine: Engine,
    private readonly now: () => number = Date.now,
  ) {}

  async start(request: StartDelivery, { actor = LOCAL_ACTOR }: Caller = {}): Promise<DeliveryStatus> {
    const { project, change, automatic_roles, agent_mode, script, idempotency_key, build_id, user_id } = parse(StartDelivery, request, 'delivery request');
    // The user is the authenticated actor; only a caller trusted with every role may name another (a client of a single-user setup).
    if (user_id !== undefined && user_id !== actor.id && !actor.any_role) {
      throw new BatonError('FORBIDDEN', `${actor.name} may not start a change as user "${user_id}"`, {
        details: { user_id, actor: actor.id },
        suggestions: ['leave user_id out: the change is started as the authenticated actor'],
      });
    }
    const parameters = {
      project,
      change,
      automatic_roles: automatic_roles ?? [],
      ...(agent_mode ? { agent_mode } : {}),
      ...(script ? { script } : {}),
      user_id: user_id ?? actor.id,
      ...(build_id ? { build_id } : {}),
    };
    const run = await this.engine.startRun(SOFTWARE_DELIVERY, parameters, {
      actor,
      sessionId: sessionOf(project),
      ...(idempotency_key ? { idempotencyKey: idempotency_key } : {}),
    });
    return this.statusOf(run);
  }

  async status(runId: string): Promise<DeliveryStatus> {
    return this.statusOf(await this.run(runId));
  }

  /** Resolves once the run waits for a role or has finished (agents and handoffs run in between). */
  async settled(runId: string): Promise<DeliveryStatus> {
    await this.run(runId);
    return this.statusOf(await this.engine.settled(runId));
  }

  async advance(runId: string, request: AdvanceRequest, { actor = LOCAL_ACTOR }: Caller = {}): Promise<DeliveryStatus> {
    const input = parse(AdvanceRequest, request, 'submission');
    const { status, state, waitId, role } = await this.turnOf(runId, input, input.to_state ?? '(next state)', actor);
    await this.refuseRepeat(
      status,
      state,
      (previous, answered) => previous.action === 'advance' && previous.by === role && sameAdvance(answered, previous, input),
    );
    const target = input.to_state;
    if (target !== undefined) assertTransition(state, target);
    if (target === 'ERROR' && input.output === undefined && !input.reason) {
      throw new BatonError('INCOMPLETE_INPUT', 'a move to ERROR needs a reason (or the output that shows the failure)', {
        details: { issues: [{ path: 'reason', message: 'is required' }] },
        suggestions: ['send reason: what failed and why'],
      });
    }
    const output = target === 'ERROR' && input.output === undefined ? undefined : checkOutput(state, input.output);
    if (state === 'TESTING' && output !== undefined && target !== 'ERROR') checkTestReport(status.waitingFor?.data, output as RoleOutput<'TESTING'>);
    const leadsTo = output === undefined ? 'ERROR' : outcomeOf(state, output);
    if (target !== undefined && target !== 'ERROR' && target !== leadsTo) {
      throw new InvalidParametersError(`this ${state} output leads to ${leadsTo}, not ${target}`, [
        { path: 'to_state', message: `the output leads to ${leadsTo} (or send ERROR for a critical failure)` },
      ]);
    }
    const to = target ?? leadsTo;
    assertTransition(state, to);
    const submission: Submission = {
      action: 'advance',
      to_state: to,
      ...(output === undefined ? {} : { output }),
      ...(input.reason ? { reason: input.reason } : {}),
      at: this.now(),
      by: role,
      actor: refOf(actor),
    };
    return this.submit(status, waitId, role, submission, actor);
  }

  /** The current role asks the previous role (or, naming `to_state`, another earlier one its state lists) to redo its work. */
  async requestRetry(runId: string, request: RetryRequest, { actor = LOCAL_ACTOR }: Caller = {}): Promise<DeliveryStatus> {
    const input = parse(RetryRequest, request, 'retry request');
    const { status, state, waitId, role } = await this.turnOf(runId, input, input.to_state ?? 'an earlier state', actor);
    await this.refuseRepeat(
      status,
      state,
      (previous) => previous.action === 'retry' && previous.by === role && isDeepStrictEqual(previous.reasons, input.reasons),
    );
    const targets = retryTargets(state);
    if (targets.length === 0) {
      throw new BatonError('INVALID_TRANSITION', `${state} has no retry path: it is the first state, with no earlier role to redo its work`, {
        details: { from: state, to: input.to_state ?? null, allowed: [...allowedNext(state)] },
        suggestions: [`allowed from "${state}": ${allowedNext(state).join(', ')}`, 'report a critical failure with advance to ERROR, then roll back'],
      });
    }
    const target = input.to_state ?? targets[0]!;
    if (!targets.includes(target)) throw new InvalidTransitionError(state, target, targets, 'retry');
    return this.submit(
      status,
      waitId,
      role,
      { action: 'retry', to_state: target, reasons: input.reasons, at: this.now(), by: role, actor: refOf(actor) },
      actor,
    );
  }

  async rollback(runId: string, request: RollbackRequest = {}, { actor = LOCAL_ACTOR }: Caller = {}): Promise<DeliveryStatus> {
    const input = parse(RollbackRequest, request, 'rollback request');
    const status = await this.run(runId);
    const current = await this.statusOf(status);
    if (status.state === 'running') {
      throw new ConflictError(`${current.state} is being worked on by an agent; roll back once the run waits or has stopped`, {
        state: current.state,
        run_state: status.state,
      });
    }
    if (current.state === 'COMPLETE') {
      throw new InvalidTransitionError('COMPLETE', input.to_state ?? '(previous state)', [], 'rollback');
    }
    const failed = current.state === 'ERROR';
    const position = failed ? (current.failed_state ?? 'DISCOVERY') : current.state;
    const targets = rollbackTargets(position, failed);
    const target = input.to_state ?? (failed && isRoleState(position) ? position : targets.at(-1));
    if (target === undefined || !(targets as DeliveryState[]).includes(target)) {
      throw new InvalidTransitionError(current.state, target ?? '(previous state)', targets, 'rollback');
    }
    const reason = `rollback to ${target}: ${input.reason ?? 'requested'}`;
    const phase = firstPhaseOf(target);
    // A run the engine failed stands at the phase that failed; going back into it is the engine's retry.
    const moved =
      status.state === 'failed' && status.phase === phase
        ? await this.engine.retryRun(runId, { actor })
        : await this.engine.rollbackRun(runId, phase, reason, { actor });
    return this.statusOf(moved);
  }

  /** The whole trail: moves a rollback abandoned stay, marked, as the engine keeps their steps. */
  async history(runId: string): Promise<{ run_id: string; workflow_id: string; project: string; state: DeliveryState; trail: MarkedAuditEntry[] }> {
    const status = await this.run(runId);
    const delivery = await this.statusOf(status);
    const events = await this.allEvents(runId);
    return { run_id: runId, workflow_id: runId, project: delivery.project, state: delivery.state, trail: markAbandoned(auditTrail(events), events) };
  }

  async projectStats(project: string): Promise<ProjectStats> {
    const runs: DeliveryStatus[] = [];
    const trails: AuditEntry[][] = [];
    for (let offset = 0; ; offset += 500) {
      const page = await this.engine.listRuns({ workflow: SOFTWARE_DELIVERY, sessionId: sessionOf(project), limit: 500, offset });
      for (const run of page.runs) {
        runs.push(await this.statusOf(run));
        trails.push(auditTrail(await this.allEvents(run.id)));
      }
      if (offset + page.runs.length >= page.total || page.runs.length === 0) break;
    }
    return projectStatsOf(project, runs, trails);
  }

  // ---- helpers ------------------------------------------------------------------------

  private async run(runId: string): Promise<RunStatus> {
    const status = await this.engine.status(runId);
    if (status.workflow !== SOFTWARE_DELIVERY)
      throw new NotFoundError('delivery run', runId, ['this run belongs to another workflow: see GET /api/runs/{run_id}']);
    return status;
  }

  private async statusOf(status: RunStatus): Promise<DeliveryStatus> {
    return deliveryStatusOf(status, await this.failedState(status));
  }

  /** Where a run in ERROR failed: the state its ERROR step recorded, or the phase the engine failed it at. */
  private async failedState(status: RunStatus): Promise<DeliveryState | null> {
    if (status.state !== 'failed' || status.phase === null) return null;
    if (status.phase !== 'ERROR') return stateOfPhase(status.phase);
    const steps = await this.engine.steps(status.id);
    const record = steps.findLast((s) => s.phase === 'ERROR')?.output as { failed_state?: DeliveryState } | undefined;
    return record?.failed_state ?? null;
  }

  /**
   * Checks that it is `role`'s turn: the run waits for the submission of a state that role owns,
   * and the one the request says it answers (`from_state`, `wait_id`) when it names one.
   */
  private async turnOf(
    runId: string,
    request: Answering,
    to: string,
    actor: Actor,
  ): Promise<{ status: RunStatus; state: RoleState; waitId: string; role: Role }> {
    let status = await this.run(runId);
    // Between a person's states the engine only skips agent phases and packs handoffs: a few
    // milliseconds. A submission that arrives meanwhile waits for the state to open.
    const owner0 = ownerOf(deliveryStateOf(status));
    if (status.state === 'running' && (owner0 === null || !parametersOf(status).automatic_roles.includes(owner0))) {
      status = await this.engine.settled(runId, undefined, { timeoutMs: SETTLE_WAIT_MS });
    }
    const current = await this.statusOf(status);
    const state = current.state;
    refuseOtherAnswer(request, state, status.waitingFor?.id);
    if (state === 'COMPLETE' || state === 'ERROR' || current.expected_next.action === 'none') {
      const error = new InvalidTransitionError(state, to, allowedNext(state), 'delivery transition');
      if (state === 'ERROR') error.suggestions.push(`roll the run back first (to ${current.expected_next.states.join(', ')})`);
      throw error;
    }
    const owner = ownerOf(state);
    if (owner === null || !isRoleState(state)) {
      throw new ConflictError(`the change is being handed over (${state}); submit once the next role's state is open`, {
        state,
        allowed: [...allowedNext(state)],
      });
    }
    const role = actingRole(actor, request.role, state, owner);
    if (!status.waitingFor) {
      throw new ConflictError(`${state} is played by an agent in this run; nothing to submit`, {
        state,
        automatic_roles: parametersOf(status).automatic_roles,
      });
    }
    return { status, state, waitId: status.waitingFor.id, role };
  }

  /**
   * A request repeated after it was applied (a client's retry, a doubled POST) would otherwise
   * answer the next state too: a request that is the run's last submission again, now that the
   * run stands at another state, is refused rather than applied twice.
   */
  private async refuseRepeat(status: RunStatus, state: RoleState, repeats: (previous: Submission, answered: RoleState) => boolean): Promise<void> {
    const last = (await this.engine.waits(status.id)).findLast((w) => w.kind === 'submission' && w.status === 'resolved');
    if (last === undefined) return;
    const answered = stateOfPhase(last.phase);
    const previous = (last.resolution as { data?: Submission } | null)?.data;
    if (answered === state || !isRoleState(answered) || previous === undefined || !repeats(previous, answered)) return;
    throw new ConflictError(
      `this request was already applied to ${answered}; the change is now at ${state}`,
      { already_applied_to: answered, state, wait_id: last.id },
      [`to answer ${state}, send its own output (with from_state: "${state}" to guard against repeats)`],
    );
  }

  private async submit(status: RunStatus, waitId: string, role: Role, submission: Submission, actor: Actor): Promise<DeliveryStatus> {
    return this.statusOf(
      await this.engine.resolveWait(status.id, waitId, { role, data: submission }, { actor: asDeliveryActor(actor), intake: SUBMISSION_INTAKE }),
    );
  }

  private async allEvents(runId: string) {
    const events = [];
    for (let after = 0; ;) {
      const page = await this.engine.readEvents(runId, after, EVENT_PAGE);
      events.push(...page);
      if (page.length < EVENT_PAGE) return events;
      after = page.at(-1)?.seq ?? after;
    }
  }
}
