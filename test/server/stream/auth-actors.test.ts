// WebSocket streams with actors' tokens over real connections: `?token=` and the header on upgrades, revoked and unknown tokens refused, read-only actors following runs.
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { ActorDirectory } from '../../../src/actors/directory.js';
import { Engine } from '../../../src/engine/index.js';
import { buildServer } from '../../../src/server/app.js';
import { parseServerConfig } from '../../../src/server/config.js';
import { describeEachStore, type TestStore } from '../../support/stores.js';
import { approvalFlow, flood, post, step } from './harness.js';
import { TestClient, UpgradeRefused } from './ws-client.js';

/** The stream's refusal: the HTTP status the upgrade was answered with, and its error type. */
async function refusal(url: string, headers: Record<string, string> = {}): Promise<{ status: number; error_type: unknown }> {
  try {
    const client = await TestClient.connect(url, headers);
    await client.close();
  } catch (error) {
    if (error instanceof UpgradeRefused) return { status: error.status, error_type: (error.body as { error_type?: unknown }).error_type };
    throw error;
  }
  throw new Error(`${url} was not refused`);
}

describeEachStore('streams with actors', (kind) => {
  let t: TestStore;
  let engine: Engine;
  let app: FastifyInstance;
  let http: string;
  let ws: string;
  let actors: ActorDirectory;

  beforeEach(async () => {
    t = await kind.create();
    engine = new Engine({ store: t.store, agents: [step, flood], workflows: [approvalFlow] });
    // A heartbeat of 300 ms: streams recheck their token that often (at most every 5 s).
    app = await buildServer({ engine, store: t.store, config: parseServerConfig({ port: 0, heartbeatMs: 300 }), logger: false, llm: null, webRoot: null });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.server.address() as AddressInfo;
    http = `http://127.0.0.1:${port}`;
    ws = `ws://127.0.0.1:${port}`;
    actors = ActorDirectory.of(t.store);
  });
  afterEach(async () => {
    await app.close();
    await engine.close();
    await t.dispose();
  });

  const startRun = async (token: string) => {
    const response = await post(
      http,
      '/api/orchestrator/run-workflow',
      { session_id: 's-1', workflow: 'approve-then-finish', parameters: {} },
      { authorization: `Bearer ${token}` },
    );
    expect(response.status).toBe(202);
    return ((await response.json()) as { run_id: string }).run_id;
  };

  it("closes the open streams of a revoked token or actor with 4403, and keeps everyone else's", async () => {
    const writer = await actors.add({ name: 'wes', scope: 'write' });
    const reader = await actors.add({ name: 'rita', scope: 'read' });
    const spare = await actors.issueToken('rita');
    const runId = await startRun(writer.token.token);
    const follow = async (token: string, path = `/ws/runs/${runId}?since=0`) => {
      const client = await TestClient.connect(`${ws}${path}&token=${token}`);
      await client.until((m) => m.some((e) => e.type === 'heartbeat'));
      return client;
    };
    const [revokedToken, otherToken, revokedActorRun, revokedActorSession, writers] = await Promise.all([
      follow(reader.token.token),
      follow(spare.token),
      follow(spare.token),
      follow(spare.token, '/ws/orchestrator/s-1?since=0'),
      follow(writer.token.token),
    ]);
    await actors.revokeToken(reader.token.id);
    await revokedToken.until(() => revokedToken.closed !== undefined, 3_000);
    expect(revokedToken.closed).toEqual({ code: 4403, reason: 'token revoked' });
    expect(revokedToken.messages.at(-1)).toMatchObject({ type: 'error', error_type: 'FORBIDDEN' });
    expect(otherToken.closed).toBeUndefined();

    await actors.revoke('rita');
    for (const client of [otherToken, revokedActorRun, revokedActorSession]) {
      await client.until(() => client.closed !== undefined, 3_000);
      expect(client.closed?.code).toBe(4403);
    }
    // The writer's stream goes on: its heartbeats keep coming after the revocations.
    const beats = writers.messages.filter((m) => m.type === 'heartbeat').length;
    await writers.until((m) => m.filter((e) => e.type === 'heartbeat').length > beats + 1);
    expect(writers.closed).toBeUndefined();
    await writers.close();
  });

  it('lets a read-only actor follow a run with ?token= or the header, and not act on it', async () => {
    const writer = await actors.add({ name: 'wes', scope: 'write' });
    const reader = await actors.add({ name: 'rita', scope: 'read' });
    const runId = await startRun(writer.token.token);
    const byQuery = await TestClient.connect(`${ws}/ws/runs/${runId}?since=0&token=${reader.token.token}`);
    const byHeader = await TestClient.connect(`${ws}/ws/runs/${runId}?since=0`, { authorization: `Bearer ${reader.token.token}` });
    for (const client of [byQuery, byHeader]) await client.until((m) => m.some((e) => e.type === 'approval_required'));
    const session = await TestClient.connect(`${ws}/ws/orchestrator/s-1?token=${reader.token.token}`);
    await session.close();
    const status = await engine.settled(runId);
    const approve = await post(
      http,
      `/api/runs/${runId}/approvals/${status.waitingFor?.id ?? ''}`,
      { action: 'accept' },
      { authorization: `Bearer ${reader.token.token}` },
    );
    expect(approve.status).toBe(403);
    await byQuery.close();
    await byHeader.close();
  });

  it('refuses an upgrade with a revoked token and with an unknown one alike (403), and without a token (401)', async () => {
    const writer = await actors.add({ name: 'wes', scope: 'write' });
    const leaving = await actors.add({ name: 'lea', scope: 'read' });
    const runId = await startRun(writer.token.token);
    const open = await TestClient.connect(`${ws}/ws/runs/${runId}?token=${leaving.token.token}`);
    await open.close();
    await actors.revoke('lea');
    expect(await refusal(`${ws}/ws/runs/${runId}?token=${leaving.token.token}`)).toEqual({ status: 403, error_type: 'FORBIDDEN' });
    expect(await refusal(`${ws}/ws/runs/${runId}`, { authorization: `Bearer ${leaving.token.token}` })).toEqual({ status: 403, error_type: 'FORBIDDEN' });
    expect(await refusal(`${ws}/ws/runs/${runId}?token=baton_0123456789abcdef_${'A'.repeat(43)}`)).toEqual({ status: 403, error_type: 'FORBIDDEN' });
    expect(await refusal(`${ws}/ws/orchestrator/s-1`)).toEqual({ status: 401, error_type: 'UNAUTHORIZED' });
    expect(await refusal(`${ws}/ws/runs/${runId}`, { authorization: 'Basic abc' })).toEqual({ status: 401, error_type: 'UNAUTHORIZED' });
  });

  it('needs no token for streams in the local single-user mode, and one as soon as an actor exists, closing the open ones with 4401', async () => {
    const response = await post(http, '/api/orchestrator/run-workflow', { session_id: 's-1', workflow: 'approve-then-finish', parameters: {} });
    expect(response.status).toBe(202);
    const { run_id: runId } = (await response.json()) as { run_id: string };
    const local = await TestClient.connect(`${ws}/ws/runs/${runId}?since=0`);
    await local.until((m) => m.some((e) => e.type === 'approval_required'));
    const session = await TestClient.connect(`${ws}/ws/orchestrator/s-1?since=0`);
    await session.until((m) => m.some((e) => e.type === 'heartbeat'));
    await actors.add({ name: 'ada' });
    // The streams opened without a token close too (they kept every event of runs the actors started after).
    for (const client of [local, session]) {
      await client.until(() => client.closed !== undefined, 3_000);
      expect(client.closed).toEqual({ code: 4401, reason: 'a token is needed now' });
      expect(client.messages.at(-1)).toMatchObject({ type: 'error', error_type: 'UNAUTHORIZED' });
    }
    await new Promise((resolve) => setTimeout(resolve, 1_100)); // the "no actor yet" answer is trusted for a second
    expect(await refusal(`${ws}/ws/runs/${runId}`)).toEqual({ status: 401, error_type: 'UNAUTHORIZED' });
  });
});
