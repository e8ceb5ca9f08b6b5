import { createClient, type Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { MODULES } from '../app/modules.ts';
import { PRINCIPAL_HEADER, signPrincipal, type Principal } from '../platform/auth/principal.ts';
import { startSubgraph } from '../platform/server/subgraph.ts';
import { confirmOrder, createPurchaseOrder, submitOrder } from '../subgraphs/orders/commands.ts';
import { caller, CONFIRM, CREATE_PO, partnerIds, SUBMIT, type Caller } from './support/orders.ts';
import { lastCommittedCursor } from '../platform/events/eventLog.ts';
import { bootStack, countStatements, INTERNAL_SECRET, type TestStack } from './support/stack.ts';

let stack: TestStack;
let buyer: Caller;
let norte: string;
let iberframe: string;

beforeAll(async () => {
  stack = await bootStack({ seedDemo: true });
  buyer = caller(stack, await stack.as(['buyer']));
  [norte, iberframe] = (await partnerIds(caller(stack, await stack.as(['admin'])), 'Norte', 'Iberframe')) as [
    string,
    string,
  ];
});
afterAll(async () => {
  await stack?.close();
});

interface OrderEventView {
  cursor: string;
  type: string;
  status: string;
  order: { id: string; number: string; seller: { id: string; name: string; tier: number | null } };
}

/** Selects fields of three subgraphs: the event and order from orders, the name from partners, the tier from network. */
const ORDER_EVENTS = `subscription ($after: String) {
  orderEvents(after: $after) { cursor type status order { id number seller { id name tier } } } }`;

/** A graphql-ws client of the gateway (or of `url`), collecting what one subscription delivers. */
function subscribe<Event = OrderEventView>(
  headers: Record<string, string>,
  variables: Record<string, unknown> = {},
  query = ORDER_EVENTS,
  url = stack.gateway.url,
) {
  const client: Client = createClient({
    url: url.replace('http:', 'ws:'),
    webSocketImpl: WebSocket,
    connectionParams: headers,
    retryAttempts: 0,
  });
  const events: Event[] = [];
  const errors: unknown[] = [];
  let completed = false;
  const unsubscribe = client.subscribe<Record<string, Event>>(
    { query, variables },
    {
      next: (result) => {
        if (result.errors) errors.push(...result.errors);
        if (result.data) events.push(Object.values(result.data)[0]!);
      },
      error: (error) => errors.push(error),
      complete: () => {
        completed = true;
      },
    },
  );
  return {
    events,
    errors,
    isComplete: () => completed,
    async close() {
      unsubscribe();
      await client.dispose();
    },
  };
}

async function until(condition: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A purchase order to `supplierId`, submitted and confirmed: three events, two of them visible to the supplier. */
async function orderFrom(supplierId: string): Promise<string> {
  const { createPurchaseOrder } = await buyer.ok<{ createPurchaseOrder: { id: string } }>(CREATE_PO, {
    input: {
      supplierId,
      currency: 'EUR',
      lines: [{ sku: 'FRAME-AL-54', quantity: '5', unitPrice: { amount: '10.00', currency: 'EUR' } }],
    },
  });
  await buyer.ok(SUBMIT, { id: createPurchaseOrder.id });
  const supplier = caller(stack, await stack.as(['partner'], supplierId));
  await supplier.ok(CONFIRM, { id: createPurchaseOrder.id });
  return createPurchaseOrder.id;
}

describe('subscriptions through the gateway', () => {
  it('a supplier receives every event of its own orders, with fields of three subgraphs, and none of another’s', async () => {
    const subscription = subscribe(await stack.as(['partner'], norte));
    // Give the subscription time to be opened upstream before anything happens.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const own = await orderFrom(norte);
    await orderFrom(iberframe);
    const ownAgain = await orderFrom(norte);

    await until(() => subscription.events.length >= 4, 'four events');
    await new Promise((resolve) => setTimeout(resolve, 300));
    await subscription.close();
    expect(subscription.errors).toEqual([]);
    // The supplier does not see the buyer's drafts: submitted and confirmed, for each of its two orders.
    expect(subscription.events.map((e) => [e.order.id, e.type, e.status])).toEqual([
      [own, 'SUBMITTED', 'SUBMITTED'],
      [own, 'CONFIRMED', 'CONFIRMED'],
      [ownAgain, 'SUBMITTED', 'SUBMITTED'],
      [ownAgain, 'CONFIRMED', 'CONFIRMED'],
    ]);
    for (const event of subscription.events) {
      expect(event.order.seller).toEqual({ id: norte, name: 'Norte Drivetrain GmbH', tier: 1 });
    }
    const cursors = subscription.events.map((e) => BigInt(e.cursor));
    expect([...cursors].sort((a, b) => (a < b ? -1 : 1))).toEqual(cursors);
  });

  it('completes a burst of events in a few reads of the other subgraphs, each event with its own data', async () => {
    const from = await lastCommittedCursor(stack.db);
    const orders = [];
    for (let i = 0; i < 6; i += 1) orders.push(await orderFrom(norte));
    await stack.settled();
    const PARTNER_READS = /\bFROM partners\.partner p\b[\s\S]*\bWHERE p\.id = ANY\(/;
    let subscription: ReturnType<typeof subscribe<OrderEventView>> | undefined;
    // Resumed from before them, the subscription receives the twelve events at once, as after a burst.
    const reads = await countStatements(
      stack,
      async () => {
        subscription = subscribe(await stack.as(['partner'], norte), { after: from });
        await until(() => subscription!.events.length >= 12, 'twelve events');
      },
      { matching: PARTNER_READS },
    );
    await subscription!.close();
    expect(subscription!.errors).toEqual([]);
    expect(subscription!.events.map((e) => [e.order.id, e.type])).toEqual(
      orders.flatMap((id) => [
        [id, 'SUBMITTED'],
        [id, 'CONFIRMED'],
      ]),
    );
    for (const event of subscription!.events) {
      expect(event.order.seller).toEqual({ id: norte, name: 'Norte Drivetrain GmbH', tier: 1 });
    }
    // One read per event would be twelve: the events that wait while one completes are completed together.
    // How many wait depends on how fast a completion is against the pace the orders subgraph sends them
    // at (it resolves each event's order in turn), so the bound is half of them, not an exact count.
    expect(reads).toBeGreaterThan(0);
    expect(reads).toBeLessThanOrEqual(6);
  });

  it('each event carries the order as of that event, not as the subscription first saw it', async () => {
    const { createPurchaseOrder } = await buyer.ok<{ createPurchaseOrder: { id: string } }>(CREATE_PO, {
      input: {
        supplierId: norte,
        currency: 'EUR',
        lines: [{ sku: 'FRAME-AL-54', quantity: '5', unitPrice: { amount: '10.00', currency: 'EUR' } }],
      },
    });
    const orderId = createPurchaseOrder.id;
    const supplier = caller(stack, await stack.as(['partner'], norte));
    const subscription = subscribe<{ type: string; status: string; order: { id: string; status: string } }>(
      supplier.headers,
      { orderId },
      'subscription ($orderId: ID) { orderEvents(orderId: $orderId) { cursor type status order { id status } } }',
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    // Each step waits for the previous event, so every event is completed before the next step commits.
    await buyer.ok(SUBMIT, { id: orderId });
    await until(() => subscription.events.length >= 1, 'the submission');
    await supplier.ok(CONFIRM, { id: orderId });
    await until(() => subscription.events.length >= 2, 'the confirmation');
    await supplier.ok(
      `mutation ($id: ID!) { shipOrder(id: $id, input: { reference: "ASN-AS-OF", lines: [{ lineNo: 1, quantity: "2" }] }) { id } }`,
      { id: orderId },
    );
    await until(() => subscription.events.length >= 3, 'the shipment');
    await subscription.close();

    expect(subscription.errors).toEqual([]);
    expect(subscription.events.map((e) => [e.type, e.status, e.order.status])).toEqual([
      ['SUBMITTED', 'SUBMITTED', 'SUBMITTED'],
      ['CONFIRMED', 'CONFIRMED', 'CONFIRMED'],
      ['SHIPPED', 'PARTIALLY_SHIPPED', 'PARTIALLY_SHIPPED'],
    ]);
  });

  it('refuses an unauthenticated connection and an unknown cursor', async () => {
    const anonymous = subscribe({});
    await until(() => anonymous.errors.length > 0 || anonymous.isComplete(), 'a refusal');
    await anonymous.close();
    expect(anonymous.events).toEqual([]);

    const badCursor = subscribe(await stack.as(['partner'], norte), { after: 'yesterday' });
    await until(() => badCursor.errors.length > 0, 'an error');
    await badCursor.close();
    expect(JSON.stringify(badCursor.errors)).toContain('BAD_USER_INPUT');
  });

  it('a client that reconnects with its last cursor receives exactly what it missed, in order', async () => {
    const headers = await stack.as(['partner'], norte);
    const first = subscribe(headers);
    await new Promise((resolve) => setTimeout(resolve, 300));
    await orderFrom(norte);
    await until(() => first.events.length >= 2, 'the first order’s events');
    await first.close();
    const lastSeen = first.events.at(-1)!.cursor;

    // Events keep coming while the client is away.
    const missedA = await orderFrom(norte);
    const missedB = await orderFrom(norte);

    const resumed = subscribe(headers, { after: lastSeen });
    await until(() => resumed.events.length >= 4, 'the missed events');
    await new Promise((resolve) => setTimeout(resolve, 300));
    await resumed.close();
    expect(resumed.events.map((e) => [e.order.id, e.type])).toEqual([
      [missedA, 'SUBMITTED'],
      [missedA, 'CONFIRMED'],
      [missedB, 'SUBMITTED'],
      [missedB, 'CONFIRMED'],
    ]);
  });

  it('keeps a live subscription across a restart of the orders subgraph, losing no event', async () => {
    const subscription = subscribe(await stack.as(['partner'], norte));
    await new Promise((resolve) => setTimeout(resolve, 300));
    const before = await orderFrom(norte);
    await until(() => subscription.events.length >= 2, 'events before the restart');

    const { port } = stack.subgraphs.orders;
    await stack.subgraphs.orders.close();
    // While orders is down, another order goes through its lifecycle (straight through its store).
    const during = await stack.db.transaction(async (tx) => {
      const company: Principal = { subject: 'test-buyer', roles: ['buyer'] };
      const supplier: Principal = { subject: 'test-supplier', roles: ['partner'], partnerId: norte };
      const order = await createPurchaseOrder(
        tx,
        company,
        {
          supplierId: norte,
          currency: 'EUR',
          lines: [{ sku: 'FRAME-AL-54', quantity: '1', unitPrice: { amount: '10.00', currency: 'EUR' } }],
        },
        null,
        { defaultOverdeliveryTolerance: '0' },
      );
      await submitOrder(tx, company, order.id);
      await confirmOrder(tx, supplier, order.id, {});
      return order.id;
    });
    stack.subgraphs.orders = await startSubgraph(MODULES.orders, stack.runtime, port);
    const after = await orderFrom(norte);

    await until(() => subscription.events.length >= 6, 'events during and after the restart');
    await new Promise((resolve) => setTimeout(resolve, 300));
    await subscription.close();
    expect(subscription.errors).toEqual([]);
    expect(subscription.events.map((e) => [e.order.id, e.type])).toEqual([
      [before, 'SUBMITTED'],
      [before, 'CONFIRMED'],
      [during, 'SUBMITTED'],
      [during, 'CONFIRMED'],
      [after, 'SUBMITTED'],
      [after, 'CONFIRMED'],
    ]);
  });

  it('ends the subscription at once with a clear error when the subgraph refuses the gateway, instead of retrying', async () => {
    const subscription = subscribe(await stack.as(['partner'], norte));
    await new Promise((resolve) => setTimeout(resolve, 300));
    const { port } = stack.subgraphs.orders;
    await stack.subgraphs.orders.close();
    // Orders comes back trusting another secret: it closes the gateway's connection with 4403.
    stack.subgraphs.orders = await startSubgraph(
      MODULES.orders,
      { ...stack.runtime, internalSecret: 'a-secret-the-gateway-does-not-know' },
      port,
    );
    try {
      // Retrying would keep it open for two minutes; a refusal ends it within a reconnect or two.
      await until(() => subscription.isComplete(), 'the end of the subscription', 10_000);
    } finally {
      await stack.subgraphs.orders.close();
      stack.subgraphs.orders = await startSubgraph(MODULES.orders, stack.runtime, port);
    }
    await subscription.close();
    expect(subscription.errors).toHaveLength(1);
    expect(JSON.stringify(subscription.errors)).toContain('FORBIDDEN');
    expect(JSON.stringify(subscription.errors)).toContain('4403');
  });

  it('subscribers of the same operation and partner share its events, and one leaving does not end the other', async () => {
    const headers = await stack.as(['partner'], norte);
    const first = subscribe(headers);
    const second = subscribe(await stack.as(['partner'], norte));
    await new Promise((resolve) => setTimeout(resolve, 300));
    const shared = await orderFrom(norte);
    await until(() => first.events.length >= 2 && second.events.length >= 2, 'both subscribers’ events');
    await first.close();
    const later = await orderFrom(norte);
    await until(() => second.events.length >= 4, 'the remaining subscriber’s events');
    await new Promise((resolve) => setTimeout(resolve, 300));
    await second.close();

    expect(first.errors).toEqual([]);
    expect(second.errors).toEqual([]);
    expect(first.events.map((e) => [e.order.id, e.type])).toEqual([
      [shared, 'SUBMITTED'],
      [shared, 'CONFIRMED'],
    ]);
    expect(second.events.map((e) => [e.order.id, e.type])).toEqual([
      [shared, 'SUBMITTED'],
      [shared, 'CONFIRMED'],
      [later, 'SUBMITTED'],
      [later, 'CONFIRMED'],
    ]);
  });

  it('an event whose other subgraphs fail arrives with errors, and the stream goes on', async () => {
    const subscription = subscribe(await stack.as(['partner'], norte));
    await new Promise((resolve) => setTimeout(resolve, 300));
    const { port } = stack.subgraphs.network;
    await stack.subgraphs.network.close();
    const whileDown = await orderFrom(norte);
    await until(() => subscription.events.length >= 2, 'events while network is down');
    stack.subgraphs.network = await startSubgraph(MODULES.network, stack.runtime, port);
    const afterwards = await orderFrom(norte);
    await until(() => subscription.events.length >= 4, 'events once network is back');
    await subscription.close();

    expect(subscription.events.map((e) => [e.order.id, e.type])).toEqual([
      [whileDown, 'SUBMITTED'],
      [whileDown, 'CONFIRMED'],
      [afterwards, 'SUBMITTED'],
      [afterwards, 'CONFIRMED'],
    ]);
    // The fields network owns are missing while it is down, with an error saying so; the rest is there.
    expect(subscription.events[0]!.order.seller.name).toBe('Norte Drivetrain GmbH');
    expect(subscription.errors.length).toBeGreaterThanOrEqual(2);
    expect(subscription.events[2]!.order.seller.tier).toBe(1);
  });

  it('delivers stock and invoice events the same way, each to whom may see it', async () => {
    const admin = caller(stack, await stack.as(['admin']));
    const stock = subscribe<{ type: string; sku: string; onHand: string; item: { name: string } }>(
      await stack.as(['buyer']),
      { sku: 'WHEEL-29' },
      'subscription ($sku: String) { stockEvents(sku: $sku) { cursor type sku onHand item { name } } }',
    );
    const partnerStock = subscribe(
      await stack.as(['partner'], norte),
      {},
      'subscription { stockEvents { cursor type } }',
    );
    const { invoices } = await admin.ok<{ invoices: { nodes: { id: string; recipient: { id: string } }[] } }>(
      '{ invoices(kind: RECEIVABLE) { nodes { id recipient { id } } } }',
    );
    const receivable = invoices.nodes[0]!;
    const customerInvoices = subscribe<{
      type: string;
      invoice: { id: string; recipient: { name: string } };
    }>(
      await stack.as(['partner'], receivable.recipient.id),
      {},
      'subscription { invoiceEvents { cursor type invoice { id recipient { name } } } }',
    );
    const otherInvoices = subscribe(
      await stack.as(['partner'], norte),
      {},
      'subscription { invoiceEvents { cursor type } }',
    );
    await new Promise((resolve) => setTimeout(resolve, 300));

    await admin.ok(
      'mutation { adjustStock(input: { sku: "WHEEL-29", location: "MAD-1", change: "5", reason: "found in aisle 4" }) { id } }',
    );
    await caller(stack, await stack.as(['finance'])).ok(
      'mutation ($id: ID!) { recordPayment(input: { invoiceId: $id, amount: { amount: "100.00", currency: "EUR" }, reference: "BANK-1" }) { id } }',
      { id: receivable.id },
    );
    await until(
      () => stock.events.length >= 1 && customerInvoices.events.length >= 1,
      'stock and invoice events',
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    for (const subscription of [stock, partnerStock, customerInvoices, otherInvoices])
      await subscription.close();

    expect(stock.events.map((e) => [e.type, e.sku])).toEqual([['StockAdjusted', 'WHEEL-29']]);
    expect(stock.events[0]!.item.name).toBeTruthy();
    // Stock movements are the company's business: a partner's subscription is refused.
    expect(JSON.stringify(partnerStock.errors)).toContain('FORBIDDEN');
    expect(customerInvoices.events.map((e) => [e.type, e.invoice.id])).toEqual([
      ['PAYMENT_RECORDED', receivable.id],
    ]);
    expect(customerInvoices.events[0]!.invoice.recipient.name).toBeTruthy();
    expect(otherInvoices.events).toEqual([]);
  });

  it('alerts every company downstream of a disruption, each only with its own alert', async () => {
    const admin = caller(stack, await stack.as(['admin']));
    const [mill, velomarkt] = (await partnerIds(admin, 'Baotou', 'VeloMarkt')) as [string, string];
    const query = `subscription { disruptionAlerts {
      cursor distance company { id name orders(first: 3) { nodes { number } } } path { name }
      disruption { severity description } } }`;
    const customer = subscribe<{
      distance: number;
      company: { id: string; orders: { nodes: { number: string }[] } };
      path: { name: string }[];
      disruption: { severity: string };
    }>(await stack.as(['partner'], velomarkt), {}, query);
    const unaffected = subscribe(await stack.as(['partner'], iberframe), {}, query);
    await new Promise((resolve) => setTimeout(resolve, 300));

    await admin.ok(
      `mutation ($id: ID!) { reportDisruption(input: { partnerId: $id, severity: HIGH,
         description: "blast furnace down" }) { disruption { id } } }`,
      { id: mill },
    );
    await until(() => customer.events.length >= 1, 'the customer’s alert');
    await new Promise((resolve) => setTimeout(resolve, 500));
    await customer.close();
    await unaffected.close();

    expect(customer.errors).toEqual([]);
    expect(customer.events).toHaveLength(1);
    const alert = customer.events[0]!;
    expect(alert.company.id).toBe(velomarkt);
    expect(alert.disruption.severity).toBe('HIGH');
    expect(alert.path.at(-1)!.name).toBe('VeloMarkt Handels GmbH');
    // Fields from orders, through the gateway: the customer's own orders with us.
    expect(alert.company.orders.nodes.length).toBeGreaterThan(0);
    expect(unaffected.events).toEqual([]);
  });
});

describe('subscriptions on the orders subgraph', () => {
  // Reads of orders and their lines: the writes' own reads are the same whatever the number of subscribers;
  // the event log, polled on timers, is left out.
  const ORDER_READS = /^\s*SELECT[\s\S]*\bFROM orders\.(purchase_order|order_line)\b/i;
  const DIRECT = `subscription { orderEvents { cursor type status order { id status lines { lineNo quantity } } } }`;
  type DirectEvent = { type: string; status: string; order: { id: string; status: string } };

  /** `count` people of Norte, each subscribed on the orders subgraph itself, as the gateway would sign them. */
  async function peopleOfNorte(count: number) {
    return Promise.all(
      Array.from({ length: count }, async (_, index) => {
        const person: Principal = { subject: `norte-person-${index}`, roles: ['partner'], partnerId: norte };
        const headers = { [PRINCIPAL_HEADER]: await signPrincipal(person, INTERNAL_SECRET) };
        return subscribe<DirectEvent>(headers, {}, DIRECT, stack.subgraphs.orders.url);
      }),
    );
  }

  it('a live subscription reads the event log with the consumers’ shared steps, none of its own', async () => {
    // A reader that keeps a position asks for the settled cursor: other than in the followers' shared
    // one-statement step (`read_settled`), only a reader of its own would.
    const OWN_LOG_READS = /^(?![\s\S]*read_settled)[\s\S]*settled_cursor\(\)/;
    const [person] = await peopleOfNorte(1);
    await new Promise((resolve) => setTimeout(resolve, 300));
    let reads = 0;
    const stop = stack.db.watchStatements((sql) => {
      if (OWN_LOG_READS.test(sql)) reads += 1;
    });
    try {
      const seen = person!.events.length;
      await orderFrom(norte);
      await until(() => person!.events.length >= seen + 2, 'the two events');
    } finally {
      stop();
      await person!.close();
    }
    expect(person!.errors).toEqual([]);
    expect(reads).toBe(0);
  });

  it('subscribers who may see the same read each event’s order together, in as many reads of it as one does', async () => {
    const statementsWith = async (count: number) => {
      const people = await peopleOfNorte(count);
      await new Promise((resolve) => setTimeout(resolve, 300));
      const statements = await countStatements(
        stack,
        async () => {
          const seen = people.map((person) => person.events.length);
          await orderFrom(norte);
          await until(
            () => people.every((person, index) => person.events.length >= seen[index]! + 2),
            'every subscriber’s two events',
          );
          await stack.settled();
        },
        { matching: ORDER_READS },
      );
      await Promise.all(people.map((person) => person.close()));
      for (const person of people) {
        expect(person.errors).toEqual([]);
        // Each event still reads the order afresh: the confirmation never sees the order the submission
        // read (the submission may see a later one: its event can be resolved after the confirmation).
        const confirmations = person.events.filter((event) => event.type === 'CONFIRMED');
        expect(confirmations.map((event) => event.order.status)).toEqual(
          confirmations.map(() => 'CONFIRMED'),
        );
      }
      return statements;
    };
    const one = await statementsWith(1);
    const twenty = await statementsWith(20);
    expect(one).toBeGreaterThan(0);
    expect(twenty).toBe(one);
  });

  it('subscribers of different partners read the orders of events committed together in one statement', async () => {
    const ORDERS_BY_ID = /FROM orders\.purchase_order o WHERE o\.id = ANY\(/;
    const admin = caller(stack, await stack.as(['admin']));
    const suppliers = await partnerIds(admin, 'Norte', 'Iberframe', 'Kaohsiung');
    const company: Principal = { subject: 'test-buyer', roles: ['buyer'] };
    // One person of each supplier: three visibilities, so no two of them share an event's context.
    const people = await Promise.all(
      suppliers.map(async (partnerId) => {
        const person: Principal = { subject: `person-of-${partnerId}`, roles: ['partner'], partnerId };
        const headers = { [PRINCIPAL_HEADER]: await signPrincipal(person, INTERNAL_SECRET) };
        return subscribe<DirectEvent>(headers, {}, DIRECT, stack.subgraphs.orders.url);
      }),
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    const submitted: string[][] = [];
    const reads = await countStatements(
      stack,
      async () => {
        const seen = people.map((person) => person.events.length);
        // Drafts are not the suppliers' to see: only the submissions, committed together, reach them.
        const drafts = await stack.db.transaction(async (tx) => {
          const ids: string[] = [];
          for (const supplierId of suppliers) {
            const line = {
              sku: 'FRAME-AL-54',
              quantity: '1',
              unitPrice: { amount: '10.00', currency: 'EUR' },
            };
            const input = { supplierId, currency: 'EUR', lines: [line] };
            const settings = { defaultOverdeliveryTolerance: '0' };
            ids.push((await createPurchaseOrder(tx, company, input, null, settings)).id);
          }
          for (const id of ids) await submitOrder(tx, company, id);
          return ids;
        });
        submitted.push(drafts);
        await until(
          () => people.every((person, index) => person.events.length >= seen[index]! + 1),
          'each supplier’s submission',
        );
      },
      { matching: ORDERS_BY_ID },
    );
    await Promise.all(people.map((person) => person.close()));
    people.forEach((person, index) => {
      expect(person.errors).toEqual([]);
      expect(person.events.map((event) => [event.type, event.order.id, event.order.status])).toEqual(
        submitted.map((drafts) => ['SUBMITTED', drafts[index], 'SUBMITTED']),
      );
    });
    // A read per event would be three.
    expect(reads).toBe(1);
  });
});
