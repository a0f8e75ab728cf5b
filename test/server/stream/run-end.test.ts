// How a run's stream ends: agent_status completed before each complete, workflow_complete as every run's last event (failed and cancelled too), a normal close after it, and the specification's alias path.
import { expect, it } from 'vitest';
import { describeEachStore } from '../../support/stores.js';
import { post, useServer } from './harness.js';
import { consecutive, seqsOf, TestClient } from './ws-client.js';

describeEachStore('run streams: the end of a run', (kind) => {
  const server = useServer(kind, { heartbeatMs: 60_000 });

  const startRun = async () => {
    const response = await post(server().http, '/api/orchestrator/run-workflow', { session_id: 'end', workflow: 'approve-then-finish', parameters: {} });
    expect(response.status).toBe(202);
    return ((await response.json()) as { run_id: string }).run_id;
  };
  const waitingId = async (runId: string) => (await server().engine.settled(runId)).waitingFor!.id;

  const closedAfterFinal = async (client: TestClient) => {
    await client.until(() => client.closed !== undefined);
    expect(client.closed?.code).toBe(1000);
    const events = client.events();
    expect(events.at(-1)?.type).toBe('workflow_complete');
    return events;
  };

  it("sends agent_status completed just before each agent's complete, then closes normally after workflow_complete", async () => {
    const runId = await startRun();
    const client = await TestClient.connect(`${server().ws}/ws/runs/${runId}?since=0`);
    await post(server().http, `/api/runs/${runId}/approvals/${await waitingId(runId)}`, { action: 'accept' });
    const events = await closedAfterFinal(client);
    expect(seqsOf(events, runId)).toEqual(consecutive(1, events.length));
    const types = events.map((e) => e.type);
    for (const [i, type] of types.entries()) {
      if (type === 'complete')
        expect(events[i - 1]).toMatchObject({ type: 'agent_status', status: 'completed', agent_name: events[i]!.agent_name, phase: events[i]!.phase });
    }
    expect(events.filter((e) => e.type === 'agent_status' && e.status === 'completed')).toHaveLength(2);
    expect(client.closed?.reason).toBe('the run ended completed');

    // A reconnect replays what it missed, then closes the same way.
    const again = await TestClient.connect(`${server().ws}/ws/runs/${runId}?since=3`);
    const replayed = await closedAfterFinal(again);
    expect(seqsOf(replayed, runId)).toEqual(consecutive(4, events.length));

    // One that saw the final event but not the close frame reconnects from its last seq (or beyond): nothing is
    // left to replay, and the stream closes at once instead of sending heartbeats for ever.
    for (const since of [events.length, events.length + 5]) {
      const caughtUp = await TestClient.connect(`${server().ws}/ws/runs/${runId}?since=${since}`);
      await caughtUp.until(() => caughtUp.closed !== undefined, 3_000);
      expect(caughtUp.closed).toEqual({ code: 1000, reason: 'the run ended completed' });
      expect(caughtUp.events()).toEqual([]);
    }
  });

  it('closes its streams with 1012 when the server closes, and answers a client that closes without a code in kind', async () => {
    const runId = await startRun();
    await waitingId(runId);
    const quiet = await TestClient.connect(`${server().ws}/ws/runs/${runId}?since=0`);
    await quiet.until((m) => m.some((e) => e.type === 'approval_required'));
    // A close frame without a code: the server's answer echoes it (1005), never "node shutting down".
    const echoed = new Promise<number>((resolve) => quiet.socket.once('close', (code) => resolve(code)));
    quiet.socket.close();
    expect(await echoed).toBe(1005);

    const open = await TestClient.connect(`${server().ws}/ws/runs/${runId}?since=0`);
    await open.until((m) => m.some((e) => e.type === 'approval_required'));
    await server().app.close();
    await open.until(() => open.closed !== undefined, 3_000);
    expect(open.closed).toEqual({ code: 1012, reason: 'node shutting down: reconnect with since' });
  });

  it('ends a rejected and a cancelled run with workflow_complete carrying the final state', async () => {
    const rejected = await startRun();
    const first = await TestClient.connect(`${server().ws}/ws/runs/${rejected}?since=0`);
    await post(server().http, `/api/runs/${rejected}/approvals/${await waitingId(rejected)}`, { action: 'reject' });
    expect((await closedAfterFinal(first)).at(-1)).toMatchObject({ type: 'workflow_complete', state: 'rejected' });

    const cancelled = await startRun();
    await waitingId(cancelled);
    const second = await TestClient.connect(`${server().ws}/ws/runs/${cancelled}?since=0`);
    expect((await post(server().http, `/api/runs/${cancelled}/cancel`, { reason: 'plans changed' })).status).toBe(200);
    expect((await closedAfterFinal(second)).at(-1)).toMatchObject({ type: 'workflow_complete', state: 'cancelled' });
  });

  it('serves the run stream at /api/workflows/{id}/stream as well', async () => {
    const runId = await startRun();
    const client = await TestClient.connect(`${server().ws}/api/workflows/${runId}/stream?since=0`);
    await client.until((m) => m.some((e) => e.type === 'approval_required'));
    await post(server().http, `/api/runs/${runId}/approvals/${await waitingId(runId)}`, { action: 'accept' });
    const events = await closedAfterFinal(client);
    expect(events[0]).toMatchObject({ type: 'run_created', run_id: runId, seq: 1 });
    const unknown = await TestClient.connect(`${server().ws}/api/workflows/nope/stream?since=0`);
    await unknown.until(() => unknown.closed !== undefined);
    expect(unknown.closed?.code).toBe(4404);
  });
});
