import type { Queryable } from '../../../platform/db/database.ts';

export type ReferenceKind = 'BUYER_PART' | 'VENDOR_PART' | 'GTIN';

export interface ItemReferenceRow {
  partner_id: string;
  kind: ReferenceKind;
  value: string;
  sku: string;
  updated_at: Date;
}

/** The SKU each of these codes names for the partner; codes it has no reference for are absent. */
export async function skusByReference(
  db: Queryable,
  partnerId: string,
  codes: readonly { kind: ReferenceKind; value: string }[],
): Promise<Map<string, string>> {
  if (codes.length === 0) return new Map();
  const { rows } = await db.query<ItemReferenceRow>(
    `SELECT r.* FROM exchange.item_reference r
       JOIN unnest($2::text[], $3::text[]) AS c(kind, value) ON r.kind = c.kind AND r.value = c.value
      WHERE r.partner_id = $1`,
    [partnerId, codes.map((code) => code.kind), codes.map((code) => code.value)],
  );
  return new Map(rows.map((row) => [`${row.kind}:${row.value}`, row.sku]));
}

/** The partner's codes for these SKUs, to write them on documents we send it. */
export async function referencesBySku(
  db: Queryable,
  partnerId: string,
  skus: readonly string[],
): Promise<ItemReferenceRow[]> {
  const { rows } = await db.query<ItemReferenceRow>(
    'SELECT * FROM exchange.item_reference WHERE partner_id = $1 AND sku = ANY($2::text[]) ORDER BY kind, value',
    [partnerId, [...skus]],
  );
  return rows;
}

export async function listReferences(db: Queryable, partnerId: string): Promise<ItemReferenceRow[]> {
  const { rows } = await db.query<ItemReferenceRow>(
    'SELECT * FROM exchange.item_reference WHERE partner_id = $1 ORDER BY sku, kind, value',
    [partnerId],
  );
  return rows;
}

export async function upsertReferences(
  tx: Queryable,
  partnerId: string,
  references: readonly { kind: ReferenceKind; value: string; sku: string }[],
): Promise<void> {
  if (references.length === 0) return;
  await tx.query(
    `INSERT INTO exchange.item_reference (partner_id, kind, value, sku)
     SELECT $1, kind, value, sku FROM unnest($2::text[], $3::text[], $4::text[]) AS r(kind, value, sku)
     ON CONFLICT (partner_id, kind, value) DO UPDATE SET sku = EXCLUDED.sku, updated_at = clock_timestamp()`,
    [
      partnerId,
      references.map((reference) => reference.kind),
      references.map((reference) => reference.value),
      references.map((reference) => reference.sku),
    ],
  );
}

export async function removeReferences(tx: Queryable, partnerId: string): Promise<void> {
  await tx.query('DELETE FROM exchange.item_reference WHERE partner_id = $1', [partnerId]);
}
