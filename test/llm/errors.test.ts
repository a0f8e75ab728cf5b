// The extraction errors: incomplete (400) lists every missing field with a suggestion; invalid (422)
// names each field with its allowed range; both carry kind and the sorted fields in details.
import { describe, expect, it } from 'vitest';
import { BatonError } from '../../src/errors/index.js';
import { extractParameters, ExtractionError } from '../../src/llm/index.js';

async function errorOf(text: string, referenceDate = '2024-11-01'): Promise<ExtractionError> {
  const error = await extractParameters(text, { referenceDate, llm: null }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ExtractionError);
  return error as ExtractionError;
}

describe('extraction errors', () => {
  it('lists every missing field, sorted, with one suggestion each (PARAMETER_EXTRACTION_ERROR, 400)', async () => {
    const error = await errorOf('Plan the spring season.');
    expect(error).toBeInstanceOf(BatonError);
    expect(error.code).toBe('PARAMETER_EXTRACTION_ERROR');
    expect(error.httpStatus).toBe(400);
    expect(error.details).toMatchObject({
      kind: 'incomplete',
      fields: ['dc_holdback_percentage', 'forecast_horizon_weeks', 'replenishment_strategy', 'season_start_date'],
    });
    expect(error.suggestions).toHaveLength(4);
    for (const field of error.fields) expect(error.suggestions.some((s) => s.startsWith(`${field}:`))).toBe(true);
  });

  it('keeps what it did understand in details.found', async () => {
    const error = await errorOf('Weekly replenishment with 15% DC holdback.');
    expect(error.details.found).toMatchObject({ replenishment_strategy: 'weekly', dc_holdback_percentage: 0.15 });
  });

  it('reports missing fields first and also names values already out of range', async () => {
    const error = await errorOf('A 60-week season, weekly replenishment, 10% DC holdback.');
    expect(error.details).toMatchObject({ kind: 'incomplete', fields: ['season_start_date'] });
    expect(error.details.also_invalid).toEqual([{ path: 'forecast_horizon_weeks', message: expect.stringContaining('4 to 52') as unknown }]);
    expect(error.suggestions.some((s) => s.startsWith('forecast_horizon_weeks:'))).toBe(true);
  });

  it('asks for the missing half of a markdown checkpoint', async () => {
    const error = await errorOf('10-week season starting 2025-09-01, weekly replenishment, 15% DC holdback, markdown at week 6.');
    expect(error.fields).toEqual(['markdown_threshold']);
  });

  it('names each out-of-range field with its allowed range (INVALID_PARAMETERS, 422)', async () => {
    const error = await errorOf('A 60-week season starting 2025-01-06, weekly replenishment, DC holdback of 120%.');
    expect(error.code).toBe('INVALID_PARAMETERS');
    expect(error.httpStatus).toBe(422);
    expect(error.details).toMatchObject({ kind: 'invalid', fields: ['dc_holdback_percentage', 'forecast_horizon_weeks'] });
    expect(error.message).toContain('forecast_horizon_weeks must be a whole number of weeks from 4 to 52');
    expect(error.message).toContain('dc_holdback_percentage must be a share from 0 to 1');
    expect(error.details.issues).toEqual([
      { path: 'forecast_horizon_weeks', message: expect.stringContaining('4 to 52') as unknown },
      { path: 'dc_holdback_percentage', message: expect.stringContaining('0 to 1') as unknown },
    ]);
  });

  it('rejects a checkpoint beyond the season and a cadence Baton does not plan', async () => {
    expect((await errorOf('8 weeks from 2025-06-02, weekly, 10% DC, markdown at week 9 below 50% sell-through.')).fields).toEqual(['markdown_checkpoint_week']);
    expect((await errorOf('Monthly replenishment, 8 weeks from 2025-06-02, 10% DC.')).fields).toEqual(['replenishment_strategy']);
  });

  it('rejects dates that are not a whole number of weeks apart', async () => {
    const error = await errorOf('Season from 2025-01-01 to 2025-03-31, weekly replenishment, 10% DC.');
    expect(error.fields).toEqual(['forecast_horizon_weeks']);
  });

  it('refuses a field said two ways with 422 quoting both, and does not report either as found', async () => {
    const error = await errorOf('12 weeks from 2025-03-03, biweekly replenishment, 10% DC holdback, replenish weekly.');
    expect(error.code).toBe('INVALID_PARAMETERS');
    expect(error.details).toMatchObject({ kind: 'invalid', fields: ['replenishment_strategy'], conflicts: { replenishment_strategy: ['biweekly', 'weekly'] } });
    expect(error.message).toBe('the text contradicts itself: replenishment_strategy is said two ways: "biweekly" and "weekly"');
    expect(error.details.found).not.toHaveProperty('replenishment_strategy');
    expect(error.details.found).toMatchObject({ forecast_horizon_weeks: 12, dc_holdback_percentage: 0.1 });
    expect(error.suggestions[0]).toContain('say which one is meant');
  });

  it('takes a later correction over what it corrects, and leaves figures about last year or the lead time aside', async () => {
    const corrected = await extractParameters('A 12-week season from 2025-03-03, weekly replenishment, 10% DC holdback. Make it 10 weeks.', {
      referenceDate: '2024-11-01',
      llm: null,
    });
    expect(corrected).toMatchObject({ forecast_horizon_weeks: 10, season_end_date: '2025-05-12' });
    expect(corrected.extraction_reasoning).toContain('a correction of what was said before');
    const background = await extractParameters(
      'Lead time is 6 weeks. Last year we held back 25%. This year: 12 weeks from 2025-03-03, weekly replenishment, 10% DC holdback.',
      {
        referenceDate: '2024-11-01',
        llm: null,
      },
    );
    expect(background).toMatchObject({ forecast_horizon_weeks: 12, dc_holdback_percentage: 0.1 });
  });

  it('keeps a start before the reference date but says so and is less sure of it', async () => {
    const past = await extractParameters('12 weeks from 2024-03-04, weekly replenishment, 10% DC holdback.', { referenceDate: '2024-11-01', llm: null });
    const future = await extractParameters('12 weeks from 2025-03-03, weekly replenishment, 10% DC holdback.', { referenceDate: '2024-11-01', llm: null });
    expect(past.season_start_date).toBe('2024-03-04');
    expect(past.extraction_reasoning).toContain('before the reference date 2024-11-01');
    expect(past.confidence_score).toBeLessThan(future.confidence_score);
  });

  it('serialises to the shared error shape', async () => {
    const body = (await errorOf('Weekly replenishment.')).toJSON();
    expect(Object.keys(body)).toEqual(['error_type', 'message', 'details', 'suggestions']);
    expect(body.error_type).toBe('PARAMETER_EXTRACTION_ERROR');
  });
});
