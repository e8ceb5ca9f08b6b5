import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { openNeo4jDriver } from '../app/stack.ts';
import { signDevToken } from '../gateway/auth.ts';
import { SUBGRAPHS } from '../platform/subgraphs.ts';
import { clearNetwork } from '../subgraphs/network/store.ts';
import { writeDocuments } from '../subgraphs/exchange/formats/x12/writer.ts';
import { partnerParty, selfParty } from '../subgraphs/exchange/mapping/envelope.ts';
import { exchangeSettings } from '../subgraphs/exchange/settings.ts';
import { createTestDatabase } from './support/databases.ts';
import { salesOrderDocument, SET_PROFILE, WebhookReceiver } from './support/exchange.ts';
import { apiKeyFor, caller, partnerIds, PLACE_SO, type Caller } from './support/orders.ts';
import { stackEnvironment, startStackProcess, type StackProcess } from './support/process.ts';
import type { GraphQLResponse } from './support/stack.ts';

/**
 * What a partner sent us, and what we owe it, survives the process being killed (SIGKILL: no handler runs)
 * at any point, and is applied once. The stack runs as `npm start` does, in a process of its own, on a
 * database that outlives it (PGlite in a data folder, or a database on the PostgreSQL server).
 */
const JWT_SECRET = 'crash-test-jwt-secret-0123456789';
let dataDir: string;
let database: Awaited<ReturnType<typeof createTestDatabase>>;
let running: StackProcess | undefined;
const receiver = new WebhookReceiver();

function environment(processInbox: boolean): Record<string, string> {
  return {
    ...stackEnvironment({
      dataDir,
      databaseUrl: database.url,
      jwtSecret: JWT_SECRET,
      internalSecret: 'crash-test-internal-secret-012345',
    }),
    PORT: '0',
    ...Object.fromEntries(SUBGRAPHS.map((name) => [`${name.toUpperCase()}_PORT`, '0'])),
    EXCHANGE_RETRY_BASE_MS: '20',
    EXCHANGE_RETRY_MAX_MS: '200',
    EXCHANGE_PROCESS_INBOX: String(processInbox),
  };
}

/** Requests go to whichever process is running now: its ports change with every start. */
const gateway = {
  async request<Data>(query: string, variables: Record<string, unknown> = {}, headers = {}) {
    const response = await fetch(running!.gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ query, variables }),
    });
    return { status: response.status, body: (await response.json()) as GraphQLResponse<Data> };
  },
};

async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

interface InboundView {
  id: string;
  status: string;
  controlNumber: string;
  effects: { order: { id: string } | null }[];
}
const INBOUND = `{ documents(direction: INBOUND, first: 100) {
  nodes { id status controlNumber effects { order { id } } } } }`;

beforeAll(async () => {
  const driver = await openNeo4jDriver(inject('neo4j'));
  await clearNetwork(driver).finally(() => driver.close());
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'sng-crash-'));
  database = await createTestDatabase();
});
afterAll(async () => {
  await running?.kill();
  await receiver.stop();
  await database?.drop();
  await rm(dataDir, { recursive: true, force: true });
});

describe('killed with SIGKILL, restarted on the same data', () => {
  it('delivers every webhook at least once and in order, and processes every accepted document once', async () => {
    running = await startStackProcess(environment(false));
    const admin: Caller = caller(gateway, {
      authorization: `Bearer ${await signDevToken(JWT_SECRET, { subject: 'crash-admin', roles: ['admin'] })}`,
    });
    const [velomarkt] = (await partnerIds(admin, 'VeloMarkt')) as [string];
    const customer = await apiKeyFor(gateway, admin, velomarkt);
    const profile = await admin.ok<{ setExchangeProfile: { webhookSecret: string } }>(SET_PROFILE, {
      partnerId: velomarkt,
      input: { channel: 'WEBHOOK', endpointUrl: await receiver.start(), eventTypes: ['OrderCreated'] },
    });
    receiver.secrets = [profile.setExchangeProfile.webhookSecret];
    receiver.latencyMs = 100;
    // The endpoint is down (503, worth retrying) until the burst is complete, so the kill finds most of it
    // still owed.
    let endpointUp = false;
    receiver.answer = () => ({ status: endpointUp ? 200 : 503 });

    // Documents the partner sent, which this process only stores (it does not process its inbox)…
    const sent: string[] = [];
    for (let i = 0; i < 15; i += 1) {
      const response = await fetch(new URL('/exchange/inbound', running.gatewayUrl), {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...customer.headers },
        body: salesOrderDocument(`CRASH-DOC-${i}`),
      });
      expect(response.status).toBe(202);
      sent.push(((await response.json()) as { id: string }).id);
    }
    // …and a burst of events owed to the partner, delivered one at a time to its slow endpoint.
    // One after another: a partner may run only so many operations at once (the gateway's limits).
    const placed: string[] = [];
    for (let i = 0; i < 25; i += 1) {
      const { placeSalesOrder } = await customer.ok<{ placeSalesOrder: { id: string } }>(PLACE_SO, {
        input: {
          currency: 'EUR',
          externalRef: `CRASH-API-${i}`,
          lines: [{ sku: 'BIKE-TRAIL-29', quantity: '1' }],
        },
      });
      placed.push(placeSalesOrder.id);
    }
    endpointUp = true;
    await receiver.until(() => receiver.firstArrivals.length >= 3);
    const deliveredBeforeFirstKill = receiver.firstArrivals.length;
    await running.kill();
    expect(deliveredBeforeFirstKill).toBeLessThan(placed.length);

    // Every document answered 202 was stored before the kill; this process goes on to process them.
    running = await startStackProcess(environment(true));
    const stored = (await admin.ok<{ documents: { nodes: InboundView[] } }>(INBOUND)).documents.nodes;
    expect(stored.map((document) => document.id).sort()).toEqual([...sent].sort());
    // Killed again mid-way: some documents done, webhooks still going out.
    await eventually(
      async () => (await admin.ok<{ documents: { nodes: InboundView[] } }>(INBOUND)).documents.nodes,
      (nodes) => nodes.some((document) => document.status === 'PROCESSED'),
    );
    await running.kill();

    running = await startStackProcess(environment(true));
    const documents = await eventually(
      async () => (await admin.ok<{ documents: { nodes: InboundView[] } }>(INBOUND)).documents.nodes,
      (nodes) => nodes.length === sent.length && nodes.every((document) => document.status === 'PROCESSED'),
    );
    const created = documents.map((document) => document.effects.map((effect) => effect.order?.id));
    expect(created.every((orders) => orders.length === 1 && orders[0])).toBe(true);

    // One order per document, however many times a kill interrupted its processing.
    const { orders } = await customer.ok<{ orders: { nodes: { id: string; externalRef: string | null }[] } }>(
      '{ orders(first: 200) { nodes { id externalRef } } }',
    );
    const refs = orders.nodes.map((order) => order.externalRef ?? '');
    for (let i = 0; i < sent.length; i += 1) {
      expect(refs.filter((ref) => ref === `CRASH-DOC-${i}`)).toHaveLength(1);
    }

    // Every OrderCreated owed reaches the receiver, first arrivals in the order of the event log.
    // (The acknowledgements of the documents travel the same endpoint as documents, not events.)
    const owed = new Set([...placed, ...created.map((orders) => orders[0]!)]);
    const firstEvents = () =>
      receiver.firstArrivals
        .map((id) => receiver.received.find((hook) => hook.id === id)!)
        .filter((hook) => hook.type === 'OrderCreated');
    await receiver.until(() => firstEvents().length >= owed.size);
    const orderIds = firstEvents().map(
      (hook) => (JSON.parse(hook.body) as { data: { orderId: string } }).data.orderId,
    );
    expect(new Set(orderIds)).toEqual(owed);
    expect(orderIds).toHaveLength(owed.size);
    const cursors = firstEvents().map((hook) => BigInt(hook.id));
    expect([...cursors].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))).toEqual(cursors);
    expect(receiver.rejectedSignatures).toBe(0);

    await running.stop();
    running = undefined;
  }, 600_000);

  it('an X12 interchange of many orders killed mid-way is resumed after its last decided message: each order once', async () => {
    running = await startStackProcess(environment(true));
    const admin: Caller = caller(gateway, {
      authorization: `Bearer ${await signDevToken(JWT_SECRET, { subject: 'crash-admin', roles: ['admin'] })}`,
    });
    const [velomarkt] = (await partnerIds(admin, 'VeloMarkt')) as [string];
    const identifiers = { x12Qualifier: 'ZZ', x12Id: 'VELOMARKT' };
    await admin.ok(SET_PROFILE, {
      partnerId: velomarkt,
      input: { formats: ['json', 'x12-004010'], identifiers },
    });
    const key = await admin.ok<{ createApiKey: { secret: string } }>(
      'mutation ($id: ID!) { createApiKey(partnerId: $id, name: "EDI") { secret } }',
      { id: velomarkt },
    );
    const ORDERS = 40;
    const interchange = writeDocuments(
      Array.from({ length: ORDERS }, (_, n) => ({
        kind: 'PurchaseOrder' as const,
        number: `CRASH-850-${n}`,
        issueDate: '2026-12-01',
        currency: 'EUR',
        buyer: { name: 'VeloMarkt' },
        seller: { name: 'The company' },
        lines: [
          {
            lineNo: 1,
            item: { vendorPartNumber: 'BIKE-TRAIL-29' },
            quantity: '1',
            unit: { code: 'EA', codeList: 'X12' as const },
          },
        ],
      })),
      {
        sender: partnerParty('x12', identifiers)!,
        receiver: selfParty('x12', exchangeSettings())!,
        interchangeControlNumber: '000004242',
        groupControlNumber: '4242',
        messageControlNumber: '0001',
        createdAt: new Date(),
        test: false,
      },
      '004010',
    );
    const response = await fetch(new URL('/exchange/inbound?format=x12', running.gatewayUrl), {
      method: 'POST',
      headers: { 'content-type': 'application/edi-x12', 'x-api-key': key.createApiKey.secret },
      body: interchange,
    });
    expect(response.status).toBe(202);
    const { id } = (await response.json()) as { id: string };
    const MESSAGES = `query ($id: ID!) { document(id: $id) { status messages { position status effects { order { id } } } } }`;
    type Decided = {
      document: {
        status: string;
        messages: { position: number; status: string; effects: { order: { id: string } | null }[] }[];
      };
    };

    // Killed once some of its orders are placed and before all are.
    const partial = await eventually(
      () => admin.ok<Decided>(MESSAGES, { id }),
      (data) => data.document.messages.length >= 3,
    );
    await running.kill();
    expect(partial.document.messages.length).toBeLessThan(ORDERS);

    running = await startStackProcess(environment(true));
    const done = await eventually(
      () => admin.ok<Decided>(MESSAGES, { id }),
      (data) => data.document.status !== 'RECEIVED',
    );
    expect(done.document.status).toBe('PROCESSED');
    expect(done.document.messages.map((message) => [message.position, message.status])).toEqual(
      Array.from({ length: ORDERS }, (_, n) => [n + 1, 'PROCESSED']),
    );
    const { orders } = await admin.ok<{ orders: { nodes: { externalRef: string | null }[] } }>(
      '{ orders(first: 500, filter: { kind: SALES }) { nodes { externalRef } } }',
    );
    for (let n = 0; n < ORDERS; n += 1)
      expect(orders.nodes.filter((order) => order.externalRef === `CRASH-850-${n}`)).toHaveLength(1);
    await running.stop();
    running = undefined;
  }, 600_000);
});
