/**
 * Extraction's three failures as BatonErrors: `incomplete` (400 PARAMETER_EXTRACTION_ERROR, the seed
 * specification's type), `invalid` (422) and `llm_unavailable` (503). `details.kind` and the sorted
 * `details.fields` let callers branch; what was understood is `details.extracted_parameters` (the
 * specified name) and `details.found` (the dashboard's), what is missing `missing_parameters` / `missing`.
 */
import { BatonError, type BatonErrorOptions, type ErrorCode, type FieldIssue } from '../errors/index.js';
import { ALLOWED_VALUES, type ParameterField } from './season-parameters.js';

export type ExtractionErrorKind = 'incomplete' | 'invalid' | 'llm_unavailable';

const CODE_OF: Record<ExtractionErrorKind, ErrorCode> = {
  incomplete: 'PARAMETER_EXTRACTION_ERROR',
  invalid: 'INVALID_PARAMETERS',
  llm_unavailable: 'UPSTREAM_UNAVAILABLE',
};

export class ExtractionError extends BatonError {
  readonly kind: ExtractionErrorKind;
  readonly fields: ParameterField[];

  constructor(kind: ExtractionErrorKind, message: string, fields: readonly ParameterField[], options: BatonErrorOptions = {}) {
    const sorted = [...new Set(fields)].sort();
    super(CODE_OF[kind], message, { ...options, details: { kind, fields: sorted, ...options.details } });
    this.kind = kind;
    this.fields = sorted;
  }
}

/** How a planner can supply each field, in their own words. */
export const SUGGESTION_FOR: Record<ParameterField, string> = {
  forecast_horizon_weeks: 'say how long the season runs, e.g. "a 12-week season", "twelve weeks" or "three months" (4–52 weeks)',
  season_start_date: 'say when the season starts, e.g. "starting 2025-03-03", "from March 3, 2025" or "next Monday"',
  season_end_date: 'give an end date ("until 2025-05-26") or the season length in weeks',
  replenishment_strategy: 'say how stores are restocked: "weekly replenishment", "bi-weekly" (every two weeks) or "no replenishment"',
  dc_holdback_percentage: 'say how much stock the DC keeps back, e.g. "15% DC holdback", "hold back a fifth", or "ship everything" for none',
  markdown_checkpoint_week: 'say in which week to check markdowns, e.g. "markdown check at week 8", or "no markdowns"',
  markdown_threshold: 'say the sell-through below which to mark down, e.g. "if sell-through is below 60%", or "no markdowns"',
};

/** Required fields the text did not give; `found` keeps what was understood so nothing is lost. */
export function incompleteParameters(
  missing: readonly ParameterField[],
  found: Record<string, unknown>,
  extraSuggestions: string[] = [],
  alsoInvalid: readonly FieldIssue[] = [],
): ExtractionError {
  const sorted = [...missing].sort();
  return new ExtractionError('incomplete', `the text does not say: ${sorted.join(', ')}`, sorted, {
    details: {
      missing_parameters: sorted,
      extracted_parameters: found,
      missing: sorted,
      found,
      ...(alsoInvalid.length > 0 ? { also_invalid: [...alsoInvalid] } : {}),
    },
    suggestions: [
      ...sorted.map((field) => `${field}: ${SUGGESTION_FOR[field]}`),
      ...alsoInvalid.map((issue) => `${issue.path}: ${issue.message}`),
      ...extraSuggestions,
    ],
  });
}

/** Fewer characters than any season needs ("12w" says too little to read): a clear 400 rather than a guess. */
export function textTooShort(length: number, min: number, required: readonly ParameterField[]): ExtractionError {
  const sorted = [...required].sort();
  return new ExtractionError('incomplete', `the text is ${length} character${length === 1 ? '' : 's'}; a season is described in at least ${min}`, sorted, {
    details: { length, min, missing_parameters: sorted, extracted_parameters: {}, missing: sorted, found: {} },
    suggestions: ['describe the season in a sentence, e.g. "a 12-week season starting 2025-03-03, weekly replenishment, 15% DC holdback, no markdowns"'],
  });
}

/** Values out of range or inconsistent; each issue names its field and what it allows. */
export function invalidParameters(issues: readonly FieldIssue[], found: Record<string, unknown>): ExtractionError {
  const fields = issues.map((issue) => issue.path as ParameterField);
  const listed = issues.map((issue) => `${issue.path} ${issue.message}`).join('; ');
  return new ExtractionError('invalid', `parameters out of range: ${listed}`, fields, {
    details: { issues: [...issues], allowed: Object.fromEntries(fields.map((f) => [f, ALLOWED_VALUES[f]])), extracted_parameters: found, found },
    suggestions: issues.map((issue) => `${issue.path}: ${ALLOWED_VALUES[issue.path as ParameterField] ?? issue.message}`),
  });
}

/** Fields said twice with different values: refused (422 like any invalid value), each naming what was said. */
export function contradictoryParameters(conflicts: Partial<Record<ParameterField, string[]>>, found: Record<string, unknown>): ExtractionError {
  const issues = Object.entries(conflicts).map(([path, said]) => ({ path, message: `is said two ways: ${said.map((w) => `"${w}"`).join(' and ')}` }));
  const fields = issues.map((issue) => issue.path as ParameterField);
  return new ExtractionError('invalid', `the text contradicts itself: ${issues.map((i) => `${i.path} ${i.message}`).join('; ')}`, fields, {
    details: { issues, conflicts, extracted_parameters: found, found },
    suggestions: issues.map((issue) => `${issue.path}: say which one is meant (a later "actually …" or "make it …" replaces what came before)`),
  });
}

/** The LLM could not answer usefully (HTTP error, timeout, refused connection, unreadable JSON). */
export function llmUnavailable(reason: string, asked: readonly ParameterField[], options: { cause?: unknown; status?: number } = {}): ExtractionError {
  return new ExtractionError('llm_unavailable', `the language model is unavailable: ${reason}`, asked, {
    details: { reason, ...(options.status === undefined ? {} : { status: options.status }) },
    suggestions: [
      'try again in a moment',
      'use --mode rules (offline) to extract without the language model',
      'check OPENAI_API_KEY / OPENAI_BASE_URL or the AZURE_OPENAI_* settings',
    ],
    retryable: true,
    cause: options.cause,
  });
}
