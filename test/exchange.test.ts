import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiKeyFor, caller, CONFIRM, partnerIds, PLACE_SO, type Caller } from './support/orders.ts';
import {
  DELIVERIES,
  DOCUMENT,
  DOCUMENTS,
  salesOrderDocument,
  SET_PROFILE,
  WebhookReceiver,
  type DocumentView,
} from './support/exchange.ts';
import { bootStack, type TestStack } from './support/stack.ts';

let stack: TestStack;
let admin: Caller;
let sales: Caller;
let finance: Caller;
let velomarkt: string;
let atlantico: string;
let norte: string;
let asVelomarkt: Caller;
let asAtlantico: Caller;
let asNorte: Caller;
const receiver = new WebhookReceiver();
let hookUrl: string;

/** Waits for `read` to give a value `done` accepts; the test's timeout bounds it. */
async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

interface DeliveryView {
  id: string;
  messageId: string;
  status: string;
  partner: { id: string };
  attempts: { httpStatus: number }[];
}

/** The partner's delivery log once nothing is in flight: the receiver answers before the attempt commits. */
const settledDeliveries = (who: Caller, status?: string) =>
  eventually(
    async () =>
      (await who.ok<{ deliveries: { nodes: DeliveryView[] } }>(DELIVERIES, status ? { status } : {}))
        .deliveries.nodes,
    (nodes) => nodes.length > 0 && nodes.every((node) => node.status !== 'PENDING'),
  );

const inbound = (
  apiKey: Record<string, string>,
  body: string | Buffer,
  headers: Record<string, string> = {},
) =>
  fetch(new URL('/exchange/inbound', stack.gateway.url), {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...apiKey, ...headers },
    body,
  });

// Inbound only: acknowledgements of earlier tests' documents are written to the outbox while a test runs.
const documentCount = async () =>
  Number(
    (
      await stack.db.query<{ n: string }>(
        "SELECT count(*) AS n FROM exchange.document WHERE direction = 'INBOUND'",
      )
    ).rows[0]!.n,
  );

beforeAll(async () => {
  process.env.EXCHANGE_RETRY_BASE_MS = '20';
  process.env.EXCHANGE_RETRY_MAX_MS = '100';
  stack = await bootStack({ seedDemo: true });
  admin = caller(stack, await stack.as(['admin']));
  sales = caller(stack, await stack.as(['sales']));
  finance = caller(stack, await stack.as(['finance']));
  [velomarkt, atlantico, norte] = (await partnerIds(admin, 'VeloMarkt', 'Atlántico', 'Norte')) as [
    string,
    string,
    string,
  ];
  asVelomarkt = await apiKeyFor(stack, admin, velomarkt);
  asAtlantico = await apiKeyFor(stack, admin, atlantico);
  asNorte = await apiKeyFor(stack, admin, norte);
  hookUrl = await receiver.start();
});
afterAll(async () => {
  await stack?.close();
  await receiver.stop();
});

describe('trading-partner profiles', () => {
  it('a partner sets its own endpoint and gets a secret once; staff choose what it receives', async () => {
    const own = await asVelomarkt.ok<{
      setExchangeProfile: {
        webhookSecret: string;
        profile: { channel: string; endpoint: { url: string; enabled: boolean } };
      };
    }>(SET_PROFILE, { partnerId: velomarkt, input: { channel: 'WEBHOOK', endpointUrl: hookUrl } });
    expect(own.setExchangeProfile.webhookSecret).toMatch(/^whsec_/);
    expect(own.setExchangeProfile.profile).toMatchObject({
      channel: 'WEBHOOK',
      endpoint: { url: hookUrl, enabled: true },
    });
    receiver.secrets = [own.setExchangeProfile.webhookSecret];

    expect(
      await asVelomarkt.refused(SET_PROFILE, {
        partnerId: velomarkt,
        input: { eventTypes: ['OrderCreated'] },
      }),
    ).toBe('FORBIDDEN');
    expect(
      await asVelomarkt.refused(SET_PROFILE, { partnerId: atlantico, input: { channel: 'POLLING' } }),
    ).toBe('FORBIDDEN');
    expect(await finance.refused(SET_PROFILE, { partnerId: velomarkt, input: { mode: 'PRODUCTION' } })).toBe(
      'FORBIDDEN',
    );

    const staff = await sales.ok<{
      setExchangeProfile: {
        webhookSecret: string | null;
        profile: { eventTypes: string[]; identifiers: { gln: string } };
      };
    }>(SET_PROFILE, {
      partnerId: velomarkt,
      input: {
        eventTypes: ['OrderCreated', 'OrderConfirmed', 'DocumentProcessed', 'DocumentRejected'],
        identifiers: { gln: '4012345000009', peppolParticipantId: '0088:4012345000009' },
      },
    });
    expect(staff.setExchangeProfile.webhookSecret).toBeNull();
    expect(staff.setExchangeProfile.profile.eventTypes).toEqual([
      'DocumentProcessed',
      'DocumentRejected',
      'OrderConfirmed',
      'OrderCreated',
    ]);
  });

  it('Partner.exchangeProfile through the gateway: the partner and staff see it, another partner does not', async () => {
    const query = `query ($id: ID!) { partner(id: $id) { name exchangeProfile { channel endpoint { url } identifiers { gln } } } }`;
    const seen = await asVelomarkt.ok<{ partner: { exchangeProfile: { identifiers: { gln: string } } } }>(
      query,
      { id: velomarkt },
    );
    expect(seen.partner.exchangeProfile.identifiers.gln).toBe('4012345000009');
    expect(
      (await admin.ok<{ partner: { exchangeProfile: unknown } }>(query, { id: velomarkt })).partner
        .exchangeProfile,
    ).not.toBeNull();
    const other = await asAtlantico.raw(query, { id: velomarkt });
    expect(
      (other.data as { partner: { exchangeProfile: unknown } | null } | null)?.partner?.exchangeProfile ??
        null,
    ).toBeNull();
  });

  it('refuses an unknown event type, an unknown format and a malformed identifier, changing nothing', async () => {
    const before = await stack.db.query('SELECT * FROM exchange.profile WHERE partner_id = $1', [velomarkt]);
    expect(
      await admin.refused(SET_PROFILE, { partnerId: velomarkt, input: { eventTypes: ['OrderTeleported'] } }),
    ).toBe('BAD_USER_INPUT');
    expect(
      await admin.refused(SET_PROFILE, { partnerId: velomarkt, input: { eventTypes: ['StockReceived'] } }),
    ).toBe('BAD_USER_INPUT');
    expect(await admin.refused(SET_PROFILE, { partnerId: velomarkt, input: { formats: ['telex'] } })).toBe(
      'BAD_USER_INPUT',
    );
    expect(
      await admin.refused(SET_PROFILE, {
        partnerId: velomarkt,
        input: { identifiers: { peppolParticipantId: 'no-scheme' } },
      }),
    ).toBe('BAD_USER_INPUT');
    expect(
      await admin.refused(SET_PROFILE, {
        partnerId: velomarkt,
        input: { channel: 'WEBHOOK', endpointUrl: 'not a url' },
      }),
    ).toBe('BAD_USER_INPUT');
    const after = await stack.db.query('SELECT * FROM exchange.profile WHERE partner_id = $1', [velomarkt]);
    expect(after.rows).toEqual(before.rows);
  });

  it('outside development: http and private or loopback targets are refused, nothing stored', async () => {
    const before = await stack.db.query('SELECT * FROM exchange.profile WHERE partner_id = $1', [atlantico]);
    process.env.EXCHANGE_ALLOW_HTTP = 'false';
    process.env.EXCHANGE_ALLOW_PRIVATE_TARGETS = 'false';
    try {
      const http = await asAtlantico.raw(SET_PROFILE, {
        partnerId: atlantico,
        input: { channel: 'WEBHOOK', endpointUrl: 'http://example.com/hook' },
      });
      expect(http.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      expect(http.errors?.[0]?.message).toMatch(/https/);
      for (const url of [
        'https://127.0.0.1/hook',
        'https://10.1.2.3/hook',
        'https://[::1]/hook',
        'https://169.254.169.254/latest',
        'https://localhost/hook',
      ]) {
        const refused = await asAtlantico.raw(SET_PROFILE, {
          partnerId: atlantico,
          input: { channel: 'WEBHOOK', endpointUrl: url },
        });
        expect(refused.errors?.[0]?.extensions?.code, url).toBe('BAD_USER_INPUT');
        expect(refused.errors?.[0]?.message, url).toMatch(/private or loopback/);
      }
    } finally {
      delete process.env.EXCHANGE_ALLOW_HTTP;
      delete process.env.EXCHANGE_ALLOW_PRIVATE_TARGETS;
    }
    const after = await stack.db.query('SELECT * FROM exchange.profile WHERE partner_id = $1', [atlantico]);
    expect(after.rows).toEqual(before.rows);
    const secrets = await stack.db.query('SELECT 1 FROM exchange.webhook_secret WHERE partner_id = $1', [
      atlantico,
    ]);
    expect(secrets.rows).toEqual([]);
  });
});

describe('webhooks from the event log', () => {
  it('delivers the events of the partner’s orders, signed, in order, once each by id', async () => {
    const placed: string[] = [];
    for (let i = 0; i < 5; i += 1) {
      const { placeSalesOrder } = await asVelomarkt.ok<{ placeSalesOrder: { id: string } }>(PLACE_SO, {
        input: {
          currency: 'EUR',
          externalRef: `VM-WH-${i}`,
          lines: [{ sku: 'BIKE-TRAIL-29', quantity: '1' }],
        },
      });
      placed.push(placeSalesOrder.id);
    }
    await sales.ok(CONFIRM, { id: placed[0], input: {} });
    // An order of another customer: never sent to this one.
    await asAtlantico.ok(PLACE_SO, {
      input: { currency: 'EUR', lines: [{ sku: 'BIKE-TRAIL-29', quantity: '1' }] },
    });

    await receiver.until(() => receiver.received.filter((r) => r.type.startsWith('Order')).length >= 6);
    const orderHooks = receiver.received.filter((r) => r.type.startsWith('Order'));
    const data = orderHooks.map(
      (r) =>
        JSON.parse(r.body) as { type: string; data: { orderId: string; buyerId: string; cursor: string } },
    );
    expect(data.map((d) => d.type)).toEqual([
      'OrderCreated',
      'OrderCreated',
      'OrderCreated',
      'OrderCreated',
      'OrderCreated',
      'OrderConfirmed',
    ]);
    expect(data.map((d) => d.data.orderId)).toEqual([...placed, placed[0]]);
    expect(new Set(data.map((d) => d.data.buyerId))).toEqual(new Set([velomarkt]));
    // The webhook-id is the event's cursor, so a receiver deduplicates by it; cursors only grow.
    const cursors = orderHooks.map((r) => BigInt(r.id));
    expect(orderHooks.map((r) => r.id)).toEqual(data.map((d) => d.data.cursor));
    expect([...cursors].sort((a, b) => (a < b ? -1 : 1))).toEqual(cursors);
    expect(receiver.rejectedSignatures).toBe(0);

    const log = await settledDeliveries(asVelomarkt);
    expect(log.length).toBeGreaterThanOrEqual(6);
    expect(log.every((d) => d.partner.id === velomarkt && d.status === 'DELIVERED')).toBe(true);
    expect(log[0]!.attempts[0]!.httpStatus).toBe(200);
  });

  it('a receiver answering 500 three times gets the event on the fourth try; later events wait behind it', async () => {
    const failing = new Set<string>();
    receiver.answer = (id, attempt) => {
      if (attempt === 1 && failing.size === 0) failing.add(id);
      return failing.has(id) && attempt <= 3 ? { status: 500 } : { status: 200 };
    };
    const before = receiver.received.length;
    for (let i = 0; i < 3; i += 1) {
      await asVelomarkt.ok(PLACE_SO, {
        input: { currency: 'EUR', lines: [{ sku: 'WHEEL-29', quantity: '1' }] },
      });
    }
    await receiver.until(() => receiver.received.length >= before + 3);
    receiver.answer = () => ({ status: 200 });
    const [first] = [...failing];
    expect(receiver.attemptsById.get(first!)).toBe(4);
    const arrived = receiver.received.slice(before).map((r) => r.id);
    expect(arrived[0]).toBe(first);
    expect(arrived.map(BigInt)).toEqual([...arrived.map(BigInt)].sort((a, b) => (a < b ? -1 : 1)));

    const retried = (await settledDeliveries(asVelomarkt)).find((d) => d.messageId === first)!;
    expect(retried.status).toBe('DELIVERED');
    expect(retried.attempts.map((a) => a.httpStatus)).toEqual([500, 500, 500, 200]);
  });

  it('honours Retry-After and treats 429 as worth retrying', async () => {
    let limited: string | undefined;
    receiver.answer = (id, attempt) => {
      limited ??= id;
      return id === limited && attempt === 1
        ? { status: 429, headers: { 'retry-after': '1' } }
        : { status: 200 };
    };
    await asVelomarkt.ok(PLACE_SO, {
      input: { currency: 'EUR', lines: [{ sku: 'TYRE-29', quantity: '1' }] },
    });
    await receiver.until(() => limited !== undefined && receiver.received.some((r) => r.id === limited));
    receiver.answer = () => ({ status: 200 });
    // The receiver has it; the dispatcher commits the attempt a moment later.
    const rows = await eventually(
      async () =>
        (
          await stack.db.query<{ http_status: number; at: Date; scheduled: Date }>(
            `SELECT a.http_status, a.at, a.at + interval '1 second' AS scheduled FROM exchange.delivery_attempt a
               JOIN exchange.delivery d ON d.id = a.delivery_id WHERE d.message_id = $1 AND d.partner_id = $2
              ORDER BY a.attempt_no`,
            [limited ?? '', velomarkt],
          )
        ).rows,
      (found) => found.length === 2,
    );
    expect(rows.map((row) => row.http_status)).toEqual([429, 200]);
    // The second attempt came when the receiver asked, not after the 20 ms the backoff alone would wait.
    expect(new Date(rows[1]!.at).getTime()).toBeGreaterThanOrEqual(new Date(rows[0]!.scheduled).getTime());
  });

  it('410 is final and visible in the log; the next event goes on', async () => {
    let gone: string | undefined;
    receiver.answer = (id) => {
      gone ??= id;
      return id === gone ? { status: 410 } : { status: 200 };
    };
    const before = receiver.received.length;
    await asVelomarkt.ok(PLACE_SO, {
      input: { currency: 'EUR', lines: [{ sku: 'TYRE-29', quantity: '2' }] },
    });
    await asVelomarkt.ok(PLACE_SO, {
      input: { currency: 'EUR', lines: [{ sku: 'TYRE-29', quantity: '3' }] },
    });
    await receiver.until(() => receiver.received.length > before);
    receiver.answer = () => ({ status: 200 });
    expect(receiver.attemptsById.get(gone!)).toBe(1);
    expect(receiver.received.slice(before).map((r) => r.id)).not.toContain(gone);

    await settledDeliveries(asVelomarkt);
    const failed = await settledDeliveries(asVelomarkt, 'FAILED');
    expect(failed.map((d) => [d.messageId, d.attempts.map((a) => a.httpStatus)])).toEqual([[gone, [410]]]);

    // Fixed on the partner's side, the partner sends it again.
    const failedId = failed[0]!.id;
    await asVelomarkt.ok('mutation ($id: ID!) { redeliver(deliveryId: $id) { status } }', { id: failedId });
    await receiver.until(() => receiver.received.some((r) => r.id === gone));
  });

  it('rotating the secret signs with both during the overlap', async () => {
    const rotated = await asVelomarkt.ok<{
      setExchangeProfile: {
        webhookSecret: string;
        profile: { endpoint: { secrets: { expiresAt: string | null }[] } };
      };
    }>(SET_PROFILE, { partnerId: velomarkt, input: { rotateSecret: true, secretOverlapHours: 2 } });
    const [oldSecret] = receiver.secrets;
    const newSecret = rotated.setExchangeProfile.webhookSecret;
    expect(rotated.setExchangeProfile.profile.endpoint.secrets.map((s) => s.expiresAt === null)).toEqual([
      true,
      false,
    ]);
    receiver.secrets = [newSecret];
    const before = receiver.received.length;
    await asVelomarkt.ok(PLACE_SO, {
      input: { currency: 'EUR', lines: [{ sku: 'TYRE-29', quantity: '4' }] },
    });
    await receiver.until(() => receiver.received.length > before);
    const hook = receiver.received[before]!;
    expect(hook.signatures).toHaveLength(2);
    // A receiver still on the old secret verifies the same message too.
    const { Webhook } = await import('standardwebhooks');
    const at = new Date();
    const sign = (secret: string) => new Webhook(secret).sign(hook.id, at, hook.body);
    expect(sign(oldSecret!)).not.toBe(sign(newSecret));
  });

  it('replays a partner’s events after a cursor with their original ids', async () => {
    const first = receiver.received.find((r) => r.type === 'OrderCreated')!;
    const before = receiver.received.length;
    const cursor = String(BigInt(first.id) - 1n);
    const { replayDeliveries } = await asVelomarkt.ok<{ replayDeliveries: { queued: number } }>(
      'mutation ($p: ID!, $after: String!) { replayDeliveries(partnerId: $p, after: $after) { queued } }',
      { p: velomarkt, after: cursor },
    );
    expect(replayDeliveries.queued).toBeGreaterThan(5);
    await receiver.until(() => receiver.received.length >= before + replayDeliveries.queued);
    expect(receiver.received.slice(before).map((r) => r.id)[0]).toBe(first.id);
    expect(
      await asVelomarkt.refused(
        'mutation ($p: ID!) { replayDeliveries(partnerId: $p, after: "0") { queued } }',
        { p: atlantico },
      ),
    ).toBe('FORBIDDEN');
  });
});

describe('the inbox', () => {
  it('stores a document before answering 202, processes it through placeSalesOrder, and acknowledges it', async () => {
    const body = salesOrderDocument('VM-PO-7001');
    const response = await inbound(asVelomarkt.headers, body);
    expect(response.status).toBe(202);
    const receipt = (await response.json()) as { id: string; status: string; contentHash: string };
    expect(receipt.status).toBe('RECEIVED');

    const document = await eventually(
      async () => (await asVelomarkt.ok<{ document: DocumentView }>(DOCUMENT, { id: receipt.id })).document,
      (doc) => doc.status !== 'RECEIVED',
    );
    expect(document).toMatchObject({
      status: 'PROCESSED',
      documentType: 'SalesOrder',
      controlNumber: 'VM-PO-7001',
      reasons: [],
    });
    expect(Buffer.from(document.content, 'base64').toString('utf8')).toBe(body);
    expect(document.effects).toHaveLength(1);
    expect(document.effects[0]).toMatchObject({ action: 'CREATED', order: { status: 'SUBMITTED' } });
    const ack = JSON.parse(Buffer.from(document.acknowledgement!.content, 'base64').toString('utf8')) as {
      body: { status: string; effects: { id: string }[] };
    };
    expect(ack.body.status).toBe('ACCEPTED');
    expect(ack.body.effects[0]!.id).toBe(document.effects[0]!.order!.id);

    // The order went through the same command as the API's: the customer's PO number is its externalRef.
    const order = await asVelomarkt.ok<{
      order: { externalRef: string; buyer: { id: string }; history: { actor: string }[] };
    }>('query ($id: ID!) { order(id: $id) { externalRef buyer { id } history { actor } } }', {
      id: document.effects[0]!.order!.id,
    });
    expect(order.order).toMatchObject({ externalRef: 'VM-PO-7001', buyer: { id: velomarkt } });
    expect(order.order.history[0]!.actor).toBe(`exchange:document:${receipt.id}`);

    // The same bytes again: the first document and its outcome, nothing new.
    const count = await documentCount();
    const again = await inbound(asVelomarkt.headers, body);
    expect(again.status).toBe(200);
    expect((await again.json()) as { id: string; duplicate: boolean }).toMatchObject({
      id: receipt.id,
      duplicate: true,
    });
    expect(await documentCount()).toBe(count);
  });

  it('a document with a control number seen before is answered with the first outcome, no second order', async () => {
    const first = (await (await inbound(asVelomarkt.headers, salesOrderDocument('VM-PO-7002'))).json()) as {
      id: string;
    };
    const resent = salesOrderDocument('VM-PO-7002', [{ sku: 'BIKE-TRAIL-29', quantity: '2.0' }]);
    const second = (await (await inbound(asVelomarkt.headers, resent)).json()) as { id: string };
    expect(second.id).not.toBe(first.id);
    const [a, b] = await Promise.all(
      [first.id, second.id].map((id) =>
        eventually(
          async () => (await asVelomarkt.ok<{ document: DocumentView }>(DOCUMENT, { id })).document,
          (doc) => doc.status !== 'RECEIVED',
        ),
      ),
    );
    expect(b!.duplicateOf).toEqual({ id: a!.id });
    expect(b!.status).toBe(a!.status);
    expect(b!.effects.map((e) => e.order?.id)).toEqual(a!.effects.map((e) => e.order?.id));
    const mine = await asVelomarkt.ok<{ orders: { nodes: { externalRef: string | null }[] } }>(
      '{ orders(first: 500) { nodes { externalRef } } }',
    );
    expect(mine.orders.nodes.filter((order) => order.externalRef === 'VM-PO-7002')).toHaveLength(1);
  });

  it('rejects what the schema or the command refuses, with reasons, and the acknowledgement says why', async () => {
    const invalid = await inbound(
      asVelomarkt.headers,
      JSON.stringify({
        format: 'supply-network-document',
        version: '1',
        documentType: 'SalesOrder',
        documentNumber: 'VM-BAD-1',
        body: { lines: [] },
      }),
    );
    const unknownSku = await inbound(
      asVelomarkt.headers,
      salesOrderDocument('VM-BAD-2', [{ sku: 'NO-SUCH-SKU', quantity: '1' }]),
    );
    const ids = [
      ((await invalid.json()) as { id: string }).id,
      ((await unknownSku.json()) as { id: string }).id,
    ];
    const [schemaRejected, commandRejected] = await Promise.all(
      ids.map((id) =>
        eventually(
          async () => (await asVelomarkt.ok<{ document: DocumentView }>(DOCUMENT, { id })).document,
          (doc) => doc.status !== 'RECEIVED',
        ),
      ),
    );
    expect(schemaRejected!.status).toBe('REJECTED');
    expect(schemaRejected!.reasons.join(' ')).toMatch(/currency/);
    expect(commandRejected!.status).toBe('REJECTED');
    expect(commandRejected!.reasons[0]).toMatch(/^(BAD_USER_INPUT|NOT_FOUND): .*NO-SUCH-SKU/);
    expect(commandRejected!.effects).toEqual([]);
  });

  it('submitDocument takes the same path; checkDocument parses without storing', async () => {
    const count = await documentCount();
    const check = await asVelomarkt.ok<{
      checkDocument: { valid: boolean; documentType: string; errors: string[]; acknowledgement: string };
    }>(
      'query ($c: String!) { checkDocument(format: "json", content: $c) { valid documentType errors acknowledgement } }',
      { c: salesOrderDocument('VM-CHECK-1') },
    );
    expect(check.checkDocument).toMatchObject({ valid: true, documentType: 'SalesOrder', errors: [] });
    const undated = { ...(JSON.parse(salesOrderDocument('VM-CHECK-2')) as object), issuedAt: 'yesterday' };
    const badDate = await asVelomarkt.ok<{ checkDocument: { valid: boolean; errors: string[] } }>(
      'query ($c: String!) { checkDocument(format: "json", content: $c) { valid errors } }',
      { c: JSON.stringify(undated) },
    );
    expect(badDate.checkDocument.valid).toBe(false);
    expect(badDate.checkDocument.errors.join(' ')).toMatch(/issuedAt.*date-time/);
    expect(await documentCount()).toBe(count);

    const submit =
      'mutation ($c: String!, $k: String) { submitDocument(format: "json", content: $c, idempotencyKey: $k) { id status } }';
    const { submitDocument } = await asVelomarkt.ok<{ submitDocument: { id: string; status: string } }>(
      submit,
      { c: salesOrderDocument('VM-PO-7003'), k: 'k-7003' },
    );
    expect(submitDocument.status).toBe('RECEIVED');
    expect(await asVelomarkt.refused(submit, { c: salesOrderDocument('VM-PO-7004'), k: 'k-7003' })).toBe(
      'CONFLICT',
    );
    expect(await admin.refused(submit, { c: salesOrderDocument('VM-PO-7005') })).toBe('FORBIDDEN');
    expect(
      await asVelomarkt.refused('mutation { submitDocument(format: "telex", content: "x") { id } }'),
    ).toBe('BAD_USER_INPUT');
    expect(await asVelomarkt.refused('mutation { submitDocument(format: "json", content: "") { id } }')).toBe(
      'BAD_USER_INPUT',
    );
  });

  it('bad input at the HTTP inbox: a clear error and nothing stored', async () => {
    const count = await documentCount();
    process.env.EXCHANGE_MAX_DOCUMENT_BYTES = '1024';
    try {
      const big = await inbound(
        asVelomarkt.headers,
        salesOrderDocument(
          'VM-BIG',
          Array.from({ length: 40 }, () => ({ sku: 'BIKE-TRAIL-29', quantity: '1' })),
        ),
      );
      expect(big.status).toBe(413);
      expect(((await big.json()) as { error: { message: string } }).error.message).toMatch(
        /larger than the 1024-byte limit/,
      );
    } finally {
      delete process.env.EXCHANGE_MAX_DOCUMENT_BYTES;
    }
    const empty = await inbound(asVelomarkt.headers, '');
    expect(empty.status).toBe(400);
    expect(((await empty.json()) as { error: { message: string } }).error.message).toBe(
      'the document is empty',
    );
    const wrongKey = await inbound({ 'x-api-key': 'sk_not_a_key' }, salesOrderDocument('VM-WRONG'));
    expect(wrongKey.status).toBe(401);
    expect(((await wrongKey.json()) as { error: { code: string } }).error.code).toBe('UNAUTHENTICATED');
    const noFormat = await inbound(asVelomarkt.headers, 'ISA*00*', { 'content-type': 'text/plain' });
    expect(noFormat.status).toBe(415);
    const around = await fetch(new URL('/exchange/inbound', stack.subgraphs.exchange.url), {
      method: 'POST',
      body: 'x',
    });
    expect(around.status).toBe(401);
    expect(await documentCount()).toBe(count);
  });

  it('acknowledgements wait in the outbox for a polling partner until it acknowledges them', async () => {
    await asNorte.ok(SET_PROFILE, { partnerId: norte, input: { channel: 'POLLING' } });
    const reject = JSON.stringify({
      format: 'supply-network-document',
      version: '1',
      documentType: 'OrderRejection',
      documentNumber: 'ND-REJ-1',
      body: { orderId: 'no-such-order', reason: 'cannot supply' },
    });
    const { id } = (await (await inbound(asNorte.headers, reject)).json()) as { id: string };
    const decided = await eventually(
      async () => (await asNorte.ok<{ document: DocumentView }>(DOCUMENT, { id })).document,
      (doc) => doc.status !== 'RECEIVED',
    );
    expect(decided.status).toBe('REJECTED');
    const pending = await asNorte.ok<{ documents: { nodes: DocumentView[] } }>(DOCUMENTS, {
      direction: 'OUTBOUND',
      status: 'PENDING',
    });
    expect(pending.documents.nodes.map((d) => d.id)).toEqual([decided.acknowledgement!.id]);
    const { acknowledgeDocument } = await asNorte.ok<{ acknowledgeDocument: { status: string } }>(
      'mutation ($id: ID!) { acknowledgeDocument(id: $id) { status } }',
      { id: decided.acknowledgement!.id },
    );
    expect(acknowledgeDocument.status).toBe('ACKNOWLEDGED');
    const after = await asNorte.ok<{ documents: { nodes: DocumentView[] } }>(DOCUMENTS, {
      direction: 'OUTBOUND',
      status: 'PENDING',
    });
    expect(after.documents.nodes).toEqual([]);
  });

  it('a webhook partner gets its acknowledgement as a signed POST with the document as body', async () => {
    await receiver.until(() => receiver.received.some((r) => r.id.startsWith('doc_')));
    const hook = receiver.received.find((r) => r.id.startsWith('doc_'))!;
    expect(hook.contentType).toBe('application/json');
    expect((JSON.parse(hook.body) as { documentType: string }).documentType).toBe('Acknowledgement');
  });
});

describe('who sees which documents and deliveries', () => {
  it('a partner sees and acts on its own only; staff see all', async () => {
    const own = await asVelomarkt.ok<{ documents: { nodes: DocumentView[] } }>(DOCUMENTS, {});
    expect(own.documents.nodes.length).toBeGreaterThan(0);
    const others = await asAtlantico.ok<{ documents: { nodes: DocumentView[] } }>(DOCUMENTS, {});
    expect(others.documents.nodes).toEqual([]);
    expect(await asAtlantico.refused(DOCUMENTS, { partnerId: velomarkt })).toBe('FORBIDDEN');
    expect(await asAtlantico.refused(DELIVERIES, { partnerId: velomarkt })).toBe('FORBIDDEN');
    expect(
      (await asAtlantico.ok<{ deliveries: { nodes: unknown[] } }>(DELIVERIES, {})).deliveries.nodes,
    ).toEqual([]);
    const oneOfTheirs = own.documents.nodes[0]!.id;
    expect((await asAtlantico.ok<{ document: unknown }>(DOCUMENT, { id: oneOfTheirs })).document).toBeNull();
    expect(
      await asAtlantico.refused('mutation ($id: ID!) { acknowledgeDocument(id: $id) { id } }', {
        id: oneOfTheirs,
      }),
    ).toBe('NOT_FOUND');

    const theirDelivery = (await asVelomarkt.ok<{ deliveries: { nodes: { id: string }[] } }>(DELIVERIES, {}))
      .deliveries.nodes[0]!.id;
    expect(
      await asAtlantico.refused('mutation ($id: ID!) { redeliver(deliveryId: $id) { id } }', {
        id: theirDelivery,
      }),
    ).toBe('NOT_FOUND');
    expect(
      await finance.refused('mutation ($id: ID!) { redeliver(deliveryId: $id) { id } }', {
        id: theirDelivery,
      }),
    ).toBe('FORBIDDEN');

    for (const staff of [admin, finance, sales]) {
      const all = await staff.ok<{ deliveries: { nodes: { partner: { id: string } }[] } }>(DELIVERIES, {
        partnerId: velomarkt,
      });
      expect(all.deliveries.nodes.length).toBeGreaterThan(0);
      const docs = await staff.ok<{ documents: { nodes: { partner: { id: string } }[] } }>(DOCUMENTS, {});
      expect(new Set(docs.documents.nodes.map((d) => d.partner.id))).toEqual(new Set([velomarkt, norte]));
    }
  });
});
