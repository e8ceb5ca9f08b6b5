import type { Queryable } from '../../platform/db/database.ts';
import type { ItemFacts, PartnerFacts } from '../../platform/events/contracts.ts';
import type { LoggedEvent } from '../../platform/events/eventLog.ts';

/**
 * What orders needs to know of partners and items, kept from their events: whether a partner may be
 * ordered from or sold to, and whether a SKU exists, in which unit and at what list price.
 */
export async function applyReferenceData(tx: Queryable, event: LoggedEvent): Promise<void> {
  switch (event.type) {
    case 'PartnerRegistered':
    case 'PartnerUpdated': {
      const payload = event.payload as unknown as PartnerFacts;
      await tx.query(
        `INSERT INTO orders.party (id, name, roles, status, is_self) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, roles = EXCLUDED.roles, status = EXCLUDED.status,
           is_self = EXCLUDED.is_self`,
        [payload.id, payload.name, payload.roles, payload.status, payload.isSelf],
      );
      break;
    }
    case 'ItemUpserted': {
      const payload = event.payload as unknown as ItemFacts;
      const listPrice = payload.listPrice;
      await tx.query(
        `INSERT INTO orders.catalog_item (sku, unit, list_price, currency) VALUES ($1, $2, $3, $4)
         ON CONFLICT (sku) DO UPDATE SET unit = EXCLUDED.unit, list_price = EXCLUDED.list_price,
           currency = EXCLUDED.currency`,
        [payload.sku, payload.unit, listPrice?.amount ?? null, listPrice?.currency ?? null],
      );
      break;
    }
  }
}

export interface PartyRow {
  id: string;
  name: string;
  roles: string[];
  status: string;
  is_self: boolean;
}

export async function partiesAndSelf(db: Queryable, ids: readonly string[]): Promise<PartyRow[]> {
  const { rows } = await db.query<PartyRow>(
    `SELECT id, name, roles, status, is_self FROM orders.party WHERE id = ANY($1::text[]) OR is_self`,
    [[...ids]],
  );
  return rows;
}

export interface CatalogItemRow {
  sku: string;
  unit: string;
  list_price: string | null;
  currency: string | null;
}

export async function catalogItems(db: Queryable, skus: readonly string[]): Promise<CatalogItemRow[]> {
  const { rows } = await db.query<CatalogItemRow>(
    `SELECT sku, unit, list_price::text, currency::text FROM orders.catalog_item WHERE sku = ANY($1::text[])`,
    [[...skus]],
  );
  return rows;
}
