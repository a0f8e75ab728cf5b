/**
 * How delivery states map onto engine phases. A role state is two phases: `<STATE>.agent` (the
 * role played by an agent, skipped when a person plays it) then `<STATE>` (a submission the role
 * hands in, skipped when an agent plays it). Handoff states and ERROR are one agent phase each;
 * COMPLETE is the run's own `completed` state.
 */
import { BatonError } from '../../errors/index.js';
import { DELIVERY_STATES, isRoleState, type DeliveryState, type RoleState } from './states.js';

const AGENT_SUFFIX = '.agent';

export const agentPhaseOf = (state: RoleState): string => `${state}${AGENT_SUFFIX}`;

/** The phase a run enters a state by: for role states the agent phase (skipped straight into the submission when a person plays it). */
export function firstPhaseOf(state: DeliveryState): string {
  if (state === 'COMPLETE') throw new BatonError('INTERNAL_ERROR', 'COMPLETE is the end of a run, not a phase');
  return isRoleState(state) ? agentPhaseOf(state) : state;
}

export function stateOfPhase(phase: string): DeliveryState {
  const state = phase.endsWith(AGENT_SUFFIX) ? phase.slice(0, -AGENT_SUFFIX.length) : phase;
  if (!(DELIVERY_STATES as readonly string[]).includes(state)) throw new BatonError('INTERNAL_ERROR', `phase "${phase}" is no delivery state`);
  return state as DeliveryState;
}

export const isAgentPhase = (phase: string): boolean => phase.endsWith(AGENT_SUFFIX);
