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
