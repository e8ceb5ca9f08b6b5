import { actorOf, type Principal } from '../../../platform/auth/principal.ts';
import type { Queryable } from '../../../platform/db/database.ts';
import { badInput, conflict, forbidden, notFound } from '../../../platform/errors.ts';
import { requireText } from '../../../platform/input.ts';
import { assertMayAct, canRead, orderScope } from '../access.ts';
import type { OrderStatus } from '../generated/resolvers.ts';
import { canTransition, type OrderAction } from '../lifecycle.ts';
import { lockOrder, setOrderStatus, type OrderRow, type OrderStep } from '../store.ts';

/**
 * What every order step shares (the order locked, who acts checked, the transition allowed, lines
 * addressed by number), and the steps that only move the status.
 */

const PAST: Record<OrderAction, string> = {
  submit: 'submitted',
  confirm: 'confirmed',
  reject: 'rejected',
  cancel: 'cancelled',
  ship: 'shipped',
  receive: 'received',
  close: 'closed',
};

/** Locks the order and checks that this principal may take this step on it. */
export async function orderToActOn(
  tx: Queryable,
  principal: Principal,
  id: string,
  action: OrderAction,
): Promise<OrderRow> {
  const order = await lockOrder(tx, id);
  if (!order) throw notFound('order', id);
  if (!canRead(orderScope(principal), order)) throw forbidden('this order is not yours to act on');
  assertMayAct(principal, order, action);
  return order;
}

export function assertTransition(order: OrderRow, action: OrderAction): void {
  if (!canTransition(order.status, action)) {
    throw conflict(`order ${order.number} is ${order.status} and cannot be ${PAST[action]}`, {
      status: order.status,
    });
  }
}

/** Steps that only move the status: the status each leads to, and the event that records it. */
const STATUS_STEPS = {
  submit: 'SUBMITTED',
  reject: 'REJECTED',
  cancel: 'CANCELLED',
  close: 'CLOSED',
} as const satisfies Partial<Record<OrderAction, OrderStatus>>;

export async function statusStep(
  tx: Queryable,
  principal: Principal,
  id: string,
  action: keyof typeof STATUS_STEPS,
  step: () => OrderStep,
): Promise<OrderRow> {
  const order = await orderToActOn(tx, principal, id, action);
  assertTransition(order, action);
  return setOrderStatus(tx, order, STATUS_STEPS[action], actorOf(principal), step());
}

export const submitOrder = (tx: Queryable, principal: Principal, id: string) =>
  statusStep(tx, principal, id, 'submit', () => ({ type: 'OrderSubmitted', facts: {} }));

/** Either party, until something has shipped. */
export const cancelOrder = (tx: Queryable, principal: Principal, id: string, reason: string) =>
  statusStep(tx, principal, id, 'cancel', () => ({
    type: 'OrderCancelled',
    facts: { reason: requireText(reason, 'reason') },
  }));

export const closeOrder = (tx: Queryable, principal: Principal, id: string) =>
  statusStep(tx, principal, id, 'close', () => ({ type: 'OrderClosed', facts: {} }));

/** Input lines by line number, refusing numbers the order does not have and numbers given twice. */
export function byLineNo<Input extends { lineNo: number }>(
  inputs: readonly Input[],
  known: ReadonlySet<number>,
  what: string,
): Map<number, Input> {
  const result = new Map<number, Input>();
  inputs.forEach((input, index) => {
    if (!known.has(input.lineNo)) {
      throw badInput(`${what} has no line ${input.lineNo}`, { field: `lines[${index}].lineNo` });
    }
    if (result.has(input.lineNo)) {
      throw badInput(`line ${input.lineNo} is given twice`, { field: `lines[${index}].lineNo` });
    }
    result.set(input.lineNo, input);
  });
  return result;
}
