import type { Queryable } from '../../platform/db/database.ts';
import { applierOf } from '../../platform/events/consumer.ts';
import type { OrderEventType, OrderLineFacts } from '../../platform/events/contract.ts';
import type { LoggedEvent } from '../../platform/events/eventLog.ts';
import { keepParty } from '../../platform/events/parties.ts';
import { Decimal } from '../../platform/money.ts';
import { issue, lockInventory, receive, release, reserve, stockChanged, type OrderCause } from './stock.ts';

/** The events this projection acts on: its `switch` cannot name another. */
const STOCK_SOURCES = [
  'PartnerRegistered',
  'PartnerUpdated',
  'ShipmentReceived',
  'OrderConfirmed',
  'OrderShipped',
  'OrderCancelled',
  'OrderClosed',
] as const;

/**
 * Inventory's reaction to the event log, applied exactly once: the consumer stores its offset in the
 * transaction that moves the stock (platform `sqlSink`).
 *
 * - `ShipmentReceived` on a PURCHASE order: the accepted quantity of each line is received into the
 *   default location (rejected and short quantities never enter stock).
 * - `OrderConfirmed` on a SALES order: each line's confirmed quantity is reserved, as far as stock goes
 *   (`StockReserved` per SKU always; `ReservationShort` when less than confirmed could be reserved).
 * - `OrderShipped` on a SALES order: the shipped quantity is issued, consuming the line's reservation
 *   first. Once the order has shipped all it will ship, what is still reserved for it is released.
 * - `OrderCancelled` or `OrderClosed` on a SALES order: what is still reserved is released.
 * - `PartnerRegistered` / `PartnerUpdated`: who the customers are, for agreed prices.
 */
export async function applyOrderEvents(
  tx: Queryable,
  event: LoggedEvent<(typeof STOCK_SOURCES)[number]>,
): Promise<void> {
  switch (event.type) {
    case 'PartnerRegistered':
    case 'PartnerUpdated':
      await keepParty(tx, 'inventory', event, { table: 'partner', withSelf: false });
      return;
    case 'ShipmentReceived':
      if (event.payload.kind === 'PURCHASE') await onReceipt(tx, event);
      return;
    case 'OrderConfirmed':
      if (event.payload.kind === 'SALES') await onConfirmation(tx, event);
      return;
    case 'OrderShipped':
      if (event.payload.kind === 'SALES') await onShipment(tx, event);
      return;
    case 'OrderCancelled':
    case 'OrderClosed':
      if (event.payload.kind === 'SALES') {
        await releaseOrder(
          tx,
          event,
          event.type === 'OrderCancelled' ? 'sales order cancelled' : 'sales order closed',
        );
      }
      return;
  }
}

type OrderEvent = LoggedEvent<OrderEventType>;

const orderIdOf = (event: OrderEvent) => event.payload.orderId;
const actorOf = (event: OrderEvent) =>
  `system:inventory (after ${event.type} by ${event.actor ?? 'unknown'})`;

/** SKUs inventory knows among `skus`: an order for an item inventory lacks moves no stock. */
async function knownSkus(tx: Queryable, skus: string[]): Promise<Set<string>> {
  const { rows } = await tx.query<{ sku: string }>(
    `SELECT sku FROM inventory.item WHERE sku = ANY($1::text[])`,
    [skus],
  );
  return new Set(rows.map((row) => row.sku));
}

function bySku<Line extends OrderLineFacts>(
  lines: readonly Line[],
  quantity: (line: Line) => Decimal,
): Map<string, Line[]> {
  const groups = new Map<string, Line[]>();
  for (const line of lines) {
    if (quantity(line).lte(0)) continue;
    groups.set(line.sku, [...(groups.get(line.sku) ?? []), line]);
  }
  return groups;
}

function cause(event: OrderEvent, lineNo: number): OrderCause {
  return { orderId: orderIdOf(event), lineNo, sourceCursor: event.cursor, actor: actorOf(event) };
}

async function onReceipt(tx: Queryable, event: LoggedEvent<'ShipmentReceived'>): Promise<void> {
  const accepted = (line: OrderLineFacts) => new Decimal(line.quantity);
  const groups = bySku(event.payload.lines, accepted);
  if (groups.size === 0) return;
  await lockInventory(tx);
  const known = await knownSkus(tx, [...groups.keys()]);
  for (const [sku, lines] of groups) {
    if (!known.has(sku)) continue;
    let total = new Decimal(0);
    let location = '';
    for (const line of lines) {
      location = await receive(tx, sku, accepted(line), cause(event, line.lineNo));
      total = total.plus(accepted(line));
    }
    await stockChanged(
      tx,
      {
        type: 'StockReceived',
        facts: {
          quantity: total.toString(),
          orderId: orderIdOf(event),
          location,
          reason: 'purchase order receipt',
        },
      },
      sku,
      actorOf(event),
    );
  }
}

async function onConfirmation(tx: Queryable, event: LoggedEvent<'OrderConfirmed'>): Promise<void> {
  const confirmed = (line: { confirmedQuantity: string }) => new Decimal(line.confirmedQuantity);
  const groups = bySku(event.payload.lines, confirmed);
  if (groups.size === 0) return;
  await lockInventory(tx);
  const known = await knownSkus(tx, [...groups.keys()]);
  for (const [sku, lines] of groups) {
    if (!known.has(sku)) continue;
    let requested = new Decimal(0);
    let reserved = new Decimal(0);
    for (const line of lines) {
      requested = requested.plus(confirmed(line));
      reserved = reserved.plus(await reserve(tx, sku, confirmed(line), cause(event, line.lineNo)));
    }
    const short = requested.minus(reserved);
    const facts = {
      quantity: reserved.toString(),
      orderId: orderIdOf(event),
      requested: requested.toString(),
      short: short.toString(),
      reason: 'sales order confirmed',
    };
    await stockChanged(tx, { type: 'StockReserved', facts }, sku, actorOf(event));
    if (short.gt(0)) await stockChanged(tx, { type: 'ReservationShort', facts }, sku, actorOf(event));
  }
}

/** Statuses after which a sales order ships nothing more. */
const DONE_SHIPPING = new Set(['SHIPPED', 'PARTIALLY_RECEIVED', 'RECEIVED', 'CLOSED']);

async function onShipment(tx: Queryable, event: LoggedEvent<'OrderShipped'>): Promise<void> {
  const shipped = (line: OrderLineFacts) => new Decimal(line.quantity);
  const groups = bySku(event.payload.lines, shipped);
  await lockInventory(tx);
  const known = await knownSkus(tx, [...groups.keys()]);
  for (const [sku, lines] of groups) {
    if (!known.has(sku)) continue;
    let issued = new Decimal(0);
    let short = new Decimal(0);
    for (const line of lines) {
      const result = await issue(tx, sku, shipped(line), cause(event, line.lineNo));
      issued = issued.plus(result.issued);
      short = short.plus(result.short);
    }
    const facts = { quantity: issued.toString(), orderId: orderIdOf(event), reason: 'sales order shipped' };
    await stockChanged(tx, { type: 'StockIssued', facts }, sku, actorOf(event));
    if (short.gt(0)) {
      await stockChanged(
        tx,
        {
          type: 'IssueShort',
          facts: { ...facts, requested: issued.plus(short).toString(), short: short.toString() },
        },
        sku,
        actorOf(event),
      );
    }
  }
  if (DONE_SHIPPING.has(event.payload.status)) {
    await releaseOrder(tx, event, 'sales order shipped in full; the rest of its reservation is released');
  }
}

async function releaseOrder(tx: Queryable, event: OrderEvent, reason: string): Promise<void> {
  await lockInventory(tx);
  const released = await release(tx, orderIdOf(event), cause(event, 0), reason);
  for (const [sku, quantity] of released) {
    await stockChanged(
      tx,
      { type: 'StockReleased', facts: { quantity: quantity.toString(), orderId: orderIdOf(event), reason } },
      sku,
      actorOf(event),
    );
  }
}

export const stockProjection = applierOf(STOCK_SOURCES, applyOrderEvents);
