import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../platform/auth/principal.ts';
import { apiKeyFor, caller, partnerIds, SHIP, type Caller } from './support/orders.ts';
import {
  APPROVE,
  CANCEL_INVOICE,
  DUNNING,
  INVOICE,
  invoiceState,
  ISSUE,
  PAY,
  REMATCH,
  receivedPurchaseOrder,
  shippedSalesOrder,
  SUBMIT_INVOICE,
  TERMS,
  type InvoiceView,
} from './support/invoices.ts';
import { bootStack, type TestStack } from './support/stack.ts';

/**
 * Who may do what with invoices: every mutation and the reads, for every kind of principal. The supplier
 * is the issuer of the payables, the customer the recipient of the receivables, and another partner is
 * party to neither. Each allowed case gets a fresh invoice in the state the mutation needs, so a refusal
 * can only come from authorization, and a refusal must leave every table and the event log unchanged.
 */
type Who = 'admin' | 'finance' | 'buyer' | 'sales' | 'analyst' | 'supplier' | 'customer' | 'other';
const EVERYONE: Who[] = ['admin', 'finance', 'buyer', 'sales', 'analyst', 'supplier', 'customer', 'other'];

type Action =
  | 'submitSupplierInvoice'
  | 'rematchInvoice'
  | 'approveInvoice'
  | 'disputeInvoice (payable)'
  | 'disputeInvoice (receivable)'
  | 'cancelInvoice (payable)'
  | 'cancelInvoice (receivable)'
  | 'issueInvoice'
  | 'recordPayment'
  | 'runDunning'
  | 'setPaymentTerms';

const ALLOWED: Record<Action, Who[]> = {
  submitSupplierInvoice: ['admin', 'finance', 'supplier'],
  rematchInvoice: ['admin', 'finance'],
  approveInvoice: ['admin', 'finance'],
  'disputeInvoice (payable)': ['admin', 'finance'],
  'disputeInvoice (receivable)': ['admin', 'finance', 'customer'],
  'cancelInvoice (payable)': ['admin', 'finance', 'supplier'],
  'cancelInvoice (receivable)': ['admin', 'finance'],
  issueInvoice: ['admin', 'finance', 'sales'],
  recordPayment: ['admin', 'finance'],
  runDunning: ['admin', 'finance'],
  setPaymentTerms: ['admin', 'finance'],
};

type Read = 'a payable' | 'a receivable' | 'the customer’s payment terms';
/** The invoice an action names; one its caller may not read is NOT_FOUND, whatever else it may not do. */
const TARGET: Record<Action, 'a payable' | 'a receivable' | null> = {
  submitSupplierInvoice: null,
  rematchInvoice: 'a payable',
  approveInvoice: 'a payable',
  'disputeInvoice (payable)': 'a payable',
  'disputeInvoice (receivable)': 'a receivable',
  'cancelInvoice (payable)': 'a payable',
  'cancelInvoice (receivable)': 'a receivable',
  issueInvoice: null,
  recordPayment: 'a receivable',
  runDunning: null,
  setPaymentTerms: null,
};
const CAN_READ: Record<Read, Who[]> = {
  'a payable': ['admin', 'finance', 'analyst', 'buyer', 'supplier'],
  'a receivable': ['admin', 'finance', 'analyst', 'sales', 'customer'],
  'the customer’s payment terms': ['admin', 'finance', 'buyer', 'sales', 'analyst', 'customer'],
};

let stack: TestStack;
let callers: Record<Who, Caller>;
let ids: Record<'supplier' | 'customer', string>;
let po: { id: string };
let so: { id: string };
let invoiceNumber = 0;

beforeAll(async () => {
  stack = await bootStack({ seedDemo: true });
  const staff = async (roles: Role[]) => caller(stack, await stack.as(roles));
  const admin = await staff(['admin']);
  const [supplier, customer, other] = (await partnerIds(admin, 'Norte', 'VeloMarkt', 'Iberframe')) as [
    string,
    string,
    string,
  ];
  ids = { supplier, customer };
  callers = {
    admin,
    finance: await staff(['finance']),
    buyer: await staff(['buyer']),
    sales: await staff(['sales']),
    analyst: await staff(['analyst']),
    supplier: await apiKeyFor(stack, admin, supplier),
    customer: await apiKeyFor(stack, admin, customer),
    other: await apiKeyFor(stack, admin, other),
  };
  // Enough received goods for every payable the matrix creates, one unit each.
  po = await receivedPurchaseOrder(
    stack,
    { buyer: callers.buyer, supplier: callers.supplier },
    supplier,
    'EUR',
    [{ sku: 'FRAME-AL-54', quantity: '500', price: '10.00' }],
  );
  // A sales order that ships one unit per receivable the matrix creates.
  so = await shippedSalesOrder(
    stack,
    callers.sales,
    customer,
    [{ sku: 'TYRE-29', quantity: '200', price: '38.00' }],
    ['1'],
  );
});
afterAll(async () => {
  await stack?.close();
});

/** A payable of one frame: APPROVED at the order price, DISPUTED above it. */
async function payable(status: 'APPROVED' | 'DISPUTED'): Promise<string> {
  invoiceNumber += 1;
  const { submitSupplierInvoice } = await callers.supplier.ok<{ submitSupplierInvoice: InvoiceView }>(
    SUBMIT_INVOICE,
    {
      input: {
        number: `ACL-${invoiceNumber}`,
        currency: 'EUR',
        lines: [
          {
            orderId: po.id,
            lineNo: 1,
            quantity: '1',
            unitPrice: status === 'APPROVED' ? '10.00' : '12.00',
            taxRate: '21',
          },
        ],
      },
    },
  );
  expect(submitSupplierInvoice.status).toBe(status);
  return submitSupplierInvoice.id;
}

/** One more unit shipped on the sales order, so there is something to invoice. */
async function shipOne(): Promise<void> {
  await callers.sales.ok(SHIP, { id: so.id, input: { lines: [{ lineNo: 1, quantity: '1' }] } });
  await stack.settled();
}

/** An ISSUED receivable of one unit. */
async function receivable(): Promise<string> {
  await shipOne();
  const { issueInvoice } = await callers.finance.ok<{ issueInvoice: { id: string } }>(ISSUE, {
    orderId: so.id,
  });
  return issueInvoice.id;
}

const CASES: Record<Action, (who: Who) => Promise<{ query: string; variables: Record<string, unknown> }>> = {
  submitSupplierInvoice: async (who) => {
    invoiceNumber += 1;
    return {
      query: SUBMIT_INVOICE,
      variables: {
        input: {
          supplierId: ids.supplier,
          number: `ACL-${who}-${invoiceNumber}`,
          currency: 'EUR',
          lines: [{ orderId: po.id, lineNo: 1, quantity: '1', unitPrice: '10.00', taxRate: '21' }],
        },
      },
    };
  },
  rematchInvoice: async () => ({ query: REMATCH, variables: { id: await payable('DISPUTED') } }),
  approveInvoice: async () => ({
    query: APPROVE,
    variables: { id: await payable('DISPUTED'), why: 'agreed' },
  }),
  'disputeInvoice (payable)': async () => ({
    query: DISPUTE,
    variables: { id: await payable('APPROVED'), why: 'damaged' },
  }),
  'disputeInvoice (receivable)': async () => ({
    query: DISPUTE,
    variables: { id: await receivable(), why: 'not ordered' },
  }),
  'cancelInvoice (payable)': async () => ({
    query: CANCEL_INVOICE,
    variables: { id: await payable('APPROVED'), why: 'sent twice' },
  }),
  'cancelInvoice (receivable)': async () => ({
    query: CANCEL_INVOICE,
    variables: { id: await receivable(), why: 'wrong entity' },
  }),
  issueInvoice: async () => {
    await shipOne();
    return { query: ISSUE, variables: { orderId: so.id } };
  },
  recordPayment: async () => ({
    query: PAY,
    variables: {
      input: { invoiceId: await receivable(), amount: { amount: '1.00', currency: 'EUR' }, reference: 'ACL' },
    },
  }),
  runDunning: async () => ({ query: DUNNING, variables: {} }),
  setPaymentTerms: async () => ({
    query: TERMS,
    variables: { partnerId: ids.customer, input: { days: 20 } },
  }),
};

const DISPUTE = `mutation ($id: ID!, $why: String!) { disputeInvoice(id: $id, reason: $why) { id status } }`;

const matrix = (Object.keys(ALLOWED) as Action[]).flatMap((action) =>
  EVERYONE.map((who) => [action, who, ALLOWED[action].includes(who)] as const),
);

describe('who may do what with invoices', () => {
  it.each(matrix)('%s by %s: allowed %s', async (action, who, allowed) => {
    const { query, variables } = await CASES[action](who);
    await stack.settled();
    const before = await invoiceState(stack);
    const body = await callers[who].raw(query, variables);
    if (allowed) {
      expect(body.errors, JSON.stringify(body.errors)).toBeUndefined();
    } else {
      // A non-party does not learn that the invoice exists; a party or person without the right is refused.
      const target = TARGET[action];
      const invisible = target !== null && !CAN_READ[target].includes(who);
      expect(body.errors?.[0]?.extensions?.code).toBe(invisible ? 'NOT_FOUND' : 'FORBIDDEN');
      expect(await invoiceState(stack)).toEqual(before);
    }
  });

  const reads = (Object.keys(CAN_READ) as Read[]).flatMap((read) =>
    EVERYONE.map((who) => [read, who, CAN_READ[read].includes(who)] as const),
  );
  let payableId: string;
  let receivableId: string;
  beforeAll(async () => {
    payableId = await payable('APPROVED');
    receivableId = await receivable();
  });

  it.each(reads)('reading %s as %s: visible %s', async (read, who, visible) => {
    if (read === 'the customer’s payment terms') {
      const body = await callers[who].raw('query ($id: ID!) { partner(id: $id) { paymentTerms { days } } }', {
        id: ids.customer,
      });
      const partner = body.data?.partner as { paymentTerms: { days: number } | null } | null | undefined;
      // A partner unrelated to the customer finds no such partner (NOT_FOUND); one that sees it, no terms.
      if (!partner) expect(body.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
      expect(partner?.paymentTerms != null).toBe(visible);
      return;
    }
    const id = read === 'a payable' ? payableId : receivableId;
    const { invoice } = await callers[who].ok<{ invoice: { id: string } | null }>(INVOICE, { id });
    expect(invoice?.id === id).toBe(visible);
    const { invoices } = await callers[who].ok<{ invoices: { nodes: { id: string }[] } }>(
      '{ invoices(first: 500) { nodes { id } } }',
    );
    expect(invoices.nodes.some((node) => node.id === id)).toBe(visible);
  });
});
