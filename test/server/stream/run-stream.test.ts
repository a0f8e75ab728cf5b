// The WebSocket streams: a run watched live end to end, resumption with since (query or first
// message) exactly once, session streams, heartbeats, auth, and unknown runs.
import { expect, it } from 'vitest';
import { describeEachStore } from '../../support/stores.js';
import { post, useServer } from './harness.js';
import { consecutive, seqsOf, TestClient } from './ws-client.js';

const isDone = (runId: string) => (messages: { type: string; run_id?: string }[]) => messages.some((m) => m.type === 'workflow_complete' && m.run_id === runId);

describeEachStore('run streams', (kind) => {
  const server = useServer(kind, { heartbeatMs: 60_000 });

  const startRun = async (session = 'session-1') => {
    const response = await post(server().http, '/api/orchestrator/run-workflow', { session_id: session, workflow: 'approve-then-finish', parameters: {} });
    expect(response.status).toBe(202);
    return ((await response.json()) as { run_id: string }).run_id;
  };
  const approve = async (runId: string) => {
    const status = await server().engine.settled(runId);
    const response = await post(server().http, `/api/runs/${runId}/approvals/${status.waitingFor?.id ?? ''}`, { action: 'accept' });
    expect(response.status).toBe(200);
  };

  it('streams a run live from its first event to workflow_complete, in order', async () => {
    const runId = await startRun();
    const client = await TestClient.connect(`${server().ws}/ws/runs/${runId}?since=0`);
    await client.until((m) => m.some((e) => e.type === 'approval_required'));
    await approve(runId);
    await client.until(isDone(runId));
    const events = client.events();
    expect(seqsOf(events, runId)).toEqual(consecutive(1, events.length));
    expect(events.map((e) => e.type)).toEqual(
      expect.arrayContaining(['run_created', 'agent_status', 'progress', 'complete', 'approval_required', 'approval_resolved', 'workflow_complete']),
    );
    for (const event of events) expect(event).toMatchObject({ run_id: runId, timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) as unknown });
    const progress = events.find((e) => e.type === 'progress');
    expect(progress).toMatchObject({ agent_name: 'step', progress: 50, message: 'half way' });
    await client.close();
  });

  it('gives a client that reconnects with since every event exactly once', async () => {
    const runId = await startRun();
    const first = await TestClient.connect(`${server().ws}/ws/runs/${runId}?since=0`);
    await first.until((m) => m.some((e) => e.type === 'approval_required'));
    const lastSeen = Math.max(...seqsOf(first.events(), runId));
    await first.close();
    await approve(runId); // events the client misses while away
    const second = await TestClient.connect(`${server().ws}/ws/runs/${runId}?since=${lastSeen}`);
    await second.until(isDone(runId));
    const all = [...seqsOf(first.events(), runId), ...seqsOf(second.events(), runId)];
    expect(all).toEqual(consecutive(1, all.length));
    expect(seqsOf(second.events(), runId)[0]).toBe(lastSeen + 1);
    await second.close();
  });

  it('accepts since as the first client message', async () => {
    const runId = await startRun();
    await server().engine.settled(runId);
    const client = await TestClient.connect(`${server().ws}/ws/runs/${runId}`);
    client.socket.send(JSON.stringify({ since: 3 }));
    await client.until((m) => m.some((e) => e.type === 'approval_required'));
    expect(seqsOf(client.events(), runId)[0]).toBe(4);
    await client.close();
  });

  it('streams every run of a session, including runs started after connecting, and no other session', async () => {
    const before = await startRun('shared');
    const client = await TestClient.connect(`${server().ws}/ws/orchestrator/shared?since=0`);
    const after = await startRun('shared');
    const elsewhere = await startRun('other');
    await client.until((m) => [before, after].every((id) => m.some((e) => e.type === 'approval_required' && e.run_id === id)));
    for (const id of [before, after]) expect(seqsOf(client.events(), id)).toEqual(consecutive(1, seqsOf(client.events(), id).length));
    expect(client.events().some((e) => e.run_id === elsewhere)).toBe(false);
    await client.close();
  });

  it('gives session and run clients watching at once exactly their own events, in order, with the same content', async () => {
    // Clients flushed in the same round wait for different frames here (a run stream sees one run,
    // a session stream both): each must still get its own, whole and in order.
    const sessionClients = await Promise.all([1, 2, 3].map(() => TestClient.connect(`${server().ws}/ws/orchestrator/crowd?since=0`)));
    const [first, second] = [await startRun('crowd'), await startRun('crowd')];
    const runClients = await Promise.all([first, second, first].map((id) => TestClient.connect(`${server().ws}/ws/runs/${id}?since=0`)));
    await Promise.all([approve(first), approve(second)]);
    for (const client of sessionClients) await client.until((m) => [first, second].every((id) => isDone(id)(m)));
    for (const [i, client] of runClients.entries()) await client.until(isDone([first, second, first][i]!));
    const reference = sessionClients[0]!.events();
    for (const id of [first, second]) expect(seqsOf(reference, id)).toEqual(consecutive(1, seqsOf(reference, id).length));
    for (const client of sessionClients.slice(1)) {
      for (const id of [first, second]) expect(client.events().filter((e) => e.run_id === id)).toEqual(reference.filter((e) => e.run_id === id));
    }
    for (const [i, client] of runClients.entries()) {
      const id = [first, second, first][i]!;
      expect(client.events().every((e) => e.run_id === id)).toBe(true);
      expect(client.events()).toEqual(reference.filter((e) => e.run_id === id));
    }
    await Promise.all([...sessionClients, ...runClients].map((c) => c.close()));
  });

  it('gives a session client that joins a run others already watch that run from its since, exactly once', async () => {
    // The run's one subscription is already live for the first client: the late joiner replays
    // from the store up to it, then takes the live events it shares, with no gap and no repeat.
    const first = await TestClient.connect(`${server().ws}/ws/orchestrator/late?since=0`);
    const runId = await startRun('late');
    await first.until((m) => m.some((e) => e.type === 'approval_required' && e.run_id === runId));
    const late = await TestClient.connect(`${server().ws}/ws/orchestrator/late?since=${runId}:2`);
    await approve(runId);
    await Promise.all([first.until(isDone(runId)), late.until(isDone(runId))]);
    const all = seqsOf(first.events(), runId);
    expect(all).toEqual(consecutive(1, all.length));
    expect(seqsOf(late.events(), runId)).toEqual(consecutive(3, all.length));
    expect(late.events()).toEqual(first.events().filter((e) => (e.seq ?? 0) > 2));
    await Promise.all([first.close(), late.close()]);
  });

  it('keeps streaming a session to its other clients when one leaves, and to a client that comes back', async () => {
    const connect = () => TestClient.connect(`${server().ws}/ws/orchestrator/leavers?since=0`);
    const [staying, leaving] = await Promise.all([connect(), connect()]);
    await leaving.close();
    const runId = await startRun('leavers');
    await approve(runId);
    await staying.until(isDone(runId));
    expect(seqsOf(staying.events(), runId)).toEqual(consecutive(1, seqsOf(staying.events(), runId).length));
    await staying.close();
    // Everyone gone: the session's feed is released; a new client builds it again from the store.
    const back = await TestClient.connect(`${server().ws}/ws/orchestrator/leavers?since=0`);
    await back.until(isDone(runId));
    expect(back.events()).toEqual(staying.events());
    expect(leaving.events().some((e) => e.run_id === runId)).toBe(false);
    await back.close();
  });

  it('closes the stream of an unknown run with an error message', async () => {
    const client = await TestClient.connect(`${server().ws}/ws/runs/no-such-run?since=0`);
    await client.until(() => client.closed !== undefined);
    expect(client.closed?.code).toBe(4404);
    expect(client.messages[0]).toMatchObject({ type: 'error', error_type: 'NOT_FOUND' });
  });

  it('refuses a malformed since with a close reason', async () => {
    const runId = await startRun();
    const client = await TestClient.connect(`${server().ws}/ws/runs/${runId}?since=abc`);
    await client.until(() => client.closed !== undefined);
    expect(client.closed?.code).toBe(4400);
  });
});

describeEachStore('heartbeats', (kind) => {
  const server = useServer(kind, { heartbeatMs: 40 });
  it('sends heartbeats at the configured interval', async () => {
    const client = await TestClient.connect(`${server().ws}/ws/orchestrator/quiet?since=0`);
    await client.until((m) => m.filter((e) => e.type === 'heartbeat').length >= 3, 2_000);
    expect(client.messages.find((m) => m.type === 'heartbeat')).toMatchObject({ timestamp: expect.any(String) as unknown });
    await client.close();
  });
});

describeEachStore('stream auth', (kind) => {
  const server = useServer(kind, { apiToken: 'secret-token-1' });
  it('refuses a WebSocket without the token and accepts it as a header or a query parameter', async () => {
    await expect(TestClient.connect(`${server().ws}/ws/orchestrator/s?since=0`)).rejects.toThrow(/401/);
    await expect(TestClient.connect(`${server().ws}/ws/orchestrator/s?since=0&token=wrong-token`)).rejects.toThrow(/403/);
    const byQuery = await TestClient.connect(`${server().ws}/ws/orchestrator/s?since=0&token=secret-token-1`);
    const byHeader = await TestClient.connect(`${server().ws}/ws/orchestrator/s?since=0`, { authorization: 'Bearer secret-token-1' });
    await byQuery.close();
    await byHeader.close();
  });
});
