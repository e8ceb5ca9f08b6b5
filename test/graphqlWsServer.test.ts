import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { GRAPHQL_TRANSPORT_WS_PROTOCOL } from 'graphql-ws';
import { WebSocket, WebSocketServer } from 'ws';
import type { ExecutionResult } from 'graphql';
import { serveGraphqlWs } from '../platform/server/graphqlWsServer.ts';
import { graphqlRuntime } from '../platform/server/http.ts';

/**
 * serveGraphqlWs sends without waiting for each write and serializes a shared result once: what a client
 * receives must be what graphql-ws would have sent, and a client that stops reading must still hold the
 * server back.
 */
// The copy of graphql-js graphql-ws validates with.
const schema = graphqlRuntime.buildSchema('type Query { ok: Boolean } type Subscription { ticks: String }');

interface Served {
  url: string;
  close(): Promise<void>;
}

const opened: Served[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((served) => served.close()));
});

/** A graphql-ws server on loopback whose every subscription is an iterator `results` makes. */
async function serve(results: () => AsyncIterableIterator<ExecutionResult>): Promise<Served> {
  const server = http.createServer();
  const wsServer = new WebSocketServer({ server });
  const disposable = serveGraphqlWs(
    {
      schema,
      subscribe: () => results(),
      onNext: (_ctx, _id, _payload, _args, result) => result,
    },
    wsServer,
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const served = {
    url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}`,
    async close() {
      await disposable.dispose();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  opened.push(served);
  return served;
}

interface Message {
  id?: string;
  type: string;
  payload?: unknown;
}

/** A raw graphql-transport-ws client: every message it receives, in order. */
async function connect(url: string): Promise<{ socket: WebSocket; tcp: Socket; received: Message[] }> {
  const socket = new WebSocket(url, GRAPHQL_TRANSPORT_WS_PROTOCOL);
  const received: Message[] = [];
  socket.on('message', (data) => received.push(JSON.parse((data as Buffer).toString()) as Message));
  let tcp: Socket | undefined;
  socket.once('upgrade', (response) => (tcp = response.socket));
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  if (!tcp) throw new Error('opened without an upgrade');
  socket.send(JSON.stringify({ type: 'connection_init' }));
  await until(() => received.some((message) => message.type === 'connection_ack'));
  return { socket, tcp, received };
}

function subscribe(socket: WebSocket, id: string): void {
  socket.send(JSON.stringify({ id, type: 'subscribe', payload: { query: 'subscription { ticks }' } }));
}

async function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('graphql-ws server', () => {
  it('sends one shared result to each subscription with its own id, and results without a shared object as they are', async () => {
    const shared: ExecutionResult = { data: { ticks: 'same "object" \u2028 for all' } };
    let subscriptions = 0;
    const served = await serve(async function* () {
      subscriptions += 1;
      const own = subscriptions;
      for (let i = 0; i < 3; i += 1) {
        yield shared;
        yield { data: { ticks: `own ${own}.${i}` } };
      }
    });
    const { socket, received } = await connect(served.url);
    subscribe(socket, 'first');
    subscribe(socket, 'sec"ond');
    await until(() => received.filter((message) => message.type === 'complete').length === 2);
    socket.close();

    for (const [id, own] of [
      ['first', 1],
      ['sec"ond', 2],
    ] as const) {
      const nexts = received.filter((message) => message.id === id && message.type === 'next');
      expect(nexts.map((message) => message.payload)).toEqual(
        [0, 1, 2].flatMap((i) => [shared, { data: { ticks: `own ${own}.${i}` } }]),
      );
    }
  });

  it('stops taking results for a client that stops reading, and goes on once it reads again', async () => {
    const bulk = 'x'.repeat(10_000);
    const available = 20_000;
    let taken = 0;
    const served = await serve(async function* () {
      while (taken < available) {
        taken += 1;
        yield { data: { ticks: `${taken} ${bulk}` } };
      }
    });
    const { socket, tcp, received } = await connect(served.url);
    // The client stops reading: the kernel's buffers fill, then the server's socket's.
    tcp.pause();
    subscribe(socket, 'slow');
    await until(() => taken > 0);
    let last = 0;
    let changedAt = Date.now();
    await until(() => {
      if (taken !== last) [last, changedAt] = [taken, Date.now()];
      return Date.now() - changedAt > 500;
    }, 30_000);
    // Two hundred megabytes were on offer; the kernel's buffers and one high-water mark hold far less.
    expect(taken).toBeLessThan(available / 4);

    tcp.resume();
    await until(() => received.some((message) => message.type === 'complete'), 60_000);
    const ticks = received
      .filter((message) => message.type === 'next')
      .map((message) =>
        Number(((message.payload as ExecutionResult).data as { ticks: string }).ticks.split(' ')[0]),
      );
    expect(ticks).toEqual(Array.from({ length: available }, (_, index) => index + 1));
    socket.close();
  });
});
