import http from 'node:http';
import { SignJWT } from 'jose';
import { createClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { UpstreamConnections } from '../gateway/upstream.ts';
import {
  PRINCIPAL_AUDIENCE,
  PRINCIPAL_HEADER,
  signPrincipal,
  type Principal,
} from '../platform/auth/principal.ts';
import { apiKeyFor, caller, CREATE_PO, partnerIds, SUBMIT, type Caller } from './support/orders.ts';
import { bootStack, INTERNAL_SECRET, type GraphQLResponse, type TestStack } from './support/stack.ts';

/**
 * The transport edges, tried as an attacker would: oversized bodies, operations HTTP cannot serve,
 * numbers and characters no store can hold, crafted cursors, and what an unexpected failure reveals.
 */

let stack: TestStack;
let admin: Caller;
let norte: Caller;
let norteId: string;

beforeAll(async () => {
  stack = await bootStack({ seedDemo: true });
  admin = caller(stack, await stack.as(['admin']));
  [norteId] = (await partnerIds(admin, 'Norte')) as [string];
  norte = await apiKeyFor(stack, admin, norteId);
});
afterAll(async () => {
  await stack?.close();
});

type Extensions = { code?: string; correlationId?: string };
const firstError = (body: GraphQLResponse) =>
  body.errors?.[0] as { message: string; extensions?: Extensions };

/** One POST on a given agent, with the local port of the socket it went over. */
function post(
  agent: http.Agent,
  body: string | Buffer,
  headers: Record<string, string>,
): Promise<{ status: number; body: GraphQLResponse; port: number | undefined }> {
  const url = new URL(stack.gateway.url);
  return new Promise((resolve, reject) => {
    const request = http.request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'POST',
        agent,
        headers: {
          'content-type': 'application/json',
          'content-length': String(Buffer.byteLength(body)),
          ...headers,
        },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as GraphQLResponse,
            port: request.socket?.localPort,
          }),
        );
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

describe('HTTP transport', () => {
  it('answers a 6 MiB body with 413 and a code, and the same keep-alive socket answers the next request', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const huge = JSON.stringify({
      query: `{ self { name } }`,
      variables: { junk: 'x'.repeat(6 * 1024 * 1024) },
    });
    const refused = await post(agent, huge, norte.headers);
    expect(refused.status).toBe(413);
    expect(firstError(refused.body).extensions?.code).toBe('PAYLOAD_TOO_LARGE');
    const next = await post(agent, JSON.stringify({ query: '{ self { name } }' }), norte.headers);
    expect(next.status).toBe(200);
    expect(next.body.data).toEqual({ self: { name: 'Cordillera Cycles S.L.' } });
    expect(next.port).toBe(refused.port);
    agent.destroy();
  });

  it('answers a subscription sent over HTTP with 400 BAD_REQUEST pointing to graphql-ws', async () => {
    const { status, body } = await stack.request(
      'subscription { orderEvents { cursor } }',
      {},
      norte.headers,
    );
    expect(status).toBe(400);
    expect(firstError(body).extensions?.code).toBe('BAD_REQUEST');
    expect(firstError(body).message).toMatch(/graphql-ws/);
  });

  it('answers several operations without operationName with 400 BAD_REQUEST', async () => {
    const { status, body } = await stack.request(
      'query A { self { name } } query B { self { id } }',
      {},
      norte.headers,
    );
    expect(status).toBe(400);
    expect(firstError(body).extensions?.code).toBe('BAD_REQUEST');
  });

  it('answers a number beyond double precision (share: 1e400) with 400 BAD_USER_INPUT, changing nothing', async () => {
    const { status, body } = await stack.request(
      `mutation { declareSupplyLink(input: { supplierId: "${norteId}", customerId: "${norteId}", items: ["X"], share: 1e400 }) { share } }`,
      {},
      norte.headers,
    );
    expect(status).toBe(400);
    expect(firstError(body).extensions?.code).toBe('BAD_USER_INPUT');
    // JSON itself can carry it: the body is written by hand, as an attacker would.
    const query = JSON.stringify(
      'mutation ($s: Float) { declareSupplyLink(input: { supplierId: "a", customerId: "b", items: ["X"], share: $s }) { share } }',
    );
    const asVariable = await fetch(stack.gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...norte.headers },
      body: `{"query":${query},"variables":{"s":1e400}}`,
    });
    expect(asVariable.status).toBe(400);
    expect(firstError((await asVariable.json()) as GraphQLResponse).extensions?.code).toBe('BAD_USER_INPUT');
  });
});

describe('what errors reveal', () => {
  it('answers a crafted cursor with BAD_USER_INPUT, never the database’s text', async () => {
    const notADate = Buffer.from('["not-a-date","x"]').toString('base64');
    const withNul = Buffer.from(JSON.stringify(['a\u0000', 'x'])).toString('base64');
    for (const [query, after] of [
      ['query ($after: String) { orders(after: $after) { nodes { id } } }', notADate],
      ['query ($after: String) { partners(after: $after) { nodes { id } } }', withNul],
      ['query ($after: String) { invoices(after: $after) { nodes { id } } }', notADate],
    ] as const) {
      const { body } = await stack.request(query, { after }, admin.headers);
      expect(firstError(body).extensions?.code, query).toBe('BAD_USER_INPUT');
      expect(JSON.stringify(body)).not.toMatch(/syntax|timestamp|byte sequence/);
    }
  });

  it('answers a NUL character in an id or a search with BAD_USER_INPUT', async () => {
    for (const [query, variables] of [
      ['{ order(id: "a\\u0000b") { id } }', {}],
      ['query ($id: ID!) { order(id: $id) { id } }', { id: 'a\u0000b' }],
      ['query ($s: String) { partners(search: $s) { nodes { id } } }', { s: 'Nor\u0000te' }],
    ] as const) {
      const { status, body } = await stack.request(query, variables, norte.headers);
      expect(status, query).toBe(400);
      expect(firstError(body).extensions?.code).toBe('BAD_USER_INPUT');
      expect(JSON.stringify(body)).not.toMatch(/UTF8|byte sequence/);
    }
  });

  it('answers an unexpected failure with INTERNAL_SERVER_ERROR and a correlation id, logging the real error', async () => {
    const logged = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    // The store fails underneath a running service, as after a botched migration.
    await stack.db.query('ALTER TABLE inventory.item RENAME TO item_moved');
    try {
      const { body } = await stack.request('{ item(sku: "BIKE-TRAIL-29") { sku name } }', {}, admin.headers);
      const error = firstError(body);
      expect(error.extensions?.code).toBe('INTERNAL_SERVER_ERROR');
      expect(error.extensions?.correlationId).toMatch(/^[0-9a-f-]{36}$/);
      expect(JSON.stringify(body)).not.toMatch(/relation "|item_moved|inventory\.item|does not exist/);
      const lines = logged.mock.calls.map((call) => call.map(String).join(' '));
      expect(
        lines.some((line) => line.includes(error.extensions!.correlationId!) && /does not exist/.test(line)),
      ).toBe(true);
    } finally {
      await stack.db.query('ALTER TABLE inventory.item_moved RENAME TO item');
      logged.mockRestore();
    }
  });
});

describe('subgraph websockets and the principal’s expiry', () => {
  const buyer: Principal = { subject: 'test-buyer', roles: ['buyer'] };
  /** A principal header as the gateway signs it, with a lifetime of our choosing (an attacker's capture). */
  const signedFor = (principal: Principal, seconds: number) =>
    new SignJWT({ roles: principal.roles })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(principal.subject)
      .setAudience(PRINCIPAL_AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(Math.floor(Date.now() / 1_000) + seconds)
      .sign(new TextEncoder().encode(INTERNAL_SECRET));

  it('closes a subgraph connection opened with a captured header when the header expires (4401)', async () => {
    const header = await signedFor(buyer, 2);
    const client = createClient({
      url: stack.subgraphs.orders.url.replace('http:', 'ws:'),
      webSocketImpl: WebSocket,
      connectionParams: { [PRINCIPAL_HEADER]: header },
      retryAttempts: 0,
      lazy: false,
    });
    const code = await new Promise<number>((resolve) => {
      client.on('closed', (event) => resolve((event as { code: number }).code));
      client.subscribe(
        { query: 'subscription { orderEvents { cursor } }' },
        {
          next: () => undefined,
          error: () => undefined,
          complete: () => undefined,
        },
      );
    });
    expect(code).toBe(4401);
    await client.dispose();
  });

  it('keeps the gateway’s upstream connection past its first signature’s expiry by renewing it', async () => {
    const upstream = new UpstreamConnections({
      subgraphUrls: { orders: stack.subgraphs.orders.url },
      sign: (principal) => signedFor(principal, 2),
      renewEveryMs: 500,
    });
    const events: unknown[] = [];
    const failures: unknown[] = [];
    const stop = upstream.subscribe(
      'orders',
      buyer,
      { query: 'subscription { orderEvents { cursor type } }', variables: {} },
      {
        next: (event) => events.push(event),
        error: (error) => failures.push(error),
        complete: () => undefined,
      },
    );
    // Three seconds: past the first signature's two.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    const buyerCaller = caller(stack, await stack.as(['buyer']));
    const [iberframe] = (await partnerIds(admin, 'Iberframe')) as [string];
    const created = await buyerCaller.ok<{ createPurchaseOrder: { id: string } }>(CREATE_PO, {
      input: {
        supplierId: iberframe,
        currency: 'EUR',
        lines: [{ sku: 'FRAME-AL-54', quantity: '1', unitPrice: { amount: '10.00', currency: 'EUR' } }],
      },
    });
    await buyerCaller.ok(SUBMIT, { id: created.createPurchaseOrder.id });
    const deadline = Date.now() + 15_000;
    while (events.length === 0 && failures.length === 0 && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 50));
    expect(failures).toEqual([]);
    expect(events.length).toBeGreaterThan(0);
    stop();
    await upstream.close();
  });

  it('refuses a renewal that names another principal (4403)', async () => {
    const socket = new WebSocket(stack.subgraphs.orders.url.replace('http:', 'ws:'), 'graphql-transport-ws');
    const code = await new Promise<number>((resolve) => {
      socket.on('open', async () => {
        socket.send(
          JSON.stringify({
            type: 'connection_init',
            payload: { [PRINCIPAL_HEADER]: await signPrincipal(buyer, INTERNAL_SECRET) },
          }),
        );
      });
      socket.on('message', async (data: Buffer) => {
        if ((JSON.parse(data.toString('utf8')) as { type: string }).type !== 'connection_ack') return;
        const admin: Principal = { subject: 'someone-else', roles: ['admin'] };
        socket.send(
          JSON.stringify({
            type: 'ping',
            payload: { [PRINCIPAL_HEADER]: await signPrincipal(admin, INTERNAL_SECRET) },
          }),
        );
      });
      socket.on('close', (closeCode) => resolve(closeCode));
    });
    expect(code).toBe(4403);
  });
});
