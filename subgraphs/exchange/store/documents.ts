import { randomUUID } from 'node:crypto';
import type { Queryable } from '../../../platform/db/database.ts';
import type { DocumentEffect, Finding } from '../formats/types.ts';

export type DocumentDirection = 'INBOUND' | 'OUTBOUND';
export type DocumentStatus =
  'RECEIVED' | 'PROCESSED' | 'REJECTED' | 'PENDING' | 'HELD' | 'DELIVERED' | 'ACKNOWLEDGED' | 'REFUSED';

export interface DocumentRow {
  id: string;
  seq: string;
  direction: DocumentDirection;
  partner_id: string;
  format: string;
  media_type: string;
  content: Uint8Array;
  content_hash: string;
  size: number;
  document_type: string | null;
  control_number: string | null;
  idempotency_key: string | null;
  status: DocumentStatus;
  reasons: string[];
  duplicate_of: string | null;
  effects: DocumentEffect[];
  answers: string | null;
  received_at: Date;
  processed_at: Date | null;
  acknowledged_at: Date | null;
}

/** What the generated types map DocumentEffect onto. */
export type DocumentEffectRow = DocumentEffect;

export interface NewDocument {
  direction: DocumentDirection;
  partnerId: string;
  format: string;
  mediaType: string;
  content: Uint8Array;
  contentHash: string;
  status: DocumentStatus;
  idempotencyKey?: string | null;
  documentType?: string | null;
  controlNumber?: string | null;
  answers?: string | null;
  reasons?: string[];
}

/** Inserts unless the same bytes from the same partner are already stored; undefined then. */
export async function insertDocument(tx: Queryable, document: NewDocument): Promise<DocumentRow | undefined> {
  return tx.maybeOne<DocumentRow>(
    `INSERT INTO exchange.document (id, direction, partner_id, format, media_type, content, content_hash, size,
            status, idempotency_key, document_type, control_number, answers, reasons)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
     ON CONFLICT (partner_id, direction, content_hash) DO NOTHING RETURNING *`,
    [
      randomUUID(),
      document.direction,
      document.partnerId,
      document.format,
      document.mediaType,
      document.content,
      document.contentHash,
      document.content.length,
      document.status,
      document.idempotencyKey ?? null,
      document.documentType ?? null,
      document.controlNumber ?? null,
      document.answers ?? null,
      document.reasons ?? [],
    ],
  );
}

export async function documentByHash(
  db: Queryable,
  partnerId: string,
  direction: DocumentDirection,
  hash: string,
): Promise<DocumentRow | undefined> {
  return db.maybeOne<DocumentRow>(
    'SELECT * FROM exchange.document WHERE partner_id = $1 AND direction = $2 AND content_hash = $3',
    [partnerId, direction, hash],
  );
}

export async function documentByIdempotencyKey(
  db: Queryable,
  partnerId: string,
  key: string,
): Promise<DocumentRow | undefined> {
  return db.maybeOne<DocumentRow>(
    'SELECT * FROM exchange.document WHERE partner_id = $1 AND idempotency_key = $2',
    [partnerId, key],
  );
}

export async function documentsByIds(db: Queryable, ids: readonly string[]): Promise<DocumentRow[]> {
  const { rows } = await db.query<DocumentRow>('SELECT * FROM exchange.document WHERE id = ANY($1::text[])', [
    [...ids],
  ]);
  return rows;
}

/** The acknowledgements that answer these inbound documents. */
export async function acknowledgementsOf(db: Queryable, ids: readonly string[]): Promise<DocumentRow[]> {
  const { rows } = await db.query<DocumentRow>(
    'SELECT * FROM exchange.document WHERE answers = ANY($1::text[])',
    [[...ids]],
  );
  return rows;
}

export interface DocumentFilter {
  direction: DocumentDirection | null;
  partnerId: string | null;
  status: DocumentStatus | null;
}

/** Newest first; `after` is the seq of the last document of the previous page. */
export async function listDocuments(
  db: Queryable,
  filter: DocumentFilter,
  after: string | null,
  limit: number,
): Promise<DocumentRow[]> {
  const { rows } = await db.query<DocumentRow>(
    `SELECT * FROM exchange.document
      WHERE ($1::text IS NULL OR direction = $1) AND ($2::text IS NULL OR partner_id = $2)
        AND ($3::text IS NULL OR status = $3) AND ($4::bigint IS NULL OR seq < $4)
      ORDER BY seq DESC LIMIT $5`,
    [filter.direction, filter.partnerId, filter.status, after, limit],
  );
  return rows;
}

/** The inbound document with the same control number that was decided first, if another was. */
export async function firstWithControlNumber(
  tx: Queryable,
  document: Pick<DocumentRow, 'id' | 'partner_id' | 'format' | 'seq'>,
  controlNumber: string,
): Promise<DocumentRow | undefined> {
  return tx.maybeOne<DocumentRow>(
    `SELECT * FROM exchange.document
      WHERE direction = 'INBOUND' AND partner_id = $1 AND format = $2 AND control_number = $3
        AND id <> $4 AND duplicate_of IS NULL AND status <> 'RECEIVED' AND seq < $5
      ORDER BY seq LIMIT 1`,
    [document.partner_id, document.format, controlNumber, document.id, document.seq],
  );
}

/** Notified when an inbound document is stored, for the inbox processors of every process. */
export const INBOX_CHANNEL = 'exchange_inbox';

/**
 * The next inbound documents to process, oldest first, leased so another process leaves them alone
 * for a while; a lease that runs out (its process died) makes them available again.
 */
export async function leaseInbox(db: Queryable, limit: number, leaseSeconds: number): Promise<DocumentRow[]> {
  const { rows } = await db.query<DocumentRow>(
    `UPDATE exchange.document SET lease_until = clock_timestamp() + make_interval(secs => $2)
      WHERE id IN (SELECT id FROM exchange.document
                    WHERE status = 'RECEIVED' AND direction = 'INBOUND'
                      AND (lease_until IS NULL OR lease_until < clock_timestamp())
                    ORDER BY seq LIMIT $1 FOR UPDATE SKIP LOCKED)
      RETURNING *`,
    [limit, leaseSeconds],
  );
  return rows.sort((a, b) => Number(BigInt(a.seq) - BigInt(b.seq)));
}

/** Extends the lease of inbound documents this process is still working on (`workThroughLeased`). */
export async function renewInboxLeases(
  db: Queryable,
  rows: readonly { id: string }[],
  leaseSeconds: number,
): Promise<void> {
  await db.query(
    `UPDATE exchange.document SET lease_until = clock_timestamp() + make_interval(secs => $2)
      WHERE id = ANY($1::text[]) AND status = 'RECEIVED'`,
    [rows.map((row) => row.id), leaseSeconds],
  );
}

export async function recordDecision(
  tx: Queryable,
  id: string,
  decision: {
    status: DocumentStatus;
    reasons: string[];
    effects: DocumentEffect[];
    documentType: string | null;
    controlNumber: string | null;
    duplicateOf: string | null;
  },
): Promise<DocumentRow | undefined> {
  return tx.maybeOne<DocumentRow>(
    `UPDATE exchange.document SET status = $2, reasons = $3, effects = $4, document_type = $5, control_number = $6,
            duplicate_of = $7, processed_at = clock_timestamp(), lease_until = NULL
      WHERE id = $1 AND status = 'RECEIVED' RETURNING *`,
    [
      id,
      decision.status,
      decision.reasons,
      JSON.stringify(decision.effects),
      decision.documentType,
      decision.controlNumber,
      decision.duplicateOf,
    ],
  );
}

export async function lockDocument(tx: Queryable, id: string): Promise<DocumentRow | undefined> {
  return tx.maybeOne<DocumentRow>('SELECT * FROM exchange.document WHERE id = $1 FOR UPDATE', [id]);
}

export async function setDocumentStatus(
  tx: Queryable,
  id: string,
  status: DocumentStatus,
  acknowledged: boolean,
): Promise<DocumentRow> {
  return tx.one<DocumentRow>(
    `UPDATE exchange.document SET status = $2,
            acknowledged_at = CASE WHEN $3 THEN COALESCE(acknowledged_at, clock_timestamp()) ELSE acknowledged_at END
      WHERE id = $1 RETURNING *`,
    [id, status, acknowledged],
  );
}

/** An outbound document the partner's webhook took; one it has acknowledged already stays so. */
export async function markDelivered(tx: Queryable, id: string): Promise<void> {
  await tx.query(`UPDATE exchange.document SET status = 'DELIVERED' WHERE id = $1 AND status = 'PENDING'`, [
    id,
  ]);
}

export interface MessageRow {
  document_id: string;
  position: number;
  document_type: string | null;
  control_number: string | null;
  status: 'PROCESSED' | 'REJECTED';
  findings: Finding[];
  effects: DocumentEffect[];
  decided_at: Date;
}

/** The messages of these documents decided so far, in document order. */
export async function messagesOf(db: Queryable, documentIds: readonly string[]): Promise<MessageRow[]> {
  const { rows } = await db.query<MessageRow>(
    'SELECT * FROM exchange.document_message WHERE document_id = ANY($1::text[]) ORDER BY document_id, position',
    [[...documentIds]],
  );
  return rows;
}

/** One message's decision, committed on its own; a message decided already keeps its first decision. */
export async function recordMessage(tx: Queryable, message: Omit<MessageRow, 'decided_at'>): Promise<void> {
  await tx.query(
    `INSERT INTO exchange.document_message (document_id, position, document_type, control_number, status, findings, effects)
     VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING`,
    [
      message.document_id,
      message.position,
      message.document_type,
      message.control_number,
      message.status,
      JSON.stringify(message.findings),
      JSON.stringify(message.effects),
    ],
  );
}

/**
 * Our outbound document with this control number to the partner: what a received acknowledgement answers.
 * An X12 997 names our group (GS06), which we number as the interchange (ISA13) without its zero padding.
 */
export async function outboundByControlNumber(
  tx: Queryable,
  partnerId: string,
  controlNumber: string,
): Promise<DocumentRow | undefined> {
  return tx.maybeOne<DocumentRow>(
    `SELECT * FROM exchange.document
      WHERE direction = 'OUTBOUND' AND partner_id = $1 AND answers IS NULL
        AND (control_number = $2 OR ltrim(control_number, '0') = ltrim($2, '0'))
      ORDER BY seq DESC LIMIT 1 FOR UPDATE`,
    [partnerId, controlNumber],
  );
}

/** A partner refused a document we sent: it stays visible to staff with the partner's reasons. */
export async function markRefusedByPartner(tx: Queryable, id: string, reasons: string[]): Promise<void> {
  await tx.query(
    `UPDATE exchange.document SET status = 'REFUSED', reasons = $2, acknowledged_at = clock_timestamp() WHERE id = $1`,
    [id, reasons],
  );
}
