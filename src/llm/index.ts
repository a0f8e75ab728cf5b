/** Parameter extraction: the public surface for the HTTP route, the CLI and the season-planning workflow. */
export { extractParameters, ExtractionMode, ExtractionResult, EXTRACTION_MODES, MAX_TEXT_LENGTH, MIN_TEXT_LENGTH, type ExtractOptions } from './extract.js';
export { ExtractionError, type ExtractionErrorKind } from './errors.js';
export { llmSettingsFromEnv, type LlmSettings } from './provider.js';
export {
  addWeeks,
  ALLOWED_VALUES,
  HORIZON_WEEKS,
  PARAMETER_FIELDS,
  REPLENISHMENT_STRATEGIES,
  ReplenishmentStrategy,
  SeasonParameterFields,
  SeasonParameters,
  type ParameterField,
} from './season-parameters.js';
