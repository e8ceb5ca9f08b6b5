import { hasRole, isPartnerPrincipal, type Principal } from '../../platform/auth/principal.ts';
import { forbidden } from '../../platform/errors.ts';
import type { Audience } from './cypher.ts';

/**
 * Who reads the network and with which view: the company's analysts, admins, buyers and sales staff see
 * every link; a partner sees what link visibility allows it (docs/network.md); finance has no use for it.
 */
export function audienceOf(principal: Principal): Audience {
  if (isPartnerPrincipal(principal)) return { kind: 'partner', partnerId: principal.partnerId };
  if (hasRole(principal, 'admin', 'analyst', 'buyer', 'sales')) return { kind: 'company' };
  throw forbidden('the supply network is for the company’s analysts, buyers, sales staff and partners');
}

/** Risk scores are the company's own assessment of its partners: not shown to partners. */
export function assertCompanyStaff(principal: Principal): void {
  if (audienceOf(principal).kind !== 'company')
    throw forbidden('risk assessments are internal to the company');
}

/**
 * Declaring links: a partner about its own suppliers and customers (it must be one end); the company's
 * admins and analysts about any pair, for what partners told them outside the system.
 */
export function assertMayDeclare(principal: Principal, supplierId: string, customerId: string): void {
  if (isPartnerPrincipal(principal)) {
    if (principal.partnerId !== supplierId && principal.partnerId !== customerId) {
      throw forbidden('a partner declares only links it is one end of');
    }
    return;
  }
  if (!hasRole(principal, 'admin', 'analyst'))
    throw forbidden('only admins and analysts declare links for others');
}

/** Disruptions: the company's admins, analysts and buyers anywhere; a partner about itself only. */
export function assertMayReportDisruption(principal: Principal, partnerId: string | null): void {
  if (isPartnerPrincipal(principal)) {
    if (partnerId !== principal.partnerId)
      throw forbidden('a partner reports disruptions at its own company only');
    return;
  }
  if (!hasRole(principal, 'admin', 'analyst', 'buyer')) throw forbidden();
}

/** The partner a principal acts for, recorded as who declared a link; null for the company's people. */
export function declarerOf(principal: Principal): string | null {
  return isPartnerPrincipal(principal) ? principal.partnerId : null;
}

/** The two ends of a declaration and who declared it (null: the company's staff). */
export interface DeclaredPair {
  supplierId: string;
  customerId: string;
  declaredBy: string | null;
}

/**
 * Whether the principal may read a declaration: a partner one it is an end of, the company's staff any.
 * Anything else is answered as if the declaration did not exist.
 */
export function mayReadRequest(principal: Principal, request: DeclaredPair): boolean {
  if (isPartnerPrincipal(principal)) {
    return principal.partnerId === request.supplierId || principal.partnerId === request.customerId;
  }
  return audienceOf(principal).kind === 'company';
}

/**
 * Who decides on a declaration: the end that did not declare it; the company's admins and analysts (who
 * may declare any link) for any; buyers for those where the company is the customer, sales staff where it
 * is the supplier. A declarer may withdraw (reject) its own, never confirm it.
 */
export function assertMayDecide(
  principal: Principal,
  request: DeclaredPair,
  selfId: string | null,
  decision: 'confirm' | 'reject',
): void {
  if (isPartnerPrincipal(principal)) {
    if (principal.partnerId === request.declaredBy && decision === 'confirm') {
      throw forbidden('the other end of a link confirms it, not its declarer');
    }
    return;
  }
  if (hasRole(principal, 'admin', 'analyst')) return;
  if (hasRole(principal, 'buyer') && selfId !== null && request.customerId === selfId) return;
  if (hasRole(principal, 'sales') && selfId !== null && request.supplierId === selfId) return;
  throw forbidden(
    'admins and analysts decide on any link; buyers on our suppliers’ links, sales staff on our customers’',
  );
}
