import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootStack, type TestStack } from './support/stack.ts';
import {
  apiKeyFor,
  caller,
  CANCEL,
  CLOSE,
  CONFIRM,
  CREATE_PO,
  ORDER,
  partnerIds,
  PLACE_SO,
  RECEIVE,
  REJECT,
  SHIP,
  SUBMIT,
  type Caller,
} from './support/orders.ts';
import { latestCursor } from '../platform/events/eventLog.ts';
import { loggedEvents } from './support/events.ts';

let stack: TestStack;
let admin: Caller;
let buyer: Caller;
let sales: Caller;
let iberframe: string;
let norte: string;
let velomarkt: string;

beforeAll(async () => {
  stack = await bootStack({ seedDemo: true });
  admin = caller(stack, await stack.as(['admin']));
  buyer = caller(stack, await stack.as(['buyer']));
  sales = caller(stack, await stack.as(['sales']));
  [iberframe, norte, velomarkt] = (await partnerIds(admin, 'Iberframe', 'Norte', 'VeloMarkt')) as [
    string,
    string,
    string,
  ];
});
afterAll(async () => {
  await stack?.close();
});

const inTwoWeeks = new Date(Date.now() + 14 * 86_400_000).toISOString().slice(0, 10);
const inFourWeeks = new Date(Date.now() + 28 * 86_400_000).toISOString().slice(0, 10);

const purchaseInput = (supplierId: string, overrides: Record<string, unknown> = {}) => ({
  supplierId,
  currency: 'EUR',
  lines: [
    {
      sku: 'FRAME-AL-54',
      quantity: '100',
      unitPrice: { amount: '198.50', currency: 'EUR' },
      requestedDate: inTwoWeeks,
    },
    {
      sku: 'WHEEL-29',
      quantity: '50',
      unitPrice: { amount: '120.00', currency: 'EUR' },
      requestedDate: inTwoWeeks,
    },
  ],
  ...overrides,
});

interface OrderView {
  id: string;
  number: string;
  status: string;
  externalRef: string | null;
  total: { amount: string };
  seller: { name: string };
  lines: {
    lineNo: number;
    quantity: string;
    confirmedQuantity: string | null;
    confirmedDate: string | null;
    shippedQuantity: string;
    receivedQuantity: string;
    rejectedQuantity: string;
  }[];
  shipments: { id: string; status: string }[];
  history: {
    type: string;
    status: string;
    actor: string;
    actorPartner: { name: string } | null;
    summary: string;
  }[];
}

const quantities = (order: OrderView) =>
  order.lines.map((l) => [l.confirmedQuantity, l.shippedQuantity, l.receivedQuantity, l.rejectedQuantity]);

describe('a purchase order, upstream', () => {
  it('is created, submitted, confirmed in part over the supplier’s API key, shipped twice and received short', async () => {
    const supplier = await apiKeyFor(stack, admin, iberframe);

    const { createPurchaseOrder: draft } = await buyer.ok<{ createPurchaseOrder: OrderView }>(CREATE_PO, {
      input: purchaseInput(iberframe),
    });
    expect(draft.number).toMatch(new RegExp(`^PO-${new Date().getUTCFullYear()}-\\d{6}$`));
    expect(draft.status).toBe('DRAFT');
    expect(draft.total.amount).toBe('25850.00');

    // The supplier does not see a draft it has not been sent... but it is a party, so it may read it.
    const { submitOrder: submitted } = await buyer.ok<{ submitOrder: OrderView }>(SUBMIT, { id: draft.id });
    expect(submitted.status).toBe('SUBMITTED');

    const { orders: inbox } = await supplier.ok<{ orders: { nodes: { id: string }[] } }>(
      '{ orders(filter: { status: SUBMITTED }) { nodes { id } } }',
    );
    expect(inbox.nodes.map((o) => o.id)).toContain(draft.id);

    const { confirmOrder: confirmed } = await supplier.ok<{ confirmOrder: OrderView }>(CONFIRM, {
      id: draft.id,
      input: { externalRef: 'IBF-77001', lines: [{ lineNo: 1, quantity: '80', date: inFourWeeks }] },
    });
    expect(confirmed.status).toBe('PARTIALLY_CONFIRMED');
    expect(confirmed.externalRef).toBe('IBF-77001');
    expect(confirmed.lines.map((l) => [l.confirmedQuantity, l.confirmedDate])).toEqual([
      ['80', inFourWeeks],
      ['50', inTwoWeeks],
    ]);

    const { shipOrder: first } = await supplier.ok<{
      shipOrder: { id: string; number: string; order: OrderView };
    }>(SHIP, {
      id: draft.id,
      input: {
        reference: 'ASN-1',
        carrier: 'DHL',
        lines: [
          { lineNo: 1, quantity: '50' },
          { lineNo: 2, quantity: '50' },
        ],
      },
    });
    expect(first.number).toBe(`${draft.number}-S1`);
    expect(first.order.status).toBe('PARTIALLY_SHIPPED');
    expect(quantities(first.order)).toEqual([
      ['80', '50', '0', '0'],
      ['50', '50', '0', '0'],
    ]);

    const { shipOrder: second } = await supplier.ok<{ shipOrder: { id: string; order: OrderView } }>(SHIP, {
      id: draft.id,
      input: { reference: 'ASN-2', lines: [{ lineNo: 1, quantity: '30' }] },
    });
    expect(second.order.status).toBe('SHIPPED');

    const { receiveShipment: firstIn } = await buyer.ok<{
      receiveShipment: { status: string; order: OrderView };
    }>(RECEIVE, {
      id: first.id,
      input: { lines: [{ lineNo: 2, quantity: '46', rejectedQuantity: '2', rejectionReason: 'bent rims' }] },
    });
    expect(firstIn.status).toBe('RECEIVED');
    expect(firstIn.order.status).toBe('PARTIALLY_RECEIVED');
    expect(quantities(firstIn.order)).toEqual([
      ['80', '80', '50', '0'],
      ['50', '50', '46', '2'],
    ]);

    const { receiveShipment: secondIn } = await buyer.ok<{ receiveShipment: { order: OrderView } }>(RECEIVE, {
      id: second.id,
    });
    expect(secondIn.order.status).toBe('RECEIVED');
    expect(quantities(secondIn.order)).toEqual([
      ['80', '80', '80', '0'],
      ['50', '50', '46', '2'],
    ]);

    const { closeOrder: closed } = await buyer.ok<{ closeOrder: OrderView }>(CLOSE, { id: draft.id });
    expect(closed.status).toBe('CLOSED');
    expect(closed.history.map((step) => [step.type, step.status])).toEqual([
      ['CREATED', 'DRAFT'],
      ['SUBMITTED', 'SUBMITTED'],
      ['CONFIRMED', 'PARTIALLY_CONFIRMED'],
      ['SHIPPED', 'PARTIALLY_SHIPPED'],
      ['SHIPPED', 'SHIPPED'],
      ['RECEIVED', 'PARTIALLY_RECEIVED'],
      ['RECEIVED', 'RECEIVED'],
      ['CLOSED', 'CLOSED'],
    ]);
    const confirmation = closed.history[2]!;
    expect(confirmation.actorPartner?.name).toBe('Iberframe Componentes Lda.');
    expect(confirmation.summary).toBe(`Confirmed partially (line 1: 80 of 100 EA by ${inFourWeeks})`);
    expect(closed.history[5]!.summary).toContain('line 2: 2 short, 2 rejected');
    expect(closed.history[0]!.actor).toBe('test-buyer');

    // Every step is on the event log with the facts consumers need.
    const rows = (await loggedEvents(stack.db, { aggregateId: draft.id })).map(({ type, payload }) => ({
      type,
      payload: { lines: 'lines' in payload ? payload.lines : undefined },
    }));
    expect(rows.map((r) => r.type)).toEqual([
      'OrderCreated',
      'OrderSubmitted',
      'OrderConfirmed',
      'OrderShipped',
      'OrderShipped',
      'ShipmentReceived',
      'ShipmentReceived',
      'OrderClosed',
    ]);
    expect(rows[5]!.payload.lines?.map((l) => l.sku)).toEqual(['FRAME-AL-54', 'WHEEL-29']);
  });

  it('a retried create with the same idempotency key returns the same order; other content under it is a CONFLICT', async () => {
    const key = `po-${Date.now()}`;
    const first = await buyer.ok<{ createPurchaseOrder: OrderView }>(CREATE_PO, {
      input: purchaseInput(norte),
      key,
    });
    const retry = await buyer.ok<{ createPurchaseOrder: OrderView }>(CREATE_PO, {
      input: purchaseInput(norte),
      key,
    });
    expect(retry.createPurchaseOrder.id).toBe(first.createPurchaseOrder.id);
    expect(retry.createPurchaseOrder.number).toBe(first.createPurchaseOrder.number);
    const code = await buyer.refused(CREATE_PO, {
      input: purchaseInput(norte, { currency: 'USD', lines: [] }),
      key,
    });
    expect(code).toBe('CONFLICT');
    const { rows } = await stack.db.query<{ count: string }>(
      `SELECT count(*) AS count FROM orders.purchase_order WHERE idempotency_key = $1`,
      [key],
    );
    expect(rows[0]!.count).toBe('1');
  });

  it('a retried ship notice with the same reference returns the same shipment', async () => {
    const supplier = await apiKeyFor(stack, admin, norte);
    const { createPurchaseOrder: order } = await buyer.ok<{ createPurchaseOrder: OrderView }>(CREATE_PO, {
      input: purchaseInput(norte),
    });
    await buyer.ok(SUBMIT, { id: order.id });
    await supplier.ok(CONFIRM, { id: order.id });
    const input = { reference: 'N-ASN-9', lines: [{ lineNo: 1, quantity: '10' }] };
    const first = await supplier.ok<{ shipOrder: { id: string } }>(SHIP, { id: order.id, input });
    const retry = await supplier.ok<{ shipOrder: { id: string; order: OrderView } }>(SHIP, {
      id: order.id,
      input,
    });
    expect(retry.shipOrder.id).toBe(first.shipOrder.id);
    expect(retry.shipOrder.order.lines[0]!.shippedQuantity).toBe('10');
    expect(
      await supplier.refused(SHIP, {
        id: order.id,
        input: { ...input, lines: [{ lineNo: 1, quantity: '11' }] },
      }),
    ).toBe('CONFLICT');
  });

  it('refuses shipping beyond the confirmed quantity plus the order’s tolerance', async () => {
    const supplier = await apiKeyFor(stack, admin, norte);
    const { createPurchaseOrder: order } = await buyer.ok<{ createPurchaseOrder: OrderView }>(CREATE_PO, {
      input: purchaseInput(norte, { overdeliveryTolerance: '5' }),
    });
    await buyer.ok(SUBMIT, { id: order.id });
    await supplier.ok(CONFIRM, { id: order.id });
    // 100 confirmed with 5%: 105 is the most.
    expect(
      await supplier.refused(SHIP, { id: order.id, input: { lines: [{ lineNo: 1, quantity: '105.5' }] } }),
    ).toBe('BAD_USER_INPUT');
    const { shipOrder } = await supplier.ok<{ shipOrder: { order: OrderView } }>(SHIP, {
      id: order.id,
      input: {
        lines: [
          { lineNo: 1, quantity: '105' },
          { lineNo: 2, quantity: '50' },
        ],
      },
    });
    expect(shipOrder.order.status).toBe('SHIPPED');
    expect(shipOrder.order.lines[0]!.shippedQuantity).toBe('105');
  });

  it('a final shipment short of the confirmed quantity completes the shipping', async () => {
    const supplier = await apiKeyFor(stack, admin, norte);
    const { createPurchaseOrder: order } = await buyer.ok<{ createPurchaseOrder: OrderView }>(CREATE_PO, {
      input: purchaseInput(norte),
    });
    await buyer.ok(SUBMIT, { id: order.id });
    await supplier.ok(CONFIRM, { id: order.id });
    const { shipOrder } = await supplier.ok<{ shipOrder: { order: OrderView } }>(SHIP, {
      id: order.id,
      input: { final: true, lines: [{ lineNo: 1, quantity: '90' }] },
    });
    expect(shipOrder.order.status).toBe('SHIPPED');
    expect(
      await supplier.refused(SHIP, { id: order.id, input: { lines: [{ lineNo: 1, quantity: '1' }] } }),
    ).toBe('CONFLICT');
  });

  it('cannot be cancelled once something has shipped; a rejection ends it', async () => {
    const supplier = await apiKeyFor(stack, admin, norte);
    const create = async () =>
      (await buyer.ok<{ createPurchaseOrder: OrderView }>(CREATE_PO, { input: purchaseInput(norte) }))
        .createPurchaseOrder;
    const shipped = await create();
    await buyer.ok(SUBMIT, { id: shipped.id });
    await supplier.ok(CONFIRM, { id: shipped.id });
    await supplier.ok(SHIP, { id: shipped.id, input: { lines: [{ lineNo: 1, quantity: '1' }] } });
    expect(await buyer.refused(CANCEL, { id: shipped.id, reason: 'changed our mind' })).toBe('CONFLICT');

    const rejected = await create();
    await buyer.ok(SUBMIT, { id: rejected.id });
    const { rejectOrder } = await supplier.ok<{ rejectOrder: OrderView }>(REJECT, {
      id: rejected.id,
      reason: 'no capacity this quarter',
    });
    expect(rejectOrder.status).toBe('REJECTED');
    expect(rejectOrder.history.at(-1)).toMatchObject({
      type: 'REJECTED',
      summary: 'Rejected: no capacity this quarter',
    });
    expect(await supplier.refused(CONFIRM, { id: rejected.id })).toBe('CONFLICT');
  });
});

describe('a sales order, downstream', () => {
  it('is placed by the customer, confirmed and shipped by us, and received by the customer', async () => {
    const customer = caller(stack, await stack.as(['partner'], velomarkt));
    const { placeSalesOrder: placed } = await customer.ok<{ placeSalesOrder: OrderView }>(PLACE_SO, {
      input: { currency: 'EUR', externalRef: 'VM-90001', lines: [{ sku: 'BIKE-TRAIL-29', quantity: '12' }] },
      key: 'vm-90001',
    });
    expect(placed.number).toMatch(/^SO-\d{4}-\d{6}$/);
    expect(placed.status).toBe('SUBMITTED');
    expect(placed.seller.name).toBe('Cordillera Cycles S.L.');
    expect(placed.total.amount).toBe('22680.00'); // 12 × the 1890.00 list price

    const { confirmOrder: confirmed } = await sales.ok<{ confirmOrder: OrderView }>(CONFIRM, {
      id: placed.id,
      input: { lines: [{ lineNo: 1, quantity: '10' }] },
    });
    expect(confirmed.status).toBe('PARTIALLY_CONFIRMED');

    const { shipOrder } = await sales.ok<{ shipOrder: { id: string; order: OrderView } }>(SHIP, {
      id: placed.id,
      input: { lines: [{ lineNo: 1, quantity: '10' }], trackingNumber: '1Z999' },
    });
    expect(shipOrder.order.status).toBe('SHIPPED');

    // We do not receive goods for the customer: only the buying party does.
    expect(await sales.refused(RECEIVE, { id: shipOrder.id })).toBe('FORBIDDEN');
    const { receiveShipment } = await customer.ok<{ receiveShipment: { order: OrderView } }>(RECEIVE, {
      id: shipOrder.id,
    });
    expect(receiveShipment.order.status).toBe('RECEIVED');
    expect(quantities(receiveShipment.order)).toEqual([['10', '10', '10', '0']]);
  });

  it('the customer’s reference is unique per customer', async () => {
    const customer = caller(stack, await stack.as(['partner'], velomarkt));
    const input = {
      currency: 'EUR',
      externalRef: 'VM-UNIQUE-1',
      lines: [{ sku: 'BIKE-TRAIL-29', quantity: '1' }],
    };
    await customer.ok(PLACE_SO, { input });
    expect(await customer.refused(PLACE_SO, { input })).toBe('CONFLICT');
  });
});

describe('partners see only their own orders', () => {
  it('a supplier sees none of another supplier’s orders and may not touch them', async () => {
    const asNorte = await apiKeyFor(stack, admin, norte);
    const { createPurchaseOrder: theirs } = await buyer.ok<{ createPurchaseOrder: OrderView }>(CREATE_PO, {
      input: purchaseInput(iberframe),
    });
    await buyer.ok(SUBMIT, { id: theirs.id });

    const seen = await asNorte.ok<{
      orders: { nodes: { seller: { id: string }; buyer: { id: string } }[] };
      order: unknown;
    }>(
      'query ($id: ID!) { orders(first: 500) { nodes { seller { id } buyer { id } } } order(id: $id) { id } }',
      {
        id: theirs.id,
      },
    );
    expect(seen.order).toBeNull();
    expect(seen.orders.nodes.length).toBeGreaterThan(0);
    for (const order of seen.orders.nodes) expect([order.buyer.id, order.seller.id]).toContain(norte);

    expect(await asNorte.refused(CONFIRM, { id: theirs.id })).toBe('FORBIDDEN');
    expect(await asNorte.refused(REJECT, { id: theirs.id, reason: 'x' })).toBe('FORBIDDEN');
    expect(await asNorte.refused(CANCEL, { id: theirs.id, reason: 'x' })).toBe('FORBIDDEN');
    const { order } = await admin.ok<{ order: OrderView }>(ORDER, { id: theirs.id });
    expect(order.status).toBe('SUBMITTED');
  });

  it('a receipt on someone else’s shipment is FORBIDDEN', async () => {
    const asIberframe = await apiKeyFor(stack, admin, iberframe);
    const customer = caller(stack, await stack.as(['partner'], velomarkt));
    const { placeSalesOrder: order } = await customer.ok<{ placeSalesOrder: OrderView }>(PLACE_SO, {
      input: { currency: 'EUR', lines: [{ sku: 'BIKE-TRAIL-29', quantity: '2' }] },
    });
    await sales.ok(CONFIRM, { id: order.id });
    const { shipOrder } = await sales.ok<{ shipOrder: { id: string } }>(SHIP, {
      id: order.id,
      input: { lines: [{ lineNo: 1, quantity: '2' }] },
    });
    expect(await asIberframe.refused(RECEIVE, { id: shipOrder.id })).toBe('FORBIDDEN');
    const { shipment } = await admin.ok<{ shipment: { status: string } }>(
      'query ($id: ID!) { shipment(id: $id) { status } }',
      { id: shipOrder.id },
    );
    expect(shipment.status).toBe('IN_TRANSIT');
  });
});

describe('bad input', () => {
  /** Everything a refused request could have touched: the orders tables and the event log. */
  const snapshot = async () => ({
    last_event: await latestCursor(stack.db),
    ...(await stack.db.one(
      `SELECT (SELECT md5(string_agg(id || status || coalesce(external_ref, ''), ',' ORDER BY id)) FROM orders.purchase_order) AS orders,
                (SELECT md5(string_agg(order_id || line_no || coalesce(confirmed_quantity::text, '') || shipped_quantity
                        || received_quantity || rejected_quantity, ',' ORDER BY order_id, line_no)) FROM orders.order_line) AS lines,
                (SELECT md5(string_agg(id || status, ',' ORDER BY id)) FROM orders.shipment) AS shipments,
                (SELECT count(*) FROM orders.shipment_line) AS shipment_lines`,
    )),
  });

  let submitted: string;
  let confirmed: string;
  let inTransit: string;
  beforeAll(async () => {
    const supplier = await apiKeyFor(stack, admin, norte);
    const create = async () =>
      (await buyer.ok<{ createPurchaseOrder: OrderView }>(CREATE_PO, { input: purchaseInput(norte) }))
        .createPurchaseOrder.id;
    submitted = await create();
    await buyer.ok(SUBMIT, { id: submitted });
    confirmed = await create();
    await buyer.ok(SUBMIT, { id: confirmed });
    await supplier.ok(CONFIRM, { id: confirmed });
    const { shipOrder } = await supplier.ok<{ shipOrder: { id: string } }>(SHIP, {
      id: confirmed,
      input: { lines: [{ lineNo: 1, quantity: '10' }] },
    });
    inTransit = shipOrder.id;
  });

  const line = (overrides: Record<string, unknown>) => ({
    sku: 'FRAME-AL-54',
    quantity: '1',
    unitPrice: { amount: '10.00', currency: 'EUR' },
    ...overrides,
  });
  const po = (overrides: Record<string, unknown>) => ({ input: { ...purchaseInput(norte), ...overrides } });

  const cases: [string, () => Caller, string, () => Record<string, unknown>, string][] = [
    [
      'a zero quantity',
      () => buyer,
      CREATE_PO,
      () => po({ lines: [line({ quantity: '0' })] }),
      'BAD_USER_INPUT',
    ],
    [
      'a negative quantity',
      () => buyer,
      CREATE_PO,
      () => po({ lines: [line({ quantity: '-5' })] }),
      'BAD_USER_INPUT',
    ],
    [
      'a non-numeric quantity',
      () => buyer,
      CREATE_PO,
      () => po({ lines: [line({ quantity: 'ten' })] }),
      'BAD_USER_INPUT',
    ],
    [
      'a quantity with 5 decimals',
      () => buyer,
      CREATE_PO,
      () => po({ lines: [line({ quantity: '1.00001' })] }),
      'BAD_USER_INPUT',
    ],
    [
      'an unknown SKU',
      () => buyer,
      CREATE_PO,
      () => po({ lines: [line({ sku: 'NO-SUCH-SKU' })] }),
      'BAD_USER_INPUT',
    ],
    [
      'an unknown partner',
      () => buyer,
      CREATE_PO,
      () => po({ supplierId: 'no-such-partner' }),
      'BAD_USER_INPUT',
    ],
    ['a customer as supplier', () => buyer, CREATE_PO, () => po({ supplierId: velomarkt }), 'BAD_USER_INPUT'],
    [
      'a price in another currency than the order’s',
      () => buyer,
      CREATE_PO,
      () => po({ lines: [line({ unitPrice: { amount: '10.00', currency: 'USD' } })] }),
      'BAD_USER_INPUT',
    ],
    ['an unknown currency', () => buyer, CREATE_PO, () => po({ currency: 'EURO' }), 'BAD_USER_INPUT'],
    [
      'a date that does not exist',
      () => buyer,
      CREATE_PO,
      () => po({ lines: [line({ requestedDate: '2026-02-30' })] }),
      'BAD_USER_INPUT',
    ],
    ['an order without lines', () => buyer, CREATE_PO, () => po({ lines: [] }), 'BAD_USER_INPUT'],
    [
      'a unit other than the item’s',
      () => buyer,
      CREATE_PO,
      () => po({ lines: [line({ unit: 'KG' })] }),
      'BAD_USER_INPUT',
    ],
    ['submitting twice (an invalid transition)', () => buyer, SUBMIT, () => ({ id: submitted }), 'CONFLICT'],
    ['closing an order that is not received', () => buyer, CLOSE, () => ({ id: submitted }), 'CONFLICT'],
    [
      'cancelling without a reason',
      () => buyer,
      CANCEL,
      () => ({ id: submitted, reason: '  ' }),
      'BAD_USER_INPUT',
    ],
    ['an order that does not exist', () => buyer, SUBMIT, () => ({ id: 'no-such-order' }), 'NOT_FOUND'],
    [
      'receiving more than shipped',
      () => buyer,
      RECEIVE,
      () => ({ id: inTransit, input: { lines: [{ lineNo: 1, quantity: '11' }] } }),
      'BAD_USER_INPUT',
    ],
    [
      'receiving a line the shipment does not carry',
      () => buyer,
      RECEIVE,
      () => ({ id: inTransit, input: { lines: [{ lineNo: 2, quantity: '1' }] } }),
      'BAD_USER_INPUT',
    ],
    [
      'a receipt on someone else’s shipment',
      () => caller(stack, supplierHeaders),
      RECEIVE,
      () => ({ id: inTransit }),
      'FORBIDDEN',
    ],
  ];

  let supplierHeaders: Record<string, string>;
  beforeAll(async () => {
    supplierHeaders = await stack.as(['partner'], velomarkt);
  });

  it.each(cases)(
    '%s gets a clear error and changes nothing',
    async (_label, who, mutation, variables, code) => {
      const before = await snapshot();
      const body = await who().raw(mutation, variables());
      expect(body.errors?.[0]?.extensions?.code, JSON.stringify(body.errors)).toBe(code);
      expect(body.errors?.[0]?.message).toBeTruthy();
      expect(await snapshot()).toEqual(before);
    },
  );

  it('the supplier’s own mistakes: a double confirmation, more than ordered, a line it does not have', async () => {
    const supplier = await apiKeyFor(stack, admin, norte);
    const before = await snapshot();
    expect(await supplier.refused(CONFIRM, { id: confirmed })).toBe('CONFLICT');
    expect(
      await supplier.refused(CONFIRM, { id: submitted, input: { lines: [{ lineNo: 1, quantity: '101' }] } }),
    ).toBe('BAD_USER_INPUT');
    expect(
      await supplier.refused(CONFIRM, { id: submitted, input: { lines: [{ lineNo: 9, quantity: '1' }] } }),
    ).toBe('BAD_USER_INPUT');
    expect(
      await supplier.refused(SHIP, { id: confirmed, input: { lines: [{ lineNo: 1, quantity: '0' }] } }),
    ).toBe('BAD_USER_INPUT');
    expect(await snapshot()).toEqual(before);
  });
});
