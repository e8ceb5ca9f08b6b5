import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import WebSocket from 'ws';
import { openNeo4jDriver } from '../app/stack.ts';
import { signDevToken } from '../gateway/auth.ts';
import { freePort } from '../platform/server/freePort.ts';
import { SUBGRAPHS } from '../platform/subgraphs.ts';
import { clearNetwork } from '../subgraphs/network/store.ts';
import { createTestDatabase } from './support/databases.ts';
import { stackEnvironment, startStackProcess, type StackProcess } from './support/process.ts';
import type { GraphQLResponse } from './support/stack.ts';

/**
 * `npm start` as a process manager runs it: the bundled server (scripts/start.mjs) on the ports it is
 * given, its gateway loaded before the subgraphs serve, answering queries and subscriptions that span
 * subgraphs, and stopping on SIGTERM.
 */
const JWT_SECRET = 'start-test-jwt-secret-0123456789';
let dataDir: string;
let database: Awaited<ReturnType<typeof createTestDatabase>>;
let running: StackProcess | undefined;
let authorization: string;

beforeAll(async () => {
  const driver = await openNeo4jDriver(inject('neo4j'));
  await clearNetwork(driver).finally(() => driver.close());
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'sng-start-'));
  database = await createTestDatabase();
  const ports: Record<string, string> = { PORT: String(await freePort()) };
  for (const name of SUBGRAPHS) ports[`${name.toUpperCase()}_PORT`] = String(await freePort());
  running = await startStackProcess({
    ...stackEnvironment({
      dataDir,
      databaseUrl: database.url,
      jwtSecret: JWT_SECRET,
      internalSecret: 'start-test-internal-secret-012345',
    }),
    ...ports,
  });
  authorization = `Bearer ${await signDevToken(JWT_SECRET, { subject: 'start-admin', roles: ['admin'] })}`;
});
afterAll(async () => {
  await running?.kill();
  await database?.drop();
  await rm(dataDir, { recursive: true, force: true });
});

interface OrderEventView {
  type: string;
  order: { number: string; seller: { name: string; tier: number | null } };
}

describe('npm start on configured ports', () => {
  it('answers a query that needs partners and network once it prints the gateway', async () => {
    const response = await fetch(running!.gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization },
      body: JSON.stringify({ query: '{ self { name tier } partners(first: 3) { nodes { name tier } } }' }),
    });
    const body = (await response.json()) as GraphQLResponse<{
      self: { name: string; tier: number | null };
      partners: { nodes: { name: string }[] };
    }>;
    expect(body.errors).toBeUndefined();
    expect(body.data?.self.tier).toBe(0);
    expect(body.data?.partners.nodes).toHaveLength(3);
  });

  it('streams order events with their partners and network fields over graphql-ws', async () => {
    const client = createClient({
      url: running!.gatewayUrl.replace('http:', 'ws:'),
      webSocketImpl: WebSocket,
      connectionParams: { authorization },
      retryAttempts: 0,
    });
    const events: OrderEventView[] = [];
    const errors: unknown[] = [];
    // The demo data's orders, replayed from the start of the log.
    await new Promise<void>((resolve, reject) => {
      const stop = client.subscribe<{ orderEvents: OrderEventView }>(
        {
          query: `subscription { orderEvents(after: "0") { type order { number seller { name tier } } } }`,
        },
        {
          next: (result) => {
            if (result.errors) errors.push(...result.errors);
            if (result.data) events.push(result.data.orderEvents);
            if (events.length >= 3) {
              stop();
              resolve();
            }
          },
          error: reject,
          complete: () => resolve(),
        },
      );
    });
    await client.dispose();
    expect(errors).toEqual([]);
    // Several may arrive in one batch before the subscription ends.
    expect(events.length).toBeGreaterThanOrEqual(3);
    for (const event of events) {
      expect(event.order.number).toMatch(/\S/);
      expect(event.order.seller.name).toMatch(/\S/);
      expect(typeof event.order.seller.tier).toBe('number');
    }
  });

  it('stops on SIGTERM', async () => {
    const exit = await running!.stop();
    running = undefined;
    expect(exit).toEqual({ code: 0, signal: null });
  });
});
