// The business rules every path shares: ranges, end = start + 7 × horizon, checkpoint within the season.
import { describe, expect, it } from 'vitest';
import { addWeeks, SeasonParameters } from '../../src/llm/index.js';

const VALID = {
  forecast_horizon_weeks: 12,
  season_start_date: '2025-01-01',
  season_end_date: '2025-03-26',
  replenishment_strategy: 'weekly',
  dc_holdback_percentage: 0.15,
  markdown_checkpoint_week: null,
  markdown_threshold: null,
};
const failingFields = (overrides: Record<string, unknown>): string[] => {
  const result = SeasonParameters.safeParse({ ...VALID, ...overrides });
  return result.success ? [] : [...new Set(result.error.issues.map((i) => String(i.path[0])))].sort();
};

describe('SeasonParameters', () => {
  it('accepts a consistent season, with or without a markdown phase', () => {
    expect(SeasonParameters.parse(VALID)).toEqual(VALID);
    expect(failingFields({ markdown_checkpoint_week: 8, markdown_threshold: 0.6 })).toEqual([]);
  });

  it('ends the season 7 × horizon days after it starts', () => {
    expect(addWeeks('2025-01-01', 12)).toBe('2025-03-26');
    expect(addWeeks('2026-01-05', 52)).toBe('2027-01-04');
    expect(failingFields({ season_end_date: '2025-03-31' })).toEqual(['season_end_date']);
  });

  it('keeps the horizon within 4–52 whole weeks', () => {
    expect(failingFields({ forecast_horizon_weeks: 3, season_end_date: addWeeks('2025-01-01', 3) })).toEqual(['forecast_horizon_weeks']);
    expect(failingFields({ forecast_horizon_weeks: 53, season_end_date: addWeeks('2025-01-01', 53) })).toEqual(['forecast_horizon_weeks']);
    expect(failingFields({ forecast_horizon_weeks: 12.5 })).toEqual(['forecast_horizon_weeks']);
    expect(failingFields({ forecast_horizon_weeks: 4, season_end_date: addWeeks('2025-01-01', 4) })).toEqual([]);
    expect(failingFields({ forecast_horizon_weeks: 52, season_end_date: addWeeks('2025-01-01', 52) })).toEqual([]);
  });

  it('keeps shares between 0 and 1 and the strategy among none, weekly and bi-weekly', () => {
    expect(failingFields({ dc_holdback_percentage: 1.2 })).toEqual(['dc_holdback_percentage']);
    expect(failingFields({ dc_holdback_percentage: -0.1 })).toEqual(['dc_holdback_percentage']);
    expect(failingFields({ markdown_checkpoint_week: 4, markdown_threshold: 1.5 })).toEqual(['markdown_threshold']);
    expect(failingFields({ replenishment_strategy: 'monthly' })).toEqual(['replenishment_strategy']);
  });

  it('keeps the markdown checkpoint within the season and its two fields together', () => {
    expect(failingFields({ markdown_checkpoint_week: 13, markdown_threshold: 0.5 })).toEqual(['markdown_checkpoint_week']);
    expect(failingFields({ markdown_checkpoint_week: 6, markdown_threshold: null })).toEqual(['markdown_threshold']);
  });

  it('names the allowed range in its messages', () => {
    const result = SeasonParameters.safeParse({ ...VALID, forecast_horizon_weeks: 60, season_end_date: addWeeks('2025-01-01', 60) });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toContain('from 4 to 52');
  });
});
