import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caller, CREATE_PO, partnerIds, SUBMIT, type Caller } from './support/orders.ts';
import { bootStack, countStatements, type TestStack } from './support/stack.ts';

/**
 * The gateway shares one subgraph fetch among identical queries in flight (gateway/dataSource.ts): what
 * a caller notices must not change. Each principal gets its own rows, and a query sent after a write
 * sees the write, however many identical queries are running around it.
 */
let stack: TestStack;
let admin: Caller;
let buyer: Caller;

beforeAll(async () => {
  stack = await bootStack({ seedDemo: true });
  admin = caller(stack, await stack.as(['admin']));
  buyer = caller(stack, await stack.as(['buyer']));
});

afterAll(async () => {
  await stack?.close();
});

const ORDERS = `{ orders(first: 100) { nodes { id buyer { id name } seller { id name } } } }`;
type Orders = { orders: { nodes: { id: string; buyer: { id: string }; seller: { id: string } }[] } };

describe('identical queries in flight', () => {
  it('answer each partner with its own orders, never another principal’s', async () => {
    const partners = await partnerIds(admin, 'Norte', 'Kaohsiung', 'Iberframe');
    const callers = await Promise.all(
      partners.map(async (id) => ({ id, caller: caller(stack, await stack.as(['partner'], id)) })),
    );
    const alone = await Promise.all(callers.map(({ caller: c }) => c.ok<Orders>(ORDERS)));
    // The same text from every partner at once, ten times each, interleaved.
    const together = await Promise.all(
      Array.from({ length: 10 }, () => callers.map(({ caller: c }) => c.ok<Orders>(ORDERS))).flat(),
    );
    together.forEach((answer, i) => {
      const { id } = callers[i % callers.length]!;
      expect(answer).toEqual(alone[i % callers.length]);
      for (const order of answer.orders.nodes) expect([order.buyer.id, order.seller.id]).toContain(id);
    });
    // The partners trade with different companies: their answers differ.
    expect(new Set(alone.map((answer) => JSON.stringify(answer))).size).toBe(callers.length);
  });

  it('cost the subgraph at most two fetches for a burst of thirty', async () => {
    const ordersRead = { matching: /\bFROM orders\.purchase_order\b/ };
    const alone = await countStatements(stack, async () => void (await admin.ok(ORDERS)), ordersRead);
    const burst = await countStatements(
      stack,
      async () => void (await Promise.all(Array.from({ length: 30 }, () => admin.ok(ORDERS)))),
      ordersRead,
    );
    expect(alone).toBeGreaterThan(0);
    expect(burst).toBeLessThanOrEqual(2 * alone);
  });

  it('see a write made before they were sent, while identical ones keep running', async () => {
    const [supplierId] = await partnerIds(admin, 'Kaohsiung');
    const { createPurchaseOrder } = await buyer.ok<{ createPurchaseOrder: { id: string } }>(CREATE_PO, {
      input: {
        supplierId,
        currency: 'EUR',
        lines: [{ sku: 'WHEEL-29', quantity: '2', unitPrice: { amount: '10.00', currency: 'EUR' } }],
      },
    });
    const status = `query ($id: ID!) { order(id: $id) { status } }`;
    const id = createPurchaseOrder.id;
    let writing = true;
    // The buyer's identical queries keep running, before, during and after the write.
    const background = Promise.all(
      Array.from({ length: 8 }, async () => {
        while (writing) await buyer.ok(status, { id });
      }),
    );
    await buyer.ok(SUBMIT, { id });
    const after = await Promise.all(
      Array.from({ length: 8 }, () => buyer.ok<{ order: { status: string } }>(status, { id })),
    );
    writing = false;
    await background;
    expect(after.map((answer) => answer.order.status)).toEqual(Array(8).fill('SUBMITTED'));
  });
});
