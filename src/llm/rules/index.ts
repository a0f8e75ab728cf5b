/**
 * The offline extractor: rule families read the text one after another, each blanking the
 * words it understood, in an order that settles their overlaps (cadence takes "every two
 * weeks" before durations, markdowns take "60% sell-through" before the DC share).
 */
import { type Draft, emptyDraft, setField } from '../draft.js';
import type { ParameterField } from '../season-parameters.js';
import { findCadence } from './cadence.js';
import { findDates } from './dates.js';
import { findDcShare } from './dc-share.js';
import { findHorizon } from './durations.js';
import type { Found } from './found.js';
import { findMarkdown } from './markdown.js';
import { Scan } from './scan.js';

/** How sure the rules are of a value they read from explicit words. */
const READ_CONFIDENCE = 0.95;

export function extractWithRules(text: string, referenceDate: string): Draft {
  const scan = new Scan(text);
  const draft = emptyDraft();
  const record = <K extends ParameterField>(field: K, found: Found<NonNullable<Draft['values'][K]>> | Found<null> | undefined): void => {
    if (!found) return;
    setField(draft, field, found.value as Draft['values'][K], { words: found.words, how: found.how, by: 'rules', confidence: READ_CONFIDENCE });
    if (found.conflict) (draft.conflicts ??= {})[field] = found.conflict;
  };

  record('replenishment_strategy', findCadence(scan));
  const markdown = findMarkdown(scan);
  draft.markdownMentioned = markdown.mentioned;
  if (markdown.none) {
    record('markdown_checkpoint_week', markdown.none);
    record('markdown_threshold', markdown.none);
  }
  record('markdown_checkpoint_week', markdown.week);
  record('markdown_threshold', markdown.threshold);
  const dates = findDates(scan, referenceDate);
  record('season_start_date', dates.start);
  record('season_end_date', dates.end);
  record('forecast_horizon_weeks', findHorizon(scan));
  record('dc_holdback_percentage', findDcShare(scan));
  return draft;
}
