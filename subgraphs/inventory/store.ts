import type { Queryable } from '../../platform/db/database.ts';
import { appendEvent } from '../../platform/events/eventLog.ts';

export interface ItemRow {
  sku: string;
  name: string;
  unit: string;
  gtin: string | null;
  list_price: string | null;
  currency: string | null;
}

export interface StockRow {
  sku: string;
  location: string;
  on_hand: string;
  reserved: string;
}

const SELECT_ITEM = `SELECT sku, name, unit, gtin, list_price::text, currency::text FROM inventory.item`;

export async function itemsBySku(db: Queryable, skus: readonly string[]): Promise<ItemRow[]> {
  const { rows } = await db.query<ItemRow>(`${SELECT_ITEM} WHERE sku = ANY($1::text[])`, [[...skus]]);
  return rows;
}

export async function listItems(
  db: Queryable,
  search: string | null,
  after: [string, string] | null,
  limit: number,
): Promise<ItemRow[]> {
  const { rows } = await db.query<ItemRow>(
    `${SELECT_ITEM}
      WHERE ($1::text IS NULL OR strpos(lower(name), lower($1)) > 0 OR sku = $1 OR gtin = $1)
        AND ($2::text IS NULL OR (lower(name), sku) > ($2, $3))
      ORDER BY lower(name), sku LIMIT $4`,
    [search, after?.[0] ?? null, after?.[1] ?? null, limit],
  );
  return rows;
}

export const itemSortKey = (row: ItemRow): [string, string] => [row.name.toLowerCase(), row.sku];

export async function stockBySku(db: Queryable, skus: readonly string[]): Promise<StockRow[]> {
  const { rows } = await db.query<StockRow>(
    `SELECT sku, location, on_hand::text, reserved::text FROM inventory.stock_level
      WHERE sku = ANY($1::text[]) ORDER BY sku, location`,
    [[...skus]],
  );
  return rows;
}

export interface NewItem {
  sku: string;
  name: string;
  unit: string;
  gtin?: string | null;
  listPrice?: { amount: string; currency: string } | null;
}

export async function upsertItem(tx: Queryable, item: NewItem, actor: string): Promise<ItemRow> {
  const { rows } = await tx.query<ItemRow>(
    `INSERT INTO inventory.item (sku, name, unit, gtin, list_price, currency) VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (sku) DO UPDATE SET name = EXCLUDED.name, unit = EXCLUDED.unit, gtin = EXCLUDED.gtin,
       list_price = EXCLUDED.list_price, currency = EXCLUDED.currency, updated_at = now()
     RETURNING sku, name, unit, gtin, list_price::text, currency::text`,
    [
      item.sku,
      item.name,
      item.unit,
      item.gtin ?? null,
      item.listPrice?.amount ?? null,
      item.listPrice?.currency ?? null,
    ],
  );
  const row = rows[0]!;
  await appendEvent(tx, {
    type: 'ItemUpserted',
    aggregateType: 'Item',
    aggregateId: row.sku,
    actor,
    payload: {
      sku: row.sku,
      name: row.name,
      unit: row.unit,
      gtin: row.gtin,
      listPrice: item.listPrice ?? null,
    },
  });
  return row;
}

/** Sets the on-hand quantity at a location; the movement ledger comes with the inventory domain. */
export async function setOnHand(tx: Queryable, sku: string, location: string, onHand: string, actor: string) {
  await tx.query(
    `INSERT INTO inventory.stock_level (sku, location, on_hand) VALUES ($1, $2, $3)
     ON CONFLICT (sku, location) DO UPDATE SET on_hand = EXCLUDED.on_hand`,
    [sku, location, onHand],
  );
  await appendEvent(tx, {
    type: 'StockSet',
    aggregateType: 'Item',
    aggregateId: sku,
    actor,
    payload: { sku, location, onHand },
  });
}
