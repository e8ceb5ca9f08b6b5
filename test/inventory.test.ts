import { createClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { PRINCIPAL_HEADER, signPrincipal, type Principal } from '../platform/auth/principal.ts';
import { Decimal } from '../platform/money.ts';
import { sqlSink } from '../platform/events/consumer.ts';
import { readEvents } from '../platform/events/eventLog.ts';
import { stockProjection } from '../subgraphs/inventory/projection.ts';
import { reserve } from '../subgraphs/inventory/stock.ts';
import {
  ADJUST,
  CATALOG,
  MOVEMENTS,
  ITEM,
  newItem,
  SET_PRICE,
  SET_PROMOTION,
  syncCatalog,
  UPSERT_ITEM,
  UPSERT_LOCATION,
  type CatalogView,
} from './support/inventory.ts';
import {
  caller,
  CANCEL,
  CONFIRM,
  CREATE_PO,
  partnerIds,
  PLACE_SO,
  RECEIVE,
  SHIP,
  SUBMIT,
  type Caller,
} from './support/orders.ts';
import { bootStack, countStatements, INTERNAL_SECRET, type TestStack } from './support/stack.ts';
import { countEvents } from './support/events.ts';

let stack: TestStack;
let admin: Caller;
let buyer: Caller;
let sales: Caller;
let norte: string;
let velomarkt: string;
let atlantico: string;
let supplier: Caller;
let customer: Caller;
let otherCustomer: Caller;

beforeAll(async () => {
  stack = await bootStack({ seedDemo: true });
  const staff = async (...roles: Parameters<TestStack['as']>[0]) => caller(stack, await stack.as(roles));
  admin = await staff('admin');
  buyer = await staff('buyer');
  sales = await staff('sales');
  [norte, velomarkt, atlantico] = (await partnerIds(admin, 'Norte', 'VeloMarkt', 'Atlántico')) as [
    string,
    string,
    string,
  ];
  supplier = caller(stack, await stack.as(['partner'], norte));
  customer = caller(stack, await stack.as(['partner'], velomarkt));
  otherCustomer = caller(stack, await stack.as(['partner'], atlantico));
});
afterAll(async () => {
  await stack?.close();
});

interface MovementView {
  kind: string;
  location: string;
  onHandChange: string;
  reservedChange: string;
  onHandAfter: string;
  reservedAfter: string;
  reason: string | null;
  orderId: string | null;
  lineNo: number | null;
}
interface LedgerView {
  item: {
    onHand: { onHand: string; reserved: string }[];
    movements: { nodes: MovementView[]; pageInfo: { endCursor: string | null; hasNextPage: boolean } };
  };
}

async function ledger(
  sku: string,
): Promise<{ levels: { onHand: string; reserved: string }[]; movements: MovementView[] }> {
  await stack.settled();
  const movements: MovementView[] = [];
  let after: string | null = null;
  let levels: { onHand: string; reserved: string }[] = [];
  for (;;) {
    const { item }: LedgerView = await admin.ok<LedgerView>(MOVEMENTS, { sku, first: 3, after });
    levels = item.onHand;
    movements.push(...item.movements.nodes);
    if (!item.movements.pageInfo.hasNextPage) break;
    after = item.movements.pageInfo.endCursor;
  }
  return { levels, movements: movements.reverse() };
}

/** Each ledger line leaves the balance the one before it left plus its own change. */
function expectLedgerExplains(movements: MovementView[], onHand: string, reserved: string) {
  let balance = { onHand: new Decimal(0), reserved: new Decimal(0) };
  for (const movement of movements) {
    balance = {
      onHand: balance.onHand.plus(movement.onHandChange),
      reserved: balance.reserved.plus(movement.reservedChange),
    };
    expect([balance.onHand.toString(), balance.reserved.toString()]).toEqual([
      movement.onHandAfter,
      movement.reservedAfter,
    ]);
  }
  expect([balance.onHand.toString(), balance.reserved.toString()]).toEqual([onHand, reserved]);
}

async function stockOf(sku: string) {
  await stack.settled();
  const { item } = await admin.ok<{
    item: { available: string; stock: { location: string; onHand: string; reserved: string }[] };
  }>(ITEM, { sku });
  return item;
}

async function salesOrder(sku: string, quantity: string, who: Caller = customer): Promise<string> {
  // Orders learns items, prices and stock from inventory's events: let it catch up first.
  await stack.settled();
  const { placeSalesOrder } = await who.ok<{ placeSalesOrder: { id: string } }>(PLACE_SO, {
    input: { currency: 'EUR', lines: [{ sku, quantity }] },
  });
  return placeSalesOrder.id;
}

describe('stock follows the orders', () => {
  it('a receipt raises stock, a confirmation reserves, a shipment issues, a cancellation releases; the ledger explains each number', async () => {
    await newItem(admin, 'FLOW-1');
    // Orders learns the new item from inventory's events: let it catch up before ordering it.
    await stack.settled();
    // Purchase 30, receive 28 (2 rejected at the dock).
    const { createPurchaseOrder: po } = await buyer.ok<{ createPurchaseOrder: { id: string } }>(CREATE_PO, {
      input: {
        supplierId: norte,
        currency: 'EUR',
        lines: [{ sku: 'FLOW-1', quantity: '30', unitPrice: { amount: '40.00', currency: 'EUR' } }],
      },
    });
    await buyer.ok(SUBMIT, { id: po.id });
    await supplier.ok(CONFIRM, { id: po.id });
    const { shipOrder: inbound } = await supplier.ok<{ shipOrder: { id: string } }>(SHIP, {
      id: po.id,
      input: { lines: [{ lineNo: 1, quantity: '30' }] },
    });
    expect((await stockOf('FLOW-1')).available).toBe('0'); // shipped to us is not received yet
    await buyer.ok(RECEIVE, {
      id: inbound.id,
      input: { lines: [{ lineNo: 1, quantity: '28', rejectedQuantity: '2' }] },
    });
    expect(await stockOf('FLOW-1')).toMatchObject({
      available: '28',
      stock: [{ location: 'MAD-1', onHand: '28', reserved: '0' }],
    });

    // A customer orders 10; confirming reserves them.
    const first = await salesOrder('FLOW-1', '10');
    await sales.ok(CONFIRM, { id: first });
    expect(await stockOf('FLOW-1')).toMatchObject({
      available: '18',
      stock: [{ onHand: '28', reserved: '10' }],
    });

    // Shipping 6 issues 6 of the reservation.
    await sales.ok(SHIP, { id: first, input: { lines: [{ lineNo: 1, quantity: '6' }] } });
    expect(await stockOf('FLOW-1')).toMatchObject({
      available: '18',
      stock: [{ onHand: '22', reserved: '4' }],
    });

    // Another order of 5, confirmed then cancelled: reserved, then released.
    const second = await salesOrder('FLOW-1', '5');
    await sales.ok(CONFIRM, { id: second });
    expect(await stockOf('FLOW-1')).toMatchObject({
      available: '13',
      stock: [{ onHand: '22', reserved: '9' }],
    });
    await customer.ok(CANCEL, { id: second, reason: 'changed our mind' });
    expect(await stockOf('FLOW-1')).toMatchObject({
      available: '18',
      stock: [{ onHand: '22', reserved: '4' }],
    });

    // The final shipment of the first order: 3 of the 4 left, final, so the last one is released.
    await sales.ok(SHIP, { id: first, input: { lines: [{ lineNo: 1, quantity: '3' }], final: true } });
    expect(await stockOf('FLOW-1')).toMatchObject({
      available: '19',
      stock: [{ onHand: '19', reserved: '0' }],
    });

    const { levels, movements } = await ledger('FLOW-1');
    expect(levels).toEqual([{ onHand: '19', reserved: '0' }]);
    expect(movements.map((m) => [m.kind, m.onHandChange, m.reservedChange, m.orderId])).toEqual([
      ['RECEIPT', '28', '0', po.id],
      ['RESERVATION', '0', '10', first],
      ['ISSUE', '-6', '-6', first],
      ['RESERVATION', '0', '5', second],
      ['RELEASE', '0', '-5', second],
      ['ISSUE', '-3', '-3', first],
      ['RELEASE', '0', '-1', first],
    ]);
    expectLedgerExplains(movements, '19', '0');
    expect(movements.every((m) => m.reason)).toBe(true);
  });

  it('each order event moves stock exactly once, even when the consumer is handed it again', async () => {
    await newItem(admin, 'ONCE-1', { onHand: '5' });
    const order = await salesOrder('ONCE-1', '2');
    await sales.ok(CONFIRM, { id: order });
    await stack.settled();
    const before = await ledger('ONCE-1');
    // Redeliver everything logged so far, as after a crash between applying and reading the position: the
    // position stored with the effects makes the consumer skip what it has applied.
    const sink = sqlSink(stack.db, 'inventory', 'stock', stockProjection);
    await sink.applyBatch(await readEvents(stack.db, '0', 100_000));
    const after = await ledger('ONCE-1');
    expect(after).toEqual(before);
    expect(after.movements.filter((m) => m.kind === 'RESERVATION')).toHaveLength(1);
    expect(await stockOf('ONCE-1')).toMatchObject({
      available: '3',
      stock: [{ onHand: '5', reserved: '2' }],
    });
  });

  it('falling below the reorder point appends ReorderPointReached once per crossing', async () => {
    await newItem(admin, 'REORDER-1', { onHand: '10' });
    await admin.ok(UPSERT_ITEM, {
      input: { sku: 'REORDER-1', name: 'Reorder test', unit: 'EA', reorderPoint: '5' },
    });
    const adjust = (change: string) =>
      admin.ok(ADJUST, { input: { sku: 'REORDER-1', location: 'MAD-1', change, reason: 'test' } });
    const crossings = () =>
      countEvents(stack.db, { types: ['ReorderPointReached'], aggregateId: 'REORDER-1' });
    await adjust('-6'); // 4 < 5: crossed
    expect(await crossings()).toBe(1);
    await adjust('-1'); // still below: no new event
    expect(await crossings()).toBe(1);
    await adjust('10'); // 13: back above, re-armed
    await adjust('-9'); // 4: crossed again
    expect(await crossings()).toBe(2);
  });
});

describe('reservations under concurrency', () => {
  it('50 concurrent confirmations against a stock of 10 confirm and reserve exactly 10 (CONFIRM_AVAILABLE)', async () => {
    await newItem(admin, 'RACE-STRICT', { onHand: '10', check: 'CONFIRM_AVAILABLE' });
    await stack.settled();
    // Placed one after another: one customer may run only so many operations at once (the gateway's
    // limits); the race under test is between the confirmations.
    const orders: string[] = [];
    for (let i = 0; i < 50; i += 1) orders.push(await salesOrder('RACE-STRICT', '1'));
    const results = await Promise.all(orders.map((id) => sales.raw(CONFIRM, { id })));
    const confirmed = results.filter((r) => !r.errors);
    const refused = results.filter((r) => r.errors);
    expect(confirmed).toHaveLength(10);
    expect(refused.map((r) => r.errors?.[0]?.extensions?.code)).toEqual(Array(40).fill('BAD_USER_INPUT'));
    expect(await stockOf('RACE-STRICT')).toMatchObject({
      available: '0',
      stock: [{ onHand: '10', reserved: '10' }],
    });
    const shortages = await countEvents(stack.db, {
      types: ['ReservationShort'],
      aggregateId: 'RACE-STRICT',
    });
    expect(shortages).toBe(0);
  });

  it('50 concurrent confirmations of a backorderable item reserve exactly 10 and report 40 short', async () => {
    await newItem(admin, 'RACE-BACK', { onHand: '10' });
    // Placed one after another: one customer may run only so many operations at once (the gateway's
    // limits); the race under test is between the confirmations.
    const orders: string[] = [];
    for (let i = 0; i < 50; i += 1) orders.push(await salesOrder('RACE-BACK', '1'));
    const results = await Promise.all(orders.map((id) => sales.raw(CONFIRM, { id })));
    expect(results.filter((r) => r.errors)).toEqual([]);
    expect(await stockOf('RACE-BACK')).toMatchObject({
      available: '0',
      stock: [{ onHand: '10', reserved: '10' }],
    });
    const shortages = await countEvents(stack.db, { types: ['ReservationShort'], aggregateId: 'RACE-BACK' });
    expect(shortages).toBe(40);
  });

  it('50 concurrent reservations straight against the ledger take exactly 10, with row locks alone', async () => {
    await newItem(admin, 'RACE-ROWS', { onHand: '10' });
    await stack.settled();
    const taken = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        stack.db.transaction((tx) =>
          reserve(tx, 'RACE-ROWS', new Decimal(1), {
            orderId: `race-${i}`,
            lineNo: 1,
            sourceCursor: '0',
            actor: 'test',
          }),
        ),
      ),
    );
    expect(taken.reduce((sum, q) => sum.plus(q), new Decimal(0)).toString()).toBe('10');
    const { rows } = await stack.db.query<{ on_hand: string; reserved: string }>(
      `SELECT trim_scale(on_hand)::text AS on_hand, trim_scale(reserved)::text AS reserved
         FROM inventory.stock_level WHERE sku = 'RACE-ROWS'`,
    );
    expect(rows).toEqual([{ on_hand: '10', reserved: '10' }]);
    const { rows: negative } = await stack.db.query(
      `SELECT 1 FROM inventory.stock_level WHERE on_hand < 0 OR reserved < 0 OR reserved > on_hand`,
    );
    expect(negative).toEqual([]);
  });
});

describe('the catalog each customer syncs', () => {
  const today = () => new Date().toISOString().slice(0, 10);
  const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);

  it('shows a customer its own price, the running promotion and availability, never another customer’s price', async () => {
    await newItem(admin, 'CAT-1', { price: '100.00', onHand: '7' });
    await newItem(admin, 'CAT-2', { price: '50.00' });
    await sales.ok(SET_PRICE, {
      input: {
        sku: 'CAT-1',
        customerId: velomarkt,
        price: { amount: '90.00', currency: 'EUR' },
        validFrom: today(),
      },
    });
    await sales.ok(SET_PRICE, {
      input: {
        sku: 'CAT-2',
        customerId: atlantico,
        price: { amount: '41.50', currency: 'EUR' },
        validFrom: today(),
        validTo: inDays(30),
      },
    });
    await sales.ok(SET_PROMOTION, {
      input: {
        sku: 'CAT-2',
        name: 'Spring',
        kind: 'PERCENT',
        value: '10',
        startsAt: new Date(Date.now() - 60_000).toISOString(),
        endsAt: new Date(Date.now() + 86_400_000).toISOString(),
      },
    });
    await stack.settled();

    const mine = new Map((await syncCatalog(customer)).entries.map((e) => [e.sku, e]));
    expect(mine.get('CAT-1')).toMatchObject({
      available: '7',
      listPrice: { amount: '100.00' },
      customerPrice: { customerId: velomarkt, price: { amount: '90.00' } },
      promotion: null,
      price: { amount: '90.00', currency: 'EUR' },
      item: { sku: 'CAT-1' },
    });
    expect(mine.get('CAT-2')).toMatchObject({
      available: '0',
      customerPrice: null,
      promotion: { name: 'Spring', kind: 'PERCENT', value: '10' },
      price: { amount: '45.00' },
    });

    const theirs = new Map((await syncCatalog(otherCustomer)).entries.map((e) => [e.sku, e]));
    expect(theirs.get('CAT-1')).toMatchObject({ customerPrice: null, price: { amount: '100.00' } });
    // Their agreed 41.50 beats the promoted 45.00.
    expect(theirs.get('CAT-2')).toMatchObject({
      customerPrice: { price: { amount: '41.50' } },
      price: { amount: '41.50' },
    });
    for (const entry of theirs.values()) expect(entry.customerPrice?.customerId ?? atlantico).toBe(atlantico);
    for (const entry of mine.values()) expect(entry.customerPrice?.customerId ?? velomarkt).toBe(velomarkt);

    // Nor through the item, nor by asking for the other's catalog.
    const { item } = await customer.ok<{ item: { customerPrices: { customerId: string }[] } }>(
      '{ item(sku: "CAT-2") { customerPrices { customerId } } }',
    );
    expect(item.customerPrices).toEqual([]);
    expect(await customer.refused(CATALOG, { first: 10, customerId: atlantico })).toBe('FORBIDDEN');
    const { item: seenBySales } = await sales.ok<{ item: { customerPrices: { customerId: string }[] } }>(
      '{ item(sku: "CAT-2") { customerPrices { customerId } } }',
    );
    expect(seenBySales.customerPrices).toEqual([{ customerId: atlantico }]);
  });

  it('with changedSince returns only what changed for that customer: prices, promotions, availability', async () => {
    await newItem(admin, 'SYNC-A', { price: '10.00', onHand: '3' });
    await newItem(admin, 'SYNC-B', { price: '20.00' });
    await newItem(admin, 'SYNC-C', { price: '30.00' });
    await stack.settled();
    const { token } = await syncCatalog(customer, { first: 7 });

    const nothing = await syncCatalog(customer, { since: token });
    expect(nothing.entries).toEqual([]);

    await sales.ok(SET_PRICE, { input: { sku: 'SYNC-A', price: { amount: '11.00', currency: 'EUR' } } }); // list price
    await sales.ok(SET_PRICE, {
      input: { sku: 'SYNC-B', customerId: atlantico, price: { amount: '15.00', currency: 'EUR' } },
    }); // someone else's price: not a change for us
    await sales.ok(SET_PRICE, {
      input: { sku: 'SYNC-C', customerId: velomarkt, price: { amount: '25.00', currency: 'EUR' } },
    }); // ours
    await stack.settled();
    const changed = await syncCatalog(customer, { since: token, first: 1 });
    expect(changed.entries.map((e) => [e.sku, e.price?.amount])).toEqual([
      ['SYNC-A', '11.00'],
      ['SYNC-C', '25.00'],
    ]);
    const forThem = await syncCatalog(otherCustomer, { since: token });
    expect(forThem.entries.map((e) => e.sku)).toEqual(['SYNC-A', 'SYNC-B']);

    // Availability changes through an order: only that item.
    const order = await salesOrder('SYNC-A', '1', otherCustomer);
    await sales.ok(CONFIRM, { id: order });
    await stack.settled();
    const afterOrder = await syncCatalog(customer, { since: changed.token });
    expect(afterOrder.entries.map((e) => [e.sku, e.available])).toEqual([['SYNC-A', '2']]);

    // A promotion that starts later changes the price when it starts, with no write at that moment.
    await sales.ok(SET_PROMOTION, {
      input: {
        sku: 'SYNC-B',
        name: 'Flash',
        kind: 'AMOUNT',
        value: '5',
        startsAt: new Date(Date.now() + 1_500).toISOString(),
        endsAt: new Date(Date.now() + 3_600_000).toISOString(),
      },
    });
    await stack.settled();
    const announced = await syncCatalog(customer, { since: afterOrder.token });
    expect(announced.entries.map((e) => [e.sku, e.promotion, e.price?.amount])).toEqual([
      ['SYNC-B', null, '20.00'],
    ]);
    await new Promise((resolve) => setTimeout(resolve, 1_700));
    const started = await syncCatalog(customer, { since: announced.token });
    expect(started.entries.map((e) => [e.sku, e.promotion?.name, e.price?.amount])).toEqual([
      ['SYNC-B', 'Flash', '15.00'],
    ]);
  });

  it('searches the whole catalog by name or part of a SKU, page after page, with the customer’s prices', async () => {
    for (const sku of ['FIND-A1', 'FIND-A2', 'FIND-A3', 'OTHER-Z9'])
      await newItem(admin, sku, { price: '10.00' });
    await sales.ok(SET_PRICE, {
      input: { sku: 'FIND-A2', customerId: velomarkt, price: { amount: '8.50', currency: 'EUR' } },
    });
    await stack.settled();
    const SEARCH = `query ($search: String, $first: Int, $after: String) {
      catalog(search: $search, first: $first, after: $after) {
        nodes { sku price { amount } } pageInfo { endCursor hasNextPage } } }`;
    type Found = {
      catalog: {
        nodes: { sku: string; price: { amount: string } | null }[];
        pageInfo: CatalogView['pageInfo'];
      };
    };
    const found: Found['catalog']['nodes'] = [];
    let after: string | null = null;
    do {
      const { catalog }: Found = await customer.ok<Found>(SEARCH, { search: 'find-a', first: 2, after });
      found.push(...catalog.nodes);
      after = catalog.pageInfo.hasNextPage ? catalog.pageInfo.endCursor : null;
    } while (after);
    expect(found.map((entry) => [entry.sku, new Decimal(entry.price!.amount).toString()])).toEqual([
      ['FIND-A1', '10'],
      ['FIND-A2', '8.5'],
      ['FIND-A3', '10'],
    ]);
    // By name, ignoring case; and nothing at all for what no item has.
    const byName = await customer.ok<Found>(SEARCH, { search: 'TEST ITEM OTHER-z9' });
    expect(byName.catalog.nodes.map((entry) => entry.sku)).toEqual(['OTHER-Z9']);
    const none = await customer.ok<Found>(SEARCH, { search: 'no such thing' });
    expect(none.catalog.nodes).toEqual([]);
  });

  it('costs the same SQL statements for a page of 200 entries as for a page of 1', async () => {
    const page = (first: number) => async () => {
      const { catalog } = await customer.ok<{ catalog: CatalogView }>(CATALOG, { first });
      expect(catalog.nodes.length).toBe(Math.min(first, catalog.nodes.length));
    };
    const one = await countStatements(stack, page(1));
    const many = await countStatements(stack, page(200));
    expect(many).toBe(one);
    expect(one).toBeLessThanOrEqual(6);
  });

  it('prices a sales order from the customer’s valid price, falling back to the list price', async () => {
    await newItem(admin, 'PRICED-1', { price: '80.00', onHand: '50' });
    await sales.ok(SET_PRICE, {
      input: { sku: 'PRICED-1', customerId: velomarkt, price: { amount: '72.5', currency: 'EUR' } },
    });
    await stack.settled();
    const priceOf = async (who: Caller) => {
      const { placeSalesOrder } = await who.ok<{
        placeSalesOrder: { lines: { unitPrice: { amount: string } }[] };
      }>(PLACE_SO, { input: { currency: 'EUR', lines: [{ sku: 'PRICED-1', quantity: '2' }] } });
      return placeSalesOrder.lines[0]!.unitPrice.amount;
    };
    expect(await priceOf(customer)).toBe('72.50');
    expect(await priceOf(otherCustomer)).toBe('80.00');
    // A running promotion below the agreed price wins for everyone.
    await sales.ok(SET_PROMOTION, {
      input: {
        sku: 'PRICED-1',
        name: 'Clearance',
        kind: 'PERCENT',
        value: '25',
        startsAt: new Date(Date.now() - 1_000).toISOString(),
        endsAt: new Date(Date.now() + 3_600_000).toISOString(),
      },
    });
    await stack.settled();
    expect(await priceOf(customer)).toBe('60.00');
    expect(await priceOf(otherCustomer)).toBe('60.00');
  });
});

describe('bad input gets a clear error and changes nothing', () => {
  const eventCount = async () => {
    await stack.settled();
    return countEvents(stack.db);
  };
  const cases: [string, string, () => Record<string, unknown>][] = [
    [
      'an unknown SKU in adjustStock',
      ADJUST,
      () => ({ input: { sku: 'NO-SUCH', location: 'MAD-1', change: '1', reason: 'x' } }),
    ],
    [
      'an unknown location',
      ADJUST,
      () => ({ input: { sku: 'BAD-1', location: 'NOWHERE', change: '1', reason: 'x' } }),
    ],
    [
      'an unknown SKU in setPrice',
      SET_PRICE,
      () => ({ input: { sku: 'NO-SUCH', price: { amount: '1', currency: 'EUR' } } }),
    ],
    [
      'an invalid GTIN',
      UPSERT_ITEM,
      () => ({ input: { sku: 'BAD-1', name: 'x', unit: 'EA', gtin: '4006381333932' } }),
    ],
    [
      'a negative list price',
      SET_PRICE,
      () => ({ input: { sku: 'BAD-1', price: { amount: '-1.00', currency: 'EUR' } } }),
    ],
    [
      'a negative price on upsert',
      UPSERT_ITEM,
      () => ({
        input: { sku: 'BAD-1', name: 'x', unit: 'EA', listPrice: { amount: '-5', currency: 'EUR' } },
      }),
    ],
    [
      'an overlapping price validity',
      SET_PRICE,
      () => ({
        input: {
          sku: 'BAD-1',
          customerId: velomarkt,
          price: { amount: '8', currency: 'EUR' },
          validFrom: '2030-01-15',
          validTo: '2030-03-01',
        },
      }),
    ],
    [
      'taking more than is on hand',
      ADJUST,
      () => ({ input: { sku: 'BAD-1', location: 'MAD-1', change: '-4', reason: 'x' } }),
    ],
    [
      'a promotion of more than 100%',
      SET_PROMOTION,
      () => ({
        input: {
          sku: 'BAD-1',
          name: 'x',
          kind: 'PERCENT',
          value: '101',
          startsAt: '2030-01-01T00:00:00Z',
          endsAt: '2030-02-01T00:00:00Z',
        },
      }),
    ],
  ];

  beforeAll(async () => {
    await newItem(admin, 'BAD-1', { price: '10.00', onHand: '3' });
    await sales.ok(SET_PRICE, {
      input: {
        sku: 'BAD-1',
        customerId: velomarkt,
        price: { amount: '9', currency: 'EUR' },
        validFrom: '2030-01-01',
        validTo: '2030-01-31',
      },
    });
  });

  it.each(cases)('%s is BAD_USER_INPUT', async (_label, mutation, variables) => {
    const before = await eventCount();
    const { item: itemBefore } = await admin.ok<{ item: unknown }>(ITEM, { sku: 'BAD-1' });
    expect(await admin.refused(mutation, variables())).toBe('BAD_USER_INPUT');
    expect(await eventCount()).toBe(before);
    expect((await admin.ok<{ item: unknown }>(ITEM, { sku: 'BAD-1' })).item).toEqual(itemBefore);
  });

  it('a GTIN with a valid check digit is accepted', async () => {
    await admin.ok(UPSERT_ITEM, { input: { sku: 'BAD-1', name: 'x', unit: 'EA', gtin: '4006381333931' } });
  });
});

describe('who may change inventory', () => {
  type Who = 'admin' | 'buyer' | 'sales' | 'finance' | 'analyst' | 'partner';
  const ALLOWED: Record<string, Who[]> = {
    upsertItem: ['admin', 'buyer'],
    setPrice: ['admin', 'sales'],
    setPromotion: ['admin', 'sales'],
    adjustStock: ['admin'],
    upsertLocation: ['admin'],
  };
  const requests: Record<string, [string, (n: number) => Record<string, unknown>]> = {
    upsertItem: [UPSERT_ITEM, (n) => ({ input: { sku: `AUTH-${n}`, name: 'x', unit: 'EA' } })],
    setPrice: [
      SET_PRICE,
      (n) => ({ input: { sku: 'AUTH-ITEM', price: { amount: String(n), currency: 'EUR' } } }),
    ],
    setPromotion: [
      SET_PROMOTION,
      (n) => ({
        input: {
          sku: 'AUTH-ITEM',
          name: 'x',
          kind: 'PERCENT',
          value: '5',
          startsAt: new Date(Date.UTC(2031, 0, n)).toISOString(),
          endsAt: new Date(Date.UTC(2031, 0, n, 12)).toISOString(),
        },
      }),
    ],
    adjustStock: [
      ADJUST,
      () => ({ input: { sku: 'AUTH-ITEM', location: 'MAD-1', change: '1', reason: 'x' } }),
    ],
    upsertLocation: [UPSERT_LOCATION, (n) => ({ input: { code: `AUTH-${n}`, name: 'x' } })],
  };
  const everyone: Who[] = ['admin', 'buyer', 'sales', 'finance', 'analyst', 'partner'];
  const cases = Object.keys(ALLOWED).flatMap((action) =>
    everyone.map((who) => [action, who, ALLOWED[action]!.includes(who)] as const),
  );
  let n = 0;

  beforeAll(async () => {
    await newItem(admin, 'AUTH-ITEM', { price: '10.00' });
  });

  it.each(cases)('%s by %s: allowed %s', async (action, who, allowed) => {
    const headers = who === 'partner' ? await stack.as(['partner'], velomarkt) : await stack.as([who]);
    const [mutation, variables] = requests[action]!;
    n += 1;
    const body = await caller(stack, headers).raw(mutation, variables(n));
    if (allowed) expect(body.errors, JSON.stringify(body.errors)).toBeUndefined();
    else expect(body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('partners see neither stock levels nor the ledger', async () => {
    const { item } = await customer.ok<{ item: { stock: unknown[]; available: string } }>(
      '{ item(sku: "AUTH-ITEM") { stock { onHand } available } }',
    );
    expect(item.stock).toEqual([]);
    expect(await customer.refused('{ item(sku: "AUTH-ITEM") { movements { nodes { kind } } } }')).toBe(
      'FORBIDDEN',
    );
  });
});

describe('stock events at the inventory subgraph', () => {
  /** A graphql-ws subscription to inventory, signed as the gateway signs it. */
  async function subscribe(principal: Principal, variables: Record<string, unknown>) {
    const client = createClient({
      url: stack.subgraphs.inventory.url.replace('http', 'ws'),
      webSocketImpl: WebSocket,
      connectionParams: { [PRINCIPAL_HEADER]: await signPrincipal(principal, INTERNAL_SECRET) },
      retryAttempts: 0,
    });
    const events: { type: string; sku: string; available: string; item: { name: string } | null }[] = [];
    const errors: unknown[] = [];
    const stop = client.subscribe<{ stockEvents: (typeof events)[number] }>(
      {
        query: `subscription ($sku: String, $after: String) {
          stockEvents(sku: $sku, after: $after) { cursor type sku available item { name } } }`,
        variables,
      },
      {
        next: (result) => {
          if (result.errors) errors.push(...result.errors);
          if (result.data) events.push(result.data.stockEvents);
        },
        error: (error) => errors.push(error),
        complete: () => undefined,
      },
    );
    return {
      events,
      errors,
      async close() {
        stop();
        await client.dispose();
      },
    };
  }

  const until = async (condition: () => boolean) => {
    const deadline = Date.now() + 10_000;
    while (!condition()) {
      if (Date.now() > deadline) throw new Error('timed out');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };

  it('replays and follows one item’s stock events for the company’s people; partners are refused', async () => {
    await newItem(admin, 'EVENTS-1', { onHand: '4' });
    const order = await salesOrder('EVENTS-1', '1');
    await sales.ok(CONFIRM, { id: order });
    await stack.settled();
    const internal = await subscribe(
      { subject: 'analyst', roles: ['analyst'] },
      { sku: 'EVENTS-1', after: '0' },
    );
    await until(() => internal.events.length >= 2);
    expect(internal.events.map((e) => [e.type, e.available])).toEqual([
      ['StockAdjusted', '4'],
      ['StockReserved', '3'],
    ]);
    expect(internal.events[0]!.item).toEqual({ name: 'Test item EVENTS-1' });
    await admin.ok(ADJUST, { input: { sku: 'EVENTS-1', location: 'MAD-1', change: '2', reason: 'found' } });
    await until(() => internal.events.length >= 3);
    expect(internal.events[2]).toMatchObject({ type: 'StockAdjusted', available: '5' });
    await internal.close();

    const partner = await subscribe(
      { subject: 'erp', roles: ['partner'], partnerId: velomarkt },
      { after: '0' },
    );
    await until(() => partner.errors.length > 0);
    expect(JSON.stringify(partner.errors)).toContain('FORBIDDEN');
    expect(partner.events).toEqual([]);
    await partner.close();
  });
});
