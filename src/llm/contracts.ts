/**
 * Parameter extraction's wire contract: the modes, the text bound and what an extraction answers.
 * Pure (zod and the parameter rules), so the HTTP schemas and the dashboard declare it once.
 */
import { z } from 'zod';
import { PARAMETER_FIELDS, SeasonParameterFields } from './season-parameters.js';

export { PARAMETER_FIELDS, REPLENISHMENT_STRATEGIES, type ParameterField } from './season-parameters.js';

export const EXTRACTION_MODES = ['rules', 'llm', 'hybrid'] as const;
export const ExtractionMode = z.enum(EXTRACTION_MODES);
export type ExtractionMode = z.infer<typeof ExtractionMode>;

/** Longer texts are not a season request; refusing them keeps the rules and the model cheap. */
export const MAX_TEXT_LENGTH = 4_000;
/** The seed specification's lower bound: fewer characters cannot name a season's five facts. */
export const MIN_TEXT_LENGTH = 10;

export const ExtractionResult = SeasonParameterFields.extend({
  extraction_reasoning: z.string(),
  confidence_score: z.number().min(0).max(1),
  /** For each field read from the text, the words it came from (derived fields: the words they follow from). */
  sources: z.partialRecord(z.enum(PARAMETER_FIELDS), z.string()),
  mode: ExtractionMode,
  /** The fields the language model supplied (empty offline). */
  llm_fields: z.array(z.enum(PARAMETER_FIELDS)),
});
export type ExtractionResult = z.infer<typeof ExtractionResult>;
