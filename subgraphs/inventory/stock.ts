import type { Queryable } from '../../platform/db/database.ts';
import { appendEvent } from '../../platform/events/eventLog.ts';
import { Decimal } from '../../platform/money.ts';
import type { EventPayloads, StockEventType, StockFigures } from '../../platform/events/contract.ts';

/** A stock event without the totals, which `stockChanged` adds as they are after the change. */
export type StockChange = {
  [T in StockEventType]: { type: T; facts: Omit<EventPayloads[T], keyof StockFigures> };
}[StockEventType];

/**
 * The stock ledger. Every change of a stock level is a movement (RECEIPT, ISSUE, ADJUSTMENT, RESERVATION,
 * RELEASE) written with the balance it leaves, in the same transaction as the level it changes and the
 * event that announces it; CHECK constraints keep on hand ≥ reserved ≥ 0, so available never goes
 * negative whatever runs concurrently.
 *
 * Lock order. Every inventory write, mutation or event consumer, first takes the event log's append lock
 * (the advisory lock `appendEvent` takes, held to commit), then row locks. Appending alone would take it
 * after the row locks, and a consumer batch, which holds it from its first append, could then wait for a
 * row a mutation holds while that mutation waits for the append lock: a deadlock. Taking it first also
 * makes every inventory change visible in cursor order, which the catalog's change tracking relies on.
 */

export type MovementKind = 'RECEIPT' | 'ISSUE' | 'ADJUSTMENT' | 'RESERVATION' | 'RELEASE';

export interface MovementRow {
  id: string;
  sku: string;
  location: string;
  kind: MovementKind;
  on_hand_change: string;
  reserved_change: string;
  on_hand_after: string;
  reserved_after: string;
  reason: string | null;
  order_id: string | null;
  line_no: number | null;
  actor: string | null;
  at: Date;
}

export const MOVEMENT_COLUMNS = `id::text, sku, location, kind, trim_scale(on_hand_change)::text AS on_hand_change,
  trim_scale(reserved_change)::text AS reserved_change, trim_scale(on_hand_after)::text AS on_hand_after,
  trim_scale(reserved_after)::text AS reserved_after, reason, order_id, line_no, actor, at`;

export interface Movement {
  sku: string;
  location: string;
  kind: MovementKind;
  onHand: Decimal.Value;
  reserved: Decimal.Value;
  reason?: string | null;
  orderId?: string | null;
  lineNo?: number | null;
  sourceCursor?: string | null;
  actor: string;
}

/** Changes one stock level and writes the ledger line that explains it. */
export async function move(tx: Queryable, movement: Movement): Promise<MovementRow> {
  const onHand = new Decimal(movement.onHand).toString();
  const reserved = new Decimal(movement.reserved).toString();
  return tx.one<MovementRow>(
    // Update, or insert when the item was never stocked there: an INSERT … ON CONFLICT would check the
    // constraints against the bare change (a reservation with nothing on hand) before finding the row.
    `WITH updated AS (
       UPDATE inventory.stock_level SET on_hand = on_hand + $3::numeric, reserved = reserved + $4::numeric
        WHERE sku = $1 AND location = $2 RETURNING on_hand, reserved),
     inserted AS (
       INSERT INTO inventory.stock_level (sku, location, on_hand, reserved)
       SELECT $1, $2, $3::numeric, $4::numeric WHERE NOT EXISTS (SELECT 1 FROM updated)
       RETURNING on_hand, reserved),
     level AS (SELECT * FROM updated UNION ALL SELECT * FROM inserted)
     INSERT INTO inventory.stock_movement
       (sku, location, kind, on_hand_change, reserved_change, on_hand_after, reserved_after, reason, order_id,
        line_no, source_cursor, actor)
     SELECT $1, $2, $5, $3, $4, level.on_hand, level.reserved, $6, $7, $8, $9, $10 FROM level
     RETURNING ${MOVEMENT_COLUMNS}`,
    [
      movement.sku,
      movement.location,
      onHand,
      reserved,
      movement.kind,
      movement.reason ?? null,
      movement.orderId ?? null,
      movement.lineNo ?? null,
      movement.sourceCursor ?? null,
      movement.actor,
    ],
  );
}

export interface LevelRow {
  sku: string;
  location: string;
  on_hand: string;
  reserved: string;
  is_default: boolean;
}

/** The item's levels, default location first, locked until the transaction ends. */
export async function lockLevels(tx: Queryable, sku: string): Promise<LevelRow[]> {
  const { rows } = await tx.query<LevelRow>(
    `SELECT s.sku, s.location, s.on_hand::text, s.reserved::text, l.is_default
       FROM inventory.stock_level s JOIN inventory.location l ON l.code = s.location
      WHERE s.sku = $1 ORDER BY l.is_default DESC, s.location FOR UPDATE OF s`,
    [sku],
  );
  return rows;
}

/**
 * Where order-driven receipts go: the default location. Before any location is defined, MAIN is created
 * as the default, so goods that arrive are never lost for want of a shelf.
 */
export async function defaultLocation(tx: Queryable): Promise<string> {
  const current = await tx.maybeOne<{ code: string }>(`SELECT code FROM inventory.location WHERE is_default`);
  if (current) return current.code;
  await tx.query(
    `INSERT INTO inventory.location (code, name, is_default) VALUES ('MAIN', 'Main warehouse', true)
     ON CONFLICT (code) DO UPDATE SET is_default = true`,
  );
  return 'MAIN';
}

/** Defines a location if it is new; the first location defined becomes the default. */
export async function ensureLocation(tx: Queryable, code: string, name = code): Promise<void> {
  await tx.query(
    `INSERT INTO inventory.location (code, name, is_default)
     VALUES ($1, $2, NOT EXISTS (SELECT 1 FROM inventory.location WHERE is_default))
     ON CONFLICT (code) DO NOTHING`,
    [code, name],
  );
}

export interface Totals {
  onHand: Decimal;
  reserved: Decimal;
  available: Decimal;
}

async function totalsOf(tx: Queryable, sku: string): Promise<Totals> {
  const sums = await tx.one<{ on_hand: string; reserved: string }>(
    `SELECT COALESCE(sum(on_hand), 0)::text AS on_hand, COALESCE(sum(reserved), 0)::text AS reserved
       FROM inventory.stock_level WHERE sku = $1`,
    [sku],
  );
  const onHand = new Decimal(sums.on_hand);
  const reserved = new Decimal(sums.reserved);
  return { onHand, reserved, available: onHand.minus(reserved) };
}

/**
 * After an item's stock changed: announce it with the item's new totals, stamp the item's catalog version
 * with the event's cursor (its availability changed), and check the reorder point: falling below it
 * appends `ReorderPointReached`, once per crossing; rising back to it re-arms the check.
 */
export async function stockChanged(
  tx: Queryable,
  change: StockChange,
  sku: string,
  actor: string,
): Promise<Totals> {
  const totals = await totalsOf(tx, sku);
  const figures: StockFigures = {
    sku,
    onHand: totals.onHand.toString(),
    reserved: totals.reserved.toString(),
    available: totals.available.toString(),
  };
  const event = await appendEvent(tx, {
    type: change.type,
    aggregateType: 'Item',
    aggregateId: sku,
    actor,
    payload: { ...change.facts, ...figures },
  });
  const item = await tx.maybeOne<{ reorder_point: string | null; below_reorder_point: boolean }>(
    `UPDATE inventory.item SET catalog_version = $2 WHERE sku = $1
     RETURNING reorder_point::text, below_reorder_point`,
    [sku, event.cursor],
  );
  if (item?.reorder_point !== null && item?.reorder_point !== undefined) {
    const below = totals.available.lt(item.reorder_point);
    if (below !== item.below_reorder_point) {
      await tx.query(`UPDATE inventory.item SET below_reorder_point = $2 WHERE sku = $1`, [sku, below]);
      if (below) await reorderPointReached(tx, figures, item.reorder_point, actor);
    }
  }
  return totals;
}

/** Available fell below the reorder point: announced once per crossing. */
async function reorderPointReached(
  tx: Queryable,
  figures: StockFigures,
  reorderPoint: string,
  actor: string,
) {
  await appendEvent(tx, {
    type: 'ReorderPointReached',
    aggregateType: 'Item',
    aggregateId: figures.sku,
    actor,
    payload: { ...figures, quantity: '0', reorderPoint: new Decimal(reorderPoint).toString() },
  });
}

/** Reorder point changed: the check runs again against the current stock, without a stock event. */
export async function recheckReorderPoint(tx: Queryable, sku: string, actor: string): Promise<void> {
  const totals = await totalsOf(tx, sku);
  const item = await tx.maybeOne<{ reorder_point: string | null; below_reorder_point: boolean }>(
    `SELECT reorder_point::text, below_reorder_point FROM inventory.item WHERE sku = $1`,
    [sku],
  );
  if (!item) return;
  const below = item.reorder_point !== null && totals.available.lt(item.reorder_point);
  if (below === item.below_reorder_point) return;
  await tx.query(`UPDATE inventory.item SET below_reorder_point = $2 WHERE sku = $1`, [sku, below]);
  if (below) {
    const figures: StockFigures = {
      sku,
      onHand: totals.onHand.toString(),
      reserved: totals.reserved.toString(),
      available: totals.available.toString(),
    };
    await reorderPointReached(tx, figures, item.reorder_point!, actor);
  }
}

// ---------------------------------------------------------------- what orders cause

export interface OrderCause {
  orderId: string;
  lineNo: number;
  sourceCursor: string;
  actor: string;
}

/** Goods received on a purchase order go to the default location. */
export async function receive(tx: Queryable, sku: string, quantity: Decimal, cause: OrderCause) {
  const location = await defaultLocation(tx);
  await lockLevels(tx, sku);
  await move(tx, {
    sku,
    location,
    kind: 'RECEIPT',
    onHand: quantity,
    reserved: 0,
    reason: 'goods received on a purchase order',
    ...cause,
  });
  return location;
}

/**
 * Reserves for a sales order line what is available, default location first, then the others by code.
 * Returns what it reserved, which is less than asked when stock is short: never more than available.
 */
export async function reserve(tx: Queryable, sku: string, quantity: Decimal, cause: OrderCause) {
  let remaining = quantity;
  for (const level of await lockLevels(tx, sku)) {
    if (remaining.isZero()) break;
    const take = Decimal.min(remaining, new Decimal(level.on_hand).minus(level.reserved));
    if (take.lte(0)) continue;
    await move(tx, {
      sku,
      location: level.location,
      kind: 'RESERVATION',
      onHand: 0,
      reserved: take,
      reason: 'reserved for a confirmed sales order',
      ...cause,
    });
    await tx.query(
      `INSERT INTO inventory.reservation AS r (order_id, line_no, sku, location, quantity)
       VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (order_id, line_no, location) DO UPDATE SET quantity = r.quantity + EXCLUDED.quantity`,
      [cause.orderId, cause.lineNo, sku, level.location, take.toString()],
    );
    remaining = remaining.minus(take);
  }
  return quantity.minus(remaining);
}

interface ReservationRow {
  location: string;
  quantity: string;
}

async function reservationsOf(tx: Queryable, orderId: string, lineNo: number): Promise<ReservationRow[]> {
  const { rows } = await tx.query<ReservationRow>(
    `SELECT r.location, r.quantity::text FROM inventory.reservation r
       JOIN inventory.location l ON l.code = r.location
      WHERE r.order_id = $1 AND r.line_no = $2 AND r.quantity > 0
      ORDER BY l.is_default DESC, r.location`,
    [orderId, lineNo],
  );
  return rows;
}

/**
 * Issues a shipped sales order line: first what was reserved for it (consuming the reservation), then,
 * for anything shipped beyond that, free stock, default location first. Stock never goes negative: what
 * cannot be issued is returned as short, for someone to count and adjust.
 */
export async function issue(tx: Queryable, sku: string, quantity: Decimal, cause: OrderCause) {
  await lockLevels(tx, sku);
  let remaining = quantity;
  for (const reservation of await reservationsOf(tx, cause.orderId, cause.lineNo)) {
    if (remaining.isZero()) break;
    const take = Decimal.min(remaining, reservation.quantity);
    await move(tx, {
      sku,
      location: reservation.location,
      kind: 'ISSUE',
      onHand: take.negated(),
      reserved: take.negated(),
      reason: 'shipped on a sales order (reserved)',
      ...cause,
    });
    await tx.query(
      `UPDATE inventory.reservation SET quantity = quantity - $4
        WHERE order_id = $1 AND line_no = $2 AND location = $3`,
      [cause.orderId, cause.lineNo, reservation.location, take.toString()],
    );
    remaining = remaining.minus(take);
  }
  if (remaining.gt(0)) {
    for (const level of await lockLevels(tx, sku)) {
      if (remaining.isZero()) break;
      const free = new Decimal(level.on_hand).minus(level.reserved);
      const take = Decimal.min(remaining, free);
      if (take.lte(0)) continue;
      await move(tx, {
        sku,
        location: level.location,
        kind: 'ISSUE',
        onHand: take.negated(),
        reserved: 0,
        reason: 'shipped on a sales order (beyond the reservation)',
        ...cause,
      });
      remaining = remaining.minus(take);
    }
  }
  return { issued: quantity.minus(remaining), short: remaining };
}

/** Releases what is still reserved for an order's lines (all lines when `lineNo` is absent). */
export async function release(
  tx: Queryable,
  orderId: string,
  cause: Omit<OrderCause, 'orderId' | 'lineNo'>,
  reason: string,
): Promise<Map<string, Decimal>> {
  const { rows } = await tx.query<ReservationRow & { sku: string; line_no: number }>(
    `SELECT line_no, sku, location, quantity::text FROM inventory.reservation
      WHERE order_id = $1 AND quantity > 0 ORDER BY sku, line_no, location`,
    [orderId],
  );
  const released = new Map<string, Decimal>();
  for (const sku of new Set(rows.map((row) => row.sku))) await lockLevels(tx, sku);
  for (const row of rows) {
    await move(tx, {
      sku: row.sku,
      location: row.location,
      kind: 'RELEASE',
      onHand: 0,
      reserved: new Decimal(row.quantity).negated(),
      reason,
      orderId,
      lineNo: row.line_no,
      sourceCursor: cause.sourceCursor,
      actor: cause.actor,
    });
    released.set(row.sku, (released.get(row.sku) ?? new Decimal(0)).plus(row.quantity));
  }
  await tx.query(`DELETE FROM inventory.reservation WHERE order_id = $1`, [orderId]);
  return released;
}
