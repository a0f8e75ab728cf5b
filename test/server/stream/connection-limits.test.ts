// WebSocket streams are limited per client address and in all: one more is refused before the
// upgrade, in the error shape, and every way a stream ends gives its slot back.
import { describe, expect, it } from 'vitest';
import { describeEachStore } from '../../support/stores.js';
import { expectError, type Reply } from '../http/harness.js';
import { post, useServer } from './harness.js';
import { TestClient, UpgradeRefused } from './ws-client.js';

/** The refusal of an upgrade, as the HTTP tests' replies are shaped. */
async function refusal(opening: Promise<TestClient>): Promise<Reply> {
  const error = await opening.then(
    (client) => client,
    (error: unknown) => error,
  );
  if (!(error instanceof UpgradeRefused))
    throw new Error(`expected the upgrade to be refused, got ${error instanceof TestClient ? 'an open stream' : String(error)}`);
  const headers = new Headers(
    Object.entries(error.headers).flatMap(([name, value]) => (value === undefined ? [] : [[name, String(value)] as [string, string]])),
  );
  return { status: error.status, headers, body: error.body };
}

/** Opens a stream, waiting up to `ms` for a slot a just-closed stream is giving back (a leaked slot never comes back). */
async function openWhenFree(url: string, ms = 2_000): Promise<TestClient> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      return await TestClient.connect(url);
    } catch (error) {
      if (!(error instanceof UpgradeRefused) || Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}

const closeAll = (clients: TestClient[]) => Promise.all(clients.map((c) => c.close()));

describeEachStore('WebSocket connection limits', (kind) => {
  describe('per client', () => {
    const server = useServer(kind, { heartbeatMs: 60_000, wsMaxPerClient: 3, wsMaxConnections: 4 });
    const stream = () => `${server().ws}/ws/orchestrator/limits?since=0`;

    it('refuses a client its fourth stream with 429 in the error shape, and lets another address in', async () => {
      const mine = await Promise.all([1, 2, 3].map(() => TestClient.connect(stream())));
      const refused = await refusal(TestClient.connect(stream()));
      const body = expectError(refused, 429, 'RATE_LIMITED');
      expect(body.message).toBe('this client already has 3 streams open');
      const other = await TestClient.connect(stream(), {}, { localAddress: '127.0.0.2' });
      await closeAll([...mine, other]);
    });

    it('gives every slot back however the streams end: closed by the client, dropped, or closed by the server', async () => {
      const runId = (
        (await (
          await post(server().http, '/api/orchestrator/run-workflow', { session_id: 'limits', workflow: 'approve-then-finish', parameters: {} })
        ).json()) as { run_id: string }
      ).run_id;
      const endings: ((url: string) => Promise<void>)[] = [
        async () => (await openWhenFree(stream())).close(),
        async () => {
          const client = await openWhenFree(stream());
          client.socket.terminate(); // the TCP connection drops without a closing handshake
        },
        async () => {
          const client = await openWhenFree(`${server().ws}/ws/runs/${runId}?since=nonsense`); // 4400
          await client.until(() => client.closed !== undefined);
        },
        async () => {
          const client = await openWhenFree(`${server().ws}/ws/runs/no-such-run?since=0`); // 4404
          await client.until(() => client.closed !== undefined);
        },
        async () => {
          const client = await openWhenFree(`${server().ws}/ws/runs/${runId}`);
          client.socket.send('not a since'); // 4400 on the first message
          await client.until(() => client.closed !== undefined);
        },
      ];
      for (let round = 0; round < 4; round++) {
        for (const end of endings) await Promise.all([1, 2, 3].map(() => end(stream())));
      }
      // All twelve rounds of three are gone: three fit again, and a fourth does not.
      const again = [await openWhenFree(stream()), await openWhenFree(stream()), await openWhenFree(stream())];
      expect((await refusal(TestClient.connect(stream()))).status).toBe(429);
      await closeAll(again);
    });
  });

  describe('in all', () => {
    const server = useServer(kind, { heartbeatMs: 60_000, wsMaxPerClient: 10, wsMaxConnections: 2 });
    const stream = () => `${server().ws}/ws/orchestrator/limits?since=0`;

    it('refuses a stream beyond the server maximum with 503 from any address, and takes one again once a stream closes', async () => {
      const open = [await TestClient.connect(stream()), await TestClient.connect(stream(), {}, { localAddress: '127.0.0.2' })];
      const body = expectError(await refusal(TestClient.connect(stream(), {}, { localAddress: '127.0.0.3' })), 503, 'UPSTREAM_UNAVAILABLE');
      expect(body.message).toBe('the server has its maximum of 2 streams open');
      await open[0]!.close();
      const next = await openWhenFree(stream());
      await closeAll([open[1]!, next]);
    });

    it('leaves plain HTTP requests alone while the streams are full', async () => {
      const open = [await TestClient.connect(stream()), await TestClient.connect(stream())];
      expect((await fetch(`${server().http}/api/runs`)).status).toBe(200);
      await closeAll(open);
    });
  });

  describe('with a token', () => {
    const server = useServer(kind, { heartbeatMs: 60_000, wsMaxPerClient: 2, apiToken: 'secret-token' });
    const stream = (token = 'secret-token') => `${server().ws}/ws/orchestrator/limits?since=0&token=${token}`;

    it('counts no upgrade that auth refused', async () => {
      for (let i = 0; i < 10; i++) expect((await refusal(TestClient.connect(stream('wrong-token')))).status).toBe(403);
      const open = [await openWhenFree(stream()), await openWhenFree(stream())];
      expect((await refusal(TestClient.connect(stream()))).status).toBe(429);
      await closeAll(open);
    });
  });
});
