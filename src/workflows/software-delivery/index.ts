/** Software delivery: five roles hand a change along DISCOVERY → … → COMPLETE on Baton's engine. */
export { SOFTWARE_DELIVERY, softwareDelivery, softwareDeliveryWorkflow } from './workflow.js';
export { DeliveryService } from './service.js';
export { AdvanceRequest, RetryRequest, RollbackRequest, StartDelivery } from './requests.js';
export { DeliveryParameters, ProjectName, sessionOf } from './parameters.js';
export { DELIVERY_STATES, DeliveryState, ROLES, Role, ROLE_STATES, STATES, TRANSITIONS, allowedNext, assertTransition, isAllowed } from './states.js';
export { ROLE_OUTPUTS } from './outputs.js';
export type { AuditEntry, Move } from './audit.js';
export type { DeliveryStatus, ExpectedNext } from './status.js';
export type { ProjectStats, StateCount } from './stats.js';
