import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SUBGRAPHS } from '../platform/subgraphs.ts';
import type { Principal } from '../platform/auth/principal.ts';
import { confirmOrder, createPurchaseOrder, submitOrder } from '../subgraphs/orders/commands.ts';
import { bootStack, countStatements, type TestStack } from './support/stack.ts';

let stack: TestStack;

beforeAll(async () => {
  stack = await bootStack({ seedDemo: true });
});
afterAll(async () => {
  await stack?.close();
});

interface PartnerView {
  name: string;
  country: string;
  tier: number | null;
  orders: {
    nodes: {
      number: string;
      seller: { name: string };
      lines: { item: { sku: string; name: string } }[];
      invoices: { number: string }[];
    }[];
  };
  openBalance: {
    receivable: { amount: string; currency: string }[];
    payable: { amount: string; currency: string }[];
  };
  suppliers: { tier: number; supplier: { name: string } }[];
}

describe('the federated graph on demo data', () => {
  it('answers one query that touches all five subgraphs', async () => {
    const { status, body } = await stack.request<{
      self: PartnerView;
      item: { sku: string; available: string; listPrice: { amount: string } };
    }>(
      `{
        self {
          name country tier
          orders(first: 10) { nodes { number seller { name } lines { item { sku name } } invoices { number } } }
          openBalance { receivable { amount currency } payable { amount currency } }
          suppliers(depth: 3) { tier supplier { name } }
        }
        item(sku: "BIKE-TRAIL-29") { sku available listPrice { amount } }
      }`,
      {},
      await stack.as(['admin']),
    );
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    const self = body.data!.self;
    expect(self).toMatchObject({ name: 'Cordillera Cycles S.L.', country: 'ES', tier: 0 });
    expect(self.orders.nodes).toHaveLength(5);
    const wheels = self.orders.nodes.find((order) => order.seller.name === 'Kaohsiung Wheel Co., Ltd.')!;
    expect(wheels.lines.map((line) => line.item.name)).toEqual(['Wheelset 29"', 'Tyre 29 x 2.4']);
    expect(wheels.invoices.map((invoice) => invoice.number)).toEqual(['KW-2026-0917']);
    expect(self.openBalance.payable).toEqual([{ amount: '31150.00', currency: 'USD' }]);
    expect(self.openBalance.receivable).toEqual([{ amount: '51981.60', currency: 'EUR' }]);
    const tierOf = (name: string) =>
      self.suppliers.filter((link) => link.supplier.name === name).map((link) => link.tier);
    expect(tierOf('Norte Drivetrain GmbH')).toEqual([1]);
    expect(tierOf('Taiyuan Precision Gears Co.')).toEqual([2]);
    expect(tierOf('Baotou Special Steel Mill')).toEqual([3]);
    // One aluminium mill behind two direct suppliers: two links, one company.
    expect(tierOf('Aluminios del Cantábrico S.A.')).toEqual([2, 2]);
    // Counted 42; the demo's VeloMarkt order shipped 24 and Atlántico's confirmed order reserves 10.
    expect(body.data!.item).toEqual({
      sku: 'BIKE-TRAIL-29',
      available: '8',
      listPrice: { amount: '1890.00' },
    });
  });

  it('gives each partner its tier: suppliers positive, customers negative', async () => {
    const { body } = await stack.request<{ partners: { nodes: { name: string; tier: number | null }[] } }>(
      '{ partners(first: 100) { nodes { name tier } } }',
      {},
      await stack.as(['analyst']),
    );
    const tiers = Object.fromEntries(
      body.data!.partners.nodes.map((partner) => [partner.name, partner.tier]),
    );
    expect(tiers).toMatchObject({
      'Iberframe Componentes Lda.': 1,
      'Formosa Rubber Industries': 2,
      'Boké Bauxite Mining SA': 3,
      'VeloMarkt Handels GmbH': -1,
      'Lisboa Pedal Lda.': -2,
    });
  });

  it('lists 200 orders with their lines and both parties in as many SQL statements as 1 order', async () => {
    const { rows: parties } = await stack.db.query<{ id: string }>(
      `SELECT id FROM orders.party WHERE 'SUPPLIER' = ANY(roles) AND status = 'ACTIVE'`,
    );
    const company: Principal = { subject: 'test-seed', roles: ['admin'] };
    await stack.db.transaction(async (tx) => {
      for (let i = 0; i < 200; i += 1) {
        await createPurchaseOrder(
          tx,
          company,
          {
            supplierId: parties[i % parties.length]!.id,
            currency: 'EUR',
            lines: ['FRAME-AL-54', 'WHEEL-29', 'TYRE-29'].map((sku) => ({
              sku,
              quantity: String(i + 1),
              unitPrice: { amount: '9.99', currency: 'EUR' },
            })),
          },
          null,
          { defaultOverdeliveryTolerance: '0' },
        );
      }
    });
    const headers = await stack.as(['admin']);
    const query = `query ($first: Int) { orders(first: $first) {
      nodes { number buyer { name } seller { name } lines { lineNo quantity item { name } } } } }`;
    const statementsFor = (first: number) =>
      countStatements(stack, async () => {
        const { body } = await stack.request<{ orders: { nodes: { lines: unknown[] }[] } }>(
          query,
          { first },
          headers,
        );
        expect(body.data!.orders.nodes).toHaveLength(first);
        expect(body.data!.orders.nodes.every((order) => order.lines.length > 0)).toBe(true);
      });
    const one = await statementsFor(1);
    expect(await statementsFor(200)).toBe(one);
    expect(one).toBeLessThanOrEqual(5);
  });

  it('applies a burst of submitted orders in as many consumer statements as one order', async () => {
    const { rows: parties } = await stack.db.query<{ id: string }>(
      `SELECT id FROM orders.party WHERE 'SUPPLIER' = ANY(roles) AND status = 'ACTIVE'`,
    );
    const company: Principal = { subject: 'test-seed', roles: ['admin'] };
    const draft = (supplierId: string) =>
      stack.db.transaction((tx) =>
        createPurchaseOrder(
          tx,
          company,
          {
            supplierId,
            currency: 'EUR',
            lines: [{ sku: 'WHEEL-29', quantity: '2', unitPrice: { amount: '9.99', currency: 'EUR' } }],
          },
          null,
          { defaultOverdeliveryTolerance: '0' },
        ),
      );
    // What the consumers write or look up per submitted order: who now knows whom, the invoices' view of
    // the order's status, and the partners' webhook and outbound document profiles.
    const consumerWork = /partners\.relationship|invoices\.order_fact f SET status|FROM exchange\.profile/;
    const submitting = async (count: number) => {
      const drafts: { id: string }[] = [];
      for (let i = 0; i < count * 5; i += 1) drafts.push(await draft(parties[i % parties.length]!.id));
      let next = 0;
      return countStatements(
        stack,
        async () => {
          const burst = drafts.slice(next, next + count);
          next += count;
          await stack.db.transaction(async (tx) => {
            for (const order of burst) await submitOrder(tx, company, order.id);
          });
          await stack.settled();
        },
        { matching: consumerWork },
      );
    };
    const one = await submitting(1);
    expect(one).toBeGreaterThan(0);
    expect(await submitting(20)).toBe(one);
  });

  it('reads each append from the event log once for all its consumers, not once per consumer', async () => {
    const consumers = SUBGRAPHS.flatMap((name) => stack.subgraphs[name].instance.consumers ?? []);
    expect(consumers.length).toBeGreaterThan(4);
    const { rows: parties } = await stack.db.query<{ id: string }>(
      `SELECT id FROM orders.party WHERE 'SUPPLIER' = ANY(roles) AND status = 'ACTIVE' LIMIT 1`,
    );
    const company: Principal = { subject: 'test-seed', roles: ['admin'] };
    const append = async () => {
      await stack.db.transaction((tx) =>
        createPurchaseOrder(
          tx,
          company,
          {
            supplierId: parties[0]!.id,
            currency: 'EUR',
            lines: [{ sku: 'WHEEL-29', quantity: '1', unitPrice: { amount: '9.99', currency: 'EUR' } }],
          },
          null,
          { defaultOverdeliveryTolerance: '0' },
        ),
      );
      // Every consumer has applied the new order's event before the count ends.
      await stack.settled();
    };
    // The settled cursor is where every read of the log starts, alone or in a follower's step.
    const reads = await countStatements(stack, append, { matching: /settled_cursor\(\)|read_settled\(/ });
    expect(reads).toBeGreaterThan(0);
    expect(reads).toBeLessThan(consumers.length);
  });

  it('gives Neo4j no transaction for orders the network does not show, and one for a confirmed order', async () => {
    const { rows: parties } = await stack.db.query<{ id: string }>(
      `SELECT id FROM orders.party WHERE 'SUPPLIER' = ANY(roles) AND status = 'ACTIVE' LIMIT 1`,
    );
    const supplierId = parties[0]!.id;
    const company: Principal = { subject: 'test-seed', roles: ['admin'] };
    const supplier: Principal = { subject: 'supplier-clerk', roles: ['partner'], partnerId: supplierId };
    // Every transaction of the network projection claims its offset node first.
    const projectionTransactions = async () => {
      await stack.settled();
      const { records } = await stack.driver.executeQuery(
        'MATCH (o:ConsumerOffset) RETURN sum(o.claims) AS claims',
      );
      return Number(records[0]!.get('claims'));
    };
    const before = await projectionTransactions();
    const orders: { id: string }[] = [];
    for (let i = 0; i < 5; i += 1) {
      orders.push(
        await stack.db.transaction(async (tx) => {
          const order = await createPurchaseOrder(
            tx,
            company,
            {
              supplierId,
              currency: 'EUR',
              lines: [{ sku: 'TYRE-29', quantity: '2', unitPrice: { amount: '9.99', currency: 'EUR' } }],
            },
            null,
            { defaultOverdeliveryTolerance: '0' },
          );
          return submitOrder(tx, company, order.id);
        }),
      );
    }
    expect(await projectionTransactions()).toBe(before);
    await stack.db.transaction((tx) => confirmOrder(tx, supplier, orders[0]!.id, {}));
    expect(await projectionTransactions()).toBe(before + 1);
    const { records } = await stack.driver.executeQuery(
      `MATCH (:Company {id: $supplierId})-[r:SUPPLIES]->(:Company {isSelf: true}) RETURN r.observedItems AS items`,
      { supplierId },
    );
    expect(records[0]!.get('items')).toContain('TYRE-29');
  });

  it.each(['gateway', ...SUBGRAPHS])('%s answers /health and /ready', async (name) => {
    const url =
      name === 'gateway' ? stack.gateway.url : stack.subgraphs[name as (typeof SUBGRAPHS)[number]].url;
    for (const path of ['/health', '/ready']) {
      const response = await fetch(new URL(path, url));
      expect(response.status).toBe(200);
    }
  });
});
