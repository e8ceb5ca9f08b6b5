import { createClient, type Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { apiKeyFor, caller, CREATE_PO, partnerIds, SUBMIT, type Caller } from './support/orders.ts';
import { bootStack, type TestStack } from './support/stack.ts';

/**
 * Credentials end when they are revoked or their partner suspended: at once for requests, within
 * seconds for connections and subscriptions opened before (finding 5).
 */

let stack: TestStack;
let admin: Caller;
let buyer: Caller;
let norte: string;
let kaohsiung: string;
let iberframe: string;

beforeAll(async () => {
  stack = await bootStack({ seedDemo: true });
  admin = caller(stack, await stack.as(['admin']));
  buyer = caller(stack, await stack.as(['buyer']));
  [norte, kaohsiung, iberframe] = (await partnerIds(admin, 'Norte', 'Kaohsiung', 'Iberframe')) as [
    string,
    string,
    string,
  ];
});
afterAll(async () => {
  await stack?.close();
});

interface KeyView {
  id: string;
  name: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

const KEYS = `query ($id: ID!) { partner(id: $id) { apiKeys { id name createdAt lastUsedAt revokedAt } } }`;
const CREATE_KEY = `mutation ($id: ID!, $name: String!) { createApiKey(partnerId: $id, name: $name) { secret apiKey { id name revokedAt } } }`;
const REVOKE = `mutation ($id: ID!) { revokeApiKey(id: $id) { id name revokedAt } }`;
const SUSPEND = `mutation ($id: ID!, $status: PartnerStatus!) { updatePartner(id: $id, input: { status: $status }) { id } }`;

/** Retries `attempt` until it is true; the deadline only bounds a test that would otherwise hang. */
async function eventually(
  attempt: () => Promise<boolean> | boolean,
  what: string | (() => string),
  timeoutMs = 15_000,
) {
  const deadline = Date.now() + timeoutMs;
  while (!(await attempt())) {
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${typeof what === 'string' ? what : what()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function keyOf(partnerId: string, name: string, by: Caller = admin) {
  const { createApiKey } = await by.ok<{ createApiKey: { secret: string; apiKey: { id: string } } }>(
    CREATE_KEY,
    { id: partnerId, name },
  );
  return { id: createApiKey.apiKey.id, caller: caller(stack, { 'x-api-key': createApiKey.secret }) };
}

describe('API keys', () => {
  it("are listed for the company's and the partner's own admins, without their secrets", async () => {
    const key = await keyOf(norte, 'Listed ERP');
    await key.caller.ok('{ self { name } }');
    const ownAdmin = caller(stack, await stack.as(['partner', 'admin'], norte));
    for (const reader of [admin, ownAdmin]) {
      const { partner } = await reader.ok<{ partner: { apiKeys: KeyView[] } }>(KEYS, { id: norte });
      const listed = partner.apiKeys.find((k) => k.id === key.id);
      expect(listed).toMatchObject({ name: 'Listed ERP', revokedAt: null });
      expect(listed!.lastUsedAt).not.toBeNull();
      expect(JSON.stringify(partner)).not.toContain('snk_');
    }
    const secretField = await admin.raw(`query ($id: ID!) { partner(id: $id) { apiKeys { secret } } }`, {
      id: norte,
    });
    expect(secretField.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });

  it("are created by the company's admins and the partner's own admins only", async () => {
    const ownKey = await apiKeyFor(stack, admin, norte);
    const ownPerson = caller(stack, await stack.as(['partner'], norte));
    const ownAdmin = caller(stack, await stack.as(['partner', 'admin'], norte));
    const otherAdmin = caller(stack, await stack.as(['partner', 'admin'], iberframe));
    expect(await ownKey.refused(CREATE_KEY, { id: norte, name: 'minted by a key' })).toBe('FORBIDDEN');
    expect(await ownPerson.refused(CREATE_KEY, { id: norte, name: 'x' })).toBe('FORBIDDEN');
    expect(await otherAdmin.refused(CREATE_KEY, { id: norte, name: 'x' })).toBe('FORBIDDEN');
    expect(await buyer.refused(CREATE_KEY, { id: norte, name: 'x' })).toBe('FORBIDDEN');
    const made = await keyOf(norte, 'by its admin', ownAdmin);
    await made.caller.ok('{ self { name } }');
  });

  it('a revoked key is refused at once, and only its managers may revoke it', async () => {
    const key = await keyOf(norte, 'To revoke');
    await key.caller.ok('{ orders { nodes { id } } }');
    const others = [
      buyer,
      caller(stack, await stack.as(['partner'], norte)),
      caller(stack, await stack.as(['partner', 'admin'], iberframe)),
      await apiKeyFor(stack, admin, iberframe),
    ];
    for (const other of others) expect(await other.refused(REVOKE, { id: key.id })).toBe('NOT_FOUND');
    await key.caller.ok('{ orders { nodes { id } } }');

    const ownAdmin = caller(stack, await stack.as(['partner', 'admin'], norte));
    const { revokeApiKey } = await ownAdmin.ok<{ revokeApiKey: { revokedAt: string | null } }>(REVOKE, {
      id: key.id,
    });
    expect(revokeApiKey.revokedAt).not.toBeNull();
    const { status, body } = await stack.request('{ orders { nodes { id } } }', {}, key.caller.headers);
    expect(status).toBe(401);
    expect(body.data ?? null).toBeNull();
    expect(body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    // Revoking again changes nothing.
    const again = await admin.ok<{ revokeApiKey: { revokedAt: string } }>(REVOKE, { id: key.id });
    expect(again.revokeApiKey.revokedAt).toBe(revokeApiKey.revokedAt);
  });
});

/** A graphql-ws client of the gateway, collecting what one subscription delivers. */
function subscribe(headers: Record<string, string>) {
  const client: Client = createClient({
    url: stack.gateway.url.replace('http:', 'ws:'),
    webSocketImpl: WebSocket,
    connectionParams: headers,
    retryAttempts: 0,
    // A partner system keeps its connection open, also when it has no subscription running.
    lazy: false,
    on: { closed: (event) => (closeCode = (event as { code: number }).code) },
  });
  let closeCode: number | undefined;
  const events: string[] = [];
  const errors: { extensions?: { code?: string } }[] = [];
  let completed = false;
  client.subscribe<{ orderEvents: { type: string } }>(
    // From the start of the log: the partner's past events prove the subscription delivers, whenever
    // its upstream subscription opens.
    { query: 'subscription { orderEvents(after: "0") { type order { number seller { name } } } }' },
    {
      next: (result) => {
        if (result.errors) for (const error of result.errors) errors.push(error);
        if (result.data) events.push(result.data.orderEvents.type);
      },
      error: (error) => errors.push(error as (typeof errors)[number]),
      complete: () => {
        completed = true;
      },
    },
  );
  return { client, events, errors, isComplete: () => completed, closeCode: () => closeCode };
}

/** A purchase order to `supplierId`, submitted: an event its supplier sees. */
async function submittedOrder(supplierId: string): Promise<string> {
  const { createPurchaseOrder } = await buyer.ok<{ createPurchaseOrder: { id: string } }>(CREATE_PO, {
    input: {
      supplierId,
      currency: 'EUR',
      lines: [{ sku: 'WHEEL-29', quantity: '2', unitPrice: { amount: '10.00', currency: 'EUR' } }],
    },
  });
  await buyer.ok(SUBMIT, { id: createPurchaseOrder.id });
  return createPurchaseOrder.id;
}

/** Another operation on the same connection: what a client gets once its credentials are gone. */
function anotherOperation(client: Client): Promise<string> {
  return new Promise((resolve) => {
    client.subscribe(
      { query: '{ orders { nodes { id } } }' },
      {
        next: (result) => resolve(result.data ? 'data' : 'errors'),
        error: () => resolve('refused'),
        complete: () => undefined,
      },
    );
  });
}

describe('suspension', () => {
  it("refuses the partner's people's tokens and ends subscriptions opened before it", async () => {
    const person = caller(stack, await stack.as(['partner'], kaohsiung));
    const key = await keyOf(kaohsiung, 'Streaming ERP');
    await person.ok('{ orders { nodes { id } } }');
    const byToken = subscribe(person.headers);
    const byKey = subscribe(key.caller.headers);
    const orderId = await submittedOrder(kaohsiung);
    await eventually(
      () => byToken.events.length > 0 && byKey.events.length > 0,
      () => `events on both subscriptions (errors: ${JSON.stringify([byToken.errors, byKey.errors])})`,
    );

    await admin.ok(SUSPEND, { id: kaohsiung, status: 'SUSPENDED' });
    await eventually(
      () => byToken.isComplete() && byKey.isComplete(),
      'the suspended partner’s subscriptions to end',
    );
    for (const subscription of [byToken, byKey]) {
      expect(subscription.errors.map((error) => error.extensions?.code)).toEqual(['FORBIDDEN']);
    }
    // The connections themselves are closed as the graphql-ws protocol says: 4403 Forbidden.
    await eventually(
      () => byToken.closeCode() === 4403 && byKey.closeCode() === 4403,
      () => `both connections closed with 4403 (got ${byToken.closeCode()}, ${byKey.closeCode()})`,
    );
    const delivered = [byToken.events.length, byKey.events.length];
    await buyer.ok('mutation ($id: ID!) { cancelOrder(id: $id, reason: "test") { id } }', { id: orderId });
    await stack.settled();
    expect([byToken.events.length, byKey.events.length]).toEqual(delivered);
    expect(await anotherOperation(byToken.client)).not.toBe('data');

    await eventually(async () => {
      const { status, body } = await stack.request('{ orders { nodes { id } } }', {}, person.headers);
      return status === 403 && body.errors?.[0]?.extensions?.code === 'FORBIDDEN' && !body.data;
    }, "the suspended partner's token to be refused");
    const { status } = await stack.request('{ self { name } }', {}, key.caller.headers);
    expect(status).toBe(401);

    await admin.ok(SUSPEND, { id: kaohsiung, status: 'ACTIVE' });
    await eventually(async () => {
      const { body } = await stack.request('{ orders { nodes { id } } }', {}, person.headers);
      return body.errors === undefined;
    }, 'the reactivated partner’s token to work again');
    await byToken.client.dispose();
    await byKey.client.dispose();
  });
});

describe('revocation', () => {
  it('ends the subscriptions of the revoked key within seconds, and only them', async () => {
    const revoked = await keyOf(norte, 'Revoked while streaming');
    const kept = await keyOf(norte, 'Kept');
    const doomed = subscribe(revoked.caller.headers);
    const survivor = subscribe(kept.caller.headers);
    await submittedOrder(norte);
    await eventually(
      () => doomed.events.length > 0 && survivor.events.length > 0,
      () => `events on both subscriptions (errors: ${JSON.stringify([doomed.errors, survivor.errors])})`,
    );
    await admin.ok(REVOKE, { id: revoked.id });
    await eventually(() => doomed.isComplete(), 'the revoked key’s subscription to end');
    expect(doomed.errors.map((error) => error.extensions?.code)).toEqual(['FORBIDDEN']);
    await eventually(() => doomed.closeCode() === 4403, 'the revoked key’s connection to close with 4403');
    expect(survivor.closeCode()).toBeUndefined();
    expect(await anotherOperation(doomed.client)).not.toBe('data');

    const before = survivor.events.length;
    await submittedOrder(norte);
    await eventually(() => survivor.events.length > before, 'the kept key’s subscription to go on');
    expect(survivor.isComplete()).toBe(false);
    await doomed.client.dispose();
    await survivor.client.dispose();
  });
});
