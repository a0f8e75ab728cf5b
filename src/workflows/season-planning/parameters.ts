/**
 * What a season-planning run takes: the seven extracted season parameters plus the knobs a planner
 * rarely changes (variance threshold, price, where in-season actuals come from, approval deadlines),
 * and the rules that tie them together beyond the extractor's (no stock stranded at the DC). The
 * schemas are declared once, in the contracts (the dashboard reads them too); this module adds what
 * only the workflow needs.
 */
export { PlanOptions, PlanOverrides, PlanParameters, strandedStock } from './contracts.js';
export type { PlanParametersInput } from './contracts.js';

const HOUR_MS = 3_600_000;

/** Hours to the engine's milliseconds (a wait's `deadlineMs`); undefined stays "no deadline". */
export const deadlineMsOf = (hours: number | undefined): number | undefined => (hours === undefined ? undefined : Math.round(hours * HOUR_MS));
