/**
 * What `baton runs` needs of wherever the runs live: the database directly (direct.ts) or a server
 * (remote.ts). Both speak the API's shapes (snake_case views), so the output cannot differ.
 */
import type { z } from 'zod';
import type { eventMessage, runStatus } from '../../server/schemas.js';

export type RunView = z.output<typeof runStatus>;
export type EventView = z.output<typeof eventMessage>;

export interface ListFilter {
  workflow?: string;
  state?: RunView['state'];
  sessionId?: string;
  limit: number;
  offset: number;
}

export interface Resolution {
  action: 'accept' | 'modify' | 'reject';
  data?: unknown;
  comment?: string;
  role?: string;
}

export interface WeeklyActualsBody {
  week: number;
  sales: { store_id: string; category_id: string; units_sold: number }[];
  /** What the figures count, when the file's column said (Units, sales_value, Weekly_Sales): refused if the season counts the other. */
  measure?: 'units' | 'sales_value';
  /** Posted without every planned series: the missing ones are left out of the week's comparison. */
  partial?: boolean;
  /** Series earlier weeks were posted without, each with its week. */
  late?: { week: number; store_id: string; category_id: string; units_sold: number }[];
  /** Figures earlier weeks hold that were wrong, each with its week and the right figure. */
  corrections?: { week: number; store_id: string; category_id: string; units_sold: number }[];
}

/** Told to the person watching, not part of the output proper (stderr). */
export type Note = (line: string) => void;

export interface RunsBackend {
  /** "database <where>" or "server <url>", for messages. */
  readonly describe: string;
  readonly kind: 'database' | 'server';
  list(filter: ListFilter): Promise<{ runs: RunView[]; total: number }>;
  status(runId: string): Promise<RunView>;
  /** Events after `since`, at most `limit`, in order. */
  events(runId: string, since: number, limit: number): Promise<EventView[]>;
  resolve(runId: string, waitId: string, resolution: Resolution): Promise<RunView>;
  postActuals(runId: string, actuals: WeeklyActualsBody): Promise<RunView>;
  cancel(runId: string, reason?: string): Promise<RunView>;
  retry(runId: string): Promise<RunView>;
  rollback(runId: string, toPhase: string, reason?: string): Promise<RunView>;
  /**
   * Every event after `since`, then new ones as they commit, each exactly once and in order,
   * until `onEvent` returns true; a dropped connection is resumed from the last event delivered.
   */
  follow(runId: string, since: number, onEvent: (event: EventView) => boolean, note: Note): Promise<void>;
  /** Until the run waits or ends (an action's `--wait`); a database backend drives it here meanwhile. */
  settle(runId: string, timeoutMs: number): Promise<RunView>;
  close(): Promise<void>;
}
