/**
 * A draft: the parameters as far as they were understood, before the business rules. Both the
 * offline rules and the LLM produce one; `assemble` turns it into SeasonParameters or an error.
 */
import type { ParameterField, ReplenishmentStrategy } from './season-parameters.js';

/** Field values as read; loose on purpose so validation, not reading, decides what is allowed. */
export interface DraftValues {
  forecast_horizon_weeks?: number;
  season_start_date?: string;
  season_end_date?: string;
  replenishment_strategy?: ReplenishmentStrategy | (string & {});
  dc_holdback_percentage?: number;
  markdown_checkpoint_week?: number | null;
  markdown_threshold?: number | null;
}

/** Where a value came from: the planner's words, how they were read, and by whom. */
export interface FieldOrigin {
  words: string;
  how: string;
  by: 'rules' | 'llm' | 'derived' | 'default';
  confidence: number;
}

export interface Draft {
  values: DraftValues;
  origins: Partial<Record<ParameterField, FieldOrigin>>;
  /** Markdowns were talked about: a missing checkpoint week or threshold is then a gap to report. */
  markdownMentioned: boolean;
  /** Reasoning that belongs to no single field (e.g. "no LLM configured"). */
  notes: string[];
  /** Fields the text gives two different values for, with the words of each: refused, never guessed. */
  conflicts?: Partial<Record<ParameterField, string[]>>;
}

export const emptyDraft = (): Draft => ({ values: {}, origins: {}, markdownMentioned: false, notes: [] });

export function setField<K extends ParameterField>(draft: Draft, field: K, value: DraftValues[K], origin: FieldOrigin): void {
  draft.values[field] = value;
  draft.origins[field] = origin;
}
