import { WebSocket } from 'ws';
import { createClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PRINCIPAL_HEADER, signPrincipal } from '../platform/auth/principal.ts';
import { latestCursor } from '../platform/events/eventLog.ts';
import {
  apiKeyFor,
  caller,
  CREATE_PO,
  partnerIds,
  RECEIVE,
  SHIP,
  SUBMIT,
  CONFIRM,
  type Caller,
} from './support/orders.ts';
import {
  APPROVE,
  CANCEL_INVOICE,
  daysFromToday,
  DUNNING,
  INVOICE,
  ISSUE,
  PAY,
  REMATCH,
  receivedPurchaseOrder,
  refusedWithoutChange,
  shippedSalesOrder,
  SUBMIT_INVOICE,
  TERMS,
  type InvoiceView,
} from './support/invoices.ts';
import { bootStack, countStatements, INTERNAL_SECRET, type TestStack } from './support/stack.ts';
import { countEvents, loggedEvents } from './support/events.ts';
import { statementsDuring } from './support/databases.ts';
import { orderFacts, orderFactsProjection } from '../subgraphs/invoices/projection.ts';

let stack: TestStack;
let admin: Caller;
let buyer: Caller;
let sales: Caller;
let finance: Caller;
let supplier: Caller;
let norte: string;
let iberframe: string;
let velomarkt: string;

beforeAll(async () => {
  stack = await bootStack({ seedDemo: true });
  admin = caller(stack, await stack.as(['admin']));
  buyer = caller(stack, await stack.as(['buyer']));
  sales = caller(stack, await stack.as(['sales']));
  finance = caller(stack, await stack.as(['finance']));
  [norte, iberframe, velomarkt] = (await partnerIds(admin, 'Norte', 'Iberframe', 'VeloMarkt')) as [
    string,
    string,
    string,
  ];
  supplier = await apiKeyFor(stack, admin, norte);
});
afterAll(async () => {
  await stack?.close();
});

const line = (orderId: string, lineNo: number, quantity: string, unitPrice: string, taxRate = '21') => ({
  orderId,
  lineNo,
  quantity,
  unitPrice,
  taxRate,
});

const submit = async (who: Caller, input: Record<string, unknown>, key?: string) =>
  (await who.ok<{ submitSupplierInvoice: InvoiceView }>(SUBMIT_INVOICE, { input, key }))
    .submitSupplierInvoice;

const eventsOf = async (invoiceId: string) =>
  (await loggedEvents(stack.db, { aggregateType: 'Invoice', aggregateId: invoiceId })).map((event) => ({
    type: event.type,
    level: 'level' in event.payload ? (event.payload.level ?? null) : null,
  }));

describe('supplier invoices, matched three ways through the gateway', () => {
  let order: { id: string; number: string };

  beforeAll(async () => {
    // Ordered 100 frames and 50 wheels; all shipped; only 30 wheels accepted at goods receipt.
    order = await receivedPurchaseOrder(
      stack,
      { buyer, supplier },
      norte,
      'EUR',
      [
        { sku: 'FRAME-AL-54', quantity: '100', price: '198.50' },
        { sku: 'WHEEL-29', quantity: '50', price: '120.00' },
      ],
      ['100', '30'],
    );
  });

  it('disputes an invoice for the ordered quantity, naming the short line; approves one for what was received', async () => {
    const ordered = await submit(supplier, {
      number: 'NDG-1001',
      currency: 'EUR',
      lines: [line(order.id, 1, '100', '198.50'), line(order.id, 2, '50', '120.00')],
      subtotal: '25850.00',
      taxTotal: '5428.50',
      total: '31278.50',
    });
    expect(ordered).toMatchObject({
      kind: 'PAYABLE',
      status: 'DISPUTED',
      issuer: { id: norte },
      order: { id: order.id },
      subtotal: { amount: '25850.00', currency: 'EUR' },
      taxTotal: { amount: '5428.50' },
      total: { amount: '31278.50' },
      balance: { amount: '31278.50' },
    });
    expect(ordered.match!.status).toBe('DISPUTED');
    expect(
      ordered.match!.lines.map((l) => [l.orderLineNo, l.status, l.receivedQuantity, l.quantityVariance]),
    ).toEqual([
      [1, 'MATCHED', '100', '0'],
      [2, 'QUANTITY_VARIANCE', '30', '20'],
    ]);
    expect(ordered.match!.lines[1]!.amountVariance.amount).toBe('2400.00');
    expect(ordered.disputeReason).toBe(
      `line 2 (${order.number} line 2, WHEEL-29): invoiced 50 EA but only 30 EA received and not yet invoiced ` +
        '(30 received, 0 invoiced before): 20 EA over, tolerance 0%',
    );

    const received = await submit(supplier, {
      number: 'NDG-1002',
      currency: 'EUR',
      lines: [line(order.id, 1, '100', '198.50'), line(order.id, 2, '30', '120.00')],
    });
    expect(received.status).toBe('APPROVED');
    expect(received.match!.status).toBe('MATCHED');
    expect(received.disputeReason).toBeNull();
    // 19,850.00 + 3,600.00, and 21% of each: 4,168.50 + 756.00.
    expect(received.total.amount).toBe('28374.50');
    // Due after the supplier's terms: the default 30 days.
    expect(received.dueDate).toBe(daysFromToday(30));

    // The disputed invoice waits; matched again now, it still bills what the approved one already has.
    const rematched = (await finance.ok<{ rematchInvoice: InvoiceView }>(REMATCH, { id: ordered.id }))
      .rematchInvoice;
    expect(rematched.status).toBe('DISPUTED');
    expect(rematched.match!.lines.map((l) => l.previouslyInvoicedQuantity)).toEqual(['100', '30']);

    const { order: seen } = await buyer.ok<{ order: { invoices: { number: string; status: string }[] } }>(
      'query ($id: ID!) { order(id: $id) { invoices { number status } } }',
      { id: order.id },
    );
    expect(seen.invoices).toEqual([
      { number: 'NDG-1001', status: 'DISPUTED' },
      { number: 'NDG-1002', status: 'APPROVED' },
    ]);
    // The supplier withdraws the disputed one.
    const cancelled = (
      await supplier.ok<{ cancelInvoice: InvoiceView }>(CANCEL_INVOICE, {
        id: ordered.id,
        why: 'replaced by NDG-1002',
      })
    ).cancelInvoice;
    expect(cancelled).toMatchObject({ status: 'CANCELLED', cancelReason: 'replaced by NDG-1002' });
  });

  it('disputes a price above tolerance, and finance may approve it with a justification', async () => {
    const po = await receivedPurchaseOrder(stack, { buyer, supplier }, norte, 'EUR', [
      { sku: 'DRIVE-12S', quantity: '10', price: '100.00' },
      { sku: 'TYRE-29', quantity: '20', price: '30.00' },
    ]);
    const high = await submit(supplier, {
      number: 'NDG-2001',
      currency: 'EUR',
      lines: [line(po.id, 1, '10', '101.50'), line(po.id, 2, '20', '30.25')],
    });
    expect(high.status).toBe('DISPUTED');
    expect(high.match!.lines.map((l) => [l.status, l.priceVariance.amount])).toEqual([
      ['PRICE_VARIANCE', '1.50'],
      // 0.25 is 0.83%: within the 1% tolerance, shown but not held against the invoice.
      ['MATCHED', '0.25'],
    ]);
    expect(high.disputeReason).toBe(
      `line 1 (${po.number} line 1, DRIVE-12S): unit price 101.50 EUR is 1.50 EUR (1.5%) above the ordered ` +
        '100.00 EUR, tolerance 1% up to 10.00 EUR',
    );
    // Nothing is paid on a disputed invoice.
    await refusedWithoutChange(stack, 'CONFLICT', () =>
      finance.refused(PAY, {
        input: { invoiceId: high.id, amount: { amount: '10.00', currency: 'EUR' }, reference: 'X-1' },
      }),
    );
    const approved = (
      await finance.ok<{ approveInvoice: InvoiceView }>(APPROVE, {
        id: high.id,
        why: 'surcharge for the express shipment agreed by the buyer',
      })
    ).approveInvoice;
    expect(approved.status).toBe('APPROVED');
    expect(approved.approval).toEqual({
      justification: 'surcharge for the express shipment agreed by the buyer',
      by: 'test-finance',
    });
    // The variance stays on record beside the approval.
    expect(approved.disputeReason).toContain('line 1');
    // A second invoice for the same goods is caught: they are billed already.
    const twice = await submit(supplier, {
      number: 'NDG-2002',
      currency: 'EUR',
      lines: [line(po.id, 2, '5', '30.00')],
    });
    expect(twice.status).toBe('DISPUTED');
    expect(twice.disputeReason).toContain('20 invoiced before');
  });

  it('matches a disputed invoice again once the missing goods have arrived', async () => {
    const { createPurchaseOrder: po } = await buyer.ok<{ createPurchaseOrder: { id: string } }>(CREATE_PO, {
      input: {
        supplierId: norte,
        currency: 'EUR',
        lines: [{ sku: 'FRAME-AL-54', quantity: '10', unitPrice: { amount: '50.00', currency: 'EUR' } }],
      },
    });
    await buyer.ok(SUBMIT, { id: po.id });
    await supplier.ok(CONFIRM, { id: po.id, input: {} });
    const ship = async (quantity: string) => {
      const { shipOrder } = await supplier.ok<{ shipOrder: { id: string } }>(SHIP, {
        id: po.id,
        input: { lines: [{ lineNo: 1, quantity }] },
      });
      await buyer.ok(RECEIVE, { id: shipOrder.id, input: {} });
      await stack.settled();
    };
    await ship('6');
    const early = await submit(supplier, {
      number: 'NDG-3001',
      currency: 'EUR',
      lines: [line(po.id, 1, '10', '50')],
    });
    expect(early.status).toBe('DISPUTED');
    await ship('4');
    const rematched = (await finance.ok<{ rematchInvoice: InvoiceView }>(REMATCH, { id: early.id }))
      .rematchInvoice;
    expect(rematched).toMatchObject({
      status: 'APPROVED',
      disputeReason: null,
      match: { status: 'MATCHED' },
    });
    expect((await eventsOf(early.id)).map((e) => e.type)).toEqual(['InvoiceSubmitted', 'InvoiceRematched']);
  });

  it('finance enters an invoice on the supplier’s behalf; a resubmission with the same content changes nothing', async () => {
    const po = await receivedPurchaseOrder(stack, { buyer, supplier }, norte, 'USD', [
      { sku: 'TYRE-29', quantity: '3', price: '33.33' },
    ]);
    const input = {
      supplierId: norte,
      number: 'NDG-4001',
      currency: 'USD',
      issueDate: daysFromToday(-3),
      dueDate: daysFromToday(27),
      lines: [line(po.id, 1, '3', '33.33', '0')],
      total: '99.99',
    };
    const entered = await submit(finance, input, 'scan-4001');
    expect(entered).toMatchObject({
      status: 'APPROVED',
      total: { amount: '99.99' },
      dueDate: daysFromToday(27),
    });
    await stack.settled();
    const before = await countEvents(stack.db);
    expect((await submit(finance, input, 'scan-4001')).id).toBe(entered.id);
    // The supplier's own system sends the same invoice: the same one, by supplier and number.
    const own: Record<string, unknown> = { ...input };
    delete own.supplierId;
    expect((await submit(supplier, own)).id).toBe(entered.id);
    expect(await countEvents(stack.db)).toEqual(before);
  });
});

describe('customer invoices, collected with reminders', () => {
  it('issues, collects in part, reminds at level 1 once after the due date, and is paid in full', async () => {
    await admin.ok(TERMS, { partnerId: velomarkt, input: { days: 14, taxRate: '19' } });
    const order = await shippedSalesOrder(stack, sales, velomarkt, [
      { sku: 'BIKE-TRAIL-29', quantity: '3', price: '1790.00' },
    ]);
    const issued = (await sales.ok<{ issueInvoice: InvoiceView }>(ISSUE, { orderId: order.id })).issueInvoice;
    const year = new Date().getUTCFullYear();
    expect(issued).toMatchObject({
      kind: 'RECEIVABLE',
      status: 'ISSUED',
      recipient: { id: velomarkt },
      issueDate: daysFromToday(0),
      dueDate: daysFromToday(14),
      subtotal: { amount: '5370.00' },
      taxTotal: { amount: '1020.30' },
      total: { amount: '6390.30' },
      overdue: false,
      match: null,
    });
    expect(issued.number).toMatch(new RegExp(`^AR-${year}-\\d{6}$`));
    expect(issued.lines).toMatchObject([{ orderLineNo: 1, quantity: '3', taxRate: '19' }]);

    const pay = (amount: string, reference: string) =>
      finance.ok<{ recordPayment: InvoiceView }>(PAY, {
        input: { invoiceId: issued.id, amount: { amount, currency: 'EUR' }, reference },
      });
    const partly = (await pay('2000.00', 'BANK-7001')).recordPayment;
    expect(partly).toMatchObject({ status: 'PARTIALLY_PAID', balance: { amount: '4390.30' } });
    // The bank retries the same payment: recorded once.
    expect((await pay('2000.00', 'BANK-7001')).recordPayment.payments).toHaveLength(1);

    const dueDay = daysFromToday(14);
    const afterDue = daysFromToday(15);
    const run = async (asOf: string) =>
      (
        await finance.ok<{ runDunning: { reminders: { level: number; invoice: { id: string } }[] } }>(
          DUNNING,
          { asOf },
        )
      ).runDunning.reminders
        .filter((r) => r.invoice.id === issued.id)
        .map((r) => ({ level: r.level, invoice: { id: r.invoice.id } }));
    expect(await run(dueDay)).toEqual([]);
    expect(await run(afterDue)).toEqual([{ level: 1, invoice: { id: issued.id } }]);
    expect(await run(afterDue)).toEqual([]);
    const reminded = (await finance.ok<{ invoice: InvoiceView }>(INVOICE, { id: issued.id })).invoice;
    expect(reminded.dunningLevel).toBe(1);
    expect(reminded.reminders).toEqual([
      { level: 1, daysOverdue: 1, asOf: afterDue, balance: { amount: '4390.30' } },
    ]);

    const paid = (await pay('4390.30', 'BANK-7002')).recordPayment;
    expect(paid).toMatchObject({ status: 'PAID', balance: { amount: '0.00' }, paid: { amount: '6390.30' } });
    expect((await eventsOf(issued.id)).map((e) => [e.type, e.level])).toEqual([
      ['InvoiceIssued', null],
      ['PaymentRecorded', null],
      ['DunningReminderSent', 1],
      ['PaymentRecorded', null],
    ]);
    // Paid invoices are not chased, and the order has nothing more to invoice.
    expect(await run(daysFromToday(60))).toEqual([]);
    await refusedWithoutChange(stack, 'CONFLICT', () => sales.refused(ISSUE, { orderId: order.id }));
  });

  it('invoices per shipment: each call bills what shipped since the last', async () => {
    const order = await shippedSalesOrder(
      stack,
      sales,
      velomarkt,
      [{ sku: 'WHEEL-29', quantity: '5', price: '260.00' }],
      ['2'],
    );
    const first = (await finance.ok<{ issueInvoice: InvoiceView }>(ISSUE, { orderId: order.id }))
      .issueInvoice;
    expect(first.lines.map((l) => l.quantity)).toEqual(['2']);
    await sales.ok(SHIP, { id: order.id, input: { lines: [{ lineNo: 1, quantity: '3' }] } });
    await stack.settled();
    const second = (await finance.ok<{ issueInvoice: InvoiceView }>(ISSUE, { orderId: order.id }))
      .issueInvoice;
    expect(second.lines.map((l) => l.quantity)).toEqual(['3']);
    expect(second.number > first.number).toBe(true);
  });

  it('shows the demo’s overdue receivable and each partner its own open balance', async () => {
    const { invoices } = await finance.ok<{ invoices: { nodes: { number: string; overdue: boolean }[] } }>(
      '{ invoices(kind: RECEIVABLE, overdue: true) { nodes { number overdue } } }',
    );
    expect(invoices.nodes.length).toBeGreaterThan(0);
    expect(invoices.nodes.every((invoice) => invoice.overdue)).toBe(true);
    const customer = await apiKeyFor(stack, admin, velomarkt);
    const { self } = await customer.ok<{
      self: { openBalance: { receivable: { amount: string }[]; payable: unknown[] } };
    }>('{ self { openBalance { receivable { amount currency } payable { amount currency } } } }');
    // Only the invoices between us and VeloMarkt: its receivables, none of the suppliers' payables.
    const { rows } = await stack.db.query<{ open: string }>(
      `SELECT sum(total - paid)::numeric(20,2)::text AS open FROM invoices.invoice
        WHERE recipient_id = $1 AND status NOT IN ('PAID', 'CANCELLED')`,
      [velomarkt],
    );
    expect(self.openBalance).toEqual({
      receivable: [{ amount: rows[0]!.open, currency: 'EUR' }],
      payable: [],
    });
  });
});

describe('bad input gets a clear error and changes nothing', () => {
  let po: { id: string; number: string };
  let so: { id: string };
  beforeAll(async () => {
    po = await receivedPurchaseOrder(stack, { buyer, supplier }, norte, 'EUR', [
      { sku: 'FRAME-AL-54', quantity: '4', price: '10.00' },
    ]);
    so = await shippedSalesOrder(stack, sales, velomarkt, [
      { sku: 'TYRE-29', quantity: '2', price: '38.00' },
    ]);
    await submit(
      supplier,
      { number: 'NDG-9000', currency: 'EUR', lines: [line(po.id, 1, '1', '10.00')] },
      'k-9000',
    );
  });

  const invoiceWith = (overrides: Record<string, unknown>, lines?: unknown[]) => ({
    input: {
      number: 'NDG-9001',
      currency: 'EUR',
      lines: lines ?? [line(po.id, 1, '1', '10.00')],
      ...overrides,
    },
  });

  it.each([
    ['an unknown order line', 'BAD_USER_INPUT', () => invoiceWith({}, [line('no-such-order', 1, '1', '10')])],
    ['a line the order does not have', 'BAD_USER_INPUT', () => invoiceWith({}, [line(po.id, 9, '1', '10')])],
    ['a negative quantity', 'BAD_USER_INPUT', () => invoiceWith({}, [line(po.id, 1, '-1', '10')])],
    ['a negative price', 'BAD_USER_INPUT', () => invoiceWith({}, [line(po.id, 1, '1', '-10')])],
    ['a tax rate above 100', 'BAD_USER_INPUT', () => invoiceWith({}, [line(po.id, 1, '1', '10', '121')])],
    ['a currency other than the order’s', 'BAD_USER_INPUT', () => invoiceWith({ currency: 'USD' })],
    ['an unknown currency', 'BAD_USER_INPUT', () => invoiceWith({ currency: 'EUX' })],
    ['a stated total the lines do not add up to', 'BAD_USER_INPUT', () => invoiceWith({ total: '12.11' })],
    ['an issue date in the future', 'BAD_USER_INPUT', () => invoiceWith({ issueDate: daysFromToday(2) })],
    [
      'the same line twice',
      'BAD_USER_INPUT',
      () => invoiceWith({}, [line(po.id, 1, '1', '10'), line(po.id, 1, '1', '10')]),
    ],
    [
      'a duplicate number with other content',
      'CONFLICT',
      () => invoiceWith({ number: 'NDG-9000' }, [line(po.id, 1, '2', '10.00')]),
    ],
  ])('a supplier invoice with %s: %s', async (_label, code, variables) => {
    await refusedWithoutChange(stack, code, () => supplier.refused(SUBMIT_INVOICE, variables()));
  });

  it('an idempotency key reused for other content is a CONFLICT', async () => {
    await refusedWithoutChange(stack, 'CONFLICT', () =>
      supplier.refused(SUBMIT_INVOICE, { ...invoiceWith({ number: 'NDG-9002' }), key: 'k-9000' }),
    );
  });

  it('payments: negative, overpaying, in another currency, with too many decimals, or on a cancelled invoice', async () => {
    const issued = (await finance.ok<{ issueInvoice: InvoiceView }>(ISSUE, { orderId: so.id })).issueInvoice;
    const pay = (amount: string, currency = 'EUR', reference = 'P-1') =>
      finance.refused(PAY, { input: { invoiceId: issued.id, amount: { amount, currency }, reference } });
    await refusedWithoutChange(stack, 'BAD_USER_INPUT', () => pay('-5.00'));
    await refusedWithoutChange(stack, 'BAD_USER_INPUT', () => pay('0'));
    await refusedWithoutChange(stack, 'BAD_USER_INPUT', () => pay('91.97'));
    await refusedWithoutChange(stack, 'BAD_USER_INPUT', () => pay('10.00', 'USD'));
    await refusedWithoutChange(stack, 'BAD_USER_INPUT', () => pay('10.005'));
    await finance.ok(PAY, {
      input: { invoiceId: issued.id, amount: { amount: '1.00', currency: 'EUR' }, reference: 'P-1' },
    });
    // The same reference with another amount is not a retry.
    await refusedWithoutChange(stack, 'CONFLICT', () => pay('2.00'));
    // An invoice with payments is not cancelled; one without is, and then takes no payment.
    await refusedWithoutChange(stack, 'CONFLICT', () =>
      finance.refused(CANCEL_INVOICE, { id: issued.id, why: 'wrong customer' }),
    );
    const other = await shippedSalesOrder(stack, sales, velomarkt, [
      { sku: 'TYRE-29', quantity: '1', price: '38.00' },
    ]);
    const toCancel = (await finance.ok<{ issueInvoice: InvoiceView }>(ISSUE, { orderId: other.id }))
      .issueInvoice;
    await finance.ok(CANCEL_INVOICE, { id: toCancel.id, why: 'issued to the wrong entity' });
    await refusedWithoutChange(stack, 'CONFLICT', () =>
      finance.refused(PAY, {
        input: { invoiceId: toCancel.id, amount: { amount: '1.00', currency: 'EUR' }, reference: 'P-9' },
      }),
    );
  });

  it('issuing for a purchase order, an unknown order, bad terms and a bad dunning date', async () => {
    await refusedWithoutChange(stack, 'BAD_USER_INPUT', () => finance.refused(ISSUE, { orderId: po.id }));
    await refusedWithoutChange(stack, 'NOT_FOUND', () =>
      finance.refused(ISSUE, { orderId: 'no-such-order' }),
    );
    await refusedWithoutChange(stack, 'BAD_USER_INPUT', () =>
      finance.refused(TERMS, { partnerId: velomarkt, input: { days: -1 } }),
    );
    await refusedWithoutChange(stack, 'BAD_USER_INPUT', () =>
      finance.refused(TERMS, { partnerId: 'no-such-partner', input: { days: 10 } }),
    );
    await refusedWithoutChange(stack, 'BAD_USER_INPUT', () =>
      finance.refused(DUNNING, { asOf: '2026-02-30' }),
    );
  });
});

describe('reading invoices', () => {
  it('costs the same number of SQL statements for one invoice as for a page of them', async () => {
    const query = (
      first: number,
    ) => `{ invoices(first: ${first}) { nodes { number issuer { name } recipient { name }
      lines { sku netAmount { amount } } payments { amount { amount } } reminders { level }
      match { status lines { reasons } } order { number } } } }`;
    const { invoices } = await admin.ok<{ invoices: { nodes: unknown[] } }>(query(50));
    expect(invoices.nodes.length).toBeGreaterThan(10);
    const one = await countStatements(stack, async () => void (await admin.ok(query(1))));
    const page = await countStatements(stack, async () => void (await admin.ok(query(50))));
    expect(page).toBe(one);
  });
});

describe('the facts invoicing keeps of orders', () => {
  /** A draft purchase order to Norte: `frames` frames on line 1, two wheels on line 2. */
  async function framesAndWheels(frames: string): Promise<string> {
    const { createPurchaseOrder: order } = await buyer.ok<{ createPurchaseOrder: { id: string } }>(
      CREATE_PO,
      {
        input: {
          supplierId: norte,
          currency: 'EUR',
          lines: [
            { sku: 'FRAME-AL-54', quantity: frames, unitPrice: { amount: '198.50', currency: 'EUR' } },
            { sku: 'WHEEL-29', quantity: '2', unitPrice: { amount: '120.00', currency: 'EUR' } },
          ],
        },
      },
    );
    return order.id;
  }

  it('keeps a burst of new orders in one statement, and a confirmation in the same batch finds their lines', async () => {
    const ids: string[] = [];
    for (const quantity of ['4', '5', '6']) ids.push(await framesAndWheels(quantity));
    await buyer.ok(SUBMIT, { id: ids[0] });
    await supplier.ok(CONFIRM, { id: ids[0], input: {} });
    await stack.settled();
    const events = await loggedEvents(stack.db, { aggregateIds: ids });
    expect(events.map((event) => event.type)).toEqual([
      'OrderCreated',
      'OrderCreated',
      'OrderCreated',
      'OrderSubmitted',
      'OrderConfirmed',
    ]);
    // The facts forgotten, then kept again from the five events as one batch.
    await stack.db.query('DELETE FROM invoices.order_line_fact WHERE order_id = ANY($1::text[])', [ids]);
    await stack.db.query('DELETE FROM invoices.order_fact WHERE order_id = ANY($1::text[])', [ids]);
    const { sent } = await statementsDuring(stack.db, () =>
      stack.db.transaction((tx) => orderFactsProjection.apply(tx, events)),
    );
    const kept = sent.filter((sql) => sql.includes('invoices.order'));
    // The three orders and their lines; the confirmed quantities; the last status of each order.
    expect(kept).toHaveLength(3);
    expect(kept[0]).toMatch(/INSERT INTO invoices.order_fact/);
    const facts = await orderFacts(stack.db, ids);
    expect(new Map(facts.map((fact) => [fact.order_id, fact.status]))).toEqual(
      new Map([
        [ids[0], 'CONFIRMED'],
        [ids[1], 'DRAFT'],
        [ids[2], 'DRAFT'],
      ]),
    );
    const { rows: lines } = await stack.db.query<{
      order_id: string;
      quantity: string;
      confirmed: string | null;
    }>(
      `SELECT order_id, quantity::text, confirmed_quantity::text AS confirmed FROM invoices.order_line_fact
        WHERE order_id = ANY($1::text[]) AND line_no = 1 ORDER BY quantity`,
      [ids],
    );
    expect(lines).toEqual([
      { order_id: ids[0], quantity: '4.0000', confirmed: '4.0000' },
      { order_id: ids[1], quantity: '5.0000', confirmed: null },
      { order_id: ids[2], quantity: '6.0000', confirmed: null },
    ]);
  });

  it('keeps a burst of confirmations, shipments and receipts in a statement per kind, as if applied one by one', async () => {
    const ids: string[] = [];
    for (const quantity of ['10', '12']) {
      const id = await framesAndWheels(quantity);
      ids.push(id);
      await buyer.ok(SUBMIT, { id });
      await supplier.ok(CONFIRM, { id, input: {} });
      // Two shipments of the first line, each received: quantities of one line that add up in a batch.
      for (const shipped of ['3', '5']) {
        const { shipOrder } = await supplier.ok<{ shipOrder: { id: string } }>(SHIP, {
          id,
          input: { lines: [{ lineNo: 1, quantity: shipped }] },
        });
        await buyer.ok(RECEIVE, { id: shipOrder.id, input: {} });
      }
    }
    await stack.settled();
    const events = (await loggedEvents(stack.db, { aggregateIds: ids })).filter(
      (event) => event.type !== 'OrderCreated',
    );
    const linesNow = async () =>
      (
        await stack.db.query(
          `SELECT order_id, line_no, confirmed_quantity::text AS confirmed, shipped_quantity::text AS shipped,
                  received_quantity::text AS received
             FROM invoices.order_line_fact WHERE order_id = ANY($1::text[]) ORDER BY order_id, line_no`,
          [ids],
        )
      ).rows;
    const statusesNow = async () =>
      (await orderFacts(stack.db, ids)).map((fact) => [fact.order_id, fact.status]);
    const forget = () =>
      stack.db.query(
        `UPDATE invoices.order_line_fact SET confirmed_quantity = NULL, shipped_quantity = 0, received_quantity = 0
          WHERE order_id = ANY($1::text[])`,
        [ids],
      );
    const oneByOne = { lines: await linesNow(), statuses: await statusesNow() };
    expect(oneByOne.lines).toContainEqual(
      expect.objectContaining({ line_no: 1, confirmed: '10.0000', shipped: '8.0000', received: '8.0000' }),
    );

    await forget();
    const { sent } = await statementsDuring(stack.db, () =>
      stack.db.transaction((tx) => orderFactsProjection.apply(tx, events)),
    );
    // Confirmed, shipped and received quantities; the last status of each order.
    expect(sent.filter((sql) => sql.includes('invoices.order'))).toHaveLength(4);
    expect({ lines: await linesNow(), statuses: await statusesNow() }).toEqual(oneByOne);
  });
});

describe('invoiceEvents at the invoices subgraph', () => {
  it('replays from a cursor the events of the invoices a partner is party to, and no others', async () => {
    await stack.settled();
    const after = await latestCursor(stack.db);
    const po = await receivedPurchaseOrder(stack, { buyer, supplier }, norte, 'EUR', [
      { sku: 'TYRE-29', quantity: '2', price: '30.00' },
    ]);
    const mine = await submit(supplier, {
      number: 'NDG-7001',
      currency: 'EUR',
      lines: [line(po.id, 1, '2', '30.00')],
    });
    const otherSupplier = await apiKeyFor(stack, admin, iberframe);
    const theirs = await receivedPurchaseOrder(stack, { buyer, supplier: otherSupplier }, iberframe, 'EUR', [
      { sku: 'TYRE-29', quantity: '1', price: '30.00' },
    ]);
    await submit(otherSupplier, {
      number: 'IBF-1',
      currency: 'EUR',
      lines: [line(theirs.id, 1, '1', '30.00')],
    });
    await finance.ok(DISPUTE_PAYABLE, { id: mine.id, why: 'damaged on arrival' });

    const client = createClient({
      url: stack.subgraphs.invoices.url.replace('http', 'ws'),
      webSocketImpl: WebSocket,
      retryAttempts: 0,
      connectionParams: {
        [PRINCIPAL_HEADER]: await signPrincipal(
          { subject: 'norte-erp', roles: ['partner'], partnerId: norte },
          INTERNAL_SECRET,
        ),
      },
    });
    const received: { type: string; status: string; reason: string | null; invoice: { number: string } }[] =
      [];
    try {
      const subscription = client.iterate<{
        invoiceEvents: { type: string; status: string; reason: string | null; invoice: { number: string } };
      }>({
        query: `subscription ($after: String) { invoiceEvents(after: $after) { type status reason invoice { number } } }`,
        variables: { after },
      });
      for await (const result of subscription) {
        received.push(result.data!.invoiceEvents);
        if (received.length === 2) break;
      }
    } finally {
      await client.dispose();
    }
    expect(received).toEqual([
      { type: 'SUBMITTED', status: 'APPROVED', reason: null, invoice: { number: 'NDG-7001' } },
      { type: 'DISPUTED', status: 'DISPUTED', reason: 'damaged on arrival', invoice: { number: 'NDG-7001' } },
    ]);
  });
});

const DISPUTE_PAYABLE = `mutation ($id: ID!, $why: String!) { disputeInvoice(id: $id, reason: $why) { id status } }`;
