// The language-model path against a real local HTTP server speaking the chat-completions protocol:
// good answers, repairable and unreadable JSON, answers that fail the business rules, 500s,
// timeouts, refused connections, Azure's URL scheme, and hybrid mode asking only for what rules missed.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { extractParameters, ExtractionError, llmSettingsFromEnv, type LlmSettings } from '../../src/llm/index.js';
import { parseJsonLoosely } from '../../src/llm/llm-extractor.js';
import { type ChatCompletionsServer, startChatCompletionsServer } from './support/chat-completions-server.js';

let server: ChatCompletionsServer;
const settings = (overrides: Partial<LlmSettings> = {}): LlmSettings =>
  ({ provider: 'openai', apiKey: 'test-key', baseURL: `${server.url}/v1`, model: 'test-model', timeoutMs: 2_000, maxRetries: 0, ...overrides }) as LlmSettings;

const GOOD = {
  forecast_horizon_weeks: 12,
  season_start_date: '2025-01-06',
  season_end_date: '2025-03-31',
  replenishment_strategy: 'weekly',
  dc_holdback_percentage: 0.15,
  markdown_checkpoint_week: 8,
  markdown_threshold: 0.6,
  sources: { forecast_horizon_weeks: '12 weeks', season_start_date: 'Jan 6', dc_holdback_percentage: '15% DC holdback' },
  extraction_reasoning: 'twelve weeks from January 6',
  confidence_score: 0.9,
};
const TEXT = '12 weeks from Jan 6, weekly replenishment, 15% DC holdback, markdown check at week 8 below 60% sell-through';

async function failure(promise: Promise<unknown>): Promise<ExtractionError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ExtractionError);
  return error as ExtractionError;
}

beforeAll(async () => {
  server = await startChatCompletionsServer();
});
afterAll(async () => {
  await server.close();
});
beforeEach(() => {
  server.requests.length = 0;
});

describe('the language-model path', () => {
  it('turns a good answer into validated parameters, with the model credited for every field', async () => {
    server.answer({ content: JSON.stringify(GOOD) });
    const result = await extractParameters(TEXT, { referenceDate: '2024-12-01', mode: 'llm', llm: settings() });
    expect(result).toMatchObject({
      forecast_horizon_weeks: 12,
      season_start_date: '2025-01-06',
      season_end_date: '2025-03-31',
      replenishment_strategy: 'weekly',
      dc_holdback_percentage: 0.15,
      markdown_checkpoint_week: 8,
      markdown_threshold: 0.6,
      mode: 'llm',
    });
    expect(result.llm_fields).toHaveLength(7);
    expect(result.sources.dc_holdback_percentage).toBe('15% DC holdback');
    expect(result.confidence_score).toBeCloseTo(0.9, 5);
    expect(result.extraction_reasoning).toContain('twelve weeks from January 6');
  });

  it('asks for JSON with a few-shot prompt carrying the text, the reference date and the model name', async () => {
    server.answer({ content: JSON.stringify(GOOD) });
    await extractParameters(TEXT, { referenceDate: '2024-12-01', mode: 'llm', llm: settings() });
    const [request] = server.requests;
    expect(request?.url).toBe('/v1/chat/completions');
    expect(request?.headers.authorization).toBe('Bearer test-key');
    expect(request?.body.model).toBe('test-model');
    expect(request?.body.response_format).toEqual({ type: 'json_object' });
    const messages = request?.body.messages ?? [];
    expect(messages[0]?.role).toBe('system');
    expect(messages.filter((m) => m.role === 'assistant').length).toBeGreaterThanOrEqual(2);
    expect(messages.at(-1)?.content).toContain(TEXT);
    expect(messages.at(-1)?.content).toContain('2024-12-01');
  });

  it('reads values the model wrote as words, like the rules would', async () => {
    server.answer({
      content: JSON.stringify({
        ...GOOD,
        forecast_horizon_weeks: 'twelve weeks',
        replenishment_strategy: 'Fortnightly',
        dc_holdback_percentage: '15%',
        markdown_checkpoint_week: null,
        markdown_threshold: null,
      }),
    });
    const result = await extractParameters(TEXT, { referenceDate: '2024-12-01', mode: 'llm', llm: settings() });
    expect(result).toMatchObject({
      forecast_horizon_weeks: 12,
      replenishment_strategy: 'bi-weekly',
      dc_holdback_percentage: 0.15,
      markdown_checkpoint_week: null,
      markdown_threshold: null,
    });
  });

  it('repairs JSON wrapped in a code fence with a trailing comma', async () => {
    server.answer({ content: 'Here you go:\n```json\n' + JSON.stringify(GOOD).replace(/}$/, ',}') + '\n```' });
    const result = await extractParameters(TEXT, { referenceDate: '2024-12-01', mode: 'llm', llm: settings() });
    expect(result.forecast_horizon_weeks).toBe(12);
    expect(parseJsonLoosely('{"a": 1,}')).toEqual({ a: 1 });
  });

  it('reports JSON it cannot repair as llm_unavailable (503), not a crash', async () => {
    server.answer({ content: 'forecast_horizon_weeks: twelve, and so on' });
    const error = await failure(extractParameters(TEXT, { referenceDate: '2024-12-01', mode: 'llm', llm: settings() }));
    expect(error.kind).toBe('llm_unavailable');
    expect(error.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(error.httpStatus).toBe(503);
    expect(error.details.kind).toBe('llm_unavailable');
    expect(error.message).toContain('something other than a JSON object');
  });

  it('puts the answer through the business rules: out-of-range values are invalid (422) by field', async () => {
    server.answer({ content: JSON.stringify({ ...GOOD, forecast_horizon_weeks: 80, season_end_date: null, dc_holdback_percentage: 15 }) });
    const error = await failure(extractParameters(TEXT, { referenceDate: '2024-12-01', mode: 'llm', llm: settings() }));
    expect(error.kind).toBe('invalid');
    expect(error.httpStatus).toBe(422);
    expect(error.fields).toEqual(['dc_holdback_percentage', 'forecast_horizon_weeks']);
  });

  it('puts the answer through the business rules: an end date that does not match the length is invalid', async () => {
    server.answer({ content: JSON.stringify({ ...GOOD, season_end_date: '2025-04-30' }) });
    const error = await failure(extractParameters(TEXT, { referenceDate: '2024-12-01', mode: 'llm', llm: settings() }));
    expect(error.kind).toBe('invalid');
    expect(error.fields).toEqual(['season_end_date']);
  });

  it('reports fields the model left null as incomplete, each with a suggestion', async () => {
    server.answer({ content: JSON.stringify({ ...GOOD, season_start_date: null, season_end_date: null, replenishment_strategy: null }) });
    const error = await failure(extractParameters(TEXT, { referenceDate: '2024-12-01', mode: 'llm', llm: settings() }));
    expect(error.kind).toBe('incomplete');
    expect(error.fields).toEqual(['replenishment_strategy', 'season_start_date']);
    expect(error.suggestions).toHaveLength(2);
  });

  it('reports HTTP 500 as llm_unavailable after a limited number of retries', async () => {
    server.answer({ status: 500, error: 'model overloaded' });
    const error = await failure(extractParameters(TEXT, { referenceDate: '2024-12-01', mode: 'llm', llm: settings({ maxRetries: 1 }) }));
    expect(error.kind).toBe('llm_unavailable');
    expect(error.details.status).toBe(500);
    expect(error.retryable).toBe(true);
    expect(server.requests).toHaveLength(2);
  });

  it('gives up at the timeout and reports llm_unavailable', async () => {
    server.answer({ hang: true });
    const started = Date.now();
    const error = await failure(extractParameters(TEXT, { referenceDate: '2024-12-01', mode: 'llm', llm: settings({ timeoutMs: 300 }) }));
    expect(error.kind).toBe('llm_unavailable');
    expect(error.message).toContain('within 300 ms');
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('reports a refused connection as llm_unavailable', async () => {
    const closed = await startChatCompletionsServer();
    const url = closed.url;
    await closed.close();
    const error = await failure(extractParameters(TEXT, { referenceDate: '2024-12-01', mode: 'llm', llm: settings({ baseURL: url }) }));
    expect(error.kind).toBe('llm_unavailable');
    expect(error.message).toContain('cannot reach');
  });

  it('speaks to Azure OpenAI deployments through the AzureOpenAI client', async () => {
    server.answer({ content: JSON.stringify(GOOD) });
    const azure: LlmSettings = {
      provider: 'azure',
      endpoint: server.url,
      apiKey: 'azure-key',
      deployment: 'planner-4o',
      apiVersion: '2024-10-21',
      timeoutMs: 2_000,
      maxRetries: 0,
    };
    const result = await extractParameters(TEXT, { referenceDate: '2024-12-01', mode: 'llm', llm: azure });
    expect(result.forecast_horizon_weeks).toBe(12);
    expect(server.requests[0]?.url).toBe('/openai/deployments/planner-4o/chat/completions?api-version=2024-10-21');
    expect(server.requests[0]?.headers['api-key']).toBe('azure-key');
  });

  it('refuses mode llm when no model is configured', async () => {
    const error = await extractParameters(TEXT, { referenceDate: '2024-12-01', mode: 'llm', llm: null }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', details: { kind: 'llm_unavailable' } });
  });
});

describe('hybrid mode', () => {
  it('asks the model only for the fields the rules missed and keeps every rule value', async () => {
    // The model answers every field with other values: only the start date may be taken from it.
    server.answer({ content: JSON.stringify({ ...GOOD, forecast_horizon_weeks: 30, season_start_date: '2025-02-03', dc_holdback_percentage: 0.5 }) });
    const result = await extractParameters('A 10-week season starting at the beginning of spring, weekly replenishment, 20% DC holdback.', {
      referenceDate: '2025-01-15',
      mode: 'hybrid',
      llm: settings(),
    });
    expect(server.requests).toHaveLength(1);
    const asked = server.requests[0]?.body.messages?.at(-1)?.content ?? '';
    expect(asked).toContain('only these fields (the others are known): season_start_date');
    expect(asked).not.toContain('dc_holdback_percentage');
    expect(result).toMatchObject({
      forecast_horizon_weeks: 10,
      season_start_date: '2025-02-03',
      season_end_date: '2025-04-14',
      replenishment_strategy: 'weekly',
      dc_holdback_percentage: 0.2,
      mode: 'hybrid',
    });
    expect(result.llm_fields).toEqual(['season_start_date']);
  });

  it('does not call the model when the rules found everything', async () => {
    server.answer({ status: 500, error: 'must not be called' });
    const result = await extractParameters(TEXT, { referenceDate: '2024-12-01', mode: 'hybrid', llm: settings() });
    expect(server.requests).toHaveLength(0);
    expect(result.llm_fields).toEqual([]);
    expect(result.season_start_date).toBe('2025-01-06');
  });

  it('without a model, says what is still missing', async () => {
    const error = await failure(extractParameters('Weekly replenishment with 15% DC holdback.', { referenceDate: '2024-11-01', mode: 'hybrid', llm: null }));
    expect(error.kind).toBe('incomplete');
    expect(error.fields).toEqual(['forecast_horizon_weeks', 'season_start_date']);
  });
});

describe('settings from the environment', () => {
  it('uses nothing when no key or endpoint is set, so the default mode is rules', () => {
    expect(llmSettingsFromEnv({})).toBeUndefined();
  });

  it('reads OPENAI_API_KEY, OPENAI_BASE_URL and OPENAI_MODEL, defaulting the model to gpt-4o-mini', () => {
    expect(llmSettingsFromEnv({ OPENAI_API_KEY: 'k' })).toEqual({ provider: 'openai', apiKey: 'k', model: 'gpt-4o-mini' });
    expect(llmSettingsFromEnv({ OPENAI_API_KEY: 'k', OPENAI_BASE_URL: 'http://localhost:11434/v1', OPENAI_MODEL: 'llama3.1' })).toEqual({
      provider: 'openai',
      apiKey: 'k',
      baseURL: 'http://localhost:11434/v1',
      model: 'llama3.1',
    });
  });

  it('prefers Azure when its endpoint, key and deployment are all set', () => {
    expect(
      llmSettingsFromEnv({ OPENAI_API_KEY: 'k', AZURE_OPENAI_ENDPOINT: 'https://x.openai.azure.com', AZURE_OPENAI_API_KEY: 'a', AZURE_OPENAI_DEPLOYMENT: 'd' }),
    ).toMatchObject({ provider: 'azure', deployment: 'd', apiKey: 'a' });
    // Without a deployment the model name stands in (said once), never api.openai.com with the key.
    expect(llmSettingsFromEnv({ AZURE_OPENAI_ENDPOINT: 'https://x.openai.azure.com', AZURE_OPENAI_API_KEY: 'a' }, () => undefined)).toMatchObject({
      provider: 'azure',
      deployment: 'gpt-4o-mini',
      apiKey: 'a',
    });
  });
});
