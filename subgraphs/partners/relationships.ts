import type { Queryable } from '../../platform/db/database.ts';
import type { Applier } from '../../platform/events/consumer.ts';
import type { LoggedEvent } from '../../platform/events/eventLog.ts';

/**
 * Who is related to whom, learnt from the event log (a consumer like the other subgraphs' projections,
 * exactly once: its offset is committed with these writes). Partners never reads another subgraph's
 * tables; what makes two partners counterparties is in the events those subgraphs append.
 */

export type RelationshipBasis = 'ORDER' | 'INVOICE' | 'SUPPLY_LINK' | 'DISCLOSURE';

/** The two parties an event makes counterparties of each other, if any. */
function counterparties(event: LoggedEvent): { a: string; b: string; basis: RelationshipBasis } | null {
  switch (event.type) {
    case 'OrderCreated':
    case 'OrderSubmitted':
    case 'OrderConfirmed':
    case 'OrderRejected':
    case 'OrderCancelled':
    case 'OrderShipped':
    case 'ShipmentReceived':
    case 'OrderClosed':
      // A buyer's draft is not yet the seller's business (orders' own rule); from submission on it is.
      return event.payload.status === 'DRAFT'
        ? null
        : { a: event.payload.buyerId, b: event.payload.sellerId, basis: 'ORDER' };
    case 'SupplyLinkConfirmed':
      return { a: event.payload.supplierId, b: event.payload.customerId, basis: 'SUPPLY_LINK' };
    case 'SupplyLinkDeclared':
      // A link the company's staff declare is confirmed by them; one a partner declares waits for its
      // counterparty's confirmation (`SupplyLinkConfirmed`) and relates no one before.
      return event.payload.declaredBy === null
        ? { a: event.payload.supplierId, b: event.payload.customerId, basis: 'SUPPLY_LINK' }
        : null;
    case 'InvoiceSubmitted':
    case 'InvoiceIssued':
    case 'InvoiceApproved':
    case 'InvoiceDisputed':
    case 'InvoiceRematched':
    case 'PaymentRecorded':
    case 'InvoiceCancelled':
      return { a: event.payload.issuerId, b: event.payload.recipientId, basis: 'INVOICE' };
    default:
      return null;
  }
}

/** Each event's counterparties know each other from then on (both ways): one statement per batch. */
async function applyRelationships(tx: Queryable, events: readonly LoggedEvent[]): Promise<void> {
  const relations: Relation[] = [];
  for (const event of events) {
    const pair = counterparties(event);
    if (!pair || pair.a === pair.b) continue;
    relations.push([pair.a, pair.b, pair.basis], [pair.b, pair.a, pair.basis]);
  }
  await relate(tx, relations);
}

/** That `partner` knows `related`, and why. */
export type Relation = readonly [partner: string, related: string, basis: RelationshipBasis];

/** Records each relation; a pair already related keeps its first basis (the earliest in `relations`). */
export async function relate(tx: Queryable, relations: readonly Relation[]): Promise<void> {
  if (relations.length === 0) return;
  // Only partners the directory holds: an event naming an unknown id relates nothing.
  await tx.query(
    `INSERT INTO partners.relationship (partner_id, related_id, basis)
     SELECT t.partner_id, t.related_id, t.basis
       FROM unnest($1::text[], $2::text[], $3::text[]) WITH ORDINALITY AS t(partner_id, related_id, basis, n)
      WHERE EXISTS (SELECT 1 FROM partners.partner p WHERE p.id = t.partner_id)
        AND EXISTS (SELECT 1 FROM partners.partner p WHERE p.id = t.related_id)
      ORDER BY t.n
     ON CONFLICT DO NOTHING`,
    [relations.map((r) => r[0]), relations.map((r) => r[1]), relations.map((r) => r[2])],
  );
}

/** Of `ids`, those `partnerId` may read: itself, the company, and the partners it is related to. */
export async function visibleAmong(
  db: Queryable,
  partnerId: string,
  ids: readonly string[],
): Promise<Set<string>> {
  const { rows } = await db.query<{ id: string }>(
    `SELECT p.id FROM partners.partner p
      WHERE p.id = ANY($2::text[])
        AND (p.id = $1 OR p.is_self
             OR EXISTS (SELECT 1 FROM partners.relationship r WHERE r.partner_id = $1 AND r.related_id = p.id))`,
    [partnerId, [...ids]],
  );
  return new Set(rows.map((row) => row.id));
}

/** Only events that make two parties counterparties act (a buyer's draft order, say, does not). */
export const relationshipsProjection: Required<Applier> = {
  apply: applyRelationships,
  acts: (event) => counterparties(event) !== null,
};
