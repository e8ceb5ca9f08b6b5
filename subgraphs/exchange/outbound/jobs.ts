import type { Queryable } from '../../../platform/db/database.ts';
import type { BusinessDocumentKind } from '../formats/business.ts';

export interface OutboundJobRow {
  id: string;
  partner_id: string;
  format: string;
  kind: BusinessDocumentKind;
  subject_id: string;
  event_cursor: string;
  status: 'PENDING' | 'DONE';
  document_id: string | null;
  attempts: number;
  last_error: string | null;
}

export interface OwedDocument {
  partnerId: string;
  format: string;
  kind: BusinessDocumentKind;
  subjectId: string;
  eventCursor: string;
}

/** Queued in the consumer's transaction: the event and the debt commit together, once. */
export async function queueOutboundJob(tx: Queryable, owed: OwedDocument): Promise<void> {
  await tx.query(
    `INSERT INTO exchange.outbound_job (partner_id, format, kind, subject_id, event_cursor)
     VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`,
    [owed.partnerId, owed.format, owed.kind, owed.subjectId, owed.eventCursor],
  );
}

/** The oldest pending jobs, leased so another process leaves them alone until the lease runs out. */
export async function leaseOutboundJobs(
  db: Queryable,
  limit: number,
  leaseSeconds: number,
): Promise<OutboundJobRow[]> {
  const { rows } = await db.query<OutboundJobRow>(
    `UPDATE exchange.outbound_job SET lease_until = clock_timestamp() + make_interval(secs => $2),
            attempts = attempts + 1
      WHERE id IN (SELECT id FROM exchange.outbound_job
                    WHERE status = 'PENDING' AND (lease_until IS NULL OR lease_until < clock_timestamp())
                    ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED)
      RETURNING *`,
    [limit, leaseSeconds],
  );
  return rows.sort((a, b) => Number(BigInt(a.id) - BigInt(b.id)));
}

/** Done, with the document written; a job done already (by another process) is left as it is. */
export async function completeOutboundJob(
  tx: Queryable,
  id: string,
  documentId: string | null,
): Promise<boolean> {
  const { rowCount } = await tx.query(
    `UPDATE exchange.outbound_job SET status = 'DONE', document_id = $2, lease_until = NULL
      WHERE id = $1 AND status = 'PENDING'`,
    [id, documentId],
  );
  return rowCount > 0;
}

/** The data was not there (a subgraph down): tried again after a pause that grows with the attempts. */
export async function postponeOutboundJob(
  db: Queryable,
  id: string,
  error: string,
  attempts: number,
): Promise<void> {
  await db.query(
    `UPDATE exchange.outbound_job SET last_error = $2,
            lease_until = clock_timestamp() + make_interval(secs => $3) WHERE id = $1`,
    [id, error, Math.min(2 ** attempts, 600)],
  );
}

/** Extends the lease of jobs this process is still working on (`workThroughLeased`); not a new attempt. */
export async function renewOutboundLeases(
  db: Queryable,
  rows: readonly { id: string }[],
  leaseSeconds: number,
): Promise<void> {
  await db.query(
    `UPDATE exchange.outbound_job SET lease_until = clock_timestamp() + make_interval(secs => $2)
      WHERE id = ANY($1::bigint[]) AND status = 'PENDING'`,
    [rows.map((row) => row.id), leaseSeconds],
  );
}
