import { hasRole, isPartnerPrincipal, type Principal } from '../../platform/auth/principal.ts';
import { forbidden } from '../../platform/errors.ts';

/**
 * Row-level rules for exchange: a partner sees and acts on its own profile, documents and deliveries only;
 * the company's people see all of them; admins, buyers and sales staff (who run the relationships) manage
 * profiles and redeliver.
 */
export interface ExchangeScope {
  /** Only this partner's rows; null for the company's people. */
  partnerId: string | null;
}

export function exchangeScope(principal: Principal): ExchangeScope {
  return { partnerId: isPartnerPrincipal(principal) ? principal.partnerId : null };
}

/** The partner a list is about: the caller's own for a partner (another one is FORBIDDEN). */
export function partnerFilter(scope: ExchangeScope, partnerId: string | null | undefined): string | null {
  if (scope.partnerId === null) return partnerId ?? null;
  if (partnerId && partnerId !== scope.partnerId) throw forbidden('a partner sees its own exchange only');
  return scope.partnerId;
}

export function canSee(scope: ExchangeScope, partnerId: string): boolean {
  return scope.partnerId === null || scope.partnerId === partnerId;
}

export const isManagingStaff = (principal: Principal): boolean =>
  !isPartnerPrincipal(principal) && hasRole(principal, 'admin', 'buyer', 'sales');

/** A partner acts on its own exchange; staff who manage relationships on anyone's. */
export function assertMayManage(principal: Principal, partnerId: string, what: string): void {
  if (isPartnerPrincipal(principal)) {
    if (principal.partnerId !== partnerId) throw forbidden(`a partner may ${what} for itself only`);
    return;
  }
  if (!isManagingStaff(principal)) throw forbidden(`${what} is for admins, buyers and sales staff`);
}
