import { hasRole, isPartnerPrincipal, type Principal } from '../../platform/auth/principal.ts';
import { forbidden } from '../../platform/errors.ts';
import type { OrderKind } from './generated/resolvers.ts';
import { ACTIONS, type OrderAction, type Side } from './lifecycle.ts';
import type { OrderRow, OrderScope } from './store.ts';

/**
 * Row-level rules for orders: a partner sees the orders it is a party to; buyers see purchase orders,
 * sales staff sales orders; finance, analysts and admins see all.
 */
export function orderScope(principal: Principal): OrderScope {
  if (isPartnerPrincipal(principal)) return { partyId: principal.partnerId, kinds: null };
  if (hasRole(principal, 'admin', 'finance', 'analyst')) return { partyId: null, kinds: null };
  const kinds: OrderKind[] = [];
  if (hasRole(principal, 'buyer')) kinds.push('PURCHASE');
  if (hasRole(principal, 'sales')) kinds.push('SALES');
  return { partyId: null, kinds };
}

export function canRead(
  scope: OrderScope,
  order: Pick<OrderRow, 'kind' | 'status' | 'buyer_id' | 'seller_id'>,
): boolean {
  if (scope.partyId) {
    const isBuyer = order.buyer_id === scope.partyId;
    // The buyer's draft is not yet the seller's business.
    const isSeller = order.seller_id === scope.partyId && order.status !== 'DRAFT';
    if (!isBuyer && !isSeller) return false;
  }
  return scope.kinds === null || scope.kinds.includes(order.kind);
}

/**
 * The side of the order a principal acts for. A partner acts for itself when it is a party; the company's
 * people act for the company, which buys on purchase orders and sells on sales orders, and only in the
 * role that handles that kind. Finance and analysts only read.
 */
export function sideOf(
  principal: Principal,
  order: Pick<OrderRow, 'kind' | 'buyer_id' | 'seller_id'>,
): Side | null {
  if (isPartnerPrincipal(principal)) {
    if (principal.partnerId === order.buyer_id) return 'BUYER';
    if (principal.partnerId === order.seller_id) return 'SELLER';
    return null;
  }
  if (order.kind === 'PURCHASE' && hasRole(principal, 'admin', 'buyer')) return 'BUYER';
  if (order.kind === 'SALES' && hasRole(principal, 'admin', 'sales')) return 'SELLER';
  return null;
}

export function assertMayAct(principal: Principal, order: OrderRow, action: OrderAction): void {
  const side = sideOf(principal, order);
  const allowed = ACTIONS[action].by;
  if (side === null || !allowed.includes(side)) {
    const who = allowed.map((s) => (s === 'BUYER' ? 'buying' : 'selling')).join(' or ');
    throw forbidden(`only the ${who} party may ${action} order ${order.number}`);
  }
}
