import { hasRole, isPartnerPrincipal, type Principal, type Role } from '../../platform/auth/principal.ts';
import { forbidden } from '../../platform/errors.ts';

/**
 * Who may change inventory and the catalog. Partners change nothing here. Buyers create the items they
 * purchase; sales staff own prices and promotions; stock is adjusted, and locations defined, by admins
 * only, so the people who order and sell goods cannot also write off their stock.
 */
export const MAY: Record<InventoryAction, readonly Role[]> = {
  upsertItem: ['admin', 'buyer'],
  setPrice: ['admin', 'sales'],
  removeCustomerPrice: ['admin', 'sales'],
  setPromotion: ['admin', 'sales'],
  adjustStock: ['admin'],
  upsertLocation: ['admin'],
};

export type InventoryAction =
  'upsertItem' | 'setPrice' | 'removeCustomerPrice' | 'setPromotion' | 'adjustStock' | 'upsertLocation';

export function assertMay(principal: Principal, action: InventoryAction): void {
  if (isPartnerPrincipal(principal) || !hasRole(principal, ...MAY[action])) {
    throw forbidden(`${action} is for ${MAY[action].join(', ')}`);
  }
}

/** Stock levels, the ledger, reorder points and stock events: the company's people only. */
export const isInternal = (principal: Principal): boolean => !isPartnerPrincipal(principal);

/** Every customer's agreed prices: the people who sell, invoice or analyse. */
export const seesAllCustomerPrices = (principal: Principal): boolean =>
  !isPartnerPrincipal(principal) && hasRole(principal, 'admin', 'sales', 'finance', 'analyst');
