import { hasRole, isPartnerPrincipal, type Principal } from '../../platform/auth/principal.ts';
import type { OrderKind } from './generated/resolvers.ts';
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

export function canRead(scope: OrderScope, order: OrderRow): boolean {
  if (scope.partyId && order.buyer_id !== scope.partyId && order.seller_id !== scope.partyId) return false;
  return scope.kinds === null || scope.kinds.includes(order.kind);
}
