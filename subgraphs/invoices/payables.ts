import { actorOf, isPartnerPrincipal, type Principal } from '../../platform/auth/principal.ts';
import type { Queryable } from '../../platform/db/database.ts';
import { badInput, conflict, forbidden } from '../../platform/errors.ts';
import { idempotencyKeyOf, idempotent, requestHash } from '../../platform/idempotency.ts';
import { parseAmount, parseCurrency, parseDate, parseQuantity, requireText } from '../../platform/input.ts';
import { Decimal } from '../../platform/money.ts';
import { canRead, invoiceScope, isStaff, requireStaff } from './access.ts';
import { invoiceTotals, lineAmounts, shown, type LineAmounts } from './arithmetic.ts';
import { appendInvoiceEvent, type InvoiceEventName } from './events.ts';
import type { InvoiceStatus, SupplierInvoiceInput } from './generated/resolvers.ts';
import {
  addDays,
  assertMayTake,
  invoiceToActOn,
  parsePastDate,
  parsePercent,
  settledStatus,
} from './lifecycle.ts';
import { disputeReasonOf, threeWayMatch, type LineToMatch, type MatchRecord } from './matching.ts';
import { lockOrderLines, orderFacts, type OrderFactRow, type OrderLineFactRow } from './projection.ts';
import type { InvoiceSettings } from './settings.ts';
import {
  insertInvoice,
  invoiceByIdempotencyKey,
  invoiceByNumber,
  invoicedQuantities,
  lineKey,
  linesByInvoiceIds,
  termsOf,
  updateInvoice,
  type InvoiceChange,
  type InvoiceRow,
  type NewInvoice,
} from './store.ts';

/**
 * Supplier invoices (payables): submitted by the supplier or entered by finance on its behalf, matched
 * three ways at once, approved when they match and disputed with reasons when they do not.
 */

const MAX_LINES = 1000;
const MAX_NUMBER_LENGTH = 64;

/** Payables that count as invoiced when the next invoice for the same order line is matched. */
const ACCEPTED: readonly InvoiceStatus[] = ['APPROVED', 'PARTIALLY_PAID', 'PAID'];

interface ParsedLine {
  orderId: string;
  lineNo: number;
  quantity: Decimal;
  unitPrice: Decimal;
  taxRate: Decimal;
  description: string | null;
}

/** Who issues the invoice: a supplier for itself, or finance and admins naming the supplier. */
function issuerOf(principal: Principal, supplierId: string | null | undefined): string {
  if (isPartnerPrincipal(principal)) {
    if (supplierId && supplierId !== principal.partnerId) {
      throw forbidden('a supplier submits its own invoices only');
    }
    return principal.partnerId;
  }
  if (!isStaff(principal, 'admin', 'finance')) {
    throw forbidden('supplier invoices are submitted by the supplier or entered by finance');
  }
  if (!supplierId)
    throw badInput('supplierId is required when finance enters an invoice', { field: 'supplierId' });
  return supplierId;
}

function parseLines(input: SupplierInvoiceInput): ParsedLine[] {
  if (input.lines.length === 0) throw badInput('an invoice needs at least one line', { field: 'lines' });
  if (input.lines.length > MAX_LINES) {
    throw badInput(`an invoice has at most ${MAX_LINES} lines`, { field: 'lines' });
  }
  const seen = new Set<string>();
  return input.lines.map((line, index) => {
    const field = `lines[${index}]`;
    const key = lineKey(line.orderId, line.lineNo);
    if (seen.has(key)) {
      throw badInput(`${field}: order line ${line.lineNo} of ${line.orderId} is billed twice`, {
        field: `${field}.lineNo`,
      });
    }
    seen.add(key);
    return {
      orderId: requireText(line.orderId, `${field}.orderId`),
      lineNo: line.lineNo,
      quantity: parseQuantity(line.quantity, `${field}.quantity`),
      unitPrice: parseAmount(line.unitPrice, `${field}.unitPrice`),
      taxRate: parsePercent(line.taxRate, `${field}.taxRate`),
      description: line.description?.trim() || null,
    };
  });
}

/** The content a resubmission must repeat exactly: what the supplier stated, in canonical decimal form. */
function contentHash(issuerId: string, input: SupplierInvoiceInput, lines: readonly ParsedLine[]): string {
  return requestHash({
    issuerId,
    number: input.number.trim(),
    currency: input.currency,
    issueDate: input.issueDate ?? null,
    dueDate: input.dueDate ?? null,
    lines: lines.map((line) => ({
      orderId: line.orderId,
      lineNo: line.lineNo,
      quantity: line.quantity.toString(),
      unitPrice: line.unitPrice.toString(),
      taxRate: line.taxRate.toString(),
      description: line.description,
    })),
  });
}

/** The order line each invoice line bills; unknown lines, or lines of another supplier's orders, are refused. */
function billedOrderLines(
  lines: readonly ParsedLine[],
  orders: Map<string, OrderFactRow>,
  orderLines: Map<string, OrderLineFactRow>,
  issuerId: string,
  currency: string,
): OrderLineFactRow[] {
  return lines.map((line, index) => {
    const field = `lines[${index}]`;
    const order = orders.get(line.orderId);
    if (!order || order.kind !== 'PURCHASE' || order.seller_id !== issuerId) {
      throw badInput(
        `${field}: unknown order line: ${line.orderId} is not a purchase order to this supplier`,
        {
          field: `${field}.orderId`,
        },
      );
    }
    const orderLine = orderLines.get(lineKey(line.orderId, line.lineNo));
    if (!orderLine) {
      throw badInput(`${field}: unknown order line: order ${order.number} has no line ${line.lineNo}`, {
        field: `${field}.lineNo`,
      });
    }
    if (order.currency !== currency) {
      throw badInput(`the invoice is in ${currency} but order ${order.number} is in ${order.currency}`, {
        field: 'currency',
      });
    }
    return orderLine;
  });
}

/** Totals printed on the invoice must be what its lines add up to, under the one rounding rule. */
function checkStatedTotals(
  input: SupplierInvoiceInput,
  amounts: readonly LineAmounts[],
  currency: string,
): void {
  const computed = invoiceTotals(amounts);
  const stated = {
    subtotal: input.subtotal,
    taxTotal: input.taxTotal,
    total: input.total,
  };
  for (const field of ['subtotal', 'taxTotal', 'total'] as const) {
    const value = stated[field];
    if (value === null || value === undefined) continue;
    const given = parseAmount(value, field);
    if (!given.eq(computed[field])) {
      throw badInput(
        `${field} ${value} ${currency} does not match the lines: they add up to ${shown(computed[field], currency)} ` +
          '(each line rounded half up to the minor unit, then summed)',
        { field, expected: shown(computed[field], currency) },
      );
    }
  }
  if (
    stated.subtotal !== null &&
    stated.subtotal !== undefined &&
    stated.taxTotal !== null &&
    stated.taxTotal !== undefined &&
    stated.total !== null &&
    stated.total !== undefined &&
    !new Decimal(stated.subtotal).plus(stated.taxTotal).eq(stated.total)
  ) {
    throw badInput('total must equal subtotal + taxTotal', { field: 'total' });
  }
}

async function matchAgainstOrders(
  tx: Queryable,
  lines: readonly { orderId: string; lineNo: number; quantity: string; unitPrice: string }[],
  orders: Map<string, OrderFactRow>,
  orderLines: Map<string, OrderLineFactRow>,
  currency: string,
  settings: InvoiceSettings,
  excludeInvoiceId: string | null,
): Promise<MatchRecord> {
  const keys = lines.map((line) => ({ orderId: line.orderId, lineNo: line.lineNo }));
  const invoiced = await invoicedQuantities(tx, keys, 'PAYABLE', ACCEPTED, excludeInvoiceId);
  const toMatch: LineToMatch[] = lines.map((line, index) => {
    const orderLine = orderLines.get(lineKey(line.orderId, line.lineNo))!;
    return {
      lineNo: index + 1,
      orderId: line.orderId,
      orderNumber: orders.get(line.orderId)!.number,
      orderLineNo: line.lineNo,
      sku: orderLine.sku,
      unit: orderLine.unit,
      orderedQuantity: orderLine.quantity,
      receivedQuantity: orderLine.received_quantity,
      previouslyInvoicedQuantity: invoiced.get(lineKey(line.orderId, line.lineNo)) ?? '0',
      invoicedQuantity: line.quantity,
      orderUnitPrice: orderLine.unit_price,
      invoicedUnitPrice: line.unitPrice,
    };
  });
  return threeWayMatch(toMatch, currency, settings.tolerance, new Date());
}

async function loadOrders(tx: Queryable, orderIds: readonly string[]) {
  const distinct = [...new Set(orderIds)];
  const [orders, lines] = await Promise.all([orderFacts(tx, distinct), lockOrderLines(tx, distinct)]);
  return {
    orders: new Map(orders.map((order) => [order.order_id, order])),
    orderLines: new Map(lines.map((line) => [lineKey(line.order_id, line.line_no), line])),
  };
}

/** An earlier submission under the same key or number, with other content. */
function differentContent(earlier: InvoiceRow, what: string) {
  return conflict(`${what} was already used for invoice ${earlier.number} with different content`, {
    invoiceId: earlier.id,
  });
}

/** A submission parsed and its sender checked, before anything is locked. */
interface Submission {
  input: SupplierInvoiceInput;
  issuerId: string;
  number: string;
  currency: string;
  issueDate: string;
  dueDate: string | null;
  lines: ParsedLine[];
  /** Of the content a resubmission must repeat exactly. */
  hash: string;
}

type Idempotency = ReturnType<typeof idempotencyKeyOf>;

function parseSubmission(principal: Principal, input: SupplierInvoiceInput, today: string): Submission {
  const issuerId = issuerOf(principal, input.supplierId);
  const number = requireText(input.number, 'number');
  if (number.length > MAX_NUMBER_LENGTH) {
    throw badInput(`number is at most ${MAX_NUMBER_LENGTH} characters`, { field: 'number' });
  }
  const currency = parseCurrency(input.currency, 'currency');
  const issueDate =
    input.issueDate === null || input.issueDate === undefined
      ? today
      : parsePastDate(input.issueDate, 'issueDate', today);
  const dueDate =
    input.dueDate === null || input.dueDate === undefined ? null : parseDate(input.dueDate, 'dueDate');
  if (dueDate !== null && dueDate < issueDate) {
    throw badInput(`dueDate ${dueDate} is before the issue date ${issueDate}`, { field: 'dueDate' });
  }
  const lines = parseLines(input);
  const hash = contentHash(issuerId, { ...input, number }, lines);
  return { input, issuerId, number, currency, issueDate, dueDate, lines, hash };
}

export async function submitSupplierInvoice(
  tx: Queryable,
  principal: Principal,
  input: SupplierInvoiceInput,
  idempotencyKey: string | null | undefined,
  settings: InvoiceSettings,
  today: string,
): Promise<InvoiceRow> {
  const submission = parseSubmission(principal, input, today);
  const idempotency = idempotencyKeyOf(principal, idempotencyKey);
  return once(tx, submission, idempotency, () =>
    recordPayable(tx, principal, submission, idempotency, settings),
  );
}

/**
 * Creates the invoice unless an earlier submission did: under the same idempotency key, or with the same
 * number (a supplier's invoice number is a key of its own). The same content again returns that invoice;
 * other content is a conflict.
 */
function once(
  tx: Queryable,
  { issuerId, number, hash }: Submission,
  idempotency: Idempotency,
  create: () => Promise<InvoiceRow>,
): Promise<InvoiceRow> {
  const earlierOf = (earlier: InvoiceRow | undefined) =>
    earlier && { result: earlier, requestHash: earlier.request_hash };
  const byNumber = () =>
    idempotent(
      tx,
      {
        lock: `invoice:${issuerId}:${number}`,
        find: async () => earlierOf(await invoiceByNumber(tx, issuerId, number)),
        requestHash: hash,
        conflict: (earlier) => differentContent(earlier, `number ${number}`),
      },
      create,
    );
  if (!idempotency) return byNumber();
  const { scope, key } = idempotency;
  return idempotent(
    tx,
    {
      lock: `invoice-key:${scope}:${key}`,
      find: async () => earlierOf(await invoiceByIdempotencyKey(tx, scope, key)),
      requestHash: hash,
      conflict: (earlier) => differentContent(earlier, `idempotency key ${key}`),
    },
    byNumber,
  );
}

/** Locks the order lines the invoice bills, writes the invoice as they match it, and appends its event. */
async function recordPayable(
  tx: Queryable,
  principal: Principal,
  submission: Submission,
  idempotency: Idempotency,
  settings: InvoiceSettings,
): Promise<InvoiceRow> {
  const { orders, orderLines } = await loadOrders(
    tx,
    submission.lines.map((line) => line.orderId),
  );
  const payable = await payableOf(tx, submission, orders, orderLines, settings);
  const invoice = await insertInvoice(tx, { ...payable, idempotency }, principal.subject);
  await appendInvoiceEvent(tx, 'InvoiceSubmitted', invoice, actorOf(principal), {
    matchStatus: payable.match.status,
    reason: invoice.dispute_reason,
  });
  return invoice;
}

/**
 * The invoice to write: its lines priced under the rounding rule and checked against the totals it states,
 * then matched three ways; it is approved when it matches and disputed with the reasons when it does not.
 */
async function payableOf(
  tx: Queryable,
  { input, issuerId, number, currency, issueDate, dueDate, lines, hash }: Submission,
  orders: Map<string, OrderFactRow>,
  orderLines: Map<string, OrderLineFactRow>,
  settings: InvoiceSettings,
): Promise<Omit<NewInvoice, 'idempotency'> & { match: MatchRecord }> {
  const billed = billedOrderLines(lines, orders, orderLines, issuerId, currency);
  const amounts = lines.map((line) => lineAmounts(line.quantity, line.unitPrice, line.taxRate, currency));
  checkStatedTotals(input, amounts, currency);
  const totals = invoiceTotals(amounts);

  const match = await matchAgainstOrders(
    tx,
    lines.map((line) => ({
      orderId: line.orderId,
      lineNo: line.lineNo,
      quantity: line.quantity.toString(),
      unitPrice: line.unitPrice.toString(),
    })),
    orders,
    orderLines,
    currency,
    settings,
    null,
  );
  const [terms] = await termsOf(tx, [issuerId]);
  const distinctOrders = [...new Set(lines.map((line) => line.orderId))];
  return {
    number,
    kind: 'PAYABLE',
    status: match.status === 'MATCHED' ? 'APPROVED' : 'DISPUTED',
    issuerId,
    recipientId: orders.get(lines[0]!.orderId)!.buyer_id,
    orderId: distinctOrders.length === 1 ? distinctOrders[0]! : null,
    currency,
    subtotal: totals.subtotal.toString(),
    taxTotal: totals.taxTotal.toString(),
    total: totals.total.toString(),
    issueDate,
    dueDate: dueDate ?? addDays(issueDate, terms?.days ?? settings.defaultPaymentDays),
    match,
    disputeReason: disputeReasonOf(match),
    requestHash: hash,
    lines: lines.map((line, index) => ({
      orderId: line.orderId,
      orderLineNo: line.lineNo,
      sku: billed[index]!.sku,
      unit: billed[index]!.unit,
      description: line.description,
      quantity: line.quantity.toString(),
      unitPrice: line.unitPrice.toString(),
      netAmount: amounts[index]!.net.toString(),
      taxRate: line.taxRate.toString(),
      taxAmount: amounts[index]!.tax.toString(),
    })),
  };
}

/** The invoice, locked, when this principal may see it; NOT_FOUND otherwise, as for no invoice at all. */
const visibleInvoice = (tx: Queryable, principal: Principal, id: string) =>
  invoiceToActOn(tx, id, (row) => canRead(invoiceScope(principal), row));

/** Writes a step's change to the invoice and appends its event with the reason the actor gave. */
async function recordStep(
  tx: Queryable,
  principal: Principal,
  id: string,
  change: InvoiceChange,
  type: InvoiceEventName,
  reason: string,
): Promise<InvoiceRow> {
  const updated = await updateInvoice(tx, id, change);
  await appendInvoiceEvent(tx, type, updated, actorOf(principal), { reason });
  return updated;
}

/** Finance runs the match of a disputed payable again, for instance once the missing goods have arrived. */
export async function rematchInvoice(
  tx: Queryable,
  principal: Principal,
  id: string,
  settings: InvoiceSettings,
): Promise<InvoiceRow> {
  const invoice = await visibleInvoice(tx, principal, id);
  requireStaff(principal, 'matching an invoice again', 'admin', 'finance');
  if (invoice.kind !== 'PAYABLE') {
    throw badInput(`invoice ${invoice.number} is ours to a customer: only supplier invoices are matched`);
  }
  assertMayTake(invoice, 'rematch');
  const lines = await linesByInvoiceIds(tx, [id]);
  const { orders, orderLines } = await loadOrders(
    tx,
    lines.map((line) => line.order_id),
  );
  const match = await matchAgainstOrders(
    tx,
    lines.map((line) => ({
      orderId: line.order_id,
      lineNo: line.order_line_no,
      quantity: line.quantity,
      unitPrice: line.unit_price,
    })),
    orders,
    orderLines,
    invoice.currency,
    settings,
    id,
  );
  const matched = match.status === 'MATCHED';
  const updated = await updateInvoice(tx, id, {
    status: matched ? settledStatus('PAYABLE', invoice.paid, invoice.total) : 'DISPUTED',
    match,
    disputeReason: matched ? null : disputeReasonOf(match),
  });
  await appendInvoiceEvent(tx, 'InvoiceRematched', updated, actorOf(principal), {
    matchStatus: match.status,
    reason: updated.dispute_reason,
  });
  return updated;
}

/** Finance clears a disputed invoice and says why; the variances stay on record beside the justification. */
export async function approveInvoice(
  tx: Queryable,
  principal: Principal,
  id: string,
  justification: string,
): Promise<InvoiceRow> {
  const invoice = await visibleInvoice(tx, principal, id);
  requireStaff(principal, 'approving a disputed invoice', 'admin', 'finance');
  const why = requireText(justification, 'justification');
  assertMayTake(invoice, 'approve');
  const change = {
    status: settledStatus(invoice.kind, invoice.paid, invoice.total),
    approval: { justification: why, by: principal.subject },
  };
  return recordStep(tx, principal, id, change, 'InvoiceApproved', why);
}

/**
 * Holds an invoice: finance any open one (a payable from payment, a receivable from dunning), a customer
 * the invoices addressed to it.
 */
export async function disputeInvoice(
  tx: Queryable,
  principal: Principal,
  id: string,
  reason: string,
): Promise<InvoiceRow> {
  const why = requireText(reason, 'reason');
  const invoice = await visibleInvoice(tx, principal, id);
  const isCustomer =
    isPartnerPrincipal(principal) &&
    invoice.kind === 'RECEIVABLE' &&
    invoice.recipient_id === principal.partnerId;
  if (!isCustomer && !isStaff(principal, 'admin', 'finance')) {
    throw forbidden('an invoice is disputed by finance, or by the customer it is addressed to');
  }
  assertMayTake(invoice, 'dispute');
  return recordStep(tx, principal, id, { status: 'DISPUTED', disputeReason: why }, 'InvoiceDisputed', why);
}

/** Withdraws an invoice nothing has been paid on: finance any, a supplier its own payable. */
export async function cancelInvoice(
  tx: Queryable,
  principal: Principal,
  id: string,
  reason: string,
): Promise<InvoiceRow> {
  const why = requireText(reason, 'reason');
  const invoice = await visibleInvoice(tx, principal, id);
  const isIssuingSupplier =
    isPartnerPrincipal(principal) && invoice.kind === 'PAYABLE' && invoice.issuer_id === principal.partnerId;
  if (!isIssuingSupplier && !isStaff(principal, 'admin', 'finance')) {
    throw forbidden('an invoice is cancelled by finance, or by the supplier that issued it');
  }
  assertMayTake(invoice, 'cancel');
  if (!new Decimal(invoice.paid).isZero()) {
    throw conflict(`invoice ${invoice.number} has payments recorded and cannot be cancelled`, {
      status: invoice.status,
    });
  }
  return recordStep(tx, principal, id, { status: 'CANCELLED', cancelReason: why }, 'InvoiceCancelled', why);
}
