/**
 * Workflow definitions: parameters, phases in order, the agent or wait in each phase, rules
 * that skip a phase, repeats, and the transitions a phase may take besides "go on".
 */
import type { z } from 'zod';
import type { ActorRef } from '../actors/contracts.js';
import { BatonError } from '../errors/index.js';
import type { WaitPolicy, WaitVote } from '../store/contracts.js';
import type { DataWrite, RunRecord, StepRecord } from '../store/types.js';

/** What a phase's functions see of the run. (Callbacks are methods so a workflow of specific parameters is still a WorkflowDefinition.) */
export interface WorkflowContext<Params = unknown> {
  runId: string;
  parameters: Params;
  /** The latest committed output of each phase (a wait's output is its resolution). */
  results: Readonly<Record<string, unknown>>;
  /** The last agent phase committed before this one, if any. */
  previous: { phase: string; agent: string; output: unknown } | undefined;
  /** Which visit of the current phase this is (1 the first time; repeats and returns add one). */
  visit: number;
  /** How many times each phase has been committed so far (on the current timeline). */
  visits: Readonly<Record<string, number>>;
  /**
   * Which time the current phase runs in the run's whole history: its visits on every timeline,
   * abandoned ones included, plus this one. Equals `visit` until a rollback; a rollback resets
   * `visit` (the phase's state rolls back), never `round` (what happened stays counted).
   */
  round: number;
}

/** Where a phase sends the run: by default the next phase in order. */
export type Transition = { goto: string; reason?: string } | { end: 'completed' | 'rejected' | 'failed'; reason?: string };

interface PhaseBase<Params> {
  name: string;
  description?: string;
  /** Return a reason to skip the phase for these parameters (recorded and emitted), or nothing to run it. */
  skip?(parameters: Params): string | false | null | undefined;
  /** Phases this one may send the run to besides the next one: returns to earlier phases, jumps ahead. */
  transitions?: readonly string[];
}

export interface AgentPhase<Params = unknown> extends PhaseBase<Params> {
  agent: string;
  /** Builds the agent's input (the handoff); default `{ parameters, previous, results }`. */
  input?(context: WorkflowContext<Params>): unknown;
  /** Overrides the agent's own timeout per attempt. */
  timeoutMs?: number;
  /** Runs the phase again while fewer than `times` visits were made and `until` (checked after each visit) does not hold. */
  repeat?: {
    times?(parameters: Params): number;
    until?(context: WorkflowContext<Params>): boolean;
  };
  next?(context: WorkflowContext<Params>, output: unknown): Transition | undefined;
}

/** A policy decided from the run (a method's type, checked bivariantly like the other callbacks, so specific parameters still fit). */
type PolicyOf<Params> = { policy(context: WorkflowContext<Params>): WaitPolicy }['policy'];

export interface WaitSpec<Params = unknown> {
  /** 'approval' (accept | modify | reject), 'submission' (a role hands in work) or any signal name. */
  kind: string;
  /** The role whoever resolves it must hold (for submissions: the role that must submit); unset: anyone who may decide. */
  role?: string;
  /**
   * Who may resolve it beyond `role`: a quorum of roles (one approval each, from different actors),
   * not the run's starter, not who submitted a phase's work. Evaluated when the wait opens and kept with it.
   */
  policy?: WaitPolicy | PolicyOf<Params>;
  /** What the person (or sender) is shown. */
  data?(context: WorkflowContext<Params>): unknown;
  /**
   * Checks submitted data (approval `modify` data, a submission, a signal's payload); a function gets what the wait
   * showed (its `data`), for checks against it (a modified buy far from the proposal).
   */
  schema?: z.ZodType | ((shown: unknown) => z.ZodType);
  /** How long to wait, in ms from when the wait opens; unset (or undefined) waits forever. */
  deadlineMs?(parameters: Params): number | undefined;
  /**
   * What an expired deadline does: 'fail' (the default) fails the run with DEADLINE_EXCEEDED;
   * 'accept' | 'reject' resolve the wait so (the resolution is marked `expired`, for `decide`);
   * 'expire' ends the run `expired`: nobody answered in time, which is no failure of the run
   * (it can be rolled back to ask again).
   */
  onDeadline?: 'fail' | 'accept' | 'reject' | 'expire';
  /**
   * The intake that alone resolves this wait (e.g. actuals checked against the season's stores),
   * so the generic resolution route cannot bypass its checks; `route` is named in the refusal.
   */
  intake?: { name: string; route: string };
}

export interface WaitPhase<Params = unknown> extends PhaseBase<Params> {
  wait: WaitSpec<Params>;
  /** Wait phases decide with `decide`; `next` here would be silently ignored, so it is refused. */
  next?: never;
  /** For approvals: the phase that runs again on `modify` (default: the phase before this one). */
  onModify?: string;
  /**
   * Decides where the resolution leads; default: approvals accept → next, reject → end, modify →
   * onModify. (Named apart from an agent phase's `next` so TypeScript can type either in a phase list.)
   */
  decide?(context: WorkflowContext<Params>, resolution: WaitResolution): Transition | undefined;
}

export type Phase<Params = unknown> = AgentPhase<Params> | WaitPhase<Params>;

export interface WaitResolution {
  action: 'accept' | 'modify' | 'reject' | 'submit' | 'signal' | 'expired';
  data?: unknown;
  comment?: string;
  role?: string;
  /** Set when the deadline, not a person, resolved the wait (onDeadline 'accept' | 'reject'). */
  expired?: true;
  /** Who resolved it (absent: the deadline, or a caller that named no actor). */
  by?: ActorRef;
  /** A quorum's approvals, the last one included. */
  votes?: WaitVote[];
}

/** What a workflow's rollback hook is told: the run as it stands, the target and the steps the rollback abandons (oldest first). */
export interface RollbackRequest {
  run: RunRecord;
  toPhase: string;
  abandoned: readonly StepRecord[];
}

/**
 * A workflow's own meaning of a rollback: the rows of its data to write (or undo) with it, in the
 * rollback's transaction. Throwing (e.g. InvalidTransitionError) refuses the rollback; nothing changes.
 */
export type RollbackHook = (request: RollbackRequest) => Promise<{ writes?: readonly DataWrite[] } | undefined | void>;

export interface WorkflowDefinition<Params = unknown> {
  name: string;
  /** Names this version of the definition in errors about runs it cannot drive (default '1'). */
  version?: string;
  description: string;
  parameters: z.ZodType<Params>;
  phases: readonly Phase<Params>[];
  /** Safety net for loops: a phase visited more often than this fails the run (default 1000). */
  maxVisitsPerPhase: number;
  /** Called before a rollback commits; without it a rollback only moves the run (the workflow keeps no data of its own to undo). */
  rollback?: RollbackHook;
  /**
   * Called with the parsed parameters before a run is created: throwing a BatonError refuses the start, and
   * no run exists. For what the schema cannot see, such as parameters the workflow's data cannot support:
   * better refused at once than accepted and failed in the first phase.
   */
  admit?(this: void, parameters: Params): Promise<void> | void;
}

export interface WorkflowSpec<Schema extends z.ZodType> {
  name: string;
  version?: string;
  description?: string;
  parameters: Schema;
  phases: readonly Phase<z.output<Schema>>[];
  maxVisitsPerPhase?: number;
  rollback?: RollbackHook;
  admit?(this: void, parameters: z.output<Schema>): Promise<void> | void;
}

export const isWaitPhase = <P>(phase: Phase<P>): phase is WaitPhase<P> => 'wait' in phase;

function definitionError(workflow: string, message: string): BatonError {
  return new BatonError('INVALID_PARAMETERS', `workflow "${workflow}": ${message}`, { details: { workflow } });
}

/** Checks the definition's own consistency (names, transition targets) when it is defined. */
export function defineWorkflow<Schema extends z.ZodType>(spec: WorkflowSpec<Schema>): WorkflowDefinition<z.output<Schema>> {
  const names = spec.phases.map((p) => p.name);
  if (names.length === 0) throw definitionError(spec.name, 'has no phases');
  const duplicate = names.find((n, i) => names.indexOf(n) !== i);
  if (duplicate !== undefined) throw definitionError(spec.name, `phase "${duplicate}" is defined twice`);
  for (const phase of spec.phases) {
    const targets = [...(phase.transitions ?? []), ...(isWaitPhase(phase) && phase.onModify ? [phase.onModify] : [])];
    const unknown = targets.find((t) => !names.includes(t));
    if (unknown !== undefined) throw definitionError(spec.name, `phase "${phase.name}" names unknown phase "${unknown}"`);
  }
  return {
    name: spec.name,
    version: spec.version ?? '1',
    description: spec.description ?? '',
    parameters: spec.parameters as z.ZodType<z.output<Schema>>,
    phases: spec.phases,
    maxVisitsPerPhase: spec.maxVisitsPerPhase ?? 1000,
    ...(spec.rollback ? { rollback: spec.rollback } : {}),
    ...(spec.admit ? { admit: spec.admit } : {}),
  };
}

export const agentsOf = (workflow: WorkflowDefinition): string[] => workflow.phases.flatMap((p) => (isWaitPhase(p) ? [] : [p.agent]));
