import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readEvents } from '../platform/events/eventLog.ts';
import { bootStack, countStatements, type TestStack } from './support/stack.ts';
import { apiKeyFor, caller, CREATE_PO, PLACE_SO, SUBMIT, partnerIds, type Caller } from './support/orders.ts';

let stack: TestStack;
let admin: Caller;
let buyer: Caller;
let sales: Caller;
let supplier: Caller;
let norte: string;
let velomarkt: string;

beforeAll(async () => {
  stack = await bootStack({ seedDemo: true });
  admin = caller(stack, await stack.as(['admin']));
  buyer = caller(stack, await stack.as(['buyer']));
  sales = caller(stack, await stack.as(['sales']));
  [norte, velomarkt] = (await partnerIds(admin, 'Norte', 'VeloMarkt')) as [string, string];
  supplier = await apiKeyFor(stack, admin, norte);
});
afterAll(async () => {
  await stack?.close();
});

const SHIPMENT_FIELDS = `id number
  lines { lineNo quantity unit lots { number quantity expiryDate productionDate } serials }
  packages { packageId type grossWeight { value unit } contents { lineNo quantity lot } }`;
const SHIP = `mutation ($id: ID!, $input: ShipOrderInput!) { shipOrder(id: $id, input: $input) { ${SHIPMENT_FIELDS} } }`;
const SHIPMENTS = `query ($id: ID!) { order(id: $id) { shipments { ${SHIPMENT_FIELDS} } } }`;
const CONFIRM = `mutation ($id: ID!, $input: ConfirmOrderInput, $key: String) {
  confirmOrder(id: $id, input: $input, idempotencyKey: $key) { id status lines { confirmedQuantity } } }`;
const REJECT = `mutation ($id: ID!, $reason: String!, $key: String) {
  rejectOrder(id: $id, reason: $reason, idempotencyKey: $key) { id status } }`;

interface ShipmentView {
  id: string;
  number: string;
  lines: {
    lineNo: number;
    quantity: string;
    unit: string;
    lots: { number: string; quantity: string; expiryDate: string | null; productionDate: string | null }[];
    serials: string[];
  }[];
  packages: {
    packageId: string;
    type: string | null;
    grossWeight: { value: string; unit: string } | null;
    contents: { lineNo: number; quantity: string; lot: string | null }[];
  }[];
}

/** 18 digits whose last one checks (GS1 mod 10), as a label printer makes them. */
const SSCC = '006141411234567890';

/** A purchase order (from Norte unless told otherwise), submitted; Norte confirms it unless told not to. */
async function purchaseOrder(
  lines: { sku: string; quantity: string }[],
  confirm = true,
  supplierId = norte,
): Promise<string> {
  const { createPurchaseOrder } = await buyer.ok<{ createPurchaseOrder: { id: string } }>(CREATE_PO, {
    input: {
      supplierId,
      currency: 'EUR',
      lines: lines.map((line) => ({ ...line, unitPrice: { amount: '10.00', currency: 'EUR' } })),
    },
  });
  await buyer.ok(SUBMIT, { id: createPurchaseOrder.id });
  if (confirm) await supplier.ok(CONFIRM, { id: createPurchaseOrder.id });
  return createPurchaseOrder.id;
}

const eventsOf = async (orderId: string, type: 'OrderShipped' | 'OrderConfirmed' | 'OrderRejected') =>
  readEvents(stack.db, '0', null, { types: [type], aggregateType: 'Order', aggregateIds: [orderId] });

describe('a ship notice with lots, serial numbers and packages', () => {
  it('is stored, shown to the buyer on the shipment, and carried by the OrderShipped event', async () => {
    const orderId = await purchaseOrder([
      { sku: 'FRAME-AL-54', quantity: '3' },
      { sku: 'TUBE-AL-6061', quantity: '120.5' },
    ]);
    const input = {
      reference: 'N-ASN-LOTS-1',
      lines: [
        {
          lineNo: 1,
          quantity: '3',
          lots: [
            { number: 'L-2026-07', quantity: '2', productionDate: '2026-07-01', expiryDate: '2031-07-01' },
            { number: 'L-2026-08', quantity: '1' },
          ],
          serials: ['FR-0001', 'FR-0002', 'FR-0003'],
        },
        // Metres: serial numbers name the coils, not each metre.
        { lineNo: 2, quantity: '120.5', serials: ['COIL-77'] },
      ],
      packages: [
        {
          packageId: SSCC,
          type: 'px',
          grossWeight: { value: '412.5', unit: 'KGM' },
          contents: [
            { lineNo: 1, quantity: '2', lot: 'L-2026-07' },
            { lineNo: 2, quantity: '120.5' },
          ],
        },
        { packageId: 'CARTON-9', type: 'CT', contents: [{ lineNo: 1, quantity: '1', lot: 'L-2026-08' }] },
      ],
    };
    const { shipOrder: shipped } = await supplier.ok<{ shipOrder: ShipmentView }>(SHIP, {
      id: orderId,
      input,
    });
    const expected = {
      lines: [
        {
          lineNo: 1,
          quantity: '3',
          unit: 'EA',
          lots: [
            { number: 'L-2026-07', quantity: '2', expiryDate: '2031-07-01', productionDate: '2026-07-01' },
            { number: 'L-2026-08', quantity: '1', expiryDate: null, productionDate: null },
          ],
          serials: ['FR-0001', 'FR-0002', 'FR-0003'],
        },
        { lineNo: 2, quantity: '120.5', unit: 'MTR', lots: [], serials: ['COIL-77'] },
      ],
      packages: [
        {
          packageId: SSCC,
          type: 'PX',
          grossWeight: { value: '412.5', unit: 'KGM' },
          contents: [
            { lineNo: 1, quantity: '2', lot: 'L-2026-07' },
            { lineNo: 2, quantity: '120.5', lot: null },
          ],
        },
        {
          packageId: 'CARTON-9',
          type: 'CT',
          grossWeight: null,
          contents: [{ lineNo: 1, quantity: '1', lot: 'L-2026-08' }],
        },
      ],
    };
    expect(shipped).toMatchObject(expected);

    // The receiving desk reads the same through the order.
    const { order } = await buyer.ok<{ order: { shipments: ShipmentView[] } }>(SHIPMENTS, { id: orderId });
    expect(order.shipments).toEqual([{ id: shipped.id, number: shipped.number, ...expected }]);

    const [event] = await eventsOf(orderId, 'OrderShipped');
    expect(event!.payload).toMatchObject({
      lines: [
        {
          lineNo: 1,
          lots: [{ number: 'L-2026-07', quantity: '2' }, { number: 'L-2026-08' }],
          serials: ['FR-0001', 'FR-0002', 'FR-0003'],
        },
        { lineNo: 2, lots: [], serials: ['COIL-77'] },
      ],
      packages: [
        { packageId: SSCC, type: 'PX', grossWeight: { value: '412.5', unit: 'KGM' } },
        { packageId: 'CARTON-9' },
      ],
    });

    // A retry by reference returns the same shipment; the same reference with other lots is a CONFLICT.
    const { shipOrder: retried } = await supplier.ok<{ shipOrder: ShipmentView }>(SHIP, {
      id: orderId,
      input,
    });
    expect(retried.id).toBe(shipped.id);
    const otherLots = {
      ...input,
      lines: [{ ...input.lines[0], lots: [{ number: 'L-2026-09', quantity: '3' }] }, input.lines[1]],
      packages: [],
    };
    expect(await supplier.refused(SHIP, { id: orderId, input: otherLots })).toBe('CONFLICT');
    expect(await eventsOf(orderId, 'OrderShipped')).toHaveLength(1);
  });

  it('a shipment without them shows empty lists', async () => {
    const orderId = await purchaseOrder([{ sku: 'WHEEL-29', quantity: '4' }]);
    const { shipOrder } = await supplier.ok<{ shipOrder: ShipmentView }>(SHIP, {
      id: orderId,
      input: { lines: [{ lineNo: 1, quantity: '4' }] },
    });
    expect(shipOrder.lines).toEqual([{ lineNo: 1, quantity: '4', unit: 'EA', lots: [], serials: [] }]);
    expect(shipOrder.packages).toEqual([]);
  });

  it('the customer sees the lots and serial numbers we ship on a sales order', async () => {
    const customer = caller(stack, await stack.as(['partner'], velomarkt));
    const { placeSalesOrder } = await customer.ok<{ placeSalesOrder: { id: string } }>(PLACE_SO, {
      input: { currency: 'EUR', lines: [{ sku: 'BIKE-TRAIL-29', quantity: '2' }] },
    });
    await sales.ok(CONFIRM, { id: placeSalesOrder.id });
    await sales.ok(SHIP, {
      id: placeSalesOrder.id,
      input: {
        lines: [
          { lineNo: 1, quantity: '2', lots: [{ number: 'B-11', quantity: '2' }], serials: ['TB1', 'TB2'] },
        ],
        packages: [{ packageId: 'PAL-1', contents: [{ lineNo: 1, quantity: '2' }] }],
      },
    });
    const { order } = await customer.ok<{ order: { shipments: ShipmentView[] } }>(SHIPMENTS, {
      id: placeSalesOrder.id,
    });
    expect(order.shipments[0]).toMatchObject({
      lines: [{ lots: [{ number: 'B-11', quantity: '2' }], serials: ['TB1', 'TB2'] }],
      packages: [{ packageId: 'PAL-1', contents: [{ lineNo: 1, quantity: '2', lot: null }] }],
    });
  });
});

describe('a ship notice that does not add up', () => {
  let orderId: string;
  beforeAll(async () => {
    orderId = await purchaseOrder([
      { sku: 'FRAME-AL-54', quantity: '10' },
      { sku: 'WHEEL-29', quantity: '10' },
    ]);
  });

  const line = (overrides: Record<string, unknown> = {}) => ({ lineNo: 1, quantity: '2', ...overrides });
  const cases: [string, Record<string, unknown>, string][] = [
    [
      'lots short of the line',
      { lines: [line({ lots: [{ number: 'A', quantity: '1' }] })] },
      'lines[0].lots',
    ],
    [
      'a lot given twice',
      {
        lines: [
          line({
            lots: [
              { number: 'A', quantity: '1' },
              { number: 'A', quantity: '1' },
            ],
          }),
        ],
      },
      'lines[0].lots[1].number',
    ],
    [
      'a lot of no quantity',
      { lines: [line({ lots: [{ number: 'A', quantity: '0' }] })] },
      'lines[0].lots[0].quantity',
    ],
    [
      'a lot that expires before it was made',
      {
        lines: [
          line({
            lots: [{ number: 'A', quantity: '2', productionDate: '2026-05-01', expiryDate: '2026-04-01' }],
          }),
        ],
      },
      'lines[0].lots[0].expiryDate',
    ],
    [
      'a lot with an impossible date',
      { lines: [line({ lots: [{ number: 'A', quantity: '2', expiryDate: '2026-02-30' }] })] },
      'lines[0].lots[0].expiryDate',
    ],
    ['fewer serial numbers than units', { lines: [line({ serials: ['S1'] })] }, 'lines[0].serials'],
    ['a blank serial number', { lines: [line({ serials: ['S1', ' '] })] }, 'lines[0].serials[1]'],
    ['a serial number given twice', { lines: [line({ serials: ['S1', 'S1'] })] }, 'lines[0].serials[1]'],
    [
      'an SSCC whose check digit is wrong',
      {
        lines: [line()],
        packages: [{ packageId: '006141411234567891', contents: [{ lineNo: 1, quantity: '1' }] }],
      },
      'packages[0].packageId',
    ],
    [
      'a package id given twice',
      {
        lines: [line()],
        packages: [
          { packageId: 'P1', contents: [{ lineNo: 1, quantity: '1' }] },
          { packageId: 'P1', contents: [{ lineNo: 1, quantity: '1' }] },
        ],
      },
      'packages[1].packageId',
    ],
    [
      'a package holding a line not on the shipment',
      { lines: [line()], packages: [{ packageId: 'P1', contents: [{ lineNo: 2, quantity: '1' }] }] },
      'packages[0].contents[0].lineNo',
    ],
    [
      'packages holding more than shipped',
      {
        lines: [line()],
        packages: [
          { packageId: 'P1', contents: [{ lineNo: 1, quantity: '2' }] },
          { packageId: 'P2', contents: [{ lineNo: 1, quantity: '1' }] },
        ],
      },
      'packages[1].contents[0].quantity',
    ],
    [
      'a package holding a lot the line does not have',
      {
        lines: [line()],
        packages: [{ packageId: 'P1', contents: [{ lineNo: 1, quantity: '1', lot: 'X' }] }],
      },
      'packages[0].contents[0].lot',
    ],
    [
      'a package holding nothing',
      { lines: [line()], packages: [{ packageId: 'P1', contents: [] }] },
      'packages[0].contents',
    ],
    [
      'a package type that is not a UN/ECE code',
      {
        lines: [line()],
        packages: [{ packageId: 'P1', type: 'pallet', contents: [{ lineNo: 1, quantity: '1' }] }],
      },
      'packages[0].type',
    ],
    [
      'a weight in metres',
      {
        lines: [line()],
        packages: [
          {
            packageId: 'P1',
            grossWeight: { value: '3', unit: 'MTR' },
            contents: [{ lineNo: 1, quantity: '1' }],
          },
        ],
      },
      'packages[0].grossWeight.unit',
    ],
  ];

  it.each(cases)('%s is BAD_USER_INPUT naming the field, and ships nothing', async (_name, input, field) => {
    const body = await supplier.raw(SHIP, { id: orderId, input });
    expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    const { order } = await buyer.ok<{ order: { shipments: ShipmentView[] } }>(SHIPMENTS, { id: orderId });
    expect(order.shipments).toEqual([]);
  });

  it('serial numbers of the same item on two lines must differ; of different items they may repeat', async () => {
    const twoLinesOneItem = await purchaseOrder([
      { sku: 'TYRE-29', quantity: '2' },
      { sku: 'TYRE-29', quantity: '1' },
    ]);
    const body = await supplier.raw(SHIP, {
      id: twoLinesOneItem,
      input: {
        lines: [
          { lineNo: 1, quantity: '2', serials: ['T1', 'T2'] },
          { lineNo: 2, quantity: '1', serials: ['T2'] },
        ],
      },
    });
    expect(body.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'lines[1].serials[0]',
    });
    const twoItems = await purchaseOrder([
      { sku: 'FRAME-AL-54', quantity: '1' },
      { sku: 'WHEEL-29', quantity: '1' },
    ]);
    await supplier.ok(SHIP, {
      id: twoItems,
      input: {
        lines: [
          { lineNo: 1, quantity: '1', serials: ['S1'] },
          { lineNo: 2, quantity: '1', serials: ['S1'] },
        ],
      },
    });
  });
});

describe('retried answers to an order', () => {
  it('a confirmation retried with its idempotency key returns the order, even once it has shipped', async () => {
    const orderId = await purchaseOrder([{ sku: 'WHEEL-29', quantity: '10' }], false);
    const request = { id: orderId, input: { lines: [{ lineNo: 1, quantity: '8' }] }, key: 'norte-conf-1' };
    const { confirmOrder: first } = await supplier.ok<{ confirmOrder: { status: string } }>(CONFIRM, request);
    expect(first.status).toBe('PARTIALLY_CONFIRMED');
    const { confirmOrder: again } = await supplier.ok<{ confirmOrder: { id: string; status: string } }>(
      CONFIRM,
      request,
    );
    expect(again).toMatchObject({ id: orderId, status: 'PARTIALLY_CONFIRMED' });

    await supplier.ok(SHIP, { id: orderId, input: { lines: [{ lineNo: 1, quantity: '8' }] } });
    const { confirmOrder: late } = await supplier.ok<{
      confirmOrder: { status: string; lines: { confirmedQuantity: string }[] };
    }>(CONFIRM, request);
    expect(late).toMatchObject({ status: 'SHIPPED', lines: [{ confirmedQuantity: '8' }] });
    expect(await eventsOf(orderId, 'OrderConfirmed')).toHaveLength(1);

    // Other content, another order, or a rejection under the same key: CONFLICT. Without a key, as before.
    expect(
      await supplier.refused(CONFIRM, { ...request, input: { lines: [{ lineNo: 1, quantity: '9' }] } }),
    ).toBe('CONFLICT');
    const other = await purchaseOrder([{ sku: 'WHEEL-29', quantity: '1' }], false);
    expect(await supplier.refused(CONFIRM, { ...request, id: other })).toBe('CONFLICT');
    expect(await supplier.refused(REJECT, { id: orderId, reason: 'no', key: request.key })).toBe('CONFLICT');
    expect(await supplier.refused(CONFIRM, { id: orderId, input: request.input })).toBe('CONFLICT');
    const { order } = await buyer.ok<{ order: { status: string } }>(
      'query ($id: ID!) { order(id: $id) { status } }',
      {
        id: other,
      },
    );
    expect(order.status).toBe('SUBMITTED');
  });

  it('a rejection retried with its idempotency key returns the rejected order; another reason is a CONFLICT', async () => {
    const orderId = await purchaseOrder([{ sku: 'WHEEL-29', quantity: '10' }], false);
    const request = { id: orderId, reason: 'no capacity', key: 'norte-rej-1' };
    expect((await supplier.ok<{ rejectOrder: { status: string } }>(REJECT, request)).rejectOrder.status).toBe(
      'REJECTED',
    );
    expect((await supplier.ok<{ rejectOrder: { status: string } }>(REJECT, request)).rejectOrder.status).toBe(
      'REJECTED',
    );
    expect(await supplier.refused(REJECT, { ...request, reason: 'no material' })).toBe('CONFLICT');
    expect(await eventsOf(orderId, 'OrderRejected')).toHaveLength(1);
  });

  it('a key is the partner’s own: another partner may use the same key for its own answer', async () => {
    const [iberframe] = (await partnerIds(admin, 'Iberframe')) as [string];
    const other = await apiKeyFor(stack, admin, iberframe);
    const ours = await purchaseOrder([{ sku: 'WHEEL-29', quantity: '10' }], false);
    const theirs = await purchaseOrder([{ sku: 'WHEEL-29', quantity: '10' }], false, iberframe);
    await supplier.ok(CONFIRM, { id: ours, key: 'shared-key' });
    const { confirmOrder } = await other.ok<{ confirmOrder: { id: string; status: string } }>(CONFIRM, {
      id: theirs,
      key: 'shared-key',
    });
    expect(confirmOrder).toMatchObject({ id: theirs, status: 'CONFIRMED' });
  });
});

describe('reading ship notices', () => {
  it('lots, serial numbers and packages of many shipments cost the statements of one', async () => {
    for (const reference of ['N-ASN-READ-1', 'N-ASN-READ-2', 'N-ASN-READ-3']) {
      const orderId = await purchaseOrder([{ sku: 'WHEEL-29', quantity: '2' }]);
      await supplier.ok(SHIP, {
        id: orderId,
        input: {
          reference,
          lines: [
            { lineNo: 1, quantity: '2', lots: [{ number: reference, quantity: '2' }], serials: ['A', 'B'] },
          ],
          packages: [{ packageId: reference, contents: [{ lineNo: 1, quantity: '2', lot: reference }] }],
        },
      });
    }
    const page = (first: number) => async () => {
      const { orders } = await buyer.ok<{ orders: { nodes: { shipments: ShipmentView[] }[] } }>(
        `query ($first: Int) { orders(filter: { kind: PURCHASE }, first: $first) { nodes { shipments { ${SHIPMENT_FIELDS} } } } }`,
        { first },
      );
      expect(orders.nodes[0]!.shipments[0]!.packages).toHaveLength(1);
    };
    const one = await countStatements(stack, page(1));
    const many = await countStatements(stack, page(50));
    expect(many).toBe(one);
  });
});
