import { actorOf, type Principal } from '../../platform/auth/principal.ts';
import type { Queryable } from '../../platform/db/database.ts';
import { appendEvent } from '../../platform/events/eventLog.ts';
import { badInput, conflict, notFound } from '../../platform/errors.ts';
import { Decimal } from '../../platform/money.ts';
import { requireStaff } from './access.ts';
import { invoiceTotals, lineAmounts } from './arithmetic.ts';
import { appendInvoiceEvent } from './events.ts';
import type { InvoiceStatus, PaymentTermsInput } from './generated/resolvers.ts';
import { addDays, parsePercent } from './lifecycle.ts';
import { lockOrderLines, orderFacts, partyById } from './projection.ts';
import type { InvoiceSettings } from './settings.ts';
import {
  insertInvoice,
  invoicedQuantities,
  lineKey,
  nextInvoiceNumber,
  saveTerms,
  termsOf,
  type InvoiceRow,
  type PaymentTermsRow,
} from './store.ts';

/**
 * Our invoices to customers (receivables). `issueInvoice` bills what a sales order has shipped and no
 * invoice has billed yet: called after each shipment it invoices per shipment, called once at the end it
 * invoices the whole order, and it never bills a quantity twice. Goods are invoiced when they ship, since
 * that is when the sale is made; waiting for the whole order would leave shipped goods unbilled.
 */

/** Order statuses in which something has shipped. */
const SHIPPED: readonly string[] = [
  'PARTIALLY_SHIPPED',
  'SHIPPED',
  'PARTIALLY_RECEIVED',
  'RECEIVED',
  'CLOSED',
];
/** Receivables that have billed their quantities (a disputed one too: it is corrected, not re-billed). */
const BILLED: readonly InvoiceStatus[] = ['ISSUED', 'DISPUTED', 'PARTIALLY_PAID', 'PAID'];
export const RECEIVABLE_SERIES = 'AR';

/** The terms a partner is given: its own when set, the system's defaults otherwise. */
export async function paymentTermsFor(
  db: Queryable,
  partnerIds: readonly string[],
  settings: InvoiceSettings,
): Promise<PaymentTermsRow[]> {
  const own = new Map((await termsOf(db, partnerIds)).map((terms) => [terms.partner_id, terms]));
  return partnerIds.map((id) => {
    const terms = own.get(id);
    return terms
      ? { ...terms, custom: true }
      : {
          partner_id: id,
          days: settings.defaultPaymentDays,
          tax_rate: settings.defaultTaxRate,
          custom: false,
        };
  });
}

export async function issueInvoice(
  tx: Queryable,
  principal: Principal,
  orderId: string,
  settings: InvoiceSettings,
  /** The invoice date: today, unless the demo seed dates one in the past. */
  issueDate: string,
): Promise<InvoiceRow> {
  requireStaff(principal, 'invoicing a customer', 'admin', 'finance', 'sales');
  const [order] = await orderFacts(tx, [orderId]);
  if (!order) throw notFound('order', orderId);
  if (order.kind !== 'SALES') {
    throw badInput(`order ${order.number} is a purchase order: its supplier invoices it`, {
      field: 'orderId',
    });
  }
  if (!SHIPPED.includes(order.status)) {
    throw conflict(`order ${order.number} is ${order.status}: nothing has shipped to invoice`, {
      status: order.status,
    });
  }
  const lines = await lockOrderLines(tx, [orderId]);
  const billed = await invoicedQuantities(
    tx,
    lines.map((line) => ({ orderId, lineNo: line.line_no })),
    'RECEIVABLE',
    BILLED,
    null,
  );
  const toBill = lines
    .map((line) => ({
      line,
      quantity: new Decimal(line.shipped_quantity).minus(billed.get(lineKey(orderId, line.line_no)) ?? 0),
    }))
    .filter(({ quantity }) => quantity.gt(0));
  if (toBill.length === 0) {
    throw conflict(`everything shipped on order ${order.number} has been invoiced`, { status: order.status });
  }

  const [terms] = await paymentTermsFor(tx, [order.buyer_id], settings);
  const amounts = toBill.map(({ line, quantity }) =>
    lineAmounts(quantity, line.unit_price, terms!.tax_rate, order.currency),
  );
  const totals = invoiceTotals(amounts);
  const invoice = await insertInvoice(
    tx,
    {
      number: await nextInvoiceNumber(tx, RECEIVABLE_SERIES, Number.parseInt(issueDate.slice(0, 4), 10)),
      kind: 'RECEIVABLE',
      status: 'ISSUED',
      issuerId: order.seller_id,
      recipientId: order.buyer_id,
      orderId,
      currency: order.currency,
      subtotal: totals.subtotal.toString(),
      taxTotal: totals.taxTotal.toString(),
      total: totals.total.toString(),
      issueDate,
      dueDate: addDays(issueDate, terms!.days),
      match: null,
      disputeReason: null,
      requestHash: null,
      idempotency: null,
      lines: toBill.map(({ line, quantity }, index) => ({
        orderId,
        orderLineNo: line.line_no,
        sku: line.sku,
        unit: line.unit,
        description: null,
        quantity: quantity.toString(),
        unitPrice: line.unit_price,
        netAmount: amounts[index]!.net.toString(),
        taxRate: terms!.tax_rate,
        taxAmount: amounts[index]!.tax.toString(),
      })),
    },
    principal.subject,
  );
  await appendInvoiceEvent(tx, 'InvoiceIssued', invoice, actorOf(principal));
  return invoice;
}

const MAX_PAYMENT_DAYS = 365;

export async function setPaymentTerms(
  tx: Queryable,
  principal: Principal,
  partnerId: string,
  input: PaymentTermsInput,
  settings: InvoiceSettings,
): Promise<PaymentTermsRow> {
  requireStaff(principal, 'setting payment terms', 'admin', 'finance');
  if (!Number.isInteger(input.days) || input.days < 0 || input.days > MAX_PAYMENT_DAYS) {
    throw badInput(`days must be a whole number from 0 to ${MAX_PAYMENT_DAYS}`, { field: 'days' });
  }
  const taxRate =
    input.taxRate === null || input.taxRate === undefined
      ? settings.defaultTaxRate
      : parsePercent(input.taxRate, 'taxRate').toString();
  const partner = await partyById(tx, partnerId);
  if (!partner || partner.is_self) throw badInput(`unknown partner ${partnerId}`, { field: 'partnerId' });
  await saveTerms(tx, { partnerId, days: input.days, taxRate }, principal.subject);
  await appendEvent(tx, {
    type: 'PaymentTermsSet',
    aggregateType: 'PaymentTerms',
    aggregateId: partnerId,
    parties: [partnerId],
    actor: principal.subject,
    payload: { partnerId, days: input.days, taxRate },
  });
  return { partner_id: partnerId, days: input.days, tax_rate: taxRate, custom: true };
}
