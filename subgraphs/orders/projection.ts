import type { Queryable } from '../../platform/db/database.ts';
import { applierOf } from '../../platform/events/consumer.ts';
import { STOCK_EVENTS, type StockEventType } from '../../platform/events/contract.ts';
import { isOf, type LoggedEvent } from '../../platform/events/eventLog.ts';
import { keepParty } from '../../platform/events/parties.ts';
import { Decimal } from '../../platform/money.ts';
import { effectivePrice } from '../../platform/pricing.ts';

/** The events this projection acts on: its `switch` cannot name another. */
const REFERENCE_SOURCES = [
  'PartnerRegistered',
  'PartnerUpdated',
  'ItemUpserted',
  'PriceSet',
  'CustomerPriceSet',
  'CustomerPriceRemoved',
  'PromotionSet',
  ...STOCK_EVENTS,
] as const;

/**
 * What orders needs to know of partners and items, kept from their events: whether a partner may be
 * ordered from or sold to, whether a SKU exists, in which unit, at what list price, agreed customer price
 * and promotion (to price sales orders), and how much of it is available (to confirm them).
 */
export async function applyReferenceData(
  tx: Queryable,
  event: LoggedEvent<(typeof REFERENCE_SOURCES)[number]>,
): Promise<void> {
  switch (event.type) {
    case 'PartnerRegistered':
    case 'PartnerUpdated':
      await keepParty(tx, 'orders', event);
      break;
    case 'ItemUpserted': {
      const payload = event.payload;
      const listPrice = payload.listPrice;
      await tx.query(
        `INSERT INTO orders.catalog_item (sku, unit, list_price, currency, availability_check)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (sku) DO UPDATE SET unit = EXCLUDED.unit, list_price = EXCLUDED.list_price,
           currency = EXCLUDED.currency, availability_check = EXCLUDED.availability_check`,
        [
          payload.sku,
          payload.unit,
          listPrice?.amount ?? null,
          listPrice?.currency ?? null,
          payload.availabilityCheck,
        ],
      );
      break;
    }
    case 'PriceSet': {
      const payload = event.payload;
      await tx.query(`UPDATE orders.catalog_item SET list_price = $2, currency = $3 WHERE sku = $1`, [
        payload.sku,
        payload.listPrice?.amount ?? null,
        payload.listPrice?.currency ?? null,
      ]);
      break;
    }
    case 'CustomerPriceSet':
    case 'CustomerPriceRemoved': {
      const payload = event.payload;
      if (payload.removed) {
        await tx.query(`DELETE FROM orders.customer_price WHERE id = $1`, [payload.id]);
        break;
      }
      await tx.query(
        `INSERT INTO orders.customer_price (id, sku, customer_id, amount, currency, starts_at, ends_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (id) DO NOTHING`,
        [
          payload.id,
          payload.sku,
          payload.customerId,
          payload.amount,
          payload.currency,
          payload.startsAt,
          payload.endsAt,
        ],
      );
      break;
    }
    case 'PromotionSet': {
      const payload = event.payload;
      await tx.query(
        `INSERT INTO orders.promotion (id, sku, kind, value, currency, starts_at, ends_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (id) DO NOTHING`,
        [
          payload.id,
          payload.sku,
          payload.kind,
          payload.value,
          payload.currency,
          payload.startsAt,
          payload.endsAt,
        ],
      );
      break;
    }
    default:
      if (isOf(event, STOCK_EVENTS)) await applyAvailability(tx, event);
  }
}

/**
 * Every stock event carries the item's availability after it. Inventory's answer to a sales order
 * confirmation (`StockReserved`) also ends that order's pending reservation: from then on the announced
 * availability includes it.
 */
async function applyAvailability(tx: Queryable, event: LoggedEvent<StockEventType>): Promise<void> {
  await tx.query(
    `INSERT INTO orders.item_availability (sku, available) VALUES ($1, $2)
     ON CONFLICT (sku) DO UPDATE SET available = EXCLUDED.available`,
    [event.payload.sku, event.payload.available],
  );
  if (event.type === 'StockReserved') {
    const reservation = event.payload;
    await tx.query(`DELETE FROM orders.pending_reservation WHERE order_id = $1 AND sku = $2`, [
      reservation.orderId,
      reservation.sku,
    ]);
  }
}

/**
 * What can still be promised per SKU: the announced availability less the confirmations inventory has not
 * answered yet. The availability rows are locked (in SKU order, so concurrent confirmations cannot
 * deadlock) until the confirming transaction ends: concurrent confirmations of one SKU queue, and each
 * sees what the ones before it took.
 */
export async function lockAvailableToPromise(
  tx: Queryable,
  skus: readonly string[],
): Promise<Map<string, Decimal>> {
  const distinct = [...new Set(skus)].sort();
  await tx.query(
    `INSERT INTO orders.item_availability (sku, available) SELECT unnest($1::text[]), 0 ON CONFLICT DO NOTHING`,
    [distinct],
  );
  await tx.query(
    `SELECT sku FROM orders.item_availability WHERE sku = ANY($1::text[]) ORDER BY sku FOR UPDATE`,
    [distinct],
  );
  // A statement of its own, after the locks: its snapshot sees what the confirmations before it committed.
  const { rows } = await tx.query<{ sku: string; available: string }>(
    `SELECT a.sku, (a.available - COALESCE((SELECT sum(p.quantity) FROM orders.pending_reservation p
                                            WHERE p.sku = a.sku), 0))::text AS available
       FROM orders.item_availability a WHERE a.sku = ANY($1::text[])`,
    [distinct],
  );
  return new Map(rows.map((row) => [row.sku, Decimal.max(0, row.available)]));
}

export async function addPendingReservations(
  tx: Queryable,
  orderId: string,
  quantities: ReadonlyMap<string, Decimal>,
): Promise<void> {
  const entries = [...quantities].filter(([, quantity]) => quantity.gt(0));
  if (entries.length === 0) return;
  await tx.query(
    `INSERT INTO orders.pending_reservation (order_id, sku, quantity)
     SELECT $1, sku, quantity FROM unnest($2::text[], $3::numeric[]) AS p(sku, quantity)`,
    [orderId, entries.map(([sku]) => sku), entries.map(([, quantity]) => quantity.toString())],
  );
}

/**
 * A customer's price for these items now, by the catalog's rule (platform/pricing.ts): the lower of its
 * agreed price valid now and the list price less the promotion running now, in the order's currency.
 */
export async function customerPrices(
  tx: Queryable,
  customerId: string,
  items: readonly CatalogItemRow[],
  currency: string,
): Promise<Map<string, Decimal>> {
  const skus = items.map((item) => item.sku);
  const [agreed, promotions] = await Promise.all([
    tx.query<{ sku: string; amount: string; currency: string }>(
      `SELECT DISTINCT ON (sku) sku, amount::text, currency::text FROM orders.customer_price
        WHERE customer_id = $1 AND sku = ANY($2::text[]) AND starts_at <= now() AND (ends_at IS NULL OR ends_at > now())
        ORDER BY sku, starts_at DESC`,
      [customerId, skus],
    ),
    tx.query<{ sku: string; kind: 'PERCENT' | 'AMOUNT'; value: string; currency: string | null }>(
      `SELECT DISTINCT ON (sku) sku, kind, value::text, currency::text FROM orders.promotion
        WHERE sku = ANY($1::text[]) AND starts_at <= now() AND ends_at > now()
        ORDER BY sku, starts_at DESC`,
      [skus],
    ),
  ]);
  const agreedOf = new Map(agreed.rows.map((row) => [row.sku, row]));
  const promotionOf = new Map(promotions.rows.map((row) => [row.sku, row]));
  const prices = new Map<string, Decimal>();
  for (const item of items) {
    const price = effectivePrice(
      {
        listPrice: item.list_price === null ? null : { amount: item.list_price, currency: item.currency! },
        customerPrice: agreedOf.get(item.sku) ?? null,
        promotion: promotionOf.get(item.sku) ?? null,
      },
      currency,
    );
    if (price) prices.set(item.sku, price.amount);
  }
  return prices;
}

export interface PartyRow {
  id: string;
  name: string;
  roles: string[];
  status: string;
  is_self: boolean;
}

export interface CatalogItemRow {
  sku: string;
  unit: string;
  list_price: string | null;
  currency: string | null;
  availability_check: 'BACKORDER' | 'CONFIRM_AVAILABLE';
}

/** A `CatalogItemRow`, as every statement that reads one selects it. */
const CATALOG_ITEM_COLUMNS = 'sku, unit, list_price::text, currency::text, availability_check';

/**
 * What a new order is checked against: its counterparty and the company itself, the items it names, and
 * the order an earlier request under the same idempotency key created, if any.
 */
export interface OrderReference {
  parties: PartyRow[];
  items: CatalogItemRow[];
  earlier: { id: string; request_hash: string } | null;
}

/**
 * One statement for all of a new order's reads: on PGlite each statement waits its turn on the one
 * connection, and these run once per order. The earlier order is read in the same snapshot as the rest,
 * which the caller takes after the key's lock (`idempotent`), so a retry that waited finds the first.
 */
export function orderReference(
  db: Queryable,
  partyId: string,
  skus: readonly string[],
  idempotency: { scope: string; key: string } | null,
): Promise<OrderReference> {
  return db.one<OrderReference>(
    `SELECT
       (SELECT coalesce(json_agg(p), '[]') FROM (
          SELECT id, name, roles, status, is_self FROM orders.party WHERE id = $1 OR is_self) p) AS parties,
       (SELECT coalesce(json_agg(i), '[]') FROM (
          SELECT ${CATALOG_ITEM_COLUMNS} FROM orders.catalog_item WHERE sku = ANY($2::text[])) i) AS items,
       (SELECT row_to_json(o) FROM (
          SELECT id, request_hash FROM orders.purchase_order
           WHERE idempotency_scope = $3 AND idempotency_key = $4) o) AS earlier`,
    [partyId, [...skus], idempotency?.scope ?? null, idempotency?.key ?? null],
  );
}

export async function catalogItems(db: Queryable, skus: readonly string[]): Promise<CatalogItemRow[]> {
  const { rows } = await db.query<CatalogItemRow>(
    `SELECT ${CATALOG_ITEM_COLUMNS} FROM orders.catalog_item WHERE sku = ANY($1::text[])`,
    [[...skus]],
  );
  return rows;
}

export const referenceDataProjection = applierOf(REFERENCE_SOURCES, applyReferenceData);
