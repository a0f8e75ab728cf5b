// The build architect with a model, through the real `openai` client against a local server speaking the chat-completions
// protocol: an answer that passes the schema and the catalogue decides; one outside the catalogue, not the schema's shape
// or not JSON leaves the rules standing, with the reason recorded.
import { expect, it } from 'vitest';
import { architect, architectByRules } from '../../../src/workflows/build-pipeline/agents/architect.js';
import { skusOf } from '../../../src/workflows/build-pipeline/catalogue.js';
import { ArchitectureDecision, BuildView, type ArchitectureSpec } from '../../../src/workflows/build-pipeline/contracts.js';
import { useChatCompletionsServer } from '../../llm/support/chat-completions-server.js';
import { describeEachStore } from '../../support/stores.js';
import { IDEA, stepsUpTo, useBuildServers } from './support.js';

const server = useChatCompletionsServer();
const { settings } = server;
const brief = { title: IDEA.title, description: IDEA.description, requirements: IDEA.requirements, research_findings: IDEA.research_findings };
const rules = architectByRules(brief);

/** A model's specification: the rules' catalogue parts with entities and rationale of its own. */
const modelSpec: ArchitectureSpec = {
  ...rules,
  entities: [{ name: 'Receipt', fields: [{ name: 'amount', type: 'number', required: true }] }],
  rationale: [{ topic: 'entities', reason: 'receipts are what teams lose' }],
};
const answer = (spec: unknown) => ({ content: JSON.stringify({ spec }) });
const signal = new AbortController().signal;

describeEachStore('the build architect with a model', (kind) => {
  const servers = useBuildServers(kind);

  it("takes the model's specification when it passes the schema and the catalogue, and records that the model decided", async () => {
    server.answer(answer(modelSpec));
    const api = await servers.serve({ llm: settings() });
    const idea = (await api.post<{ id: string }>('/api/builds/ideas', IDEA)).body;
    const build = BuildView.parse((await api.post(`/api/builds/ideas/${idea.id}/build`)).body);
    const decision = ArchitectureDecision.parse((await stepsUpTo(api, build.run_id, 'architecture'))[1]?.output);
    expect(decision).toEqual({ spec: modelSpec, decided_by: 'model', model: 'llm:test-model' });

    // The model was shown the idea, the catalogue and the schema it must answer in.
    const request = JSON.parse(server.requests[0]?.body.messages?.at(-1)?.content ?? '{}') as Record<string, unknown>;
    expect(request).toMatchObject({ idea: { title: IDEA.title, requirements: IDEA.requirements }, catalogue: { skus: expect.any(Array) as unknown } });
    expect(server.requests[0]?.body.response_format).toEqual({ type: 'json_object' });
  });

  it('keeps the rules when the model answers with a SKU outside the catalogue, naming the SKU', async () => {
    server.answer(answer({ ...modelSpec, skus: { ...modelSpec.skus, prod: skusOf('web-app-sql').dev } }));
    const api = await servers.serve({ llm: settings() });
    const idea = (await api.post<{ id: string }>('/api/builds/ideas', IDEA)).body;
    const build = BuildView.parse((await api.post(`/api/builds/ideas/${idea.id}/build`)).body);
    const decision = ArchitectureDecision.parse((await stepsUpTo(api, build.run_id, 'architecture'))[1]?.output);
    expect(decision).toMatchObject({ spec: rules, decided_by: 'rules', model: 'llm:test-model' });
    expect(decision.model_refused).toBe(
      "the answer is outside the catalogue: skus.prod: app-service-plan is B1/Basic×1, the catalogue's is P1v2/PremiumV2×2; skus.prod: sql-database is Basic/Basic×1, the catalogue's is P1/Premium×1",
    );
  });

  it('keeps the rules when the build asks for rules alone, without asking the model', async () => {
    server.answer(answer(modelSpec));
    const api = await servers.serve({ llm: settings() });
    const idea = (await api.post<{ id: string }>('/api/builds/ideas', IDEA)).body;
    const build = BuildView.parse((await api.post(`/api/builds/ideas/${idea.id}/build`, { architect: 'rules' })).body);
    expect(ArchitectureDecision.parse((await stepsUpTo(api, build.run_id, 'architecture'))[1]?.output)).toEqual({ spec: rules, decided_by: 'rules' });
    expect(server.requests).toHaveLength(0);
  });
});

it.each([
  ['a template not in the catalogue', answer({ ...modelSpec, template: 'kubernetes' }), /^the answer does not fit the specification's schema: template /],
  [
    'a stack other than the one the build insists on',
    answer({ ...modelSpec, stack: 'node-typescript' }),
    /stack: the build asked for python-fastapi, not node-typescript/,
  ],
  ['text that is not JSON', { content: 'I would use a web app.' }, /^the answer does not fit the specification's schema/],
  ['an error', { status: 500, error: 'overloaded' }, /^no answer from test-model at http:\/\/127\.0\.0\.1:\d+\/v1: /],
])('keeps the rules when the model answers with %s', async (_what, behaviour, reason) => {
  server.answer(behaviour);
  const insisted = _what.includes('insists') ? 'python-fastapi' : undefined;
  const decision = await architect(brief, { llm: settings(), insisted, signal });
  expect(decision).toMatchObject({ spec: architectByRules(brief, insisted), decided_by: 'rules', model: 'llm:test-model' });
  expect(decision.model_refused).toMatch(reason);
});
