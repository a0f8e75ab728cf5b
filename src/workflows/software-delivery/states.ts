/**
 * The software-delivery process as data: its states, who owns each, what each means, and the one
 * transition table every check (HTTP, engine phases, tests) reads. Nothing else decides what may follow what.
 */
import { InvalidTransitionError } from '../../errors/index.js';

// States, roles and role states are declared once, in the contracts.
import { DELIVERY_STATES, type DeliveryState, type Role, type RoleState, ROLE_STATES } from './contracts.js';
export { DELIVERY_STATES, DeliveryState, Role, ROLES, ROLE_STATES } from './contracts.js';
export type { RoleState } from './contracts.js';

export interface StateInfo {
  /** The role that must submit this state's work; null for the system's own states. */
  owner: Role | null;
  description: string;
}

export const STATES: Readonly<Record<DeliveryState, StateInfo>> = {
  DISCOVERY: { owner: 'Q_ASSISTANT', description: 'Understand the change: requirements, acceptance criteria and open questions.' },
  PLANNING: { owner: 'Q_ASSISTANT', description: 'Turn the requirements into a plan of steps, with risks and an estimate.' },
  HANDOFF_TO_CODER: { owner: null, description: 'Package the requirements and the plan for the code writer.' },
  IMPLEMENTATION: { owner: 'CODE_WRITER', description: 'Write the code; summarise the change and the test cases that prove it.' },
  HANDOFF_TO_TESTER: { owner: null, description: 'Package the code summary and its test cases for the test auditor.' },
  TESTING: { owner: 'TEST_AUDITOR', description: 'Run the test cases and report; failures send the work back to implementation.' },
  HANDOFF_TO_VERIFIER: { owner: null, description: 'Package the change, the code and the test report for the verification overseer.' },
  VERIFICATION: { owner: 'VERIFICATION_OVERSEER', description: 'Review the change against its requirements; findings send it back to implementation.' },
  HANDOFF_TO_RELEASER: { owner: null, description: 'Package the approved change for the release manager.' },
  DEPLOYMENT: { owner: 'RELEASE_MANAGER', description: 'Deploy the change and report the result; a failed deployment goes to ERROR.' },
  COMPLETE: { owner: null, description: 'The change is deployed.' },
  ERROR: { owner: null, description: 'A critical failure stopped the change; roll it back to a state to go on.' },
};

/**
 * Which states may follow which: the forward path, the retry paths (each role state but the first
 * may send the work back to the previous role's state; verification may also send it straight back
 * to implementation, where its requested changes go), and ERROR from any state that is not finished.
 * COMPLETE and ERROR have no successor: ERROR is left only by a rollback, which is not a transition
 * but a person's decision (see `rollbackTargets`).
 */
export const TRANSITIONS: Readonly<Record<DeliveryState, readonly DeliveryState[]>> = {
  DISCOVERY: ['PLANNING', 'ERROR'],
  PLANNING: ['HANDOFF_TO_CODER', 'DISCOVERY', 'ERROR'],
  HANDOFF_TO_CODER: ['IMPLEMENTATION', 'ERROR'],
  IMPLEMENTATION: ['HANDOFF_TO_TESTER', 'PLANNING', 'ERROR'],
  HANDOFF_TO_TESTER: ['TESTING', 'ERROR'],
  TESTING: ['HANDOFF_TO_VERIFIER', 'IMPLEMENTATION', 'ERROR'],
  HANDOFF_TO_VERIFIER: ['VERIFICATION', 'ERROR'],
  VERIFICATION: ['HANDOFF_TO_RELEASER', 'TESTING', 'IMPLEMENTATION', 'ERROR'],
  HANDOFF_TO_RELEASER: ['DEPLOYMENT', 'ERROR'],
  DEPLOYMENT: ['COMPLETE', 'VERIFICATION', 'ERROR'],
  COMPLETE: [],
  ERROR: [],
};

/** The forward path, DISCOVERY … COMPLETE: position in it orders states (ERROR is off the path). */
export const FORWARD_PATH: readonly DeliveryState[] = DELIVERY_STATES.filter((s) => s !== 'ERROR');
/** The states whose completion counts towards progress (all of the path but COMPLETE itself). */
export const WORK_STATES: readonly DeliveryState[] = FORWARD_PATH.filter((s) => s !== 'COMPLETE');

export const orderOf = (state: DeliveryState): number => FORWARD_PATH.indexOf(state);
export const isRoleState = (state: DeliveryState): state is RoleState => (ROLE_STATES as readonly string[]).includes(state);
export const ownerOf = (state: DeliveryState): Role | null => STATES[state].owner;

export const allowedNext = (from: DeliveryState): readonly DeliveryState[] => TRANSITIONS[from];
export const isAllowed = (from: DeliveryState, to: DeliveryState): boolean => TRANSITIONS[from].includes(to);

/** Refuses a move the table does not list, naming the states that may follow `from`. */
export function assertTransition(from: DeliveryState, to: string, what = 'delivery transition'): void {
  if (!(DELIVERY_STATES as readonly string[]).includes(to) || !isAllowed(from, to as DeliveryState)) {
    throw new InvalidTransitionError(from, to, TRANSITIONS[from], what);
  }
}

/**
 * The retry paths out of a state: allowed successors that lie behind it on the forward path, nearest
 * first, so the first is the previous role's state (where `request-retry` sends the work by default).
 */
export const retryTargets = (from: DeliveryState): DeliveryState[] =>
  TRANSITIONS[from].filter((to) => to !== 'ERROR' && orderOf(to) < orderOf(from)).sort((a, b) => orderOf(b) - orderOf(a));

/** The state a successful piece of work moves on to (the forward successor). */
export function forwardSuccessor(from: DeliveryState): DeliveryState | undefined {
  return TRANSITIONS[from].find((to) => to !== 'ERROR' && orderOf(to) > orderOf(from));
}

/**
 * Where a rollback may send a run that stands at `position` (its current state, or for ERROR the
 * state that failed): any earlier role state, and after a failure the failed state itself.
 */
export function rollbackTargets(position: RoleState | DeliveryState, failed: boolean): RoleState[] {
  return ROLE_STATES.filter((s) => orderOf(s) < orderOf(position) || (failed && s === position));
}
