import { forbidden } from '../../platform/errors.ts';
import { Decimal, money } from '../../platform/money.ts';
import { decodeCursor, pageSize, toPage } from '../../platform/pagination.ts';
import type { Context } from './context.ts';
import type { Resolvers } from './generated/resolvers.ts';
import { invoiceSortKey, listInvoices, type InvoiceRow } from './store.ts';

const today = () => new Date().toISOString().slice(0, 10);
const isOpen = (invoice: InvoiceRow) => !['PAID', 'CANCELLED'].includes(invoice.status);

export const resolvers: Resolvers = {
  Query: {
    invoice: async (_parent, { id }, ctx) => (await ctx.invoices.load(id)) ?? null,
    async invoices(_parent, { kind, status, first, after }, ctx) {
      const size = pageSize(first);
      const cursor = decodeCursor(after, 2) as [string, string] | null;
      const rows = await listInvoices(ctx.db, { kind, status }, ctx.scope, cursor, size + 1);
      return toPage(rows, size, invoiceSortKey);
    },
  },
  Invoice: {
    __resolveReference: async (reference: { id: string }, ctx: Context) =>
      (await ctx.invoices.load(reference.id)) ?? null,
    issuer: (invoice) => ({ id: invoice.issuer_id }),
    recipient: (invoice) => ({ id: invoice.recipient_id }),
    order: (invoice) => (invoice.order_id ? { id: invoice.order_id } : null),
    subtotal: (invoice) => money(invoice.subtotal, invoice.currency),
    taxTotal: (invoice) => money(invoice.tax_total, invoice.currency),
    total: (invoice) => money(invoice.total, invoice.currency),
    balance: (invoice) => money(new Decimal(invoice.total).minus(invoice.paid), invoice.currency),
    issueDate: (invoice) => invoice.issue_date,
    dueDate: (invoice) => invoice.due_date,
    overdue: (invoice) => isOpen(invoice) && invoice.due_date < today(),
  },
  Order: {
    __resolveReference: (reference: { id: string }) => ({ id: reference.id }),
    invoices: (order, _args, ctx) => ctx.invoicesByOrder.load(order.id),
  },
  Partner: {
    __resolveReference: (reference: { id: string }) => ({ id: reference.id }),
    async openBalance(partner, _args, ctx) {
      if (ctx.scope.partyId && ctx.scope.partyId !== partner.id)
        throw forbidden('open balances of other partners');
      const amounts = await ctx.openAmounts.load(partner.id);
      const of = (kind: 'RECEIVABLE' | 'PAYABLE') =>
        amounts.filter((row) => row.kind === kind).map((row) => money(row.open, row.currency));
      return { receivable: of('RECEIVABLE'), payable: of('PAYABLE') };
    },
  },
};
