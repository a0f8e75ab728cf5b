/**
 * The dashboard's only way to the server: typed calls over HTTP, each answer checked by its zod
 * schema. Errors arrive as ApiError with the server's error_type, suggestions and request id.
 */
import type { z } from 'zod';
import { getToken, requestToken } from './token';
import {
  AllocationPlan,
  CategoryHistory,
  DataSummary,
  DeliveryHistory,
  DeliveryStatus,
  ErrorBody,
  EventList,
  ExtractedParameters,
  ForecastPlan,
  ImportReport,
  MarkdownDecisions,
  Me,
  RunList,
  RunStarted,
  RunStatus,
  StoreClusters,
  VarianceReport,
  WorkflowList,
  type ImportTable,
  type RunState,
} from './schemas';

export class ApiError extends Error {
  readonly status: number;
  readonly body: ErrorBody;

  constructor(status: number, body: ErrorBody) {
    super(body.message);
    this.name = 'ApiError';
    this.status = status;
    this.body = body;
  }

  get errorType(): string {
    return this.body.error_type;
  }
}

/** A failure that never reached the server's error shape (network down, not JSON, unexpected shape). */
function clientError(status: number, message: string, suggestions: string[] = []): ApiError {
  return new ApiError(status, { error_type: status === 0 ? 'NETWORK_ERROR' : 'UNEXPECTED_RESPONSE', message, details: {}, suggestions });
}

interface RequestOptions {
  body?: unknown;
  /** Sent as is with this content type instead of JSON (CSV uploads). */
  raw?: { content: string; type: string };
  signal?: AbortSignal;
}

async function request<S extends z.ZodType>(method: string, path: string, schema: S, options: RequestOptions = {}): Promise<z.output<S>> {
  const headers: Record<string, string> = { accept: 'application/json' };
  const token = getToken();
  if (token) headers.authorization = `Bearer ${token}`;
  let body: string | undefined;
  if (options.raw) {
    headers['content-type'] = options.raw.type;
    body = options.raw.content;
  } else if (options.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(options.body);
  }
  let response: Response;
  try {
    response = await fetch(path, { method, headers, body, signal: options.signal ?? null });
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error;
    throw clientError(0, `the server could not be reached (${method} ${path})`, ['check that `baton serve` is running']);
  }
  const text = await response.text();
  let json: unknown;
  try {
    json = text === '' ? undefined : JSON.parse(text);
  } catch {
    throw clientError(response.status, `the server answered ${response.status} with something that is not JSON`);
  }
  if (!response.ok) {
    const parsed = ErrorBody.safeParse(json);
    const error = parsed.success ? new ApiError(response.status, parsed.data) : clientError(response.status, `the server answered ${response.status}`);
    // A refusal of a call sent with a token since replaced says nothing of the new one (a slow answer to a call
    // made before the person gave it): what failed loads again on the change, so only a current refusal asks.
    const stale = getToken() !== token;
    if (response.status === 401 && !stale) requestToken(error.message);
    // A 403 may refuse the token itself or only this action (a role, a scope, a rule): ask for
    // another token only in the first case; the second is the caller's to show where it happened.
    if (response.status === 403 && !stale) {
      if (path === ME_PATH) requestToken(error.message);
      else void askIfTokenRefused(error.message);
    }
    throw error;
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw clientError(response.status, `unexpected answer from ${method} ${path}: ${parsed.error.issues[0]?.message ?? 'wrong shape'}`);
  return parsed.data;
}

const ME_PATH = '/api/me';

/**
 * After a 403: is the token itself refused? GET /api/me answers for any valid token, so its 401 or
 * 403 means it is not (and its answer asks for another); a server without /api/me (404: the single
 * BATON_API_TOKEN) refuses nothing but the token. Answered 200, only the action was refused.
 */
async function askIfTokenRefused(message: string): Promise<void> {
  try {
    await request('GET', ME_PATH, Me);
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) requestToken(message);
  }
}

export interface RunFilters {
  state?: RunState | undefined;
  workflow?: string | undefined;
  limit?: number;
  offset?: number;
}

const query = (params: Record<string, string | number | undefined>): string => {
  const entries = Object.entries(params).filter((entry): entry is [string, string | number] => entry[1] !== undefined && entry[1] !== '');
  return entries.length === 0 ? '' : `?${new URLSearchParams(entries.map(([k, v]) => [k, String(v)])).toString()}`;
};

const enc = encodeURIComponent;

/** What separates a CSV file's fields, as the import routes take it. */
export type Delimiter = ',' | ';' | 'tab';
/** Commas are the server's default: left out of the query. */
const delimiterParam = (delimiter: Delimiter): Delimiter | undefined => (delimiter === ',' ? undefined : delimiter);

export interface SalesImportOptions {
  weekDates?: 'start' | 'end';
  quantity?: 'units' | 'sales_value';
  replace?: boolean;
  /** Slash dates month first (the default) or day first. */
  dateOrder?: 'mdy' | 'dmy';
}

export const api = {
  me: () => request('GET', ME_PATH, Me),
  extractParameters: (strategy_description: string, signal?: AbortSignal) =>
    request('POST', '/api/orchestrator/extract-parameters', ExtractedParameters, { body: { strategy_description }, ...(signal ? { signal } : {}) }),
  runWorkflow: (body: { session_id: string; parameters: Record<string, unknown>; workflow?: string }) =>
    request('POST', '/api/orchestrator/run-workflow', RunStarted, { body }),
  listRuns: (filters: RunFilters = {}) =>
    request('GET', `/api/runs${query({ state: filters.state, workflow: filters.workflow, limit: filters.limit, offset: filters.offset })}`, RunList),
  run: (runId: string) => request('GET', `/api/runs/${enc(runId)}`, RunStatus),
  events: (runId: string, since = 0) => request('GET', `/api/runs/${enc(runId)}/events${query({ since, limit: 10_000 })}`, EventList),
  resolveApproval: (runId: string, approvalId: string, body: { action: 'accept' | 'modify' | 'reject'; data?: unknown; comment?: string }) =>
    request('POST', `/api/runs/${enc(runId)}/approvals/${enc(approvalId)}`, RunStatus, { body }),
  workflows: () => request('GET', '/api/workflows', WorkflowList),
  forecast: (runId: string) => request('GET', `/api/forecasts/${enc(runId)}`, ForecastPlan),
  allocation: (runId: string) => request('GET', `/api/allocations/${enc(runId)}`, AllocationPlan),
  variance: (runId: string) => request('GET', `/api/variance/${enc(runId)}`, VarianceReport),
  markdowns: (runId: string) => request('GET', `/api/markdowns/${enc(runId)}`, MarkdownDecisions),
  history: (weeks = 52) => request('GET', `/api/data/history${query({ weeks })}`, CategoryHistory),
  clusters: () => request('GET', '/api/stores/clusters', StoreClusters),
  dataSummary: () => request('GET', '/api/data', DataSummary),
  deliveryStatus: (runId: string) => request('GET', `/api/delivery/runs/${enc(runId)}`, DeliveryStatus),
  deliveryHistory: (runId: string) => request('GET', `/api/delivery/runs/${enc(runId)}/history`, DeliveryHistory),
  /**
   * A week's actuals as CSV; a week column adds late rows of earlier weeks (`corrections`: corrects figures they hold);
   * `partial` when stores have not reported; `confirmUnusual` for a week far from its forecast on purpose.
   */
  postActualsCsv: (
    runId: string,
    week: number,
    file: { name: string; content: string },
    options: { partial: boolean; delimiter: Delimiter; confirmUnusual?: boolean; corrections?: boolean },
  ) =>
    request(
      'POST',
      `/api/runs/${enc(runId)}/actuals/csv${query({
        week,
        name: file.name,
        partial: options.partial ? 'true' : undefined,
        confirm_unusual: options.confirmUnusual ? 'true' : undefined,
        corrections: options.corrections ? 'true' : undefined,
        delimiter: delimiterParam(options.delimiter),
      })}`,
      RunStatus,
      { raw: { content: file.content, type: 'text/csv' } },
    ),
  /** Sales take how their dates sit in the week, what their figures count (unset: as the header says) and whether they replace the history. */
  importCsv: (table: ImportTable, file: { name: string; content: string }, sales: SalesImportOptions = {}, delimiter: Delimiter = ',') =>
    request(
      'POST',
      `/api/data/${table}${query({
        name: file.name,
        delimiter: delimiterParam(delimiter),
        week_dates: sales.weekDates,
        date_order: sales.dateOrder,
        quantity: sales.quantity,
        replace: sales.replace ? 'true' : undefined,
      })}`,
      ImportReport,
      { raw: { content: file.content, type: 'text/csv' } },
    ),
};

/** The WebSocket URL of a run's stream, resuming after `since`; browsers cannot set headers, so the token rides in the query. */
export function runStreamUrl(runId: string, since: number): string {
  const url = new URL(`/ws/runs/${enc(runId)}`, window.location.href);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  url.searchParams.set('since', String(since));
  const token = getToken();
  if (token) url.searchParams.set('token', token);
  return url.toString();
}
