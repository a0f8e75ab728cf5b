/**
 * The season-planning parameters and their business rules, in one place: the extractor, the
 * season-planning workflow and the HTTP route all validate through `SeasonParameters`.
 */
import { z } from 'zod';

export const PARAMETER_FIELDS = [
  'forecast_horizon_weeks',
  'season_start_date',
  'season_end_date',
  'replenishment_strategy',
  'dc_holdback_percentage',
  'markdown_checkpoint_week',
  'markdown_threshold',
] as const;
export type ParameterField = (typeof PARAMETER_FIELDS)[number];

export const REPLENISHMENT_STRATEGIES = ['none', 'weekly', 'bi-weekly'] as const;
export const ReplenishmentStrategy = z.enum(REPLENISHMENT_STRATEGIES);
export type ReplenishmentStrategy = z.infer<typeof ReplenishmentStrategy>;

export const HORIZON_WEEKS = { min: 4, max: 52 } as const;

/** What each field accepts, worded for people: error messages and the LLM prompt use it. */
export const ALLOWED_VALUES: Record<ParameterField, string> = {
  forecast_horizon_weeks: `a whole number of weeks from ${HORIZON_WEEKS.min} to ${HORIZON_WEEKS.max}`,
  season_start_date: 'a calendar date (YYYY-MM-DD)',
  season_end_date: 'a calendar date (YYYY-MM-DD) equal to the start date + 7 × forecast_horizon_weeks days',
  replenishment_strategy: `one of ${REPLENISHMENT_STRATEGIES.join(', ')}`,
  dc_holdback_percentage: 'a share from 0 to 1 (0.15 = 15% of stock kept at the DC)',
  markdown_checkpoint_week: 'null (no markdown) or a whole week from 1 to forecast_horizon_weeks',
  markdown_threshold: 'null (no markdown) or a sell-through share from 0 to 1, given together with markdown_checkpoint_week',
};

const mustBe = (field: ParameterField) => ({ error: `must be ${ALLOWED_VALUES[field]}` });
const isoDate = (field: ParameterField) => z.iso.date(mustBe(field));

/** The fields one by one, before the rules that tie them together. */
export const SeasonParameterFields = z.object({
  forecast_horizon_weeks: z
    .number(mustBe('forecast_horizon_weeks'))
    .int(mustBe('forecast_horizon_weeks'))
    .min(HORIZON_WEEKS.min, mustBe('forecast_horizon_weeks'))
    .max(HORIZON_WEEKS.max, mustBe('forecast_horizon_weeks')),
  season_start_date: isoDate('season_start_date'),
  season_end_date: isoDate('season_end_date'),
  replenishment_strategy: z.enum(REPLENISHMENT_STRATEGIES, mustBe('replenishment_strategy')),
  dc_holdback_percentage: z.number(mustBe('dc_holdback_percentage')).min(0, mustBe('dc_holdback_percentage')).max(1, mustBe('dc_holdback_percentage')),
  markdown_checkpoint_week: z
    .number(mustBe('markdown_checkpoint_week'))
    .int(mustBe('markdown_checkpoint_week'))
    .min(1, mustBe('markdown_checkpoint_week'))
    .max(HORIZON_WEEKS.max, mustBe('markdown_checkpoint_week'))
    .nullable(),
  markdown_threshold: z.number(mustBe('markdown_threshold')).min(0, mustBe('markdown_threshold')).max(1, mustBe('markdown_threshold')).nullable(),
});

/**
 * The fields as a request may give them (the seed specification's `SeasonParameters`): the end date
 * may be left out (it follows from start and length) and markdowns may be left out (no markdown
 * check); `null` counts as left out for the end date too.
 */
const RequestFields = SeasonParameterFields.extend({
  season_end_date: SeasonParameterFields.shape.season_end_date.nullish(),
  markdown_checkpoint_week: SeasonParameterFields.shape.markdown_checkpoint_week.default(null),
  markdown_threshold: SeasonParameterFields.shape.markdown_threshold.default(null),
});

/**
 * Validated season parameters: every field in range and the fields consistent with each other; a
 * missing end date is derived (start + 7 × weeks), a given one must agree.
 * zod runs this refinement even when a field failed (object fields' issues do not abort), so each
 * rule first checks that the fields it reads passed: date arithmetic on "NaN" or 1e308 weeks throws.
 */
export const SeasonParameters = RequestFields.superRefine((p, ctx) => {
  const valid = (field: ParameterField): boolean => SeasonParameterFields.shape[field].safeParse(p[field]).success;
  if (valid('season_start_date') && valid('forecast_horizon_weeks') && valid('season_end_date')) {
    const end = addWeeks(p.season_start_date, p.forecast_horizon_weeks);
    if (end !== p.season_end_date) {
      ctx.addIssue({
        code: 'custom',
        path: ['season_end_date'],
        message: `${String(p.season_end_date)} does not agree with season_start_date ${p.season_start_date} + 7 × ${p.forecast_horizon_weeks} weeks (forecast_horizon_weeks) = ${end}: give ${end} or leave season_end_date out`,
      });
    }
  }
  if (!valid('markdown_checkpoint_week') || !valid('markdown_threshold')) return;
  if (valid('forecast_horizon_weeks') && p.markdown_checkpoint_week !== null && p.markdown_checkpoint_week > p.forecast_horizon_weeks) {
    ctx.addIssue({
      code: 'custom',
      path: ['markdown_checkpoint_week'],
      message: `must be a week from 1 to ${p.forecast_horizon_weeks} (the season's length), not ${p.markdown_checkpoint_week}`,
    });
  }
  if ((p.markdown_checkpoint_week === null) !== (p.markdown_threshold === null)) {
    const missing = p.markdown_checkpoint_week === null ? 'markdown_checkpoint_week' : 'markdown_threshold';
    ctx.addIssue({
      code: 'custom',
      path: [missing],
      message: `must be set with ${missing === 'markdown_threshold' ? 'markdown_checkpoint_week' : 'markdown_threshold'} (both left out or null means no markdown phase)`,
    });
  }
}).transform((p) => ({ ...p, season_end_date: p.season_end_date ?? addWeeks(p.season_start_date, p.forecast_horizon_weeks) }));
export type SeasonParameters = z.infer<typeof SeasonParameters>;

const DAY_MS = 86_400_000;
const utcOf = (iso: string): number => Date.parse(`${iso}T00:00:00Z`);
export const isoOf = (utcMs: number): string => new Date(utcMs).toISOString().slice(0, 10);

/** `iso` + `weeks` × 7 days, as YYYY-MM-DD (calendar days, no time zone involved). */
export function addWeeks(iso: string, weeks: number): string {
  return addDays(iso, weeks * 7);
}

export function addDays(iso: string, days: number): string {
  return isoOf(utcOf(iso) + days * DAY_MS);
}

export function daysBetween(fromIso: string, toIso: string): number {
  return Math.round((utcOf(toIso) - utcOf(fromIso)) / DAY_MS);
}

/** 0 = Sunday … 6 = Saturday. */
export const weekdayOf = (iso: string): number => new Date(utcOf(iso)).getUTCDay();
