/** The run life cycle as data: which state may follow which, checked before every change. */
import { InvalidTransitionError } from '../errors/index.js';
import type { RunState } from '../store/types.js';

export const RUN_TRANSITIONS: Readonly<Record<RunState, readonly RunState[]>> = {
  running: ['waiting', 'completed', 'failed', 'cancelled', 'rejected'],
  // From waiting: a resolution resumes, rejects or completes it; a deadline can fail it or (onDeadline 'expire') end it expired.
  waiting: ['running', 'completed', 'rejected', 'failed', 'cancelled', 'expired'],
  // A person may retry or roll back a finished run; it then runs again.
  failed: ['running'],
  cancelled: ['running'],
  rejected: ['running'],
  expired: ['running'],
  completed: ['running'],
};

export const FINISHED_STATES: readonly RunState[] = ['completed', 'failed', 'cancelled', 'rejected', 'expired'];

export function assertRunTransition(from: RunState, to: RunState): void {
  if (!RUN_TRANSITIONS[from].includes(to)) throw new InvalidTransitionError(from, to, RUN_TRANSITIONS[from], 'run state change');
}
