import { expect } from 'vitest';
import { CONFIRM, CREATE_PO, PLACE_SO, RECEIVE, SHIP, SUBMIT, type Caller } from './orders.ts';
import type { TestStack } from './stack.ts';
import { latestCursor } from '../../platform/events/eventLog.ts';

export const INVOICE_FIELDS = `id number kind status currency issueDate dueDate overdue dunningLevel
  disputeReason cancelReason
  issuer { id } recipient { id } order { id }
  subtotal { amount currency } taxTotal { amount } total { amount } paid { amount } balance { amount currency }
  lines { lineNo orderLineNo sku unit quantity unitPrice { amount } netAmount { amount } taxRate taxAmount { amount } }
  match { status tolerance { quantityPercent quantityAbsolute pricePercent priceAbsolute }
          lines { lineNo orderLineNo sku status orderedQuantity receivedQuantity previouslyInvoicedQuantity
                  invoicedQuantity quantityVariance priceVariance { amount } amountVariance { amount } reasons } }
  approval { justification by }
  payments { reference amount { amount } paidOn }
  reminders { level daysOverdue asOf balance { amount } }`;

export const SUBMIT_INVOICE = `mutation ($input: SupplierInvoiceInput!, $key: String) {
  submitSupplierInvoice(input: $input, idempotencyKey: $key) { ${INVOICE_FIELDS} } }`;
export const REMATCH = `mutation ($id: ID!) { rematchInvoice(id: $id) { ${INVOICE_FIELDS} } }`;
export const ISSUE = `mutation ($orderId: ID!) { issueInvoice(orderId: $orderId) { ${INVOICE_FIELDS} } }`;
export const APPROVE = `mutation ($id: ID!, $why: String!) { approveInvoice(id: $id, justification: $why) { ${INVOICE_FIELDS} } }`;
export const DISPUTE = `mutation ($id: ID!, $why: String!) { disputeInvoice(id: $id, reason: $why) { ${INVOICE_FIELDS} } }`;
export const CANCEL_INVOICE = `mutation ($id: ID!, $why: String!) { cancelInvoice(id: $id, reason: $why) { ${INVOICE_FIELDS} } }`;
export const PAY = `mutation ($input: PaymentInput!) { recordPayment(input: $input) { ${INVOICE_FIELDS} } }`;
export const DUNNING = `mutation ($asOf: String) { runDunning(asOf: $asOf) {
  asOf reminders { level daysOverdue asOf balance { amount currency } invoice { id number } } } }`;
export const TERMS = `mutation ($partnerId: ID!, $input: PaymentTermsInput!) {
  setPaymentTerms(partnerId: $partnerId, input: $input) { partner { id } days taxRate custom } }`;
export const INVOICE = `query ($id: ID!) { invoice(id: $id) { ${INVOICE_FIELDS} } }`;

export interface InvoiceView {
  id: string;
  number: string;
  kind: string;
  status: string;
  currency: string;
  issueDate: string;
  dueDate: string;
  overdue: boolean;
  dunningLevel: number;
  disputeReason: string | null;
  cancelReason: string | null;
  issuer: { id: string };
  recipient: { id: string };
  order: { id: string } | null;
  subtotal: { amount: string; currency: string };
  taxTotal: { amount: string };
  total: { amount: string };
  paid: { amount: string };
  balance: { amount: string; currency: string };
  lines: {
    lineNo: number;
    orderLineNo: number;
    sku: string;
    quantity: string;
    unitPrice: { amount: string };
    netAmount: { amount: string };
    taxRate: string;
    taxAmount: { amount: string };
  }[];
  match: {
    status: string;
    tolerance: Record<string, string | null>;
    lines: {
      lineNo: number;
      orderLineNo: number;
      sku: string;
      status: string;
      orderedQuantity: string;
      receivedQuantity: string;
      previouslyInvoicedQuantity: string;
      invoicedQuantity: string;
      quantityVariance: string;
      priceVariance: { amount: string };
      amountVariance: { amount: string };
      reasons: string[];
    }[];
  } | null;
  approval: { justification: string; by: string } | null;
  payments: { reference: string; amount: { amount: string }; paidOn: string }[];
  reminders: { level: number; daysOverdue: number; asOf: string; balance: { amount: string } }[];
}

export const daysFromToday = (days: number) =>
  new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);

interface OrderLineSpec {
  sku: string;
  quantity: string;
  price: string;
}

/**
 * A purchase order to `supplierId`, submitted, confirmed as asked and shipped in full by the supplier, then
 * received with `accepted` quantities per line (all of it when left out). Waits until invoicing has seen it.
 */
export async function receivedPurchaseOrder(
  stack: TestStack,
  staff: { buyer: Caller; supplier: Caller },
  supplierId: string,
  currency: string,
  lines: OrderLineSpec[],
  accepted?: string[],
): Promise<{ id: string; number: string }> {
  const { createPurchaseOrder: order } = await staff.buyer.ok<{
    createPurchaseOrder: { id: string; number: string };
  }>(CREATE_PO, {
    input: {
      supplierId,
      currency,
      lines: lines.map((line) => ({
        sku: line.sku,
        quantity: line.quantity,
        unitPrice: { amount: line.price, currency },
      })),
    },
  });
  await staff.buyer.ok(SUBMIT, { id: order.id });
  await staff.supplier.ok(CONFIRM, { id: order.id, input: {} });
  const { shipOrder: shipment } = await staff.supplier.ok<{ shipOrder: { id: string } }>(SHIP, {
    id: order.id,
    input: { lines: lines.map((line, index) => ({ lineNo: index + 1, quantity: line.quantity })) },
  });
  await staff.buyer.ok(RECEIVE, {
    id: shipment.id,
    input: accepted ? { lines: accepted.map((quantity, index) => ({ lineNo: index + 1, quantity })) } : {},
  });
  await stack.settled();
  return order;
}

/** A sales order to `customerId`, confirmed and shipped (in full, or `shipped` per line). */
export async function shippedSalesOrder(
  stack: TestStack,
  sales: Caller,
  customerId: string,
  lines: OrderLineSpec[],
  shipped?: string[],
): Promise<{ id: string; number: string }> {
  const { placeSalesOrder: order } = await sales.ok<{ placeSalesOrder: { id: string; number: string } }>(
    PLACE_SO,
    {
      input: {
        customerId,
        currency: 'EUR',
        lines: lines.map((line) => ({
          sku: line.sku,
          quantity: line.quantity,
          unitPrice: { amount: line.price, currency: 'EUR' },
        })),
      },
    },
  );
  await sales.ok(CONFIRM, { id: order.id, input: {} });
  await sales.ok(SHIP, {
    id: order.id,
    input: {
      lines: lines.map((line, index) => ({ lineNo: index + 1, quantity: shipped?.[index] ?? line.quantity })),
    },
  });
  await stack.settled();
  return order;
}

/** Row counts of every invoices table and the event log's end: "nothing changed" is this staying equal. */
export async function invoiceState(stack: TestStack): Promise<Record<string, string>> {
  const tables = await stack.db.one<Record<string, string>>(
    `SELECT (SELECT count(*) FROM invoices.invoice)::text AS invoices,
            (SELECT count(*) FROM invoices.invoice_line)::text AS lines,
            (SELECT count(*) FROM invoices.payment)::text AS payments,
            (SELECT count(*) FROM invoices.dunning_reminder)::text AS reminders,
            (SELECT count(*) FROM invoices.payment_terms)::text AS terms,
            (SELECT COALESCE(sum(paid), 0)::text FROM invoices.invoice) AS paid,
            (SELECT string_agg(status, ',' ORDER BY id) FROM invoices.invoice) AS statuses`,
  );
  return { ...tables, last_event: await latestCursor(stack.db) };
}

/** Runs `work`, which must fail with `code`, and checks that no table or event changed. */
export async function refusedWithoutChange(
  stack: TestStack,
  code: string,
  work: () => Promise<string | undefined>,
): Promise<void> {
  await stack.settled();
  const before = await invoiceState(stack);
  expect(await work()).toBe(code);
  expect(await invoiceState(stack)).toEqual(before);
}
