// Roles played by a language model through the real `openai` client, against a local server speaking the
// chat-completions protocol: the role's system prompt file and context go out, JSON answers come back as the role's
// output; a setback loops back, an unreadable answer is tried again, an unreachable model stops the run in ERROR.
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { ROLES } from '../../../src/workflows/software-delivery/index.js';
import { describeEachStore } from '../../support/stores.js';
import { useChatCompletionsServer } from '../../llm/support/chat-completions-server.js';
import { advance, competentModel, roleRequestOf } from './model.js';
import { CHANGE, OUTPUTS, useDelivery } from './support.js';

const server = useChatCompletionsServer();
const { settings } = server;
const ALL = [...ROLES];

describeEachStore('software delivery played by a language model', (kind) => {
  const d = useDelivery(kind);

  it("sends each role its own system prompt and the context of earlier outputs, and completes on the model's answers", async () => {
    server.answer(competentModel);
    const { delivery } = d.open({ llm: settings() });
    const { run_id: id } = await delivery.start({ project: 'acme', change: CHANGE, automatic_roles: ALL });
    expect(await delivery.settled(id)).toMatchObject({ state: 'COMPLETE' });

    const states = server.requests.map((r) => roleRequestOf(r).state);
    expect(states).toEqual(['DISCOVERY', 'PLANNING', 'IMPLEMENTATION', 'TESTING', 'VERIFICATION', 'DEPLOYMENT']);
    const prompt = (role: string) => readFileSync(new URL(`../../../src/workflows/software-delivery/prompts/${role}.md`, import.meta.url), 'utf8');
    const systems = server.requests.map((r) => r.body.messages?.[0]);
    expect(systems.map((m) => m?.role)).toEqual(Array(6).fill('system'));
    expect(systems.map((m) => m?.content)).toEqual([
      prompt('Q_ASSISTANT'),
      prompt('Q_ASSISTANT'),
      prompt('CODE_WRITER'),
      prompt('TEST_AUDITOR'),
      prompt('VERIFICATION_OVERSEER'),
      prompt('RELEASE_MANAGER'),
    ]);
    expect(server.requests.every((r) => r.body.model === 'test-model' && (r.body.response_format as { type: string }).type === 'json_object')).toBe(true);
    const testing = roleRequestOf(server.requests[3]!);
    expect(testing).toMatchObject({
      state: 'TESTING',
      round: 1,
      allowed_next_states: ['HANDOFF_TO_VERIFIER', 'IMPLEMENTATION', 'ERROR'],
      context: { earlier: { IMPLEMENTATION: OUTPUTS.IMPLEMENTATION } },
    });
    expect(testing.output_schema.required).toEqual(['passed', 'failed']);

    const { trail } = await delivery.history(id);
    expect(trail.find((e) => e.from_state === 'TESTING')?.by).toBe('agent:delivery_test_auditor (llm:test-model)');
  });

  it('loops back when the model reports failing tests or asks for a retry, giving the coder the reasons', async () => {
    let testRounds = 0;
    let reviews = 0;
    server.answer((request) => {
      const { state } = roleRequestOf(request);
      if (state === 'TESTING' && ++testRounds === 1) return advance(OUTPUTS.TESTING_FAILED);
      if (state === 'VERIFICATION' && ++reviews === 1)
        return { content: JSON.stringify({ action: 'retry', to_state: 'IMPLEMENTATION', reasons: ['no input validation'] }) };
      return competentModel(request);
    });
    const { delivery } = d.open({ llm: settings() });
    const { run_id: id } = await delivery.start({ project: 'acme', change: CHANGE, automatic_roles: ALL });
    expect((await delivery.settled(id)).state).toBe('COMPLETE');
    const coder = server.requests.map(roleRequestOf).filter((r) => r.state === 'IMPLEMENTATION');
    expect(coder.map((r) => [r.round, r.context.feedback[0]?.reasons])).toEqual([
      [1, undefined],
      [2, ['tax: the tax column is missing']],
      [3, ['no input validation']],
    ]);
    const { trail } = await delivery.history(id);
    expect(trail.filter((e) => e.move === 'retry').map((e) => e.from_state)).toEqual(['TESTING', 'VERIFICATION']);
  });

  it('asks again after an answer that breaks the role schema, and keeps the failed attempt on record', async () => {
    let discoveries = 0;
    server.answer((request) => {
      if (roleRequestOf(request).state === 'DISCOVERY' && ++discoveries === 1) return advance({ summary: 'only a summary' });
      return competentModel(request);
    });
    const { engine, delivery } = d.open({ llm: settings() });
    const { run_id: id } = await delivery.start({ project: 'acme', change: CHANGE, automatic_roles: ['Q_ASSISTANT'] });
    expect(await delivery.settled(id)).toMatchObject({ state: 'IMPLEMENTATION', waiting_for: { role: 'CODE_WRITER' } });
    const attempts = await engine.attempts(id);
    expect(attempts.filter((a) => a.stepKey === 'DISCOVERY.agent#1')).toMatchObject([
      {
        stepKey: 'DISCOVERY.agent#1',
        attempt: 1,
        status: 'failed',
        error: { error_type: 'AGENT_EXECUTION_ERROR', message: expect.stringContaining('requirements') as unknown },
      },
      { attempt: 2, status: 'succeeded' },
    ]);
  });

  it('stops in ERROR with UPSTREAM_UNAVAILABLE when the model keeps failing, and a rollback tries it again', async () => {
    server.answer({ status: 500, error: 'overloaded' });
    const { delivery } = d.open({ llm: settings() });
    const { run_id: id } = await delivery.start({ project: 'acme', change: CHANGE, automatic_roles: ['Q_ASSISTANT'] });
    const failed = await delivery.settled(id);
    expect(failed).toMatchObject({
      state: 'ERROR',
      failed_state: 'DISCOVERY',
      error: { error_type: 'UPSTREAM_UNAVAILABLE', message: expect.stringContaining('HTTP 500') as unknown },
    });
    expect(server.requests).toHaveLength(3);
    server.answer(competentModel);
    await delivery.rollback(id, { reason: 'the model is back' });
    expect(await delivery.settled(id)).toMatchObject({ state: 'IMPLEMENTATION' });
    expect((await delivery.history(id)).trail.map((e) => [e.move, e.from_state, e.to_state])).toEqual([
      ['error', 'DISCOVERY', 'ERROR'],
      ['rollback', 'ERROR', 'DISCOVERY'],
      ['forward', 'DISCOVERY', 'PLANNING'],
      ['forward', 'PLANNING', 'HANDOFF_TO_CODER'],
      ['forward', 'HANDOFF_TO_CODER', 'IMPLEMENTATION'],
    ]);
  });
});
