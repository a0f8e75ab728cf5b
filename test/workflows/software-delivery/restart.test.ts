// A restart in the middle: the engine closes (as a process would), a new engine opens on the same database, and the
// change goes on from its last committed step — a person's turn still open, an agent's interrupted turn done again.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { LlmSettings } from '../../../src/llm/index.js';
import { ROLES } from '../../../src/workflows/software-delivery/index.js';
import { describeEachStore } from '../../support/stores.js';
import { startChatCompletionsServer, type ChatCompletionsServer } from '../../llm/support/chat-completions-server.js';
import { competentModel, roleRequestOf } from './model.js';
import { CHANGE, OUTPUTS, step, useDelivery } from './support.js';

let server: ChatCompletionsServer;
beforeAll(async () => {
  server = await startChatCompletionsServer();
});
afterAll(async () => {
  await server.close();
});

describeEachStore('software delivery across a restart', (kind) => {
  const d = useDelivery(kind);

  it('keeps a waiting change at TESTING through a restart, and the auditor submits to the new engine', async () => {
    const first = d.open();
    const { run_id: id } = await first.delivery.start({ project: 'acme', change: CHANGE });
    await first.delivery.settled(id);
    await step(first.delivery, id, 'Q_ASSISTANT', OUTPUTS.DISCOVERY);
    await step(first.delivery, id, 'Q_ASSISTANT', OUTPUTS.PLANNING);
    const before = await step(first.delivery, id, 'CODE_WRITER', OUTPUTS.IMPLEMENTATION);
    expect(before.state).toBe('TESTING');
    await d.h.close(first.engine);

    const second = d.open({ store: await d.h.t.reopen('after-restart') });
    await second.engine.start();
    const after = await second.delivery.status(id);
    expect(after).toMatchObject({
      state: 'TESTING',
      waiting_for: { wait_id: before.waiting_for?.wait_id, role: 'TEST_AUDITOR' },
      completed_states: before.completed_states,
    });
    expect(after.waiting_for?.context).toEqual(before.waiting_for?.context);
    await step(second.delivery, id, 'TEST_AUDITOR', OUTPUTS.TESTING_PASSED);
    await step(second.delivery, id, 'VERIFICATION_OVERSEER', OUTPUTS.VERIFICATION_APPROVED);
    expect((await step(second.delivery, id, 'RELEASE_MANAGER', OUTPUTS.DEPLOYMENT_OK)).state).toBe('COMPLETE');
    const { trail } = await second.delivery.history(id);
    expect(trail.map((e) => e.from_state)).toEqual([
      'DISCOVERY',
      'PLANNING',
      'HANDOFF_TO_CODER',
      'IMPLEMENTATION',
      'HANDOFF_TO_TESTER',
      'TESTING',
      'HANDOFF_TO_VERIFIER',
      'VERIFICATION',
      'HANDOFF_TO_RELEASER',
      'DEPLOYMENT',
    ]);
  });

  it('resumes an agent interrupted mid-IMPLEMENTATION: the new engine asks the model again and finishes, redoing no committed state', async () => {
    const llm: LlmSettings = { provider: 'openai', apiKey: 'k', baseURL: `${server.url}/v1`, model: 'test-model', timeoutMs: 10_000, maxRetries: 0 };
    server.requests.length = 0;
    let reached!: () => void;
    const implementationAsked = new Promise<void>((resolve) => (reached = resolve));
    // The first engine's coder never hears back: the process "dies" while the model thinks.
    server.answer((request) => {
      if (roleRequestOf(request).state !== 'IMPLEMENTATION') return competentModel(request);
      reached();
      return { hang: true };
    });
    const first = d.open({ llm });
    const { run_id: id } = await first.delivery.start({ project: 'acme', change: CHANGE, automatic_roles: [...ROLES] });
    await implementationAsked;
    expect((await first.delivery.status(id)).state).toBe('IMPLEMENTATION');
    await d.h.close(first.engine);

    server.answer(competentModel);
    const second = d.open({ store: await d.h.t.reopen('after-restart'), llm });
    await second.engine.start();
    expect((await second.delivery.settled(id)).state).toBe('COMPLETE');
    expect(server.requests.map((r) => roleRequestOf(r).state)).toEqual([
      'DISCOVERY',
      'PLANNING',
      'IMPLEMENTATION',
      'IMPLEMENTATION',
      'TESTING',
      'VERIFICATION',
      'DEPLOYMENT',
    ]);
    const { trail } = await second.delivery.history(id);
    expect(trail.filter((e) => e.from_state === 'IMPLEMENTATION')).toHaveLength(1);
    expect(trail.at(-1)).toMatchObject({ from_state: 'DEPLOYMENT', to_state: 'COMPLETE' });
  });
});
