import type { Queryable } from '../../platform/db/database.ts';
import { badInput } from '../../platform/errors.ts';
import { logPosition } from '../../platform/events/position.ts';
import { Decimal } from '../../platform/money.ts';
import { effectivePrice } from '../../platform/pricing.ts';
import {
  customerPricesFor,
  itemMatches,
  promotionsFor,
  type CustomerPriceRow,
  type ItemRow,
  type PromotionRow,
} from './store.ts';

/**
 * The catalog one customer syncs. Change tracking: every change that alters an item for everyone (its
 * data, list price, promotion, availability) stamps `item.catalog_version` with the cursor of the event
 * that announced it; a change of one customer's agreed price stamps that price row. A sync notes the
 * event log's latest settled cursor H before reading (no event at or below H can commit later), so it
 * misses nothing when the next one asks for versions above H.
 * What changes by the clock alone (a promotion or an agreed price starting or ending) is found by the
 * boundary instants between the two syncs' start times. All of it is indexed: an incremental sync costs
 * what changed, not the catalog's size.
 */
export interface SyncPoint {
  /** The event log's settled cursor when the sync started: no event at or below it commits later. */
  version: string;
  /** The database clock when the sync started. */
  at: Date;
}

export function encodeSyncToken(point: SyncPoint): string {
  return Buffer.from(JSON.stringify({ v: point.version, t: point.at.toISOString() })).toString('base64url');
}

export function decodeSyncToken(token: string, field: string): SyncPoint {
  try {
    const value = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as {
      v?: unknown;
      t?: unknown;
    };
    if (typeof value.v === 'string' && /^\d{1,19}$/.test(value.v) && typeof value.t === 'string') {
      const at = new Date(value.t);
      if (!Number.isNaN(at.getTime())) return { version: value.v, at };
    }
  } catch {
    // fall through
  }
  throw badInput(`\`${field}\` is not a sync token this catalog returned`, { field });
}

export async function syncPoint(db: Queryable): Promise<SyncPoint> {
  const { cursor, at } = await logPosition(db);
  return { version: cursor, at };
}

const ITEM_COLUMNS = `i.sku, i.name, i.unit, i.gtin, trim_scale(i.list_price)::text AS list_price,
  i.currency::text AS currency, trim_scale(i.reorder_point)::text AS reorder_point, i.availability_check,
  i.catalog_version::text AS catalog_version`;

/**
 * One page of the catalog by SKU: every item, or with `since` only those changed for this customer; with
 * `search` only the items that match it.
 */
export async function catalogPage(
  db: Queryable,
  customerId: string,
  point: SyncPoint,
  since: SyncPoint | null,
  afterSku: string | null,
  limit: number,
  search: string | null = null,
): Promise<ItemRow[]> {
  if (!since) {
    const { rows } = await db.query<ItemRow>(
      `SELECT ${ITEM_COLUMNS} FROM inventory.item i
        WHERE ($1::text IS NULL OR i.sku > $1) AND ${itemMatches(3, 'part')} ORDER BY i.sku LIMIT $2`,
      [afterSku, limit, search],
    );
    return rows;
  }
  const { rows } = await db.query<ItemRow>(
    `WITH changed AS (
       SELECT sku FROM inventory.item WHERE catalog_version > $2::bigint
       UNION SELECT sku FROM inventory.customer_price WHERE customer_id = $1 AND version > $2::bigint
       UNION SELECT sku FROM inventory.customer_price WHERE customer_id = $1 AND starts_at > $3::timestamptz AND starts_at <= $4::timestamptz
       UNION SELECT sku FROM inventory.customer_price WHERE customer_id = $1 AND ends_at > $3::timestamptz AND ends_at <= $4::timestamptz
       UNION SELECT sku FROM inventory.promotion WHERE starts_at > $3::timestamptz AND starts_at <= $4::timestamptz
       UNION SELECT sku FROM inventory.promotion WHERE ends_at > $3::timestamptz AND ends_at <= $4::timestamptz)
     SELECT ${ITEM_COLUMNS} FROM inventory.item i JOIN changed c ON c.sku = i.sku
      WHERE ($5::text IS NULL OR i.sku > $5) AND ${itemMatches(7, 'part')} ORDER BY i.sku LIMIT $6`,
    [customerId, since.version, since.at, point.at, afterSku, limit, search],
  );
  return rows;
}

export interface CatalogEntryView {
  item: ItemRow;
  customerPrice: CustomerPriceRow | null;
  promotion: PromotionRow | null;
  available: string;
}

/** Prices, promotions and availability of a page: three statements, whatever the page size. */
export async function catalogEntries(
  db: Queryable,
  items: ItemRow[],
  customerId: string,
  at: Date,
): Promise<CatalogEntryView[]> {
  if (items.length === 0) return [];
  const skus = items.map((item) => item.sku);
  const [prices, promotions, stock] = await Promise.all([
    customerPricesFor(db, skus, customerId, at),
    promotionsFor(db, skus, at),
    db.query<{ sku: string; available: string }>(
      `SELECT sku, trim_scale(sum(on_hand - reserved))::text AS available
         FROM inventory.stock_level WHERE sku = ANY($1::text[]) GROUP BY sku`,
      [skus],
    ),
  ]);
  const priceOf = new Map(prices.map((row) => [row.sku, row]));
  const promotionOf = new Map(promotions.map((row) => [row.sku, row]));
  const availableOf = new Map(stock.rows.map((row) => [row.sku, row.available]));
  return items.map((item) => ({
    item,
    customerPrice: priceOf.get(item.sku) ?? null,
    promotion: promotionOf.get(item.sku) ?? null,
    available: new Decimal(availableOf.get(item.sku) ?? 0).toString(),
  }));
}

export function priceOfEntry(entry: CatalogEntryView) {
  const { item, customerPrice, promotion } = entry;
  return effectivePrice({
    listPrice: item.list_price === null ? null : { amount: item.list_price, currency: item.currency! },
    customerPrice: customerPrice ? { amount: customerPrice.amount, currency: customerPrice.currency } : null,
    promotion: promotion
      ? { kind: promotion.kind, value: promotion.value, currency: promotion.currency }
      : null,
  });
}
