/** The run store's constants the API and the dashboard share: pure, so the browser may bundle it. */

export const RUN_STATES = ['running', 'waiting', 'completed', 'failed', 'cancelled', 'rejected', 'expired'] as const;

/** Event sequence numbers are 32-bit integers in PostgreSQL: a larger `since` is bad input, not a query to run. */
export const MAX_EVENT_SEQ = 2_147_483_647;
