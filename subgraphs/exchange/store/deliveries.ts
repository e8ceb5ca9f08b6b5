import type { Queryable } from '../../../platform/db/database.ts';

export type DeliveryStatus = 'PENDING' | 'DELIVERED' | 'FAILED' | 'DEAD';

export interface DeliveryRow {
  id: string;
  partner_id: string;
  message_id: string;
  event_type: string;
  event_cursor: string | null;
  document_id: string | null;
  content_type: string;
  body: Buffer;
  status: DeliveryStatus;
  attempt_count: number;
  next_attempt_at: Date;
  window_started_at: Date;
  last_url: string | null;
  source_committed_at: Date;
  created_at: Date;
  delivered_at: Date | null;
}

export interface AttemptRow {
  delivery_id: string;
  attempt_no: number;
  at: Date;
  url: string;
  http_status: number | null;
  latency_ms: number;
  error: string | null;
}

export interface NewDelivery {
  partnerId: string;
  messageId: string;
  eventType: string;
  eventCursor: string | null;
  documentId: string | null;
  contentType: string;
  body: Buffer;
  sourceCommittedAt: Date;
}

export async function queueDelivery(tx: Queryable, delivery: NewDelivery): Promise<void> {
  await tx.query(
    `INSERT INTO exchange.delivery (partner_id, message_id, event_type, event_cursor, document_id, content_type, body,
            source_committed_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [
      delivery.partnerId,
      delivery.messageId,
      delivery.eventType,
      delivery.eventCursor,
      delivery.documentId,
      delivery.contentType,
      delivery.body,
      delivery.sourceCommittedAt,
    ],
  );
}

/**
 * The first pending delivery of each enabled webhook endpoint, when it is due and not leased: a later
 * delivery never goes before an earlier one to the same endpoint. Leased for `leaseSeconds`, so another
 * process (or this one after a crash, once the lease runs out) does not send it at the same time.
 */
export async function leaseDueHeads(
  db: Queryable,
  exclude: readonly string[],
  limit: number,
  leaseSeconds: number,
): Promise<(DeliveryRow & { url: string })[]> {
  const { rows } = await db.query<DeliveryRow & { url: string }>(
    `WITH heads AS (
       SELECT DISTINCT ON (d.partner_id) d.id, d.next_attempt_at, d.lease_until
         FROM exchange.delivery d JOIN exchange.profile p ON p.partner_id = d.partner_id
        WHERE d.status = 'PENDING' AND p.channel = 'WEBHOOK' AND p.enabled AND p.endpoint_url IS NOT NULL
          AND NOT (d.partner_id = ANY($1::text[]))
        ORDER BY d.partner_id, d.id),
     due AS (
       SELECT id FROM heads
        WHERE next_attempt_at <= clock_timestamp() AND (lease_until IS NULL OR lease_until < clock_timestamp())
        ORDER BY next_attempt_at LIMIT $2)
     UPDATE exchange.delivery d SET lease_until = clock_timestamp() + make_interval(secs => $3)
       FROM due, exchange.profile p
      WHERE d.id = due.id AND p.partner_id = d.partner_id
     RETURNING d.*, p.endpoint_url AS url`,
    [[...exclude], limit, leaseSeconds],
  );
  return rows;
}

/** When the next head falls due, to sleep until then rather than poll. */
export async function nextDueAt(db: Queryable): Promise<Date | null> {
  const row = await db.maybeOne<{ at: Date | null }>(
    `SELECT min(next_attempt_at) AS at FROM (
       SELECT DISTINCT ON (d.partner_id) d.next_attempt_at
         FROM exchange.delivery d JOIN exchange.profile p ON p.partner_id = d.partner_id
        WHERE d.status = 'PENDING' AND p.channel = 'WEBHOOK' AND p.enabled
        ORDER BY d.partner_id, d.id) heads`,
  );
  return row?.at ?? null;
}

export async function recordAttempt(tx: Queryable, attempt: Omit<AttemptRow, 'attempt_no'>): Promise<number> {
  const { attempt_count: number } = await tx.one<{ attempt_count: number }>(
    `UPDATE exchange.delivery SET attempt_count = attempt_count + 1, last_url = $2,
            window_started_at = CASE WHEN attempt_count = 0 THEN $3 ELSE window_started_at END
      WHERE id = $1 RETURNING attempt_count`,
    [attempt.delivery_id, attempt.url, attempt.at],
  );
  await tx.query(
    `INSERT INTO exchange.delivery_attempt (delivery_id, attempt_no, at, url, http_status, latency_ms, error)
     VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [
      attempt.delivery_id,
      number,
      attempt.at,
      attempt.url,
      attempt.http_status,
      attempt.latency_ms,
      attempt.error,
    ],
  );
  return number;
}

export async function finishDelivery(
  tx: Queryable,
  id: string,
  status: DeliveryStatus,
): Promise<DeliveryRow> {
  return tx.one<DeliveryRow>(
    `UPDATE exchange.delivery SET status = $2, lease_until = NULL,
            delivered_at = CASE WHEN $2 = 'DELIVERED' THEN clock_timestamp() ELSE delivered_at END
      WHERE id = $1 RETURNING *`,
    [id, status],
  );
}

export async function scheduleRetry(tx: Queryable, id: string, at: Date): Promise<void> {
  await tx.query('UPDATE exchange.delivery SET next_attempt_at = $2, lease_until = NULL WHERE id = $1', [
    id,
    at,
  ]);
}

export async function deliveriesByIds(db: Queryable, ids: readonly string[]): Promise<DeliveryRow[]> {
  const { rows } = await db.query<DeliveryRow>(
    'SELECT * FROM exchange.delivery WHERE id = ANY($1::bigint[])',
    [[...ids]],
  );
  return rows;
}

export async function attemptsOf(db: Queryable, ids: readonly string[]): Promise<AttemptRow[]> {
  const { rows } = await db.query<AttemptRow>(
    'SELECT * FROM exchange.delivery_attempt WHERE delivery_id = ANY($1::bigint[]) ORDER BY delivery_id, attempt_no',
    [[...ids]],
  );
  return rows;
}

export async function listDeliveries(
  db: Queryable,
  filter: { partnerId: string | null; status: DeliveryStatus | null },
  after: string | null,
  limit: number,
): Promise<DeliveryRow[]> {
  const { rows } = await db.query<DeliveryRow>(
    `SELECT * FROM exchange.delivery
      WHERE ($1::text IS NULL OR partner_id = $1) AND ($2::text IS NULL OR status = $2)
        AND ($3::bigint IS NULL OR id < $3)
      ORDER BY id DESC LIMIT $4`,
    [filter.partnerId, filter.status, after, limit],
  );
  return rows;
}

/** Sent again from now, with a new retry window. */
export async function requeue(tx: Queryable, id: string): Promise<DeliveryRow> {
  return tx.one<DeliveryRow>(
    `UPDATE exchange.delivery SET status = 'PENDING', next_attempt_at = clock_timestamp(),
            window_started_at = clock_timestamp(), lease_until = NULL
      WHERE id = $1 RETURNING *`,
    [id],
  );
}
