/**
 * `extractParameters`: plain words → validated season parameters, with the words each came
 * from, the reasoning and a confidence. Modes: `rules` (offline; the default without a model),
 * `llm` (the model reads everything), `hybrid` (rules first, the model only for what they missed;
 * the default when a model is configured).
 */
import { BatonError } from '../errors/index.js';
import { assemble, deriveFields, missingFields } from './assemble.js';
import type { Draft } from './draft.js';
import { textTooShort } from './errors.js';
import { askLanguageModel } from './llm-extractor.js';
import { type LlmSettings, llmSettingsFromEnv } from './provider.js';
import { extractWithRules } from './rules/index.js';
import { isoOf, PARAMETER_FIELDS, type ParameterField } from './season-parameters.js';

// The extraction's modes, bounds and answer are declared once, in the contracts (the server and the dashboard read them too).
import { type ExtractionMode, type ExtractionResult, MAX_TEXT_LENGTH, MIN_TEXT_LENGTH } from './contracts.js';
export { EXTRACTION_MODES, ExtractionMode, ExtractionResult, MAX_TEXT_LENGTH, MIN_TEXT_LENGTH } from './contracts.js';

export interface ExtractOptions {
  /** The day relative dates count from: YYYY-MM-DD or a Date (its UTC day). Default: today (UTC). */
  referenceDate?: string | Date;
  /** Default: `hybrid` when a model is configured, else `rules`. */
  mode?: ExtractionMode;
  /** The model to use; default from the environment (llmSettingsFromEnv); null for none. */
  llm?: LlmSettings | null;
}

export async function extractParameters(text: string, options: ExtractOptions = {}): Promise<ExtractionResult> {
  if (text.length > MAX_TEXT_LENGTH) {
    throw new BatonError('BAD_REQUEST', `the text is ${text.length} characters; at most ${MAX_TEXT_LENGTH} are read`, {
      details: { length: text.length, max: MAX_TEXT_LENGTH },
      suggestions: ['describe the season in a few sentences'],
    });
  }
  const length = text.trim().length;
  if (length < MIN_TEXT_LENGTH)
    throw textTooShort(
      length,
      MIN_TEXT_LENGTH,
      PARAMETER_FIELDS.filter((f) => f !== 'season_end_date'),
    );
  const referenceDate = referenceDay(options.referenceDate);
  const llm = options.llm === undefined ? llmSettingsFromEnv() : (options.llm ?? undefined);
  const mode = options.mode ?? (llm ? 'hybrid' : 'rules');
  const draft = mode === 'llm' ? await askOrExplain(llm, text, referenceDate, PARAMETER_FIELDS) : extractWithRules(text, referenceDate);
  if (mode === 'hybrid') await fillGapsWithModel(draft, llm, text, referenceDate);
  deriveFields(draft);
  flagPastStart(draft, referenceDate);
  const parameters = assemble(
    draft,
    mode === 'rules' && missingFields(draft).length > 0 && llm ? ['or try --mode hybrid to let the language model read what the rules could not'] : [],
  );
  return {
    ...parameters,
    extraction_reasoning: reasoningOf(draft),
    confidence_score: confidenceOf(draft),
    sources: Object.fromEntries(PARAMETER_FIELDS.flatMap((f) => (draft.origins[f]?.words ? [[f, draft.origins[f].words]] : []))),
    mode,
    llm_fields: PARAMETER_FIELDS.filter((f) => draft.origins[f]?.by === 'llm'),
  };
}

/** Hybrid: ask the model only for the fields the rules did not find, and keep every rule value. */
async function fillGapsWithModel(draft: Draft, llm: LlmSettings | undefined, text: string, referenceDate: string): Promise<void> {
  const missing = missingFields(deriveFields(draft));
  if (missing.length === 0) return;
  if (!llm) {
    draft.notes.push('no language model configured (OPENAI_API_KEY or AZURE_OPENAI_*), so the rules alone decided');
    return;
  }
  const answer = await askLanguageModel(llm, text, referenceDate, missing);
  for (const field of missing) {
    const origin = answer.origins[field];
    if (origin === undefined) continue;
    draft.values[field] = answer.values[field] as never;
    draft.origins[field] = origin;
  }
  draft.markdownMentioned ||= answer.markdownMentioned;
  draft.notes.push(...answer.notes);
}

async function askOrExplain(llm: LlmSettings | undefined, text: string, referenceDate: string, fields: readonly ParameterField[]): Promise<Draft> {
  if (!llm) {
    throw new BatonError('UPSTREAM_UNAVAILABLE', 'mode "llm" needs a language model, and none is configured', {
      details: { kind: 'llm_unavailable', fields: [], reason: 'not configured' },
      suggestions: [
        'set OPENAI_API_KEY (and optionally OPENAI_BASE_URL, OPENAI_MODEL), or AZURE_OPENAI_ENDPOINT, AZURE_OPENAI_API_KEY and AZURE_OPENAI_DEPLOYMENT',
        'or use --mode rules',
      ],
    });
  }
  return askLanguageModel(llm, text, referenceDate, fields);
}

function referenceDay(reference: string | Date | undefined): string {
  if (reference === undefined) return isoOf(Date.now());
  if (reference instanceof Date) {
    if (!Number.isNaN(reference.getTime())) return isoOf(reference.getTime());
  } else {
    const ms = Date.parse(`${reference}T00:00:00Z`);
    // Date.parse rolls 2025-02-30 over to March; reading it back catches that.
    if (/^\d{4}-\d{2}-\d{2}$/.test(reference) && !Number.isNaN(ms) && isoOf(ms) === reference) return reference;
  }
  throw new BatonError('BAD_REQUEST', `reference date "${String(reference)}" is not a calendar date`, {
    details: { reference_date: String(reference) },
    suggestions: ['give the reference date as YYYY-MM-DD, e.g. 2025-01-15'],
  });
}

/** How sure a start before the reference date is: planning a season already begun (or a misread year) is rare. */
const PAST_START_CONFIDENCE = 0.5;

/** A start before the reference date is kept (a back-test plans one) but said, and the confidence shows it. */
function flagPastStart(draft: Draft, referenceDate: string): void {
  const start = draft.values.season_start_date;
  const origin = draft.origins.season_start_date;
  if (start === undefined || origin === undefined || start >= referenceDate) return;
  origin.confidence = Math.min(origin.confidence, PAST_START_CONFIDENCE);
  draft.notes.push(`the start ${start} is before the reference date ${referenceDate}: check the year`);
}

function reasoningOf(draft: Draft): string {
  const parts = PARAMETER_FIELDS.flatMap((f) => (draft.origins[f] ? [draft.origins[f].how] : []));
  return [...new Set([...parts, ...draft.notes])].join('; ');
}

/** The mean of the fields' confidences: defaults and model answers lower it, explicit words raise it. */
function confidenceOf(draft: Draft): number {
  const values = PARAMETER_FIELDS.map((f) => draft.origins[f]?.confidence ?? 0);
  return Math.round((values.reduce((a, b) => a + b, 0) / values.length) * 100) / 100;
}
