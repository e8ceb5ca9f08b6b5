import type { Principal } from '../../../platform/auth/principal.ts';
import type { Queryable } from '../../../platform/db/database.ts';
import { conflict } from '../../../platform/errors.ts';
import { idempotencyKeyOf, idempotent, requestHash } from '../../../platform/idempotency.ts';
import { orderRequestByKey, recordOrderRequest } from '../orderRequests.ts';
import { ordersByIds, type OrderRow } from '../store.ts';
import { orderToActOn } from './steps.ts';

export interface SellerAnswer {
  action: 'confirm' | 'reject';
  orderId: string;
  /** What the seller said: the confirmation's input, or the rejection's reason. */
  content: unknown;
  idempotencyKey: string | null | undefined;
}

/**
 * A seller's answer (confirm, reject) taken once per idempotency key. A partner's system that did not hear
 * back sends it again: the same answer under the same key returns the order, even after it has moved on
 * (shipped, or confirmed by this very request), where answering again would be a CONFLICT; another
 * request under that key is a CONFLICT.
 */
export async function answerOnce(
  tx: Queryable,
  principal: Principal,
  request: SellerAnswer,
  answer: () => Promise<OrderRow>,
): Promise<OrderRow> {
  const idempotency = idempotencyKeyOf(principal, request.idempotencyKey);
  if (!idempotency) return answer();
  const { scope, key } = idempotency;
  const { action, orderId, content } = request;
  // Who may not answer this order learns nothing of what was answered under the key.
  await orderToActOn(tx, principal, orderId, action);
  const hash = requestHash({ action, orderId, content });
  return idempotent(
    tx,
    {
      lock: `order-request:${scope}:${key}`,
      find: async () => {
        const earlier = await orderRequestByKey(tx, scope, key);
        if (!earlier) return undefined;
        const [order] = await ordersByIds(tx, [earlier.order_id]);
        return { result: order!, requestHash: earlier.request_hash };
      },
      requestHash: hash,
      conflict: (earlier) =>
        conflict(`idempotency key ${key} was already used for another request`, { orderId: earlier.id }),
    },
    async () => {
      const order = await answer();
      await recordOrderRequest(tx, { scope, key, orderId, requestHash: hash });
      return order;
    },
  );
}
