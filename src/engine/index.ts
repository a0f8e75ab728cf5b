/** The engine's public surface: define agents and workflows, run them durably, follow their events. */
export { defineAgent, DEFAULT_RETRY, DEFAULT_TIMEOUT_MS, backoffDelay } from './agent.js';
export type { AgentContext, AgentDefinition, AgentSpec, RetryPolicy } from './agent.js';
export { AgentRegistry } from './registry.js';
export { invokeAgent, AgentCallFailed } from './invoke.js';
export type { AttemptOutcome, InvokeOptions } from './invoke.js';
export { defineWorkflow, isWaitPhase } from './workflow.js';
export type {
  AgentPhase,
  Phase,
  RollbackHook,
  RollbackRequest,
  Transition,
  WaitPhase,
  WaitResolution,
  WaitSpec,
  WorkflowContext,
  WorkflowDefinition,
} from './workflow.js';
export { Engine, resolutionInput } from './engine.js';
export type {
  DecisionQuery,
  DecisionOptions,
  EngineOptions,
  HistoryEntry,
  ResolutionInput,
  ResolveOptions,
  RunStatus,
  RunStep,
  StartRunOptions,
  WorkflowStats,
} from './engine.js';
export type { RollbackOutput } from './timeline.js';
export { CORE_EVENT_TYPES } from './events.js';
export type { CoreEventType } from './events.js';
export { RUN_TRANSITIONS, FINISHED_STATES } from './run-states.js';
export type { Subscription, EventListener, RunCursor } from './event-hub.js';
