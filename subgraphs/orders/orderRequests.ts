import type { Queryable } from '../../platform/db/database.ts';

/** Confirmations and rejections sent with an idempotency key: which order each acted on, and how. */

export interface OrderRequestRow {
  order_id: string;
  request_hash: string;
}

export async function orderRequestByKey(
  tx: Queryable,
  scope: string,
  key: string,
): Promise<OrderRequestRow | undefined> {
  const { rows } = await tx.query<OrderRequestRow>(
    `SELECT order_id, request_hash FROM orders.order_request WHERE idempotency_scope = $1 AND idempotency_key = $2`,
    [scope, key],
  );
  return rows[0];
}

export async function recordOrderRequest(
  tx: Queryable,
  request: { scope: string; key: string; orderId: string; requestHash: string },
): Promise<void> {
  await tx.query(
    `INSERT INTO orders.order_request (idempotency_scope, idempotency_key, order_id, request_hash)
     VALUES ($1, $2, $3, $4)`,
    [request.scope, request.key, request.orderId, request.requestHash],
  );
}
