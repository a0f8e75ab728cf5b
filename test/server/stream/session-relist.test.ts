// A session stream finds runs whose start notice never reached its node: the session's runs are listed again every SESSION_RELIST_MS.
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Engine } from '../../../src/engine/index.js';
import { buildServer } from '../../../src/server/app.js';
import { parseServerConfig } from '../../../src/server/config.js';
import { SESSION_RELIST_MS } from '../../../src/server/stream/session-feed.js';
import { storeKinds } from '../../support/stores.js';
import { approvalFlow, step } from './harness.js';
import { consecutive, seqsOf, TestClient } from './ws-client.js';

const postgres = storeKinds.find((k) => k.name === 'postgres');

describe.skipIf(!postgres)('session streams without the notice of a run [postgres]', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it("send a run started on another node whose notice was lost, from its first event, once the session's runs are listed again", async () => {
    const t = await postgres!.create();
    cleanups.push(() => t.dispose());
    // Node B hears no notice at all (its engine never LISTENs): what a node misses when a NOTIFY is lost.
    const storeB = await t.reopen('node-b');
    const deaf = new Engine({ store: storeB, nodeId: 'node-b', agents: [step], workflows: [approvalFlow] });
    const app = await buildServer({
      engine: deaf,
      store: storeB,
      config: parseServerConfig({ port: 0, heartbeatMs: 60_000 }),
      logger: false,
      llm: null,
      webRoot: null,
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    cleanups.push(() => app.close());
    const client = await TestClient.connect(`ws://127.0.0.1:${(app.server.address() as AddressInfo).port}/ws/orchestrator/lost?since=0`);

    const storeA = await t.reopen('node-a');
    const a = new Engine({ store: storeA, nodeId: 'node-a', agents: [step], workflows: [approvalFlow] });
    cleanups.push(() => a.close());
    const run = await a.startRun('approve-then-finish', {}, { sessionId: 'lost' });
    const waiting = await a.settled(run.id);
    await a.resolveWait(run.id, waiting.waitingFor!.id, { action: 'accept' });
    await a.settled(run.id);
    const stored = await a.readEvents(run.id);

    await client.until((messages) => messages.some((m) => m.type === 'workflow_complete' && m.run_id === run.id), SESSION_RELIST_MS + 3_000);
    expect(seqsOf(client.events(), run.id)).toEqual(consecutive(1, stored.length));
    await client.close();
  }, 15_000);
});
