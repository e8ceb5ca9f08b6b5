import DataLoader from 'dataloader';
import { money, Decimal } from '../../platform/money.ts';
import { decodeCursor, pageSize, toPage } from '../../platform/pagination.ts';
import { groupBy } from '../../platform/loaders.ts';
import { canRead, orderScope } from './access.ts';
import type { Context } from './context.ts';
import type { OrderStatus, Resolvers } from './generated/resolvers.ts';
import { listOrders, orderSortKey, ordersForPartners, type OrderRow } from './store.ts';

/** `Partner.orders` over a list of partners: one statement per distinct argument set, not per partner. */
function partnerOrdersLoader(
  ctx: Context,
  status: OrderStatus | null,
  after: [string, string] | null,
  limit: number,
) {
  const key = JSON.stringify([status, after, limit]);
  let loader = ctx.partnerOrders.get(key);
  if (!loader) {
    loader = new DataLoader<string, OrderRow[]>(async (partnerIds) =>
      groupBy(
        partnerIds,
        await ordersForPartners(ctx.db, partnerIds, status, orderScope(ctx.principal), after, limit),
        (row) => row.party_id,
      ),
    );
    ctx.partnerOrders.set(key, loader);
  }
  return loader;
}

export const resolvers: Resolvers = {
  Query: {
    async order(_parent, { id }, ctx) {
      const order = await ctx.orders.load(id);
      return order && canRead(orderScope(ctx.principal), order) ? order : null;
    },
    async orders(_parent, { filter, first, after }, ctx) {
      const size = pageSize(first);
      const cursor = decodeCursor(after, 2) as [string, string] | null;
      const rows = await listOrders(ctx.db, filter ?? {}, orderScope(ctx.principal), cursor, size + 1);
      for (const row of rows) ctx.orders.prime(row.id, row);
      return toPage(rows, size, orderSortKey);
    },
  },
  Order: {
    __resolveReference: async (reference: { id: string }, ctx: Context) => {
      const order = await ctx.orders.load(reference.id);
      return order && canRead(orderScope(ctx.principal), order) ? order : null;
    },
    buyer: (order) => ({ id: order.buyer_id }),
    seller: (order) => ({ id: order.seller_id }),
    total: (order) => money(order.total, order.currency),
    lines: (order, _args, ctx) => ctx.lines.load(order.id),
    externalRef: (order) => order.external_ref,
    createdAt: (order) => order.created_at.toISOString(),
  },
  OrderLine: {
    lineNo: (line) => line.line_no,
    item: (line) => ({ sku: line.sku }),
    quantity: (line) => new Decimal(line.quantity).toString(),
    unitPrice: (line) => ({ amount: new Decimal(line.unit_price).toString(), currency: line.currency }),
    lineTotal: (line) => money(new Decimal(line.quantity).times(line.unit_price), line.currency),
    requestedDate: (line) => line.requested_date,
    confirmedQuantity: (line) =>
      line.confirmed_quantity === null ? null : new Decimal(line.confirmed_quantity).toString(),
    confirmedDate: (line) => line.confirmed_date,
    shippedQuantity: (line) => new Decimal(line.shipped_quantity).toString(),
    receivedQuantity: (line) => new Decimal(line.received_quantity).toString(),
  },
  Partner: {
    __resolveReference: (reference: { id: string }) => ({ id: reference.id }),
    async orders(partner, { status, first, after }, ctx) {
      const size = pageSize(first);
      const cursor = decodeCursor(after, 2) as [string, string] | null;
      const rows = await partnerOrdersLoader(ctx, status ?? null, cursor, size + 1).load(partner.id);
      return toPage(rows, size, orderSortKey);
    },
  },
};
