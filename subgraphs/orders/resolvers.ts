import DataLoader from 'dataloader';
import { money, unitPrice, Decimal } from '../../platform/money.ts';
import { decodeCursor, pageSize, toPage } from '../../platform/pagination.ts';
import { groupBy } from '../../platform/loaders.ts';
import { canRead, orderScope } from './access.ts';
import {
  cancelOrder,
  closeOrder,
  confirmOrder,
  createPurchaseOrder,
  placeSalesOrder,
  receiveShipment,
  rejectOrder,
  shipOrder,
  submitOrder,
} from './commands.ts';
import type { Context } from './context.ts';
import type { OrderStatus, Resolvers } from './generated/resolvers.ts';
import { EVENT_TYPES, summarise } from './history.ts';
import {
  listOrders,
  orderOfEvent,
  orderSortKey,
  ordersForPartners,
  type OrderHistoryRow,
  type OrderRow,
  type ShipmentRow,
} from './store.ts';
import { ORDER_EVENTS } from '../../platform/events/contract.ts';
import { subscribeToEvents } from '../../platform/events/subscription.ts';

/** A shipment is visible to whoever may read its order. */
async function readableShipment(ctx: Context, id: string): Promise<ShipmentRow | null> {
  const shipment = await ctx.shipments.load(id);
  if (!shipment) return null;
  const order = await ctx.orders.load(shipment.order_id);
  return order && canRead(orderScope(ctx.principal), order) ? shipment : null;
}

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
      const cursor = decodeCursor(after, ['timestamp', 'text']) as [string, string] | null;
      const rows = await listOrders(ctx.db, filter ?? {}, orderScope(ctx.principal), cursor, size + 1);
      for (const row of rows) ctx.orders.prime(row.id, row);
      return toPage(rows, size, orderSortKey);
    },
    shipment: (_parent, { id }, ctx) => readableShipment(ctx, id),
  },
  Subscription: {
    orderEvents: {
      subscribe: (_parent, { orderId, after }, ctx) => {
        const scope = orderScope(ctx.principal);
        return subscribeToEvents(ctx.events, {
          after,
          filter: {
            types: ORDER_EVENTS,
            aggregateType: 'Order',
            ...(orderId ? { aggregateId: orderId } : {}),
            ...(scope.partyId ? { party: scope.partyId } : {}),
          },
          visible: (event) => canRead(scope, orderOfEvent(event)),
          toPayload: (event) => event,
        });
      },
      resolve: (event: OrderHistoryRow) => event,
    },
  },
  Mutation: {
    createPurchaseOrder: (_parent, { input, idempotencyKey }, ctx) =>
      ctx.db.transaction((tx) => createPurchaseOrder(tx, ctx.principal, input, idempotencyKey, ctx.settings)),
    placeSalesOrder: (_parent, { input, idempotencyKey }, ctx) =>
      ctx.db.transaction((tx) => placeSalesOrder(tx, ctx.principal, input, idempotencyKey, ctx.settings)),
    submitOrder: (_parent, { id }, ctx) => ctx.db.transaction((tx) => submitOrder(tx, ctx.principal, id)),
    confirmOrder: (_parent, { id, input, idempotencyKey }, ctx) =>
      ctx.db.transaction((tx) => confirmOrder(tx, ctx.principal, id, input ?? {}, idempotencyKey)),
    rejectOrder: (_parent, { id, reason, idempotencyKey }, ctx) =>
      ctx.db.transaction((tx) => rejectOrder(tx, ctx.principal, id, reason, idempotencyKey)),
    cancelOrder: (_parent, { id, reason }, ctx) =>
      ctx.db.transaction((tx) => cancelOrder(tx, ctx.principal, id, reason)),
    shipOrder: (_parent, { id, input }, ctx) =>
      ctx.db.transaction((tx) => shipOrder(tx, ctx.principal, id, input)),
    receiveShipment: (_parent, { shipmentId, input }, ctx) =>
      ctx.db.transaction((tx) => receiveShipment(tx, ctx.principal, shipmentId, input)),
    closeOrder: (_parent, { id }, ctx) => ctx.db.transaction((tx) => closeOrder(tx, ctx.principal, id)),
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
    shipments: (order, _args, ctx) => ctx.shipmentsOfOrder.load(order.id),
    history: (order, _args, ctx) => ctx.history.load(order.id),
    externalRef: (order) => order.external_ref,
    overdeliveryTolerance: (order) => order.overdelivery_tolerance,
    createdAt: (order) => order.created_at.toISOString(),
    updatedAt: (order) => order.updated_at.toISOString(),
  },
  Shipment: {
    __resolveReference: (reference: { id: string }, ctx: Context) => readableShipment(ctx, reference.id),
    order: async (shipment, _args, ctx) => (await ctx.orders.load(shipment.order_id))!,
    shippedAt: (shipment) => shipment.shipped_at.toISOString(),
    expectedDeliveryDate: (shipment) => shipment.expected_delivery_date,
    trackingNumber: (shipment) => shipment.tracking_number,
    receivedAt: (shipment) => shipment.received_at?.toISOString() ?? null,
    lines: (shipment, _args, ctx) => ctx.shipmentLines.load(shipment.id),
    packages: (shipment, _args, ctx) => ctx.shipmentPackages.load(shipment.id),
  },
  ShipmentLine: {
    lineNo: (line) => line.line_no,
    item: (line) => ({ sku: line.sku }),
    quantity: (line) => line.quantity,
    receivedQuantity: (line) => line.received_quantity,
    rejectedQuantity: (line) => line.rejected_quantity,
    rejectionReason: (line) => line.rejection_reason,
    lots: async (line, _args, ctx) =>
      (await ctx.shipmentLots.load(line.shipment_id)).filter((lot) => lot.lineNo === line.line_no),
    serials: async (line, _args, ctx) =>
      (await ctx.shipmentSerials.load(line.shipment_id))
        .filter((serial) => serial.lineNo === line.line_no)
        .map((serial) => serial.serial),
  },
  OrderEvent: {
    type: (event) => EVENT_TYPES[event.type],
    at: (event) => event.occurredAt.toISOString(),
    actorPartner: (event) => {
      const partnerId = event.payload.actorPartnerId;
      return typeof partnerId === 'string' ? { id: partnerId } : null;
    },
    status: (event) => event.payload.status,
    summary: (event) => summarise(event),
    reason: (event) =>
      event.type === 'OrderRejected' || event.type === 'OrderCancelled' ? event.payload.reason : null,
    shipment: (event, _args, ctx) =>
      event.type === 'OrderShipped' || event.type === 'ShipmentReceived'
        ? readableShipment(ctx, event.payload.shipmentId)
        : null,
    order: async (event, _args, ctx) => (await ctx.orders.load(event.aggregateId))!,
  },
  OrderLine: {
    lineNo: (line) => line.line_no,
    item: (line) => ({ sku: line.sku }),
    quantity: (line) => line.quantity,
    unitPrice: (line) => unitPrice(line.unit_price, line.currency),
    lineTotal: (line) => money(new Decimal(line.quantity).times(line.unit_price), line.currency),
    requestedDate: (line) => line.requested_date,
    confirmedQuantity: (line) => line.confirmed_quantity,
    confirmedDate: (line) => line.confirmed_date,
    shippedQuantity: (line) => line.shipped_quantity,
    receivedQuantity: (line) => line.received_quantity,
    rejectedQuantity: (line) => line.rejected_quantity,
  },
  Partner: {
    __resolveReference: (reference: { id: string }) => ({ id: reference.id }),
    async orders(partner, { status, first, after }, ctx) {
      const size = pageSize(first);
      const cursor = decodeCursor(after, ['timestamp', 'text']) as [string, string] | null;
      const rows = await partnerOrdersLoader(ctx, status ?? null, cursor, size + 1).load(partner.id);
      return toPage(rows, size, orderSortKey);
    },
  },
};
