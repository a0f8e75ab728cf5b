// extractParameters offline: the seven fields with sources, reasoning and confidence; options checked.
import { describe, expect, it } from 'vitest';
import { extractParameters, ExtractionResult } from '../../src/llm/index.js';

const TEXT = 'I need to forecast 8000 units for a 12-week spring season starting January 1, 2025. Weekly replenishment with 15% DC holdback.';

describe('extractParameters (rules)', () => {
  it('returns the seven parameters and the words each came from', async () => {
    const result = await extractParameters(TEXT, { referenceDate: '2024-11-01', llm: null });
    expect(ExtractionResult.parse(result)).toEqual(result);
    expect(result).toMatchObject({
      forecast_horizon_weeks: 12,
      season_start_date: '2025-01-01',
      season_end_date: '2025-03-26',
      replenishment_strategy: 'weekly',
      dc_holdback_percentage: 0.15,
      markdown_checkpoint_week: null,
      markdown_threshold: null,
      mode: 'rules',
      llm_fields: [],
    });
    expect(result.sources).toMatchObject({
      forecast_horizon_weeks: '12-week',
      season_start_date: 'January 1, 2025',
      replenishment_strategy: 'Weekly',
      dc_holdback_percentage: '15%',
    });
    for (const words of Object.values(result.sources)) for (const part of words.split(' + ')) expect(TEXT).toContain(part);
    expect(result.sources.season_end_date).toBe('January 1, 2025 + 12-week');
  });

  it('explains its reading and is less confident when it assumed something', async () => {
    const assumed = await extractParameters(TEXT, { referenceDate: '2024-11-01', llm: null });
    expect(assumed.extraction_reasoning).toContain('end = start + 7 × 12 days = 2025-03-26');
    expect(assumed.extraction_reasoning).toContain('markdowns not mentioned');
    const explicit = await extractParameters(`${TEXT} No markdowns.`, { referenceDate: '2024-11-01', llm: null });
    expect(explicit.confidence_score).toBeGreaterThan(assumed.confidence_score);
    expect(explicit.confidence_score).toBeLessThanOrEqual(1);
  });

  it('takes the reference date as YYYY-MM-DD or a Date and refuses anything else', async () => {
    const fromDate = await extractParameters('Starting next Monday, run a 10-week season with weekly restocking and a 20% holdback at the DC.', {
      referenceDate: new Date('2025-01-15T23:00:00Z'),
      llm: null,
    });
    expect(fromDate.season_start_date).toBe('2025-01-20');
    for (const bad of ['2025-02-30', '15/01/2025', 'yesterday']) {
      await expect(extractParameters(TEXT, { referenceDate: bad, llm: null })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    }
  });

  it('refuses texts too long to be a season request', async () => {
    await expect(extractParameters('weekly '.repeat(1000), { llm: null })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
  });

  it('defaults to rules mode when no model is configured', async () => {
    const result = await extractParameters(TEXT, { referenceDate: '2024-11-01', llm: null });
    expect(result.mode).toBe('rules');
  });
});
