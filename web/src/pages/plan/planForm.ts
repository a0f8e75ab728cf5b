/**
 * The New plan form's model: what extraction understood (values and the words they came from),
 * what the planner changed by hand, and what the server said about each field. Shares are shown
 * as percentages; the end date always follows from the start and the length, as on the server.
 */
import type { ApiError } from '../../api/client';
import type { ExtractedParameters, ParameterField } from '../../api/schemas';

export const EDITABLE_FIELDS = [
  'forecast_horizon_weeks',
  'season_start_date',
  'replenishment_strategy',
  'dc_holdback_percentage',
  'markdown_checkpoint_week',
  'markdown_threshold',
] as const;
export type EditableField = (typeof EDITABLE_FIELDS)[number];
export type FormValues = Record<EditableField, string>;

export const EMPTY_FORM: FormValues = {
  forecast_horizon_weeks: '',
  season_start_date: '',
  replenishment_strategy: '',
  dc_holdback_percentage: '',
  markdown_checkpoint_week: '',
  markdown_threshold: '',
};

export const FIELD_LABELS: Record<ParameterField, string> = {
  forecast_horizon_weeks: 'Season length (weeks)',
  season_start_date: 'Season starts',
  season_end_date: 'Season ends',
  replenishment_strategy: 'Replenishment',
  dc_holdback_percentage: 'DC holdback (%)',
  markdown_checkpoint_week: 'Markdown check (week)',
  markdown_threshold: 'Markdown if sell-through below (%)',
};

const percent = (share: number) => String(Math.round(share * 1000) / 10);

/** Form text for one parameter value as the API gives it. */
function asText(field: EditableField, value: unknown): string {
  if (value === null || value === undefined) return '';
  if ((field === 'dc_holdback_percentage' || field === 'markdown_threshold') && typeof value === 'number') return percent(value);
  return typeof value === 'string' || typeof value === 'number' ? String(value) : '';
}

export interface Understood {
  values: Partial<FormValues>;
  sources: Partial<Record<ParameterField, string>>;
  /** What the server says about a field: a suggestion for a missing one, the allowed range for a wrong one. */
  messages: Partial<Record<ParameterField, string>>;
}

const isField = (name: string): name is ParameterField => name in FIELD_LABELS;

function valuesOf(found: Record<string, unknown>): Partial<FormValues> {
  const values: Partial<FormValues> = {};
  for (const field of EDITABLE_FIELDS) if (field in found) values[field] = asText(field, found[field]);
  return values;
}

export function fromExtraction(result: ExtractedParameters): Understood {
  const sources: Understood['sources'] = {};
  for (const [field, words] of Object.entries(result.sources)) if (isField(field) && words) sources[field] = words;
  return { values: valuesOf(result), sources, messages: {} };
}

/** Field messages from an error's `details.issues` ({path, message}) and its "field: suggestion" lines. */
export function fieldMessages(error: ApiError): Understood['messages'] {
  const messages: Understood['messages'] = {};
  const issues = Array.isArray(error.body.details.issues) ? (error.body.details.issues as { path?: unknown; message?: unknown }[]) : [];
  for (const issue of issues) {
    const field = (typeof issue.path === 'string' ? issue.path : '').split('.').at(-1) ?? '';
    if (isField(field) && typeof issue.message === 'string') messages[field] = issue.message;
  }
  for (const suggestion of error.body.suggestions) {
    const match = /^(?:fix )?([a-z_]+): (.*)$/.exec(suggestion);
    const [, field, text] = match ?? [];
    if (field && text && isField(field) && !messages[field]) messages[field] = text;
  }
  return messages;
}

/** What an incomplete (400) or invalid (422) extraction still understood, with the server's word on each field. */
export function fromExtractionError(error: ApiError): Understood {
  const found = (error.body.details.found ?? {}) as Record<string, unknown>;
  return { values: valuesOf(found), sources: {}, messages: fieldMessages(error) };
}

export function addDays(iso: string, days: number): string {
  const time = Date.parse(`${iso}T00:00:00Z`);
  if (Number.isNaN(time)) return '';
  return new Date(time + days * 86_400_000).toISOString().slice(0, 10);
}

export function endDate(values: FormValues): string {
  const weeks = Number(values.forecast_horizon_weeks);
  return values.season_start_date && Number.isInteger(weeks) && weeks > 0 ? addDays(values.season_start_date, 7 * weeks) : '';
}

const numberOrNull = (text: string, scale = 1): number | null => (text.trim() === '' ? null : Number(text) / scale);

/** The run-workflow parameters from the form; the server checks every rule and names what is wrong. */
export function toParameters(values: FormValues, simulated: boolean): Record<string, unknown> {
  return {
    forecast_horizon_weeks: numberOrNull(values.forecast_horizon_weeks),
    season_start_date: values.season_start_date || null,
    season_end_date: endDate(values) || null,
    replenishment_strategy: values.replenishment_strategy || null,
    dc_holdback_percentage: numberOrNull(values.dc_holdback_percentage, 100),
    markdown_checkpoint_week: numberOrNull(values.markdown_checkpoint_week),
    markdown_threshold: numberOrNull(values.markdown_threshold, 100),
    actuals: simulated ? 'simulated' : 'manual',
  };
}

export const REQUIRED: readonly EditableField[] = ['forecast_horizon_weeks', 'season_start_date', 'replenishment_strategy', 'dc_holdback_percentage'];
export const isStartable = (values: FormValues) => REQUIRED.every((field) => values[field].trim() !== '');
