import { isPartnerPrincipal } from '../../platform/auth/principal.ts';
import { INVOICE_EVENTS } from '../../platform/events/contract.ts';
import { subscribeToEvents } from '../../platform/events/subscription.ts';
import { Decimal, money, unitPrice } from '../../platform/money.ts';
import { decodeCursor, pageSize, toPage } from '../../platform/pagination.ts';
import { canRead } from './access.ts';
import type { Context } from './context.ts';
import {
  cancelInvoice,
  approveInvoice,
  disputeInvoice,
  rematchInvoice,
  submitSupplierInvoice,
} from './payables.ts';
import { runDunning } from './dunning.ts';
import { EVENT_TYPES, invoiceEventOf, type InvoiceEventRow } from './events.ts';
import type { Resolvers } from './generated/resolvers.ts';
import { todayUtc } from '../../platform/dates.ts';
import { recordPayment } from './payments.ts';
import { issueInvoice, setPaymentTerms } from './receivables.ts';
import { COLLECTIBLE, invoiceSortKey, listInvoices, type InvoiceRow } from './store.ts';

const balanceOf = (invoice: InvoiceRow) => new Decimal(invoice.total).minus(invoice.paid);

/** Open, not held, and past its due date: what a clerk chases (or pays) first. */
const isOverdue = (invoice: InvoiceRow, today: string) =>
  COLLECTIBLE.includes(invoice.status) && invoice.due_date < today;

export const resolvers: Resolvers = {
  Query: {
    invoice: async (_parent, { id }, ctx) => (await ctx.invoices.load(id)) ?? null,
    async invoices(_parent, { kind, status, overdue, first, after }, ctx) {
      const size = pageSize(first);
      const cursor = decodeCursor(after, ['timestamp', 'text']) as [string, string] | null;
      const rows = await listInvoices(
        ctx.db,
        {
          kind,
          status,
          overdue: overdue === null || overdue === undefined ? null : { asOf: todayUtc(), value: overdue },
        },
        ctx.scope,
        cursor,
        size + 1,
      );
      for (const row of rows) ctx.invoices.prime(row.id, row);
      return toPage(rows, size, invoiceSortKey);
    },
  },
  Mutation: {
    submitSupplierInvoice: (_parent, { input, idempotencyKey }, ctx) =>
      ctx.db.transaction((tx) =>
        submitSupplierInvoice(tx, ctx.principal, input, idempotencyKey, ctx.settings, todayUtc()),
      ),
    rematchInvoice: (_parent, { id }, ctx) =>
      ctx.db.transaction((tx) => rematchInvoice(tx, ctx.principal, id, ctx.settings)),
    issueInvoice: (_parent, { orderId }, ctx) =>
      ctx.db.transaction((tx) => issueInvoice(tx, ctx.principal, orderId, ctx.settings, todayUtc())),
    approveInvoice: (_parent, { id, justification }, ctx) =>
      ctx.db.transaction((tx) => approveInvoice(tx, ctx.principal, id, justification)),
    disputeInvoice: (_parent, { id, reason }, ctx) =>
      ctx.db.transaction((tx) => disputeInvoice(tx, ctx.principal, id, reason)),
    cancelInvoice: (_parent, { id, reason }, ctx) =>
      ctx.db.transaction((tx) => cancelInvoice(tx, ctx.principal, id, reason)),
    recordPayment: (_parent, { input }, ctx) =>
      ctx.db.transaction((tx) => recordPayment(tx, ctx.principal, input, todayUtc())),
    runDunning: (_parent, { asOf }, ctx) =>
      ctx.db.transaction((tx) => runDunning(tx, ctx.principal, asOf, ctx.settings, todayUtc())),
    setPaymentTerms: (_parent, { partnerId, input }, ctx) =>
      ctx.db.transaction((tx) => setPaymentTerms(tx, ctx.principal, partnerId, input, ctx.settings)),
  },
  Subscription: {
    invoiceEvents: {
      subscribe: (_parent, { after }, ctx) =>
        subscribeToEvents(ctx.events, {
          after,
          filter: {
            types: INVOICE_EVENTS,
            aggregateType: 'Invoice',
            ...(ctx.scope.partyId ? { party: ctx.scope.partyId } : {}),
          },
          visible: (event) => {
            const { kind, issuerId, recipientId } = invoiceEventOf(event).payload;
            return canRead(ctx.scope, { kind, issuer_id: issuerId, recipient_id: recipientId });
          },
          toPayload: invoiceEventOf,
        }),
      resolve: (event: InvoiceEventRow) => event,
    },
  },
  Invoice: {
    __resolveReference: async (reference: { id: string }, ctx: Context) =>
      (await ctx.invoices.load(reference.id)) ?? null,
    issuer: (invoice) => ({ id: invoice.issuer_id }),
    recipient: (invoice) => ({ id: invoice.recipient_id }),
    order: (invoice) => (invoice.order_id ? { id: invoice.order_id } : null),
    lines: (invoice, _args, ctx) => ctx.lines.load(invoice.id),
    subtotal: (invoice) => money(invoice.subtotal, invoice.currency),
    taxTotal: (invoice) => money(invoice.tax_total, invoice.currency),
    total: (invoice) => money(invoice.total, invoice.currency),
    paid: (invoice) => money(invoice.paid, invoice.currency),
    balance: (invoice) => money(balanceOf(invoice), invoice.currency),
    issueDate: (invoice) => invoice.issue_date,
    dueDate: (invoice) => invoice.due_date,
    overdue: (invoice) => isOverdue(invoice, todayUtc()),
    match: (invoice) => invoice.match,
    disputeReason: (invoice) => invoice.dispute_reason,
    approval: (invoice) =>
      invoice.approval_justification && invoice.approved_by && invoice.approved_at
        ? {
            justification: invoice.approval_justification,
            by: invoice.approved_by,
            at: invoice.approved_at.toISOString(),
          }
        : null,
    cancelReason: (invoice) => invoice.cancel_reason,
    payments: (invoice, _args, ctx) => ctx.payments.load(invoice.id),
    reminders: (invoice, _args, ctx) => ctx.reminders.load(invoice.id),
    dunningLevel: (invoice) => invoice.dunning_level,
    createdAt: (invoice) => invoice.created_at.toISOString(),
  },
  InvoiceLine: {
    lineNo: (line) => line.line_no,
    order: (line) => ({ id: line.order_id }),
    orderLineNo: (line) => line.order_line_no,
    unitPrice: (line) => unitPrice(line.unit_price, line.currency),
    netAmount: (line) => money(line.net_amount, line.currency),
    taxRate: (line) => line.tax_rate,
    taxAmount: (line) => money(line.tax_amount, line.currency),
    total: (line) => money(new Decimal(line.net_amount).plus(line.tax_amount), line.currency),
  },
  LineMatch: {
    order: (line) => ({ id: line.orderId }),
    orderUnitPrice: (line) => unitPrice(line.orderUnitPrice, line.currency),
    invoicedUnitPrice: (line) => unitPrice(line.invoicedUnitPrice, line.currency),
    priceVariance: (line) => unitPrice(line.priceVariance, line.currency),
    amountVariance: (line) => money(line.amountVariance, line.currency),
  },
  Payment: {
    amount: (payment) => money(payment.amount, payment.currency),
    paidOn: (payment) => payment.paid_on,
    recordedBy: (payment) => payment.recorded_by,
    recordedAt: (payment) => payment.recorded_at.toISOString(),
  },
  DunningReminder: {
    invoice: async (reminder, _args, ctx) => (await ctx.invoices.load(reminder.invoice_id))!,
    daysOverdue: (reminder) => reminder.days_overdue,
    asOf: (reminder) => reminder.as_of,
    balance: (reminder) => money(reminder.balance, reminder.currency),
    sentAt: (reminder) => reminder.sent_at.toISOString(),
  },
  PaymentTerms: {
    partner: (terms) => ({ id: terms.partner_id }),
    taxRate: (terms) => terms.tax_rate,
  },
  InvoiceEvent: {
    type: (event) => EVENT_TYPES[event.type],
    at: (event) => event.occurred_at.toISOString(),
    status: (event) => event.payload.status,
    level: (event) => event.payload.level ?? null,
    amount: (event) =>
      event.payload.amount === undefined ? null : money(event.payload.amount, event.payload.currency),
    balance: (event) => money(event.payload.balance, event.payload.currency),
    reason: (event) => event.payload.reason ?? null,
    invoice: async (event, _args, ctx) => (await ctx.invoices.load(event.invoice_id))!,
  },
  Order: {
    __resolveReference: (reference: { id: string }) => ({ id: reference.id }),
    invoices: (order, _args, ctx) => ctx.invoicesOfOrder.load(order.id),
  },
  Partner: {
    __resolveReference: (reference: { id: string }) => ({ id: reference.id }),
    async openBalance(partner, _args, ctx) {
      const amounts = await ctx.openAmounts.load(partner.id);
      const of = (kind: 'RECEIVABLE' | 'PAYABLE') =>
        amounts.filter((row) => row.kind === kind).map((row) => money(row.open, row.currency));
      return { receivable: of('RECEIVABLE'), payable: of('PAYABLE') };
    },
    /** The company's people see any partner's terms; a partner its own only. */
    paymentTerms: (partner, _args, ctx) =>
      isPartnerPrincipal(ctx.principal) && ctx.principal.partnerId !== partner.id
        ? null
        : ctx.terms.load(partner.id),
  },
};
