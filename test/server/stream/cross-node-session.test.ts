// Two nodes on one PostgreSQL: a session stream open on one node sees every event of the session's runs started and driven on the other.
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { Engine } from '../../../src/engine/index.js';
import { buildServer } from '../../../src/server/app.js';
import { parseServerConfig } from '../../../src/server/config.js';
import { decodeNotices, encodeNotices } from '../../../src/store/postgres/notifier.js';
import { storeKinds, type TestStore } from '../../support/stores.js';
import { approvalFlow, post, step } from './harness.js';
import { consecutive, seqsOf, TestClient } from './ws-client.js';

const postgres = storeKinds.find((k) => k.name === 'postgres');

describe('event notices', () => {
  it("carry a new run's session, escaped, and none for later events", () => {
    const notices = [
      { origin: 'a', runId: 'r1', seq: 1, sessionId: 'team|north;2027' },
      { origin: 'a', runId: 'r2', seq: 1, sessionId: null },
      { origin: 'b', runId: 'r3', seq: 7 },
    ];
    expect(decodeNotices(encodeNotices(notices))).toEqual(notices);
  });

  it('say when a run waits for a claim, with or without a session', () => {
    const notices = [
      { origin: 'api', runId: 'r1', seq: 1, sessionId: 'team|north', unclaimed: true },
      { origin: 'api', runId: 'r2', seq: 1, sessionId: null, unclaimed: true },
      { origin: 'api', runId: 'r3', seq: 9, unclaimed: true },
      { origin: 'b', runId: 'r4', seq: 2 },
    ];
    expect(encodeNotices(notices.slice(2))).toBe('api|r3|9||u;b|r4|2');
    expect(decodeNotices(encodeNotices(notices))).toEqual(notices);
  });
});

describe.skipIf(!postgres)('session streams across nodes [postgres]', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function node(t: TestStore, name: string): Promise<{ engine: Engine; app: FastifyInstance; http: string; ws: string }> {
    const store = await t.reopen(name);
    const engine = new Engine({ store, nodeId: name, agents: [step], workflows: [approvalFlow], pollIntervalMs: 50 });
    await engine.start();
    const app = await buildServer({ engine, store, config: parseServerConfig({ port: 0, heartbeatMs: 60_000 }), logger: false, llm: null, webRoot: null });
    await app.listen({ port: 0, host: '127.0.0.1' });
    cleanups.push(async () => {
      await app.close();
      await engine.close();
    });
    const port = (app.server.address() as AddressInfo).port;
    return { engine, app, http: `http://127.0.0.1:${port}`, ws: `ws://127.0.0.1:${port}` };
  }

  it('delivers runs started and driven on node A to a session client on node B, every event once and in order', async () => {
    const t = await postgres!.create();
    cleanups.push(() => t.dispose());
    const a = await node(t, 'node-a');
    const b = await node(t, 'node-b');
    const client = await TestClient.connect(`${b.ws}/ws/orchestrator/shared?since=0`);
    const runs: string[] = [];
    for (let i = 0; i < 3; i++) {
      const started = await post(a.http, '/api/orchestrator/run-workflow', { session_id: 'shared', workflow: 'approve-then-finish', parameters: {} });
      expect(started.status).toBe(202);
      runs.push(((await started.json()) as { run_id: string }).run_id);
    }
    for (const runId of runs) {
      const waiting = await a.engine.settled(runId);
      expect((await post(a.http, `/api/runs/${runId}/approvals/${waiting.waitingFor!.id}`, { action: 'accept' })).status).toBe(200);
    }
    await client.until((messages) => runs.every((runId) => messages.some((m) => m.type === 'workflow_complete' && m.run_id === runId)), 15_000);
    for (const runId of runs) {
      const seqs = seqsOf(client.events(), runId);
      const stored = await a.engine.readEvents(runId);
      expect(seqs).toEqual(consecutive(1, stored.length));
    }
    await client.close();
  });
});
