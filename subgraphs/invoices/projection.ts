import type { Queryable } from '../../platform/db/database.ts';
import { batchApplierOf } from '../../platform/events/consumer.ts';
import type { OrderEventFacts } from '../../platform/events/contract.ts';
import type { LoggedEvent } from '../../platform/events/eventLog.ts';
import { keepParty } from '../../platform/events/parties.ts';

/** The events this projection acts on: its `switch` cannot name another. */
const ORDER_FACT_SOURCES = [
  'PartnerRegistered',
  'PartnerUpdated',
  'OrderCreated',
  'OrderSubmitted',
  'OrderConfirmed',
  'OrderRejected',
  'OrderShipped',
  'ShipmentReceived',
  'OrderCancelled',
  'OrderClosed',
] as const;

/**
 * What invoicing needs to know of orders and partners, kept from their events (exactly once: the consumer
 * commits its offset with these writes). Per order line: ordered quantity and price, confirmed, shipped,
 * and accepted-at-receipt quantities; per order: kind, parties, currency, status.
 */
async function applyOrderFacts(
  tx: Queryable,
  events: readonly LoggedEvent<(typeof ORDER_FACT_SOURCES)[number]>[],
): Promise<void> {
  // What the batch does to orders is gathered and written at its end, a statement per kind of change
  // however many events there are: the new orders and their lines first, then what later events changed
  // on those lines (nothing the batch applies reads them), then each order's last status.
  const created: OrderCreatedFacts[] = [];
  const lines = new LineChanges();
  const statuses = new Map<string, string>();
  for (const event of events) {
    if (event.type === 'OrderCreated') created.push(event.payload);
    else await applyFacts(tx, event, lines, statuses);
  }
  await insertOrders(tx, created);
  await lines.write(tx);
  if (statuses.size === 0) return;
  await tx.query(
    `UPDATE invoices.order_fact f SET status = s.status
       FROM unnest($1::text[], $2::text[]) AS s(order_id, status)
      WHERE f.order_id = s.order_id`,
    [[...statuses.keys()], [...statuses.values()]],
  );
}

type OrderCreatedFacts = LoggedEvent<'OrderCreated'>['payload'];

/** New orders and their lines, in one statement however many there are (an order seen before is kept). */
async function insertOrders(tx: Queryable, orders: readonly OrderCreatedFacts[]): Promise<void> {
  if (orders.length === 0) return;
  const lines = orders.flatMap((order) => order.lines.map((line) => ({ orderId: order.orderId, ...line })));
  await tx.query(
    `WITH new_order AS (
       INSERT INTO invoices.order_fact (order_id, number, kind, status, buyer_id, seller_id, currency)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[])
       ON CONFLICT (order_id) DO NOTHING)
     INSERT INTO invoices.order_line_fact (order_id, line_no, sku, unit, quantity, unit_price)
     SELECT * FROM unnest($8::text[], $9::int[], $10::text[], $11::text[], $12::numeric[], $13::numeric[])
     ON CONFLICT (order_id, line_no) DO NOTHING`,
    [
      orders.map((order) => order.orderId),
      orders.map((order) => order.number),
      orders.map((order) => order.kind),
      orders.map((order) => order.status),
      orders.map((order) => order.buyerId),
      orders.map((order) => order.sellerId),
      orders.map((order) => order.currency),
      lines.map((line) => line.orderId),
      lines.map((line) => line.lineNo),
      lines.map((line) => line.sku),
      lines.map((line) => line.unit),
      lines.map((line) => line.quantity),
      lines.map((line) => line.unitPrice),
    ],
  );
}

async function applyFacts(
  tx: Queryable,
  event: LoggedEvent<Exclude<(typeof ORDER_FACT_SOURCES)[number], 'OrderCreated'>>,
  lines: LineChanges,
  statuses: Map<string, string>,
): Promise<void> {
  const setStatus = (order: OrderEventFacts) => void statuses.set(order.orderId, order.status);
  switch (event.type) {
    case 'PartnerRegistered':
    case 'PartnerUpdated':
      await keepParty(tx, 'invoices', event);
      return;
    case 'OrderConfirmed': {
      const order = event.payload;
      lines.record('confirmed_quantity', order, order.lines, (line) => line.confirmedQuantity);
      return setStatus(order);
    }
    case 'OrderShipped': {
      const order = event.payload;
      lines.record('shipped_quantity', order, order.lines, (line) => line.quantity);
      return setStatus(order);
    }
    case 'ShipmentReceived': {
      const order = event.payload;
      lines.record('received_quantity', order, order.lines, (line) => line.quantity);
      return setStatus(order);
    }
    case 'OrderSubmitted':
    case 'OrderRejected':
    case 'OrderCancelled':
    case 'OrderClosed':
      return setStatus(event.payload);
  }
}

/**
 * How each line quantity follows the events: a confirmation replaces the confirmed quantity (the last one
 * holds), shipments and receipts add to theirs.
 */
const LINE_COLUMNS = {
  confirmed_quantity: 'replace',
  shipped_quantity: 'add',
  received_quantity: 'add',
} as const;
type LineColumn = keyof typeof LINE_COLUMNS;

/** A line's quantities over a batch: one, or every one to add up. */
interface LineChange {
  orderId: string;
  lineNo: number;
  quantity: string[];
}

/** Changes to order lines gathered over a batch, written in one statement per column. */
class LineChanges {
  private readonly byColumn = new Map<LineColumn, Map<string, LineChange>>();

  record<Line extends { lineNo: number }>(
    column: LineColumn,
    order: OrderEventFacts,
    lines: readonly Line[],
    quantityOf: (line: Line) => string,
  ): void {
    let changes = this.byColumn.get(column);
    if (!changes) this.byColumn.set(column, (changes = new Map<string, LineChange>()));
    for (const line of lines) {
      const key = `${order.orderId}\u0000${line.lineNo}`;
      const change = changes.get(key);
      if (change && LINE_COLUMNS[column] === 'add') change.quantity.push(quantityOf(line));
      else changes.set(key, { orderId: order.orderId, lineNo: line.lineNo, quantity: [quantityOf(line)] });
    }
  }

  /** The column names are ours, never input; the quantities of one line add up in SQL, as numerics. */
  async write(tx: Queryable): Promise<void> {
    for (const [column, changes] of this.byColumn) {
      const rows = [...changes.values()].flatMap((change) =>
        change.quantity.map((quantity) => ({ ...change, quantity })),
      );
      const value = LINE_COLUMNS[column] === 'add' ? `l.${column} + c.quantity` : 'c.quantity';
      await tx.query(
        `UPDATE invoices.order_line_fact l SET ${column} = ${value}
           FROM (SELECT order_id, line_no, sum(quantity) AS quantity
                   FROM unnest($1::text[], $2::int[], $3::numeric[]) AS u(order_id, line_no, quantity)
                  GROUP BY order_id, line_no) AS c
          WHERE l.order_id = c.order_id AND l.line_no = c.line_no`,
        [rows.map((row) => row.orderId), rows.map((row) => row.lineNo), rows.map((row) => row.quantity)],
      );
    }
  }
}

export interface OrderFactRow {
  order_id: string;
  number: string;
  kind: 'PURCHASE' | 'SALES';
  status: string;
  buyer_id: string;
  seller_id: string;
  currency: string;
}

export interface OrderLineFactRow {
  order_id: string;
  line_no: number;
  sku: string;
  unit: string;
  quantity: string;
  unit_price: string;
  confirmed_quantity: string | null;
  shipped_quantity: string;
  received_quantity: string;
}

export async function orderFacts(db: Queryable, orderIds: readonly string[]): Promise<OrderFactRow[]> {
  const { rows } = await db.query<OrderFactRow>(
    `SELECT order_id, number, kind, status, buyer_id, seller_id, currency::text AS currency
       FROM invoices.order_fact WHERE order_id = ANY($1::text[])`,
    [[...orderIds]],
  );
  return rows;
}

/**
 * The order lines a new invoice bills, locked until the invoice's transaction ends: two invoices against
 * the same line are matched one after the other, each seeing what the other invoiced.
 */
export async function lockOrderLines(
  tx: Queryable,
  orderIds: readonly string[],
): Promise<OrderLineFactRow[]> {
  const { rows } = await tx.query<OrderLineFactRow>(
    `SELECT order_id, line_no, sku, unit, trim_scale(quantity)::text AS quantity,
            trim_scale(unit_price)::text AS unit_price, trim_scale(confirmed_quantity)::text AS confirmed_quantity,
            trim_scale(shipped_quantity)::text AS shipped_quantity,
            trim_scale(received_quantity)::text AS received_quantity
       FROM invoices.order_line_fact WHERE order_id = ANY($1::text[])
      ORDER BY order_id, line_no FOR UPDATE`,
    [[...orderIds]],
  );
  return rows;
}

export interface PartyRow {
  id: string;
  name: string;
  roles: string[];
  status: string;
  is_self: boolean;
}

export async function partyById(db: Queryable, id: string): Promise<PartyRow | undefined> {
  return db.maybeOne<PartyRow>(`SELECT id, name, roles, status, is_self FROM invoices.party WHERE id = $1`, [
    id,
  ]);
}

export const orderFactsProjection = batchApplierOf(ORDER_FACT_SOURCES, applyOrderFacts);
