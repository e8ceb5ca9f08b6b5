import { actorOf, type Principal } from '../../../platform/auth/principal.ts';
import type { Queryable } from '../../../platform/db/database.ts';
import { badInput, conflict } from '../../../platform/errors.ts';
import { parseDate, parseQuantity, requireText } from '../../../platform/input.ts';
import { Decimal } from '../../../platform/money.ts';
import type { ConfirmOrderInput } from '../generated/resolvers.ts';
import { statusAfterConfirmation } from '../lifecycle.ts';
import { addPendingReservations, catalogItems, lockAvailableToPromise } from '../projection.ts';
import {
  linesByOrderIds,
  orderIdByExternalRef,
  recordConfirmation,
  setOrderStatus,
  type OrderRow,
} from '../store.ts';
import { answerOnce } from './answerOnce.ts';
import { assertTransition, byLineNo, orderToActOn, statusStep } from './steps.ts';

// The seller's answer to an order: confirmed line by line, or rejected; each taken once per idempotency key.

export const confirmOrder = (
  tx: Queryable,
  principal: Principal,
  id: string,
  input: ConfirmOrderInput,
  idempotencyKey?: string | null,
): Promise<OrderRow> =>
  answerOnce(tx, principal, { action: 'confirm', orderId: id, content: input, idempotencyKey }, () =>
    confirm(tx, principal, id, input),
  );

export const rejectOrder = (
  tx: Queryable,
  principal: Principal,
  id: string,
  reason: string,
  idempotencyKey?: string | null,
): Promise<OrderRow> =>
  answerOnce(tx, principal, { action: 'reject', orderId: id, content: { reason }, idempotencyKey }, () =>
    statusStep(tx, principal, id, 'reject', () => ({
      type: 'OrderRejected',
      facts: { reason: requireText(reason, 'reason') },
    })),
  );

async function confirm(
  tx: Queryable,
  principal: Principal,
  id: string,
  input: ConfirmOrderInput,
): Promise<OrderRow> {
  const order = await orderToActOn(tx, principal, id, 'confirm');
  assertTransition(order, 'confirm');
  const lines = await linesByOrderIds(tx, [id]);
  const answers = byLineNo(input.lines ?? [], new Set(lines.map((l) => l.line_no)), `order ${order.number}`);
  const confirmed = lines.map((line) => {
    const answer = answers.get(line.line_no);
    const field = `lines[line ${line.line_no}]`;
    const quantity = answer ? parseQuantity(answer.quantity, `${field}.quantity`, { allowZero: true }) : null;
    if (quantity?.gt(line.quantity)) {
      throw badInput(`line ${line.line_no}: confirm at most the ${line.quantity} ordered`, {
        field: `${field}.quantity`,
      });
    }
    return {
      lineNo: line.line_no,
      sku: line.sku,
      unit: line.unit,
      quantity: line.quantity,
      requestedDate: line.requested_date,
      confirmedQuantity: (quantity ?? new Decimal(line.quantity)).toString(),
      confirmedDate:
        answer?.date !== null && answer?.date !== undefined
          ? parseDate(answer.date, `${field}.date`)
          : line.requested_date,
    };
  });
  const capped = order.kind === 'SALES' ? await promiseFromStock(tx, id, confirmed) : false;
  if (confirmed.every((line) => new Decimal(line.confirmedQuantity).isZero())) {
    throw badInput(
      capped
        ? 'nothing of this order is available: reject it, or confirm it once stock has arrived'
        : 'nothing is confirmed: confirm at least one line, or reject the order',
      { field: 'lines' },
    );
  }
  const externalRef = await confirmationReference(tx, order, input.externalRef);
  await recordConfirmation(
    tx,
    id,
    confirmed.map((line) => ({
      lineNo: line.lineNo,
      quantity: line.confirmedQuantity,
      date: line.confirmedDate,
    })),
    externalRef,
    order.seller_id,
  );
  return setOrderStatus(tx, order, statusAfterConfirmation(confirmed), actorOf(principal), {
    type: 'OrderConfirmed',
    facts: { externalRef, lines: confirmed },
  });
}

/**
 * A sales order confirms against stock. Lines of CONFIRM_AVAILABLE items are cut, in line order, to what
 * can still be promised (announced availability less confirmations inventory has not answered yet), so
 * the order is PARTIALLY_CONFIRMED when short and refused when nothing is available. BACKORDER items are
 * confirmed as asked; inventory reserves what it has and reports the rest (`ReservationShort`). Either way
 * the confirmed quantities are held as pending until inventory's `StockReserved` answers. Returns whether
 * any line was cut.
 */
async function promiseFromStock(
  tx: Queryable,
  orderId: string,
  lines: { sku: string; confirmedQuantity: string }[],
): Promise<boolean> {
  const wanted = lines.filter((line) => new Decimal(line.confirmedQuantity).gt(0));
  if (wanted.length === 0) return false;
  const skus = wanted.map((line) => line.sku);
  const [promisable, items] = await Promise.all([lockAvailableToPromise(tx, skus), catalogItems(tx, skus)]);
  const checked = new Set(
    items.filter((item) => item.availability_check === 'CONFIRM_AVAILABLE').map((item) => item.sku),
  );
  const taken = new Map<string, Decimal>();
  let capped = false;
  for (const line of wanted) {
    let quantity = new Decimal(line.confirmedQuantity);
    const before = taken.get(line.sku) ?? new Decimal(0);
    if (checked.has(line.sku)) {
      const left = Decimal.max(0, (promisable.get(line.sku) ?? new Decimal(0)).minus(before));
      if (quantity.gt(left)) {
        quantity = left;
        capped = true;
        line.confirmedQuantity = quantity.toString();
      }
    }
    taken.set(line.sku, before.plus(quantity));
  }
  await addPendingReservations(tx, orderId, taken);
  return capped;
}

/** A supplier may give its own order number when it confirms a purchase order; it is unique per supplier. */
async function confirmationReference(
  tx: Queryable,
  order: OrderRow,
  value: string | null | undefined,
): Promise<string | null> {
  if (value === null || value === undefined) return null;
  if (order.kind !== 'PURCHASE') {
    throw badInput('a sales order keeps the reference its customer gave', { field: 'externalRef' });
  }
  const reference = requireText(value, 'externalRef');
  const taken = await orderIdByExternalRef(tx, order.seller_id, reference);
  if (taken && taken !== order.id)
    throw conflict(`reference ${reference} is already used`, { orderId: taken });
  return reference;
}
