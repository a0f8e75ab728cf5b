/**
 * From a draft to validated SeasonParameters: fills what follows from what was said (end =
 * start + 7 × horizon, horizon = days / 7, start = end − 7 × horizon), then applies the
 * business rules. Missing fields → `incomplete`; out-of-range or inconsistent ones → `invalid`.
 */
import type { FieldIssue } from '../errors/index.js';
import type { Draft, FieldOrigin } from './draft.js';
import { contradictoryParameters, incompleteParameters, invalidParameters } from './errors.js';
import { addWeeks, daysBetween, PARAMETER_FIELDS, type ParameterField, SeasonParameterFields, SeasonParameters } from './season-parameters.js';

/** A field's value is worked out from others: as sure as the least sure of them. */
const DERIVED_CONFIDENCE = 0.95;
/** Markdowns never mentioned: no markdown phase, which is the usual case but an assumption. */
const DEFAULT_CONFIDENCE = 0.85;

/** Fills in the fields that follow from others. Mutates and returns the draft. */
export function deriveFields(draft: Draft): Draft {
  const { values, origins } = draft;
  const from = (...fields: ParameterField[]): Omit<FieldOrigin, 'how'> => ({
    words: fields
      .map((f) => origins[f]?.words)
      .filter(Boolean)
      .join(' + '),
    by: 'derived',
    confidence: Math.min(DERIVED_CONFIDENCE, ...fields.map((f) => origins[f]?.confidence ?? 1)),
  });
  const { season_start_date: start, season_end_date: end, forecast_horizon_weeks: weeks } = values;
  if (start !== undefined && weeks !== undefined && end === undefined && isWhole(weeks) && isDate(start)) {
    values.season_end_date = addWeeks(start, weeks);
    origins.season_end_date = { ...from('season_start_date', 'forecast_horizon_weeks'), how: `end = start + 7 × ${weeks} days = ${values.season_end_date}` };
  } else if (start !== undefined && end !== undefined && weeks === undefined && isDate(start) && isDate(end)) {
    const days = daysBetween(start, end);
    if (days > 0 && days % 7 === 6) {
      // "From Monday 2025-03-03 through Sunday 2025-05-25": the end is the season's last day, so the season is whole
      // weeks to the day after it, which is the end date as Baton counts it (start + 7 × weeks).
      const weeks = (days + 1) / 7;
      values.forecast_horizon_weeks = weeks;
      values.season_end_date = addWeeks(start, weeks);
      origins.forecast_horizon_weeks = {
        ...from('season_start_date', 'season_end_date'),
        how: `horizon = ${days} days + the last day / 7 = ${weeks} weeks (${end} read as the season's last day)`,
      };
      origins.season_end_date = { ...from('season_start_date', 'season_end_date'), how: `end = the day after the last day ${end} = ${values.season_end_date}` };
    } else {
      values.forecast_horizon_weeks = days / 7;
      origins.forecast_horizon_weeks = { ...from('season_start_date', 'season_end_date'), how: `horizon = ${days} days / 7 = ${+(days / 7).toFixed(3)} weeks` };
    }
  } else if (end !== undefined && weeks !== undefined && start === undefined && isWhole(weeks) && isDate(end)) {
    values.season_start_date = addWeeks(end, -weeks);
    origins.season_start_date = { ...from('season_end_date', 'forecast_horizon_weeks'), how: `start = end − 7 × ${weeks} days = ${values.season_start_date}` };
  }
  if (!draft.markdownMentioned && values.markdown_checkpoint_week === undefined && values.markdown_threshold === undefined) {
    values.markdown_checkpoint_week = null;
    values.markdown_threshold = null;
    const none = { words: '', how: 'markdowns not mentioned → no markdown phase', by: 'default', confidence: DEFAULT_CONFIDENCE } as const;
    origins.markdown_checkpoint_week = none;
    origins.markdown_threshold = none;
  }
  return draft;
}

/** Fields the planner still has to give. The end date is never asked for: the length gives it. */
export function missingFields(draft: Draft): ParameterField[] {
  return PARAMETER_FIELDS.filter((field) => field !== 'season_end_date' && draft.values[field] === undefined);
}

/** Validated parameters from a derived draft, or the `incomplete` / `invalid` error. */
export function assemble(draft: Draft, extraSuggestions: string[] = []): SeasonParameters {
  // A contradicted field is not reported as found: its value was only the first of several.
  const found = Object.fromEntries(
    PARAMETER_FIELDS.filter((f) => draft.values[f] !== undefined && draft.conflicts?.[f] === undefined).map((f) => [f, draft.values[f]]),
  );
  const missing = missingFields(draft);
  if (missing.length > 0) {
    // Missing comes first (400 before 422), but values already out of range are said too.
    const partial = SeasonParameterFields.partial().safeParse(draft.values);
    const contradictions = Object.entries(draft.conflicts ?? {}).map(([path, said]) => ({ path, message: `is said two ways: ${said.join(' / ')}` }));
    const alsoInvalid = [...contradictions, ...(partial.success ? [] : fieldIssues(partial.error.issues))];
    throw incompleteParameters(missing, found, extraSuggestions, alsoInvalid);
  }
  // A contradiction is refused before range checks: the value kept was a guess.
  if (draft.conflicts && Object.keys(draft.conflicts).length > 0) throw contradictoryParameters(draft.conflicts, found);
  const checked = SeasonParameters.safeParse(draft.values);
  if (checked.success) return checked.data;
  throw invalidParameters(fieldIssues(checked.error.issues), found);
}

/** One issue per field (the first), named by the field. */
function fieldIssues(zodIssues: readonly { path: readonly PropertyKey[]; message: string }[]): FieldIssue[] {
  const issues = new Map<string, FieldIssue>();
  for (const issue of zodIssues) {
    const path = String(issue.path[0] ?? '');
    if (!issues.has(path)) issues.set(path, { path, message: issue.message });
  }
  return [...issues.values()];
}

/**
 * Lengths the date arithmetic can take: far beyond any season (out-of-range ones are still read, and
 * refused by the field's rule), well inside what a Date holds (±100 M days), where 1e11 weeks throws.
 */
const MAX_DERIVABLE_WEEKS = 10_000;
const isWhole = (n: number): boolean => Number.isInteger(n) && Math.abs(n) <= MAX_DERIVABLE_WEEKS;
const isDate = (s: string): boolean => /^\d{4}-\d{2}-\d{2}$/.test(s) && !Number.isNaN(Date.parse(s));
