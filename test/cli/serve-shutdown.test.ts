// `baton serve` as a real child process stopped with SIGTERM while a request is in flight: the request is finished
// and answered, never reset after its write (a client that retried a reset start made the season twice).
import { request } from 'node:http';
import { expect, it } from 'vitest';
import { startNode } from '../cluster/support.js';
import { describeEachStore } from '../support/stores.js';

/** Sends a POST whose body arrives in two halves, `between` running after the first; resolves with the answer or the socket's error. */
function postInHalves(url: string, body: string, between: () => Promise<void>): Promise<{ status: number; body: string } | { error: string }> {
  return new Promise((done) => {
    const half = Math.floor(body.length / 2);
    const req = request(url, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      res.on('end', () => done({ status: res.statusCode ?? 0, body: text }));
      res.on('error', (error) => done({ error: error.message }));
    });
    req.on('error', (error) => done({ error: (error as NodeJS.ErrnoException).code ?? error.message }));
    req.write(body.slice(0, half));
    void between().then(() => req.end(body.slice(half)));
  });
}

describeEachStore('baton serve stopped with SIGTERM', (kind) => {
  it('finishes a request in flight and answers it, then exits 0', async () => {
    const t = await kind.create();
    const { databaseUrl, sqlitePath } = t.connection;
    const node = await startNode({ id: 'draining', databaseUrl: databaseUrl ?? `sqlite:///${sqlitePath!}` });
    try {
      const body = JSON.stringify({ session_id: 'drain', workflow: 'cluster-steps', parameters: { ms: 10, steps: 1 }, idempotency_key: 'drain-1' });
      const answer = await postInHalves(`${node.base}/api/orchestrator/run-workflow`, body, async () => {
        // The first half is in; the node begins its shutdown before the rest arrives.
        await new Promise((r) => setTimeout(r, 200));
        node.child.kill('SIGTERM');
        await new Promise((r) => setTimeout(r, 500));
      });
      // Before: the socket was destroyed on close (ECONNRESET) although the run could already be written.
      expect(answer, node.output().slice(-2000)).toMatchObject({ status: 202 });
      expect(await node.exited).toBe(0);
      expect(node.output()).toMatch(/"msg":"stopped"/);
      expect(node.output()).not.toMatch(/uncaught|unhandled/i);
    } finally {
      if (node.child.exitCode === null && node.child.signalCode === null) node.child.kill('SIGKILL');
      await node.exited;
      await t.dispose();
    }
  }, 60_000);
});
