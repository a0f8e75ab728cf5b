// A client that stops reading is cut off (close 4008 with where to resume) while a fast client
// on the same run keeps up and receives everything.
import { afterEach, expect, it } from 'vitest';
import { describeEachStore } from '../../support/stores.js';
import { paceFlood, post, useServer } from './harness.js';
import { consecutive, seqsOf, TestClient } from './ws-client.js';

describeEachStore('slow clients', (kind) => {
  // Room for a few of the flood's bursts (8 × 32 KB each); the paused reader falls 19 MB behind.
  const server = useServer(kind, { wsBufferBytes: 1024 * 1024 });
  let pacing: { reset(): void } | undefined;
  afterEach(() => pacing?.reset());

  it('drops a client that cannot keep up, without slowing a fast one', { timeout: 90_000 }, async () => {
    const count = 600;
    // The producer waits for the fast reader after each burst: the reader shares this process's event loop, so on a
    // loaded machine it could otherwise fall a buffer behind for reasons that are the test's, not the server's.
    let connected: (client: TestClient) => void = () => {};
    const fastConnected = new Promise<TestClient>((resolve) => (connected = resolve));
    pacing = paceFlood(async (sent) => {
      const reader = await fastConnected;
      await reader.until((m) => m.filter((e) => e.type === 'bulk').length >= sent, 30_000);
    });
    const response = await post(server().http, '/api/orchestrator/run-workflow', {
      session_id: 's',
      workflow: 'flood',
      parameters: { count, size: 32 * 1024, burst: 8 },
    });
    const { run_id: runId } = (await response.json()) as { run_id: string };
    const slow = await TestClient.connect(`${server().ws}/ws/runs/${runId}?since=0`);
    // Stop reading: the kernel's buffers fill, then the server's send buffer for this client.
    (slow.socket as unknown as { _socket: { pause(): void } })._socket.pause();
    const fast = await TestClient.connect(`${server().ws}/ws/runs/${runId}?since=0`);
    connected(fast);
    await fast.until((m) => m.some((e) => e.type === 'workflow_complete'), 60_000);
    const seqs = seqsOf(fast.events(), runId);
    expect(seqs).toEqual(consecutive(1, seqs.length));
    expect(fast.events().filter((e) => e.type === 'bulk')).toHaveLength(count);
    expect(fast.closed).toBeUndefined();

    (slow.socket as unknown as { _socket: { resume(): void } })._socket.resume();
    await slow.until(() => slow.closed !== undefined, 20_000);
    expect(slow.closed?.code).toBe(4008);
    expect(slow.closed?.reason).toMatch(new RegExp(`since=${runId}:\\d+`));
    expect(slow.events().length).toBeLessThan(fast.events().length);
    await fast.close();
  });
});
