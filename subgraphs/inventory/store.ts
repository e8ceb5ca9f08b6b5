import { randomUUID } from 'node:crypto';
import type { Queryable } from '../../platform/db/database.ts';
import { appendEvent } from '../../platform/events/eventLog.ts';
import { Decimal } from '../../platform/money.ts';
import type { CustomerPriceFacts, ListPriceFacts, PromotionFacts } from '../../platform/events/contract.ts';
import {
  lockInventory,
  ensureLocation,
  lockLevels,
  move,
  MOVEMENT_COLUMNS,
  recheckReorderPoint,
  stockChanged,
  type MovementRow,
} from './stock.ts';

export interface ItemRow {
  sku: string;
  name: string;
  unit: string;
  gtin: string | null;
  list_price: string | null;
  currency: string | null;
  reorder_point: string | null;
  availability_check: 'BACKORDER' | 'CONFIRM_AVAILABLE';
  catalog_version: string;
}

export interface StockRow {
  sku: string;
  location: string;
  on_hand: string;
  reserved: string;
}

const ITEM_COLUMNS = `i.sku, i.name, i.unit, i.gtin, trim_scale(i.list_price)::text AS list_price,
  i.currency::text AS currency, trim_scale(i.reorder_point)::text AS reorder_point, i.availability_check,
  i.catalog_version::text AS catalog_version`;
const SELECT_ITEM = `SELECT ${ITEM_COLUMNS} FROM inventory.item i`;

export async function itemsBySku(db: Queryable, skus: readonly string[]): Promise<ItemRow[]> {
  const { rows } = await db.query<ItemRow>(`${SELECT_ITEM} WHERE i.sku = ANY($1::text[])`, [[...skus]]);
  return rows;
}

/**
 * Whether item `i` matches the search in parameter `$n` (null: every item): its name contains it, ignoring
 * case; its GTIN is it; and its SKU is it, or with `sku: 'part'` contains it (customers type the start of
 * one). No index serves a substring: a search scans the items (docs/inventory.md).
 */
export const itemMatches = (n: number, sku: 'whole' | 'part') =>
  `($${n}::text IS NULL OR strpos(lower(i.name), lower($${n})) > 0 OR i.gtin = $${n}
     OR ${sku === 'part' ? `strpos(lower(i.sku), lower($${n})) > 0` : `i.sku = $${n}`})`;

export async function listItems(
  db: Queryable,
  search: string | null,
  after: [string, string] | null,
  limit: number,
): Promise<ItemRow[]> {
  const { rows } = await db.query<ItemRow>(
    `${SELECT_ITEM}
      WHERE ${itemMatches(1, 'whole')}
        AND ($2::text IS NULL OR (lower(i.name), i.sku) > ($2, $3))
      ORDER BY lower(i.name), i.sku LIMIT $4`,
    [search, after?.[0] ?? null, after?.[1] ?? null, limit],
  );
  return rows;
}

export const itemSortKey = (row: ItemRow): [string, string] => [row.name.toLowerCase(), row.sku];

export async function stockBySku(db: Queryable, skus: readonly string[]): Promise<StockRow[]> {
  const { rows } = await db.query<StockRow>(
    `SELECT sku, location, trim_scale(on_hand)::text AS on_hand, trim_scale(reserved)::text AS reserved
       FROM inventory.stock_level WHERE sku = ANY($1::text[]) ORDER BY sku, location`,
    [[...skus]],
  );
  return rows;
}

// ---------------------------------------------------------------- items

export interface NewItem {
  sku: string;
  name: string;
  unit: string;
  /** Absent (undefined) keeps the current value of an existing item; null clears it. */
  gtin?: string | null;
  listPrice?: { amount: string; currency: string } | null;
  reorderPoint?: string | null;
  availabilityCheck?: ItemRow['availability_check'];
}

/** Creates or updates an item; announces it with `ItemUpserted` (its whole state, list price included). */
export async function upsertItem(tx: Queryable, item: NewItem, actor: string): Promise<ItemRow> {
  await lockInventory(tx);
  const keep = (value: unknown) => value === undefined;
  const row = await tx.one<ItemRow & { reorder_changed: boolean }>(
    `WITH before AS (SELECT reorder_point FROM inventory.item WHERE sku = $1 FOR UPDATE)
     INSERT INTO inventory.item AS i (sku, name, unit, gtin, list_price, currency, reorder_point, availability_check)
     VALUES ($1, $2, $3, $4, $5, $6, $7, COALESCE($8, 'BACKORDER'))
     ON CONFLICT (sku) DO UPDATE SET name = EXCLUDED.name, unit = EXCLUDED.unit,
       gtin = CASE WHEN $9 THEN i.gtin ELSE EXCLUDED.gtin END,
       list_price = CASE WHEN $10 THEN i.list_price ELSE EXCLUDED.list_price END,
       currency = CASE WHEN $10 THEN i.currency ELSE EXCLUDED.currency END,
       reorder_point = CASE WHEN $11 THEN i.reorder_point ELSE EXCLUDED.reorder_point END,
       availability_check = COALESCE($8, i.availability_check),
       updated_at = now()
     RETURNING ${ITEM_COLUMNS},
       i.reorder_point IS DISTINCT FROM (SELECT reorder_point FROM before) AS reorder_changed`,
    [
      item.sku,
      item.name,
      item.unit,
      item.gtin ?? null,
      item.listPrice?.amount ?? null,
      item.listPrice?.currency ?? null,
      item.reorderPoint ?? null,
      item.availabilityCheck ?? null,
      keep(item.gtin),
      keep(item.listPrice),
      keep(item.reorderPoint),
    ],
  );
  const event = await appendEvent(tx, {
    type: 'ItemUpserted',
    aggregateType: 'Item',
    aggregateId: row.sku,
    actor,
    payload: {
      sku: row.sku,
      name: row.name,
      unit: row.unit,
      gtin: row.gtin,
      listPrice:
        row.list_price === null || row.currency === null
          ? null
          : { amount: row.list_price, currency: row.currency },
      reorderPoint: row.reorder_point,
      availabilityCheck: row.availability_check,
    },
  });
  await stampItem(tx, row.sku, event.cursor);
  if (row.reorder_changed) await recheckReorderPoint(tx, row.sku, actor);
  return { ...row, catalog_version: event.cursor };
}

/** Everyone's catalog view of this item changed at this cursor. */
async function stampItem(tx: Queryable, sku: string, cursor: string): Promise<void> {
  await tx.query(`UPDATE inventory.item SET catalog_version = $2 WHERE sku = $1`, [sku, cursor]);
}

export async function lockItem(tx: Queryable, sku: string): Promise<ItemRow | undefined> {
  return tx.maybeOne<ItemRow>(`${SELECT_ITEM} WHERE i.sku = $1 FOR UPDATE`, [sku]);
}

export async function setListPrice(
  tx: Queryable,
  sku: string,
  price: { amount: string; currency: string } | null,
  actor: string,
): Promise<void> {
  await tx.query(
    `UPDATE inventory.item SET list_price = $2, currency = $3, updated_at = now() WHERE sku = $1`,
    [sku, price?.amount ?? null, price?.currency ?? null],
  );
  const facts: ListPriceFacts = { sku, listPrice: price };
  const event = await appendEvent(tx, {
    type: 'PriceSet',
    aggregateType: 'Item',
    aggregateId: sku,
    actor,
    payload: { ...facts },
  });
  await stampItem(tx, sku, event.cursor);
}

// ---------------------------------------------------------------- customer prices and promotions

export interface CustomerPriceRow {
  id: string;
  sku: string;
  customer_id: string;
  amount: string;
  currency: string;
  valid_from: string;
  valid_to: string | null;
  starts_at: Date;
  ends_at: Date | null;
}

const CUSTOMER_PRICE_COLUMNS = `id, sku, customer_id, trim_scale(amount)::text AS amount, currency::text AS currency,
  valid_from::text, valid_to::text, starts_at, ends_at`;

export async function partnerById(
  tx: Queryable,
  id: string,
): Promise<{ id: string; roles: string[]; status: string } | undefined> {
  return tx.maybeOne<{ id: string; roles: string[]; status: string }>(
    `SELECT id, roles, status FROM inventory.partner WHERE id = $1`,
    [id],
  );
}

/** Prices of this customer and item whose validity overlaps [from, to] (to null: open-ended). */
export async function overlappingPrices(
  tx: Queryable,
  customerId: string,
  sku: string,
  from: string,
  to: string | null,
): Promise<CustomerPriceRow[]> {
  const { rows } = await tx.query<CustomerPriceRow>(
    `SELECT ${CUSTOMER_PRICE_COLUMNS} FROM inventory.customer_price
      WHERE customer_id = $1 AND sku = $2 AND removed_at IS NULL
        AND daterange(valid_from, valid_to, '[]') && daterange($3::date, $4::date, '[]')`,
    [customerId, sku, from, to],
  );
  return rows;
}

function customerPriceFacts(row: CustomerPriceRow, removed: boolean): CustomerPriceFacts {
  return {
    id: row.id,
    sku: row.sku,
    customerId: row.customer_id,
    amount: row.amount,
    currency: row.currency,
    validFrom: row.valid_from,
    validTo: row.valid_to,
    startsAt: row.starts_at.toISOString(),
    endsAt: row.ends_at?.toISOString() ?? null,
    removed,
  };
}

export async function insertCustomerPrice(
  tx: Queryable,
  price: {
    sku: string;
    customerId: string;
    amount: string;
    currency: string;
    validFrom: string;
    validTo: string | null;
  },
  actor: string,
): Promise<CustomerPriceRow> {
  const row = await tx.one<CustomerPriceRow>(
    `INSERT INTO inventory.customer_price
       (id, sku, customer_id, amount, currency, valid_from, valid_to, starts_at, ends_at, version, created_by)
     VALUES ($1, $2, $3, $4, $5, $6::date, $7::date, $6::date::timestamp AT TIME ZONE 'UTC',
             ($7::date + 1)::timestamp AT TIME ZONE 'UTC', 0, $8)
     RETURNING ${CUSTOMER_PRICE_COLUMNS}`,
    [
      randomUUID(),
      price.sku,
      price.customerId,
      price.amount,
      price.currency,
      price.validFrom,
      price.validTo,
      actor,
    ],
  );
  return announceCustomerPrice(tx, row, 'CustomerPriceSet', actor);
}

/** Appends the price's change and stamps the price with its cursor: the customer's catalog changed there. */
async function announceCustomerPrice(
  tx: Queryable,
  row: CustomerPriceRow,
  type: 'CustomerPriceSet' | 'CustomerPriceRemoved',
  actor: string,
): Promise<CustomerPriceRow> {
  const event = await appendEvent(tx, {
    type,
    aggregateType: 'Item',
    aggregateId: row.sku,
    parties: [row.customer_id],
    actor,
    payload: { ...customerPriceFacts(row, type === 'CustomerPriceRemoved') },
  });
  await tx.query(`UPDATE inventory.customer_price SET version = $2 WHERE id = $1`, [row.id, event.cursor]);
  return row;
}

export async function removeCustomerPrice(
  tx: Queryable,
  id: string,
  actor: string,
): Promise<CustomerPriceRow | undefined> {
  const row = await tx.maybeOne<CustomerPriceRow>(
    `UPDATE inventory.customer_price SET removed_at = now() WHERE id = $1 AND removed_at IS NULL
     RETURNING ${CUSTOMER_PRICE_COLUMNS}`,
    [id],
  );
  if (!row) return undefined;
  return announceCustomerPrice(tx, row, 'CustomerPriceRemoved', actor);
}

/** Agreed prices of these items valid at `at`: one customer's, or everyone's when `customerId` is null. */
export async function customerPricesFor(
  db: Queryable,
  skus: readonly string[],
  customerId: string | null,
  at: Date | null,
): Promise<CustomerPriceRow[]> {
  const { rows } = await db.query<CustomerPriceRow>(
    `SELECT ${CUSTOMER_PRICE_COLUMNS} FROM inventory.customer_price
      WHERE sku = ANY($1::text[]) AND removed_at IS NULL
        AND ($2::text IS NULL OR customer_id = $2)
        AND ($3::timestamptz IS NULL OR (starts_at <= $3 AND (ends_at IS NULL OR ends_at > $3)))
      ORDER BY sku, customer_id, valid_from`,
    [[...skus], customerId, at],
  );
  return rows;
}

export async function customerPriceById(db: Queryable, id: string): Promise<CustomerPriceRow | undefined> {
  return db.maybeOne<CustomerPriceRow>(
    `SELECT ${CUSTOMER_PRICE_COLUMNS} FROM inventory.customer_price WHERE id = $1 AND removed_at IS NULL`,
    [id],
  );
}

export interface PromotionRow {
  id: string;
  sku: string;
  name: string;
  kind: 'PERCENT' | 'AMOUNT';
  value: string;
  currency: string | null;
  starts_at: Date;
  ends_at: Date;
}

const PROMOTION_COLUMNS = `id, sku, name, kind, trim_scale(value)::text AS value, currency::text AS currency, starts_at, ends_at`;

export async function overlappingPromotions(
  tx: Queryable,
  sku: string,
  startsAt: Date,
  endsAt: Date,
): Promise<PromotionRow[]> {
  const { rows } = await tx.query<PromotionRow>(
    `SELECT ${PROMOTION_COLUMNS} FROM inventory.promotion
      WHERE sku = $1 AND tstzrange(starts_at, ends_at) && tstzrange($2, $3)`,
    [sku, startsAt, endsAt],
  );
  return rows;
}

export async function insertPromotion(
  tx: Queryable,
  promotion: Omit<PromotionRow, 'id'>,
  actor: string,
): Promise<PromotionRow> {
  const row = await tx.one<PromotionRow>(
    `INSERT INTO inventory.promotion (id, sku, name, kind, value, currency, starts_at, ends_at, created_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING ${PROMOTION_COLUMNS}`,
    [
      randomUUID(),
      promotion.sku,
      promotion.name,
      promotion.kind,
      promotion.value,
      promotion.currency,
      promotion.starts_at,
      promotion.ends_at,
      actor,
    ],
  );
  const facts: PromotionFacts = {
    id: row.id,
    sku: row.sku,
    name: row.name,
    kind: row.kind,
    value: row.value,
    currency: row.currency,
    startsAt: row.starts_at.toISOString(),
    endsAt: row.ends_at.toISOString(),
  };
  const event = await appendEvent(tx, {
    type: 'PromotionSet',
    aggregateType: 'Item',
    aggregateId: row.sku,
    actor,
    payload: { ...facts },
  });
  await stampItem(tx, row.sku, event.cursor);
  return row;
}

/** Promotions of these items running at `at`, or, with `at` null, those not yet ended at `now`. */
export async function promotionsFor(
  db: Queryable,
  skus: readonly string[],
  at: Date | null,
): Promise<PromotionRow[]> {
  const { rows } = await db.query<PromotionRow>(
    `SELECT ${PROMOTION_COLUMNS} FROM inventory.promotion
      WHERE sku = ANY($1::text[])
        AND CASE WHEN $2::timestamptz IS NULL THEN ends_at > now() ELSE starts_at <= $2 AND ends_at > $2 END
      ORDER BY sku, starts_at`,
    [[...skus], at],
  );
  return rows;
}

// ---------------------------------------------------------------- locations and stock

export interface LocationRow {
  code: string;
  name: string;
  is_default: boolean;
}

export async function listLocations(db: Queryable): Promise<LocationRow[]> {
  const { rows } = await db.query<LocationRow>(
    `SELECT code, name, is_default FROM inventory.location ORDER BY is_default DESC, code`,
  );
  return rows;
}

export async function locationByCode(db: Queryable, code: string): Promise<LocationRow | undefined> {
  return db.maybeOne<LocationRow>(`SELECT code, name, is_default FROM inventory.location WHERE code = $1`, [
    code,
  ]);
}

export async function upsertLocation(
  tx: Queryable,
  location: { code: string; name: string; isDefault: boolean },
  actor: string,
): Promise<LocationRow> {
  await lockInventory(tx);
  if (location.isDefault) await tx.query(`UPDATE inventory.location SET is_default = false WHERE is_default`);
  const row = await tx.one<LocationRow>(
    `INSERT INTO inventory.location AS l (code, name, is_default)
     VALUES ($1, $2, $3 OR NOT EXISTS (SELECT 1 FROM inventory.location WHERE is_default))
     ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, is_default = l.is_default OR $3
     RETURNING code, name, is_default`,
    [location.code, location.name, location.isDefault],
  );
  await appendEvent(tx, {
    type: 'LocationDefined',
    aggregateType: 'Location',
    aggregateId: row.code,
    actor,
    payload: { code: row.code, name: row.name, isDefault: row.is_default },
  });
  return row;
}

/**
 * An adjustment: `change` added to the location's on hand (negative to write off), with its reason. The
 * caller has checked the item and location exist and holds the inventory lock.
 */
export async function adjust(
  tx: Queryable,
  sku: string,
  location: string,
  change: Decimal,
  reason: string,
  actor: string,
): Promise<MovementRow> {
  const movement = await move(tx, {
    sku,
    location,
    kind: 'ADJUSTMENT',
    onHand: change,
    reserved: 0,
    reason,
    actor,
  });
  await stockChanged(
    tx,
    { type: 'StockAdjusted', facts: { quantity: change.toString(), location, reason } },
    sku,
    actor,
  );
  return movement;
}

/** The location's level, locked; zero when the item was never stocked there. */
export async function levelAt(
  tx: Queryable,
  sku: string,
  location: string,
): Promise<{ onHand: Decimal; reserved: Decimal }> {
  const level = (await lockLevels(tx, sku)).find((row) => row.location === location);
  return { onHand: new Decimal(level?.on_hand ?? 0), reserved: new Decimal(level?.reserved ?? 0) };
}

/**
 * Sets the on-hand quantity at a location to a count (demo data and imports): an ADJUSTMENT by the
 * difference, so the ledger explains it. The location is defined if new.
 */
export async function setOnHand(tx: Queryable, sku: string, location: string, onHand: string, actor: string) {
  await lockInventory(tx);
  await ensureLocation(tx, location);
  const level = await levelAt(tx, sku, location);
  await adjust(tx, sku, location, new Decimal(onHand).minus(level.onHand), 'stock count', actor);
}

export async function movementsForItems(
  db: Queryable,
  skus: readonly string[],
  location: string | null,
  after: string | null,
  limit: number,
): Promise<MovementRow[]> {
  const { rows } = await db.query<MovementRow>(
    `SELECT m.* FROM unnest($1::text[]) AS k(sku)
      CROSS JOIN LATERAL (
        SELECT ${MOVEMENT_COLUMNS} FROM inventory.stock_movement
         WHERE sku = k.sku AND ($2::text IS NULL OR location = $2) AND ($3::bigint IS NULL OR id < $3)
         ORDER BY id DESC LIMIT $4) m`,
    [[...skus], location, after, limit],
  );
  return rows;
}
