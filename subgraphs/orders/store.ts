import { randomUUID } from 'node:crypto';
import type { Queryable } from '../../platform/db/database.ts';
import { appendEvent } from '../../platform/events/eventLog.ts';
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
  created_at: Date;
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
  currency: string;
}

export interface PartnerRef {
  id: string;
}

const SELECT_ORDER = `
  SELECT o.id, o.number, o.kind, o.status, o.buyer_id, o.seller_id, o.currency::text AS currency, o.external_ref,
         o.created_at,
         (SELECT COALESCE(sum(l.quantity * l.unit_price), 0)::text FROM orders.order_line l WHERE l.order_id = o.id) AS total
    FROM orders.purchase_order o`;

export interface OrderFilter {
  kind?: OrderKind | null;
  status?: OrderStatus | null;
  /** Orders this partner is a party to. */
  partnerId?: string | null;
}

export async function ordersByIds(db: Queryable, ids: readonly string[]): Promise<OrderRow[]> {
  const { rows } = await db.query<OrderRow>(`${SELECT_ORDER} WHERE o.id = ANY($1::text[])`, [[...ids]]);
  return rows;
}

/** What a principal may read: the orders its partner is a party to, and orders of some kinds. */
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
        AND ($4::text IS NULL OR o.buyer_id = $4 OR o.seller_id = $4)
        AND ($5::timestamptz IS NULL OR (o.created_at, o.id) < ($5::timestamptz, $6))
        AND ($8::text[] IS NULL OR o.kind = ANY($8::text[]))
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
            AND ($3::text IS NULL OR o.buyer_id = $3 OR o.seller_id = $3)
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
    `SELECT l.order_id, l.line_no, l.sku, l.quantity::text, l.unit, l.unit_price::text,
            l.requested_date::text, l.confirmed_quantity::text, l.confirmed_date::text,
            l.shipped_quantity::text, l.received_quantity::text, o.currency::text AS currency
       FROM orders.order_line l JOIN orders.purchase_order o ON o.id = l.order_id
      WHERE l.order_id = ANY($1::text[])
      ORDER BY l.order_id, l.line_no`,
    [[...orderIds]],
  );
  return rows;
}

export interface NewOrderLine {
  sku: string;
  quantity: string;
  unit: string;
  unitPrice: string;
  requestedDate?: string | null;
}

export interface NewOrder {
  kind: OrderKind;
  buyerId: string;
  sellerId: string;
  currency: string;
  externalRef?: string | null;
  lines: NewOrderLine[];
}

async function nextOrderNumber(tx: Queryable, kind: OrderKind, year: number): Promise<string> {
  const { rows } = await tx.query<{ last: number }>(
    `INSERT INTO orders.order_number (kind, year, last) VALUES ($1, $2, 1)
     ON CONFLICT (kind, year) DO UPDATE SET last = orders.order_number.last + 1
     RETURNING last`,
    [kind, year],
  );
  return `${kind === 'PURCHASE' ? 'PO' : 'SO'}-${year}-${String(rows[0]!.last).padStart(6, '0')}`;
}

/** Creates an order in DRAFT and appends `OrderCreated` with the facts consumers need. */
export async function insertOrder(tx: Queryable, order: NewOrder, actor: string): Promise<OrderRow> {
  const id = randomUUID();
  const number = await nextOrderNumber(tx, order.kind, new Date().getUTCFullYear());
  await tx.query(
    `INSERT INTO orders.purchase_order (id, number, kind, status, buyer_id, seller_id, currency, external_ref, created_by)
     VALUES ($1, $2, $3, 'DRAFT', $4, $5, $6, $7, $8)`,
    [id, number, order.kind, order.buyerId, order.sellerId, order.currency, order.externalRef ?? null, actor],
  );
  await tx.query(
    `INSERT INTO orders.order_line (order_id, line_no, sku, quantity, unit, unit_price, requested_date)
     SELECT $1, ord, sku, quantity, unit, unit_price, requested_date
       FROM unnest($2::text[], $3::numeric[], $4::text[], $5::numeric[], $6::date[]) WITH ORDINALITY
            AS t(sku, quantity, unit, unit_price, requested_date, ord)`,
    [
      id,
      order.lines.map((l) => l.sku),
      order.lines.map((l) => l.quantity),
      order.lines.map((l) => l.unit),
      order.lines.map((l) => l.unitPrice),
      order.lines.map((l) => l.requestedDate ?? null),
    ],
  );
  const [row] = await ordersByIds(tx, [id]);
  await appendOrderEvent(tx, 'OrderCreated', row!, actor, { lines: order.lines });
  return row!;
}

/** Moves an order to `status` and records it; transition rules live with the order lifecycle. */
export async function setOrderStatus(
  tx: Queryable,
  id: string,
  status: OrderStatus,
  actor: string,
  eventType: string,
  facts: Record<string, unknown> = {},
): Promise<OrderRow> {
  await tx.query(`UPDATE orders.purchase_order SET status = $2, updated_at = now() WHERE id = $1`, [
    id,
    status,
  ]);
  const [row] = await ordersByIds(tx, [id]);
  await appendOrderEvent(tx, eventType, row!, actor, facts);
  return row!;
}

async function appendOrderEvent(
  tx: Queryable,
  type: string,
  order: OrderRow,
  actor: string,
  facts: Record<string, unknown>,
): Promise<void> {
  await appendEvent(tx, {
    type,
    aggregateType: 'Order',
    aggregateId: order.id,
    parties: [order.buyer_id, order.seller_id],
    actor,
    payload: {
      orderId: order.id,
      number: order.number,
      kind: order.kind,
      status: order.status,
      buyerId: order.buyer_id,
      sellerId: order.seller_id,
      currency: order.currency,
      ...facts,
    },
  });
}
