import { randomUUID } from 'node:crypto';
import type { Queryable } from '../../platform/db/database.ts';
import type { Actor } from '../../platform/auth/principal.ts';
import {
  ORDER_EVENTS,
  type EventPayloads,
  type OrderEventFacts,
  type OrderEventType,
} from '../../platform/events/contract.ts';
import {
  appendEvent,
  appendEventWith,
  readCommittedEvents,
  type LoggedEvent,
  type NewEvent,
} from '../../platform/events/eventLog.ts';
import type { OrderKind, OrderStatus } from './generated/resolvers.ts';

export interface OrderRow {
  id: string;
  number: string;
  kind: OrderKind;
  status: OrderStatus;
  buyer_id: string;
  seller_id: string;
  currency: string;
  external_ref: string | null;
  /** Percent, as numeric text. */
  overdelivery_tolerance: string;
  shipping_complete: boolean;
  created_at: Date;
  updated_at: Date;
  /** Sum of quantity × unit price over the lines, as numeric text. */
  total: string;
}

export interface OrderLineRow {
  order_id: string;
  line_no: number;
  sku: string;
  quantity: string;
  unit: string;
  unit_price: string;
  requested_date: string | null;
  confirmed_quantity: string | null;
  confirmed_date: string | null;
  shipped_quantity: string;
  received_quantity: string;
  rejected_quantity: string;
  currency: string;
}

export interface PartnerRef {
  id: string;
}

/** An order's columns as `OrderRow` reads them, from `o`, but its total. */
const ORDER_COLUMNS = `o.id, o.number, o.kind, o.status, o.buyer_id, o.seller_id, o.currency::text AS currency,
  o.external_ref, trim_scale(o.overdelivery_tolerance)::text AS overdelivery_tolerance, o.shipping_complete,
  o.created_at, o.updated_at`;

/** The order's total, summed over its lines. */
const ORDER_TOTAL = `(SELECT COALESCE(sum(l.quantity * l.unit_price), 0)::text
    FROM orders.order_line l WHERE l.order_id = o.id) AS total`;

const SELECT_ORDER = `SELECT ${ORDER_COLUMNS}, ${ORDER_TOTAL} FROM orders.purchase_order o`;

export interface OrderFilter {
  kind?: OrderKind | null;
  status?: OrderStatus | null;
  /** Orders this partner is a party to. */
  partnerId?: string | null;
  /** The order's own number, or the counterparty's reference for it (`externalRef`). */
  number?: string | null;
}

export async function ordersByIds(db: Queryable, ids: readonly string[]): Promise<OrderRow[]> {
  const { rows } = await db.query<OrderRow>(`${SELECT_ORDER} WHERE o.id = ANY($1::text[])`, [[...ids]]);
  return rows;
}

/**
 * What a principal may read: the orders its partner is a party to (a seller sees an order once it has
 * been submitted to it, not while the buyer drafts it), and orders of some kinds.
 */
export interface OrderScope {
  partyId: string | null;
  kinds: OrderKind[] | null;
}

/** Newest first, within the caller's scope. */
export async function listOrders(
  db: Queryable,
  filter: OrderFilter,
  scope: OrderScope,
  after: [string, string] | null,
  limit: number,
): Promise<OrderRow[]> {
  const { rows } = await db.query<OrderRow>(
    `${SELECT_ORDER}
      WHERE ($1::text IS NULL OR o.kind = $1)
        AND ($2::text IS NULL OR o.status = $2)
        AND ($3::text IS NULL OR o.buyer_id = $3 OR o.seller_id = $3)
        AND ($4::text IS NULL OR o.buyer_id = $4 OR (o.seller_id = $4 AND o.status <> 'DRAFT'))
        AND ($5::timestamptz IS NULL OR (o.created_at, o.id) < ($5::timestamptz, $6))
        AND ($8::text[] IS NULL OR o.kind = ANY($8::text[]))
        AND ($9::text IS NULL OR o.number = $9 OR o.external_ref = $9)
      ORDER BY o.created_at DESC, o.id DESC
      LIMIT $7`,
    [
      filter.kind ?? null,
      filter.status ?? null,
      filter.partnerId ?? null,
      scope.partyId,
      after?.[0] ?? null,
      after?.[1] ?? null,
      limit,
      scope.kinds,
      filter.number ?? null,
    ],
  );
  return rows;
}

/** The first `limit` orders of each partner in one statement, for `Partner.orders` over a list. */
export async function ordersForPartners(
  db: Queryable,
  partnerIds: readonly string[],
  status: OrderStatus | null,
  scope: OrderScope,
  after: [string, string] | null,
  limit: number,
): Promise<(OrderRow & { party_id: string })[]> {
  const { rows } = await db.query<OrderRow & { party_id: string }>(
    `SELECT p.id AS party_id, o.*
       FROM unnest($1::text[]) AS p(id)
       CROSS JOIN LATERAL (
         ${SELECT_ORDER}
          WHERE (o.buyer_id = p.id OR o.seller_id = p.id)
            AND ($2::text IS NULL OR o.status = $2)
            AND ($3::text IS NULL OR o.buyer_id = $3 OR (o.seller_id = $3 AND o.status <> 'DRAFT'))
            AND ($4::text[] IS NULL OR o.kind = ANY($4::text[]))
            AND ($5::timestamptz IS NULL OR (o.created_at, o.id) < ($5::timestamptz, $6))
          ORDER BY o.created_at DESC, o.id DESC
          LIMIT $7) o`,
    [[...partnerIds], status, scope.partyId, scope.kinds, after?.[0] ?? null, after?.[1] ?? null, limit],
  );
  return rows;
}

export const orderSortKey = (row: OrderRow): [string, string] => [row.created_at.toISOString(), row.id];

export async function linesByOrderIds(db: Queryable, orderIds: readonly string[]): Promise<OrderLineRow[]> {
  const { rows } = await db.query<OrderLineRow>(
    `SELECT l.order_id, l.line_no, l.sku, trim_scale(l.quantity)::text AS quantity, l.unit,
            trim_scale(l.unit_price)::text AS unit_price, l.requested_date::text,
            trim_scale(l.confirmed_quantity)::text AS confirmed_quantity, l.confirmed_date::text,
            trim_scale(l.shipped_quantity)::text AS shipped_quantity,
            trim_scale(l.received_quantity)::text AS received_quantity,
            trim_scale(l.rejected_quantity)::text AS rejected_quantity,
            o.currency::text AS currency
       FROM orders.order_line l JOIN orders.purchase_order o ON o.id = l.order_id
      WHERE l.order_id = ANY($1::text[])
      ORDER BY l.order_id, l.line_no`,
    [[...orderIds]],
  );
  return rows;
}

export async function lockOrder(tx: Queryable, id: string): Promise<OrderRow | undefined> {
  return tx.maybeOne<OrderRow>(`${SELECT_ORDER} WHERE o.id = $1 FOR UPDATE OF o`, [id]);
}

export interface NewOrderLine {
  sku: string;
  quantity: string;
  unit: string;
  unitPrice: string;
  requestedDate: string | null;
}

export interface NewOrder {
  kind: OrderKind;
  status: Extract<OrderStatus, 'DRAFT' | 'SUBMITTED'>;
  buyerId: string;
  sellerId: string;
  currency: string;
  externalRef: string | null;
  overdeliveryTolerance: string;
  lines: NewOrderLine[];
  idempotency: { scope: string; key: string; requestHash: string } | null;
}

/**
 * PO-2026-000123, as SQL for the order's INSERT: the next number of the kind's sequence (migration 005),
 * after the year it is taken in.
 */
function nextOrderNumber(kind: OrderKind, year: number): { sql: string; prefix: string } {
  const sequence = kind === 'PURCHASE' ? 'orders.purchase_order_number' : 'orders.sales_order_number';
  return {
    sql: `lpad(nextval('${sequence}')::text, 6, '0')`,
    prefix: `${kind === 'PURCHASE' ? 'PO' : 'SO'}-${year}-`,
  };
}

/**
 * The order that already carries this partner's reference. Locks the reference until the transaction
 * ends, so two requests with the same new reference cannot both find it free.
 */
export async function orderIdByExternalRef(
  tx: Queryable,
  owner: string,
  externalRef: string,
): Promise<string | undefined> {
  await tx.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [`order-ref:${owner}:${externalRef}`]);
  const order = await tx.maybeOne<{ id: string }>(
    `SELECT id FROM orders.purchase_order WHERE external_ref_owner = $1 AND external_ref = $2`,
    [owner, externalRef],
  );
  return order?.id;
}

/** Creates an order and appends `OrderCreated` with the facts consumers need. */
export async function insertOrder(tx: Queryable, order: NewOrder, actor: Actor): Promise<OrderRow> {
  const id = randomUUID();
  const number = nextOrderNumber(order.kind, new Date().getUTCFullYear());
  const counterparty = order.kind === 'PURCHASE' ? order.sellerId : order.buyerId;
  // One statement writes the order and its lines and reads the order back: a statement's data-modifying
  // WITH queries are not visible to its SELECT, so the total is summed over the lines it returns.
  const row = await tx.one<OrderRow>(
    `WITH o AS (
       INSERT INTO orders.purchase_order (id, number, kind, status, buyer_id, seller_id, currency, external_ref,
         external_ref_owner, overdelivery_tolerance, idempotency_scope, idempotency_key, request_hash, created_by)
       VALUES ($1, $2 || ${number.sql}, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
       RETURNING *
     ), lines AS (
       INSERT INTO orders.order_line (order_id, line_no, sku, quantity, unit, unit_price, requested_date)
       SELECT $1, ord, sku, quantity, unit, unit_price, requested_date
         FROM unnest($15::text[], $16::numeric[], $17::text[], $18::numeric[], $19::date[]) WITH ORDINALITY
              AS t(sku, quantity, unit, unit_price, requested_date, ord)
       RETURNING quantity, unit_price
     )
     SELECT ${ORDER_COLUMNS},
            (SELECT COALESCE(sum(l.quantity * l.unit_price), 0)::text FROM lines l) AS total
       FROM o`,
    [
      id,
      number.prefix,
      order.kind,
      order.status,
      order.buyerId,
      order.sellerId,
      order.currency,
      order.externalRef,
      order.externalRef === null ? null : counterparty,
      order.overdeliveryTolerance,
      order.idempotency?.scope ?? null,
      order.idempotency?.key ?? null,
      order.idempotency?.requestHash ?? null,
      actor.subject,
      order.lines.map((l) => l.sku),
      order.lines.map((l) => l.quantity),
      order.lines.map((l) => l.unit),
      order.lines.map((l) => l.unitPrice),
      order.lines.map((l) => l.requestedDate),
    ],
  );
  await appendEvent(
    tx,
    orderEvent(row, actor, {
      type: 'OrderCreated',
      facts: {
        externalRef: order.externalRef,
        lines: order.lines.map((line, index) => ({ lineNo: index + 1, ...line })),
      },
    }),
  );
  return row;
}

/**
 * Moves an order, as `order` locked it, to `status` and records the step with its facts, in one statement.
 * The order as written comes back, read by the UPDATE itself: its lines as this transaction left them.
 */
export async function setOrderStatus(
  tx: Queryable,
  order: OrderRow,
  status: OrderStatus,
  actor: Actor,
  step: OrderStep,
): Promise<OrderRow> {
  const { row } = await appendEventWith<OrderEventType, OrderRow>(
    tx,
    {
      sql: `UPDATE orders.purchase_order o SET status = $2, updated_at = now() WHERE o.id = $1
            RETURNING ${ORDER_COLUMNS}, ${ORDER_TOTAL}`,
      params: [order.id, status],
    },
    orderEvent({ ...order, status }, actor, step),
  );
  return row;
}

export async function recordConfirmation(
  tx: Queryable,
  orderId: string,
  lines: readonly { lineNo: number; quantity: string; date: string | null }[],
  externalRef: string | null,
  externalRefOwner: string,
): Promise<void> {
  await tx.query(
    `UPDATE orders.order_line l SET confirmed_quantity = c.quantity, confirmed_date = c.date
       FROM unnest($2::int[], $3::numeric[], $4::date[]) AS c(line_no, quantity, date)
      WHERE l.order_id = $1 AND l.line_no = c.line_no`,
    [orderId, lines.map((l) => l.lineNo), lines.map((l) => l.quantity), lines.map((l) => l.date)],
  );
  if (externalRef !== null) {
    await tx.query(
      `UPDATE orders.purchase_order SET external_ref = $2, external_ref_owner = $3 WHERE id = $1`,
      [orderId, externalRef, externalRefOwner],
    );
  }
}

export interface ShipmentRow {
  id: string;
  order_id: string;
  seq: number;
  number: string;
  reference: string | null;
  request_hash: string;
  status: 'IN_TRANSIT' | 'RECEIVED';
  shipped_at: Date;
  expected_delivery_date: string | null;
  carrier: string | null;
  tracking_number: string | null;
  received_at: Date | null;
  receipt_hash: string | null;
}

export interface ShipmentLineRow {
  shipment_id: string;
  line_no: number;
  sku: string;
  unit: string;
  quantity: string;
  received_quantity: string | null;
  rejected_quantity: string | null;
  rejection_reason: string | null;
}

const SELECT_SHIPMENT = `
  SELECT s.id, s.order_id, s.seq, o.number || '-S' || s.seq AS number, s.reference, s.request_hash, s.status,
         s.shipped_at, s.expected_delivery_date::text, s.carrier, s.tracking_number, s.received_at, s.receipt_hash
    FROM orders.shipment s JOIN orders.purchase_order o ON o.id = s.order_id`;

/** The shipment as this transaction has just written it. */
const writtenShipment = (tx: Queryable, id: string) =>
  tx.one<ShipmentRow>(`${SELECT_SHIPMENT} WHERE s.id = $1`, [id]);

export async function shipmentsByIds(db: Queryable, ids: readonly string[]): Promise<ShipmentRow[]> {
  const { rows } = await db.query<ShipmentRow>(`${SELECT_SHIPMENT} WHERE s.id = ANY($1::text[])`, [[...ids]]);
  return rows;
}

export async function shipmentsByOrderIds(
  db: Queryable,
  orderIds: readonly string[],
): Promise<ShipmentRow[]> {
  const { rows } = await db.query<ShipmentRow>(
    `${SELECT_SHIPMENT} WHERE s.order_id = ANY($1::text[]) ORDER BY s.order_id, s.seq`,
    [[...orderIds]],
  );
  return rows;
}

export async function shipmentByReference(
  tx: Queryable,
  orderId: string,
  reference: string,
): Promise<ShipmentRow | undefined> {
  return tx.maybeOne<ShipmentRow>(`${SELECT_SHIPMENT} WHERE s.order_id = $1 AND s.reference = $2`, [
    orderId,
    reference,
  ]);
}

export async function shipmentLinesByShipmentIds(
  db: Queryable,
  shipmentIds: readonly string[],
): Promise<ShipmentLineRow[]> {
  const { rows } = await db.query<ShipmentLineRow>(
    `SELECT sl.shipment_id, sl.line_no, l.sku, l.unit, trim_scale(sl.quantity)::text AS quantity,
            trim_scale(sl.received_quantity)::text AS received_quantity,
            trim_scale(sl.rejected_quantity)::text AS rejected_quantity, sl.rejection_reason
       FROM orders.shipment_line sl
       JOIN orders.shipment s ON s.id = sl.shipment_id
       JOIN orders.order_line l ON l.order_id = s.order_id AND l.line_no = sl.line_no
      WHERE sl.shipment_id = ANY($1::text[])
      ORDER BY sl.shipment_id, sl.line_no`,
    [[...shipmentIds]],
  );
  return rows;
}

export interface NewShipment {
  orderId: string;
  reference: string | null;
  requestHash: string;
  shippedAt: Date;
  expectedDeliveryDate: string | null;
  carrier: string | null;
  trackingNumber: string | null;
  final: boolean;
  lines: readonly { lineNo: number; quantity: string }[];
}

/** Records a ship notice and adds its quantities to the order lines. */
export async function insertShipment(
  tx: Queryable,
  shipment: NewShipment,
  actor: Actor,
): Promise<ShipmentRow> {
  const id = randomUUID();
  await tx.query(
    `INSERT INTO orders.shipment (id, order_id, seq, reference, request_hash, status, shipped_at,
       expected_delivery_date, carrier, tracking_number, created_by)
     SELECT $1, $2, COALESCE(max(seq), 0) + 1, $3, $4, 'IN_TRANSIT', $5, $6, $7, $8, $9
       FROM orders.shipment WHERE order_id = $2`,
    [
      id,
      shipment.orderId,
      shipment.reference,
      shipment.requestHash,
      shipment.shippedAt,
      shipment.expectedDeliveryDate,
      shipment.carrier,
      shipment.trackingNumber,
      actor.subject,
    ],
  );
  const lineNos = shipment.lines.map((l) => l.lineNo);
  const quantities = shipment.lines.map((l) => l.quantity);
  await tx.query(
    `INSERT INTO orders.shipment_line (shipment_id, line_no, quantity)
     SELECT $1, line_no, quantity FROM unnest($2::int[], $3::numeric[]) AS t(line_no, quantity)`,
    [id, lineNos, quantities],
  );
  await tx.query(
    `UPDATE orders.order_line l SET shipped_quantity = l.shipped_quantity + t.quantity
       FROM unnest($2::int[], $3::numeric[]) AS t(line_no, quantity)
      WHERE l.order_id = $1 AND l.line_no = t.line_no`,
    [shipment.orderId, lineNos, quantities],
  );
  if (shipment.final) {
    await tx.query(`UPDATE orders.purchase_order SET shipping_complete = true WHERE id = $1`, [
      shipment.orderId,
    ]);
  }
  return writtenShipment(tx, id);
}

export interface ReceiptLine {
  lineNo: number;
  quantity: string;
  rejectedQuantity: string;
  rejectionReason: string | null;
}

/** Records the goods receipt of a shipment and adds its quantities to the order lines. */
export async function recordReceipt(
  tx: Queryable,
  shipment: ShipmentRow,
  lines: readonly ReceiptLine[],
  receivedAt: Date,
  receiptHash: string,
): Promise<ShipmentRow> {
  const lineNos = lines.map((l) => l.lineNo);
  const accepted = lines.map((l) => l.quantity);
  const rejected = lines.map((l) => l.rejectedQuantity);
  await tx.query(
    `UPDATE orders.shipment_line sl SET received_quantity = t.accepted, rejected_quantity = t.rejected,
            rejection_reason = t.reason
       FROM unnest($2::int[], $3::numeric[], $4::numeric[], $5::text[]) AS t(line_no, accepted, rejected, reason)
      WHERE sl.shipment_id = $1 AND sl.line_no = t.line_no`,
    [shipment.id, lineNos, accepted, rejected, lines.map((l) => l.rejectionReason)],
  );
  await tx.query(
    `UPDATE orders.order_line l SET received_quantity = l.received_quantity + t.accepted,
            rejected_quantity = l.rejected_quantity + t.rejected
       FROM unnest($2::int[], $3::numeric[], $4::numeric[]) AS t(line_no, accepted, rejected)
      WHERE l.order_id = $1 AND l.line_no = t.line_no`,
    [shipment.order_id, lineNos, accepted, rejected],
  );
  await tx.query(
    `UPDATE orders.shipment SET status = 'RECEIVED', received_at = $2, receipt_hash = $3 WHERE id = $1`,
    [shipment.id, receivedAt, receiptHash],
  );
  return writtenShipment(tx, shipment.id);
}

/** An order event's own facts; `appendOrderEvent` adds the order's (`OrderEventFacts`). */
export type OrderStep = {
  [T in OrderEventType]: { type: T; facts: Omit<EventPayloads[T], keyof OrderEventFacts> };
}[OrderEventType];

/** The event of an order's step: its own facts and the order's, as the step leaves it. */
function orderEvent(order: OrderRow, actor: Actor, step: OrderStep): NewEvent<OrderEventType> {
  const facts: OrderEventFacts = {
    orderId: order.id,
    number: order.number,
    kind: order.kind,
    status: order.status,
    buyerId: order.buyer_id,
    sellerId: order.seller_id,
    currency: order.currency,
    actorPartnerId: actor.partnerId,
  };
  return {
    type: step.type,
    aggregateType: 'Order',
    aggregateId: order.id,
    parties: [order.buyer_id, order.seller_id],
    actor: actor.subject,
    payload: { ...facts, ...step.facts },
  };
}

/** An order's history is its stream on the event log: the same cursors a subscriber resumes from. */
export type OrderHistoryRow = LoggedEvent<OrderEventType>;

export function historyByOrderIds(db: Queryable, orderIds: readonly string[]): Promise<OrderHistoryRow[]> {
  return readCommittedEvents(db, '0', null, {
    types: ORDER_EVENTS,
    aggregateType: 'Order',
    aggregateIds: orderIds,
  });
}

/** What visibility rules need of an order, as its events carry it. */
export function orderOfEvent(
  event: LoggedEvent<OrderEventType>,
): Pick<OrderRow, 'kind' | 'status' | 'buyer_id' | 'seller_id'> {
  const { payload } = event;
  return {
    kind: payload.kind,
    status: payload.status,
    buyer_id: payload.buyerId,
    seller_id: payload.sellerId,
  };
}
