import { Decimal } from '../../platform/money.ts';
import { ORDER_STATUSES as STATUSES } from '../../platform/events/contract.ts';
import type { OrderStatus } from './generated/resolvers.ts';

/**
 * The order lifecycle, in one place. Every mutation names its action; the action says which party may
 * take it and from which statuses. Statuses after shipping are derived from quantities, so partial
 * shipments and receipts in any order land on the right one.
 */
export type OrderAction = 'submit' | 'confirm' | 'reject' | 'cancel' | 'ship' | 'receive' | 'close';

/** The party of the order that takes an action. */
export type Side = 'BUYER' | 'SELLER';

export const ACTIONS: Record<OrderAction, { by: readonly Side[]; from: readonly OrderStatus[] }> = {
  submit: { by: ['BUYER'], from: ['DRAFT'] },
  confirm: { by: ['SELLER'], from: ['SUBMITTED'] },
  reject: { by: ['SELLER'], from: ['SUBMITTED'] },
  // Either party, until something has shipped.
  cancel: { by: ['BUYER', 'SELLER'], from: ['DRAFT', 'SUBMITTED', 'CONFIRMED', 'PARTIALLY_CONFIRMED'] },
  ship: {
    by: ['SELLER'],
    from: ['CONFIRMED', 'PARTIALLY_CONFIRMED', 'PARTIALLY_SHIPPED', 'PARTIALLY_RECEIVED'],
  },
  receive: { by: ['BUYER'], from: ['PARTIALLY_SHIPPED', 'SHIPPED', 'PARTIALLY_RECEIVED'] },
  close: { by: ['BUYER', 'SELLER'], from: ['RECEIVED'] },
};

export const ORDER_STATUSES: readonly OrderStatus[] = STATUSES;

export function canTransition(status: OrderStatus, action: OrderAction): boolean {
  return ACTIONS[action].from.includes(status);
}

export interface ConfirmedLine {
  quantity: string;
  requestedDate: string | null;
  confirmedQuantity: string;
  confirmedDate: string | null;
}

/** Anything less, or later, than asked on any line is a partial confirmation. */
export function statusAfterConfirmation(lines: readonly ConfirmedLine[]): OrderStatus {
  const asAsked = lines.every(
    (line) =>
      new Decimal(line.confirmedQuantity).gte(line.quantity) &&
      (line.requestedDate === null ||
        line.confirmedDate === null ||
        line.confirmedDate <= line.requestedDate),
  );
  return asAsked ? 'CONFIRMED' : 'PARTIALLY_CONFIRMED';
}

export interface FulfilmentFacts {
  lines: readonly { confirmedQuantity: string; shippedQuantity: string }[];
  shipments: readonly { received: boolean }[];
  /** The seller sent a final shipment: nothing more will come. */
  shippingComplete: boolean;
}

/**
 * Once goods move, the status follows the quantities: everything confirmed has shipped (or the seller
 * said the last shipment was final), and every shipment has been received.
 */
export function statusAfterFulfilment(facts: FulfilmentFacts): OrderStatus {
  const allShipped =
    facts.shippingComplete ||
    facts.lines.every((line) => new Decimal(line.shippedQuantity).gte(line.confirmedQuantity));
  const receipts = facts.shipments.filter((shipment) => shipment.received).length;
  if (receipts === 0) return allShipped ? 'SHIPPED' : 'PARTIALLY_SHIPPED';
  return allShipped && receipts === facts.shipments.length ? 'RECEIVED' : 'PARTIALLY_RECEIVED';
}

/** The most a line may ship or receive in total, given the order's over-delivery tolerance in percent. */
export function deliveryLimit(confirmedQuantity: string, tolerancePercent: string): Decimal {
  return new Decimal(confirmedQuantity).times(new Decimal(tolerancePercent).div(100).plus(1));
}
