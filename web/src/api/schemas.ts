/**
 * The API's shapes the dashboard reads, taken from the server's own declarations (src/server/schemas.ts
 * and the workflows' contracts), so a changed server shows up here as a type error and, on arrival,
 * as a clear error instead of a blank chart. Only the dashboard's own leniencies are declared here.
 */
import { z } from 'zod';
import { errorBody, eventList, extractedParameters, runList, runStarted, runStatus, workflowList } from '../../../src/server/schemas.js';

import { Actor } from '../../../src/actors/contracts.js';

export { RUN_STATES, RunState, MAX_EVENT_SEQ } from '../../../src/engine/contracts.js';
export { ActorRef, holdsRole, type Actor } from '../../../src/actors/contracts.js';
export { PARAMETER_FIELDS, REPLENISHMENT_STRATEGIES, type ParameterField } from '../../../src/llm/contracts.js';
export {
  AllocationReport as AllocationPlan,
  CategoryHistory,
  DataSummary,
  ForecastReport as ForecastPlan,
  IMPORT_TABLES,
  ImportReport,
  MarkdownReport as MarkdownDecisions,
  StoreClusters,
  VarianceReport,
  type ImportTable,
} from '../../../src/workflows/season-planning/contracts.js';
export {
  AuditEntryView as AuditEntry,
  DeliveryHistoryView as DeliveryHistory,
  DeliveryStatusView as DeliveryStatus,
} from '../../../src/workflows/software-delivery/contracts.js';

/**
 * An error as the dashboard may meet it: the server's shape, read leniently, since a proxy or an older
 * server may answer without every field, and the client's own failures (NETWORK_ERROR, UNEXPECTED_RESPONSE)
 * carry codes the server's vocabulary does not have.
 */
export const ErrorBody = errorBody.extend({
  error_type: z.string(),
  details: errorBody.shape.details.default({}),
  suggestions: errorBody.shape.suggestions.default([]),
  request_id: errorBody.shape.request_id.optional(),
});
export type ErrorBody = z.infer<typeof ErrorBody>;

export const RunStatus = runStatus;
export type RunStatus = z.infer<typeof RunStatus>;
export const RunList = runList;
export type RunList = z.infer<typeof RunList>;
export const RunStarted = runStarted;

/** One event of a run's log; the fields beyond these depend on its type (src/engine/contracts.ts, docs/STREAMS.md). */
export const RunEvent = eventList.shape.events.element;
export type RunEvent = z.infer<typeof RunEvent>;
export const EventList = eventList;

export const WorkflowList = workflowList;
export type Workflow = z.infer<typeof WorkflowList>['workflows'][number];

export const ExtractedParameters = extractedParameters;
export type ExtractedParameters = z.infer<typeof ExtractedParameters>;

/**
 * Who the caller is, as GET /api/me answers it: the actor the token stands for (the local user
 * when the server needs no token). The token's id may be left out: the dashboard does not show it.
 */
export const Me = Actor.extend({ token_id: Actor.shape.token_id.default(null) });
export type Me = z.infer<typeof Me>;
