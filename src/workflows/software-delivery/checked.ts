/**
 * Checked reads of what software delivery stored: a role state's submission (an agent's output, or the
 * `submit` resolution of a person's wait) is parsed by its contract where it is read, and a mismatch
 * fails naming the run, the phase and the path instead of travelling on as a cast.
 */
import type { z } from 'zod';
import { isSkipped } from '../../engine/contracts.js';
import { BatonError } from '../../errors/index.js';
import { issuesOf } from '../../errors/zod-issues.js';
import { DeliveryParameters } from './parameters.js';
import { ROLE_OUTPUTS, storedSubmission, submittedResolution, type RoleOutput, type RoleState, type StoredSubmission } from './contracts.js';

/** Where a stored value was read, for the error: the run (when known) and the phase. */
export interface ReadAt {
  runId?: string;
  phase: string;
}

function mismatch(at: ReadAt, what: string, issues: { path: string; message: string }[]): BatonError {
  return new BatonError(
    'INTERNAL_ERROR',
    `${at.runId ? `run "${at.runId}" ` : ''}${at.phase} ${what} does not match its contract: ${issues.map((i) => `${i.path || '(root)'} ${i.message}`).join('; ')}`,
    {
      details: { ...(at.runId ? { run_id: at.runId } : {}), phase: at.phase, issues },
      suggestions: ['the stored data was written by another version of software delivery, or changed by hand: roll the run back to that state'],
    },
  );
}

/** A role state's submission (an agent phase's output, or the data of a person's `submit`), checked. */
export function submissionOf(state: RoleState, value: unknown, at: ReadAt): StoredSubmission {
  const parsed = storedSubmission(state).safeParse(value);
  if (!parsed.success) throw mismatch(at, 'submission', issuesOf(parsed.error));
  return parsed.data;
}

/** An agent phase's submission in a run's results: undefined when the phase has not run or was skipped (a person plays the role). */
export function agentSubmission(state: RoleState, value: unknown, at: ReadAt): StoredSubmission | undefined {
  return value === undefined || isSkipped(value) ? undefined : submissionOf(state, value, at);
}

/** The submission a person's wait was resolved with, or undefined when the resolution is not a `submit` (the run was rolled back past it, say). */
export function submittedIn(state: RoleState, resolution: unknown, at: ReadAt): StoredSubmission | undefined {
  if (typeof resolution !== 'object' || resolution === null || !('action' in resolution) || resolution.action !== 'submit') return undefined;
  const parsed = submittedResolution(state).safeParse(resolution);
  if (!parsed.success) throw mismatch(at, 'resolution', issuesOf(parsed.error));
  return parsed.data.data;
}

type OutputReader<S extends RoleState> = (value: unknown) => z.ZodSafeParseResult<RoleOutput<S>>;
// One reader per role state, so each read is typed by its own output's contract.
const OUTPUT_READERS: { [S in RoleState]: OutputReader<S> } = {
  DISCOVERY: (v) => ROLE_OUTPUTS.DISCOVERY.safeParse(v),
  PLANNING: (v) => ROLE_OUTPUTS.PLANNING.safeParse(v),
  IMPLEMENTATION: (v) => ROLE_OUTPUTS.IMPLEMENTATION.safeParse(v),
  TESTING: (v) => ROLE_OUTPUTS.TESTING.safeParse(v),
  VERIFICATION: (v) => ROLE_OUTPUTS.VERIFICATION.safeParse(v),
  DEPLOYMENT: (v) => ROLE_OUTPUTS.DEPLOYMENT.safeParse(v),
};

/** An earlier role's output as a later role is given it: checked, or undefined when that state has not handed one in. */
export function earlierOutput<S extends RoleState>(state: S, value: unknown): RoleOutput<S> | undefined {
  if (value === undefined) return undefined;
  const read: OutputReader<S> = OUTPUT_READERS[state];
  const parsed = read(value);
  if (!parsed.success) throw mismatch({ phase: state }, 'output', issuesOf(parsed.error));
  return parsed.data;
}

/** A delivery run's parameters as the run stored them (checked when it started), read back checked. */
export function parametersOf(run: { id: string; parameters: unknown }): DeliveryParameters {
  const parsed = DeliveryParameters.safeParse(run.parameters);
  if (!parsed.success) throw mismatch({ runId: run.id, phase: '(start)' }, 'parameters', issuesOf(parsed.error));
  return parsed.data;
}
