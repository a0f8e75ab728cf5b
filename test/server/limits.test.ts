// The stream slots counted on a bare Fastify server with the limits installed: taken by each open
// WebSocket, and back to zero once they end, however they end.
import websocket from '@fastify/websocket';
import Fastify, { type FastifyInstance } from 'fastify';
import type { AddressInfo } from 'node:net';
import { afterEach, expect, it } from 'vitest';
import { parseServerConfig } from '../../src/server/config.js';
import { installLimits, type StreamSlots } from '../../src/server/limits.js';
import { TestClient } from './stream/ws-client.js';

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
});

async function serve(): Promise<{ slots: StreamSlots; url: string }> {
  app = Fastify({ forceCloseConnections: true });
  await app.register(websocket);
  const slots = await installLimits(app, parseServerConfig({ wsMaxPerClient: 5, wsMaxConnections: 8 }));
  app.get('/ws/echo', { websocket: true }, (socket) => {
    socket.on('message', (data: Buffer) => (data.toString() === 'bye' ? socket.close(4000, 'bye') : socket.send(data)));
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  return { slots, url: `ws://127.0.0.1:${(app.server.address() as AddressInfo).port}/ws/echo` };
}

async function until(condition: () => boolean, ms = 2_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

it('counts each open stream per client and in all, and comes back to zero after every way of ending', async () => {
  const { slots, url } = await serve();
  for (let round = 0; round < 5; round++) {
    const mine = await Promise.all([1, 2, 3, 4, 5].map(() => TestClient.connect(url)));
    const other = await TestClient.connect(url, {}, { localAddress: '127.0.0.2' });
    expect([slots.total, slots.of('127.0.0.1'), slots.of('127.0.0.2')]).toEqual([6, 5, 1]);
    await mine[0]!.close(); // the client closes
    mine[1]!.socket.terminate(); // the client's connection drops
    mine[2]!.socket.send('bye'); // the server closes
    await mine[2]!.until(() => mine[2]!.closed !== undefined);
    await Promise.all([mine[3]!.close(), mine[4]!.close(), other.close()]);
    await until(() => slots.total === 0);
    expect([slots.of('127.0.0.1'), slots.of('127.0.0.2')]).toEqual([0, 0]);
  }
});

it('counts nothing for a refused upgrade, and gives the slot back when the server shuts down', async () => {
  const { slots, url } = await serve();
  const held = await Promise.all([1, 2, 3, 4, 5].map(() => TestClient.connect(url)));
  for (let i = 0; i < 10; i++) await expect(TestClient.connect(url)).rejects.toThrow(/429/);
  expect(slots.total).toBe(5);
  await app?.close();
  await Promise.all(held.map((client) => client.until(() => client.closed !== undefined)));
  await until(() => slots.total === 0);
});
