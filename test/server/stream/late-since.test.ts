// A `since` that arrives after the stream started (no message within the grace period, or a URL
// that named one) never starts it a second time: repeating the start is ignored, anything else is
// refused with an error message and close 4400. A second start used to send every event twice.
import { expect, it } from 'vitest';
import { describeEachStore } from '../../support/stores.js';
import { post, useServer } from './harness.js';
import { consecutive, seqsOf, TestClient, type Message } from './ws-client.js';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const isDone = (runId: string) => (messages: Message[]) => messages.some((m) => m.type === 'workflow_complete' && m.run_id === runId);
const BEYOND_GRACE_MS = 500;

describeEachStore('a since that arrives after the stream started', (kind) => {
  const server = useServer(kind, { heartbeatMs: 60_000 });

  const startRun = async (session: string) => {
    const response = await post(server().http, '/api/orchestrator/run-workflow', { session_id: session, workflow: 'approve-then-finish', parameters: {} });
    expect(response.status).toBe(202);
    return ((await response.json()) as { run_id: string }).run_id;
  };
  const approve = async (runId: string) => {
    const status = await server().engine.settled(runId);
    const response = await post(server().http, `/api/runs/${runId}/approvals/${status.waitingFor?.id ?? ''}`, { action: 'accept' });
    expect(response.status).toBe(200);
  };
  /** Every event of the run, once each and in order, through to workflow_complete, and nothing after. */
  const expectEachEventOnce = async (client: TestClient, runId: string) => {
    await client.until(isDone(runId));
    await pause(300); // a second follower's replay would land here
    const seqs = seqsOf(client.events(), runId);
    expect(seqs).toEqual(consecutive(1, seqs.length));
    expect(client.events().at(-1)).toMatchObject({ type: 'workflow_complete', seq: seqs.length });
    // Not refused (4400); a run stream closes normally (1000) once its run has ended, a session stream stays open.
    expect(client.closed?.code ?? 1000).toBe(1000);
  };

  it('sends every event of a run exactly once when {"since":0} comes 500 ms after connecting', async () => {
    const runId = await startRun('late-run');
    await server().engine.settled(runId);
    const client = await TestClient.connect(`${server().ws}/ws/runs/${runId}`);
    await pause(BEYOND_GRACE_MS);
    client.socket.send(JSON.stringify({ since: 0 }));
    await approve(runId);
    await expectEachEventOnce(client, runId);
    await client.close();
  });

  it('sends every event of a session exactly once when {"since":0} comes 500 ms after connecting', async () => {
    const runId = await startRun('late-session');
    await server().engine.settled(runId);
    const client = await TestClient.connect(`${server().ws}/ws/orchestrator/late-session`);
    await pause(BEYOND_GRACE_MS);
    client.socket.send(JSON.stringify({ since: { [runId]: 0 } }));
    await approve(runId);
    await expectEachEventOnce(client, runId);
    await client.close();
  });

  it('ignores a message repeating the since the URL named', async () => {
    const runId = await startRun('repeat');
    const client = await TestClient.connect(`${server().ws}/ws/runs/${runId}?since=0`);
    client.socket.send(JSON.stringify({ since: 0 }));
    await approve(runId);
    await expectEachEventOnce(client, runId);
    await client.close();
  });

  it('refuses a late since that differs from where the stream started, saying how to resume there', async () => {
    const runId = await startRun('late-other');
    await server().engine.settled(runId);
    const client = await TestClient.connect(`${server().ws}/ws/runs/${runId}`);
    await client.until((m) => m.some((e) => e.type === 'approval_required'));
    client.socket.send(JSON.stringify({ since: 3 }));
    await client.until(() => client.closed !== undefined);
    expect(client.closed).toMatchObject({ code: 4400, reason: expect.stringContaining('reconnect with ?since=3') as unknown });
    expect(client.messages.at(-1)).toMatchObject({
      type: 'error',
      error_type: 'BAD_REQUEST',
      error_message: expect.stringContaining('since=3 came after the stream started from since=0') as unknown,
    });
    expect(seqsOf(client.events(), runId)).toEqual(consecutive(1, seqsOf(client.events(), runId).length));
  });

  it('refuses any other message once the stream has started', async () => {
    const runId = await startRun('chatty');
    const client = await TestClient.connect(`${server().ws}/ws/runs/${runId}?since=0`);
    client.socket.send('hello');
    await client.until(() => client.closed !== undefined);
    expect(client.closed?.code).toBe(4400);
    expect(client.messages.at(-1)).toMatchObject({
      type: 'error',
      error_type: 'BAD_REQUEST',
      error_message: 'the stream started from since=0 and takes no further messages',
    });
  });
});
