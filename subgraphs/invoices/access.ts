import { hasRole, isPartnerPrincipal, type Principal, type Role } from '../../platform/auth/principal.ts';
import { forbidden } from '../../platform/errors.ts';
import type { InvoiceKind } from './generated/resolvers.ts';
import type { InvoiceRow, InvoiceScope } from './store.ts';

/**
 * Row-level rules for invoices: a partner sees the invoices it issued or receives; finance, analysts and
 * admins see all; buyers see payables (they settle price disputes with suppliers), sales staff receivables
 * (they answer to customers).
 */
export function invoiceScope(principal: Principal): InvoiceScope {
  if (isPartnerPrincipal(principal)) return { partyId: principal.partnerId, kinds: null };
  if (hasRole(principal, 'admin', 'finance', 'analyst')) return { partyId: null, kinds: null };
  const kinds: InvoiceKind[] = [];
  if (hasRole(principal, 'buyer')) kinds.push('PAYABLE');
  if (hasRole(principal, 'sales')) kinds.push('RECEIVABLE');
  return { partyId: null, kinds };
}

export function canRead(
  scope: InvoiceScope,
  invoice: Pick<InvoiceRow, 'kind' | 'issuer_id' | 'recipient_id'>,
): boolean {
  if (scope.partyId && invoice.issuer_id !== scope.partyId && invoice.recipient_id !== scope.partyId) {
    return false;
  }
  return scope.kinds === null || scope.kinds.includes(invoice.kind);
}

/** A person of the company in one of these roles (a partner's principal never is, whatever its roles). */
export function isStaff(principal: Principal, ...roles: Role[]): boolean {
  return !isPartnerPrincipal(principal) && hasRole(principal, ...roles);
}

export function requireStaff(principal: Principal, what: string, ...roles: Role[]): void {
  if (!isStaff(principal, ...roles)) throw forbidden(`${what} is for ${roles.join(' or ')}`);
}
