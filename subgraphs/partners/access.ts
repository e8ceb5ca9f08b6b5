import { hasRole, isPartnerPrincipal, type Principal, type Role } from '../../platform/auth/principal.ts';
import { forbidden } from '../../platform/errors.ts';

/**
 * Who may read and change what of the directory (docs/security.md, "Directory and credentials").
 *
 * Staff are the company's people: principals that act for no partner. A partner principal (a partner's
 * system by API key, or one of its people by token) acts for its partner only, whatever other roles its
 * token lists: a partner's `admin` is the admin of that partner, never of the directory.
 */

export function isStaff(principal: Principal, ...roles: Role[]): boolean {
  return !isPartnerPrincipal(principal) && (roles.length === 0 || hasRole(principal, ...roles));
}

/** The partner a principal acts for, or null for staff. */
export function partnerOf(principal: Principal): string | null {
  return isPartnerPrincipal(principal) ? principal.partnerId : null;
}

function isOwn(principal: Principal, partnerId: string): boolean {
  return isPartnerPrincipal(principal) && principal.partnerId === partnerId;
}

/**
 * Contacts, certifications and status: the partner itself and staff. The company's own record is every
 * partner's to read: it is how partners reach us.
 */
export function mayReadPrivate(principal: Principal, partner: { id: string; is_self: boolean }): boolean {
  return isStaff(principal) || isOwn(principal, partner.id) || partner.is_self;
}

/** Status is private too, except to the partner that disclosed the company: it knows it invited it. */
export function mayReadStatus(
  principal: Principal,
  partner: { id: string; is_self: boolean; disclosed_by: string | null },
): boolean {
  return (
    mayReadPrivate(principal, partner) ||
    (partner.disclosed_by !== null && isOwn(principal, partner.disclosed_by))
  );
}

/** API keys, their listing and revocation: the company's admins, and the partner's own admins. */
export function mayManageKeys(principal: Principal, partnerId: string): boolean {
  return isStaff(principal, 'admin') || (isOwn(principal, partnerId) && hasRole(principal, 'admin'));
}

export function assertMayManageKeys(principal: Principal, partnerId: string): void {
  if (!mayManageKeys(principal, partnerId)) {
    throw forbidden("only the company's admins and the partner's own admins manage its API keys");
  }
}

/** Staff who deal with partners register, change and suspend them; finance and analysts read. */
export function assertMayEditDirectory(principal: Principal): void {
  if (!isStaff(principal, 'admin', 'buyer', 'sales')) throw forbidden();
}

/** Staff register any company; partners disclose their suppliers and customers. */
export function assertMayRegister(principal: Principal): void {
  if (!isStaff(principal, 'admin', 'buyer', 'sales') && !isPartnerPrincipal(principal)) throw forbidden();
}

/** A partner keeps its own contacts and certifications, and no one else's; so do staff who deal with it. */
export function assertMayManage(principal: Principal, partnerId: string): void {
  if (isOwn(principal, partnerId)) return;
  if (!isStaff(principal, 'admin', 'buyer', 'sales')) throw forbidden('not allowed to manage this partner');
}

/** Refuses at once a principal that may manage no partner at all, before looking anything up. */
export function assertMayManageSome(principal: Principal): void {
  if (!isPartnerPrincipal(principal) && !isStaff(principal, 'admin', 'buyer', 'sales')) throw forbidden();
}
