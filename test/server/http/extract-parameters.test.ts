// POST /api/orchestrator/extract-parameters on a real server: offline rules, the error vocabulary, and a model that fails.
import { afterEach, beforeEach, expect, it } from 'vitest';
import { describeEachStore } from '../../support/stores.js';
import { startChatCompletionsServer, type ChatCompletionsServer } from '../../llm/support/chat-completions-server.js';
import { useServers, type ErrorView } from './harness.js';

const PATH = '/api/orchestrator/extract-parameters';
const SENTENCE = '12 weeks from Jan 6, weekly replenishment, 15% DC holdback, markdown check at week 8 below 60% sell-through';

describeEachStore('POST /api/orchestrator/extract-parameters', (kind) => {
  const h = useServers(kind);
  let model: ChatCompletionsServer;
  beforeEach(async () => {
    model = await startChatCompletionsServer();
  });
  afterEach(() => model.close());

  it('returns validated parameters with the words each came from, offline', async () => {
    const api = await h.serve();
    const reply = await api.post<Record<string, unknown>>(PATH, { strategy_description: SENTENCE, reference_date: '2024-11-01' });
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({
      forecast_horizon_weeks: 12,
      season_start_date: '2025-01-06',
      season_end_date: '2025-03-31',
      replenishment_strategy: 'weekly',
      dc_holdback_percentage: 0.15,
      markdown_checkpoint_week: 8,
      markdown_threshold: 0.6,
      mode: 'rules',
      llm_fields: [],
    });
    expect(reply.body.sources).toMatchObject({ dc_holdback_percentage: expect.stringContaining('15%') as unknown });
    expect(reply.body.confidence_score).toBeGreaterThan(0);
  });

  it('answers 400 PARAMETER_EXTRACTION_ERROR naming every missing field with a suggestion for each', async () => {
    const api = await h.serve();
    const reply = await api.post<ErrorView>(
      PATH,
      { strategy_description: 'Weekly replenishment with 15% DC holdback.', reference_date: '2024-11-01' },
      { 'x-request-id': 'extract-1' },
    );
    expect(reply.status).toBe(400);
    expect(reply.body).toMatchObject({
      error_type: 'PARAMETER_EXTRACTION_ERROR',
      request_id: 'extract-1',
      details: { kind: 'incomplete', fields: ['forecast_horizon_weeks', 'season_start_date'] },
    });
    expect(reply.body.suggestions.filter((s) => s.startsWith('forecast_horizon_weeks') || s.startsWith('season_start_date'))).toHaveLength(2);
  });

  it('answers 422 INVALID_PARAMETERS naming the field and its allowed range', async () => {
    const api = await h.serve();
    const reply = await api.post<ErrorView>(PATH, {
      strategy_description: 'A 60-week season starting 2025-01-06, weekly replenishment, 10% DC holdback.',
      reference_date: '2024-11-01',
    });
    expect(reply.status).toBe(422);
    expect(reply.body).toMatchObject({ error_type: 'INVALID_PARAMETERS', details: { kind: 'invalid', fields: ['forecast_horizon_weeks'] } });
    expect(reply.body.suggestions.join(' ')).toContain('4 to 52');
  });

  it('refuses a request without a description as incomplete input', async () => {
    const api = await h.serve();
    const reply = await api.post<ErrorView>(PATH, { reference_date: '2024-11-01' });
    expect(reply.status).toBe(400);
    expect(reply.body.error_type).toBe('INCOMPLETE_INPUT');
  });

  it('asks the configured model for what the rules missed (hybrid) through the real client', async () => {
    model.answer({ content: JSON.stringify({ replenishment_strategy: 'bi-weekly' }) });
    const api = await h.serve({ llm: { provider: 'openai', apiKey: 'test', baseURL: `${model.url}/v1`, model: 'stub', maxRetries: 0, timeoutMs: 2000 } });
    const reply = await api.post<Record<string, unknown>>(PATH, {
      strategy_description: '12-week season starting 2025-04-07 with 10% held at the DC, restocked on the usual cadence.',
      reference_date: '2024-11-01',
    });
    expect(model.requests.length).toBeGreaterThan(0);
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ mode: 'hybrid', replenishment_strategy: 'bi-weekly', llm_fields: ['replenishment_strategy'] });
  });

  it('answers 503 UPSTREAM_UNAVAILABLE when the model fails, and the server keeps serving', async () => {
    model.answer({ status: 500, error: 'boom' });
    const api = await h.serve({ llm: { provider: 'openai', apiKey: 'test', baseURL: `${model.url}/v1`, model: 'stub', maxRetries: 0, timeoutMs: 2000 } });
    const reply = await api.post<ErrorView>(PATH, { strategy_description: SENTENCE, reference_date: '2024-11-01', mode: 'llm' });
    expect(reply.status).toBe(503);
    expect(reply.body).toMatchObject({ error_type: 'UPSTREAM_UNAVAILABLE', details: { kind: 'llm_unavailable' } });
    expect((await api.get('/health')).status).toBe(200);
  });
});
