import { isPartnerPrincipal, type Principal } from '../../platform/auth/principal.ts';
import type { Queryable } from '../../platform/db/database.ts';
import { conflict, forbidden, notFound } from '../../platform/errors.ts';
import { todayUtc } from '../../platform/dates.ts';
import {
  assertMayEditDirectory,
  assertMayManage,
  assertMayManageKeys,
  assertMayManageSome,
  assertMayRegister,
  mayManageKeys,
} from './access.ts';
import type {
  CertificationInput,
  PartnerContactInput,
  RegisterPartnerInput,
  UpdatePartnerInput,
} from './generated/resolvers.ts';
import { relate, visibleAmong } from './relationships.ts';
import {
  addCertification,
  addContact,
  apiKeyForUpdate,
  certificationForUpdate,
  contactForUpdate,
  createApiKey,
  identifierHolders,
  insertPartner,
  partnersByIds,
  registerPartner,
  removeCertification,
  removeContact,
  revokeApiKey,
  updatePartner,
  type ApiKeyRow,
  type CertificationRow,
  type ContactRow,
  type NewPartner,
  type PartnerRow,
} from './store.ts';
import { validCertification, validContact, validRegistration, validUpdate } from './validation.ts';
import { requireName } from '../../platform/input.ts';

/**
 * The directory's commands: checks, then one transaction each. Input is validated before the
 * transaction opens; access that depends on a row is checked on the row, locked.
 */

export async function registerPartnerCommand(
  tx: Queryable,
  principal: Principal,
  input: RegisterPartnerInput,
): Promise<PartnerRow> {
  assertMayRegister(principal);
  if (isPartnerPrincipal(principal)) {
    // Partners disclose their own suppliers and customers, which enter as INVITED.
    if ((input.status ?? 'INVITED') !== 'INVITED') {
      throw forbidden('partners can register other companies only as INVITED');
    }
    return disclose(tx, principal.partnerId, validRegistration(input, 'INVITED'), principal.subject);
  }
  const partner = validRegistration(input, input.status ?? 'ACTIVE');
  return (await registerPartner(tx, partner, principal.subject)).partner;
}

/**
 * A partner's registration: it reads and changes only what the partner is related to.
 *
 * - An identifier of a partner it is related to (itself, the company, a counterparty, a company it
 *   disclosed before) returns that partner as it is: it is not the discloser's record to change.
 * - Otherwise a new INVITED company is created, disclosed by the caller and related to it. When the
 *   identifiers already belong to a partner it is not related to, the new record is marked as a
 *   duplicate of that partner for staff to reconcile: the caller gets the same answer as for an unknown
 *   company, so registering is no oracle of who is in the directory, and the existing partner is untouched.
 */
async function disclose(
  tx: Queryable,
  discloserId: string,
  input: NewPartner,
  actor: string,
): Promise<PartnerRow> {
  const holders = await identifierHolders(tx, input.identifiers);
  const holderIds = [...new Set(holders.map((holder) => holder.partner_id))];
  const visible = await visibleAmong(tx, discloserId, holderIds);
  const known = holderIds.filter((id) => visible.has(id));
  if (known.length > 1) {
    throw conflict('these identifiers belong to different partners', { partnerIds: known });
  }
  if (known.length === 1) {
    const [partner] = await partnersByIds(tx, known);
    return partner!;
  }
  const holder = holders.find((h) => !h.duplicate);
  const partner = await insertPartner(tx, input, actor, {
    disclosedBy: discloserId,
    ...(holder ? { duplicateOf: holder.partner_id } : {}),
  });
  await relate(tx, [[discloserId, partner.id, 'DISCLOSURE']]);
  return partner;
}

export async function updatePartnerCommand(
  tx: Queryable,
  principal: Principal,
  id: string,
  input: UpdatePartnerInput,
): Promise<PartnerRow> {
  assertMayEditDirectory(principal);
  const partner = await updatePartner(tx, id, validUpdate(input), principal.subject);
  if (!partner) throw notFound('partner', id);
  return partner;
}

export async function createApiKeyCommand(
  tx: Queryable,
  principal: Principal,
  partnerId: string,
  name: string,
): Promise<{ key: ApiKeyRow; secret: string }> {
  assertMayManageKeys(principal, partnerId);
  const keyName = requireName(name, 'name');
  if ((await partnersByIds(tx, [partnerId])).length === 0) throw notFound('partner', partnerId);
  return createApiKey(tx, partnerId, keyName, principal.subject);
}

/** A key the caller may not manage is NOT_FOUND, like one that does not exist: ids reveal nothing. */
export async function revokeApiKeyCommand(
  tx: Queryable,
  principal: Principal,
  id: string,
): Promise<ApiKeyRow> {
  const key = await apiKeyForUpdate(tx, id);
  if (!key || !mayManageKeys(principal, key.partner_id)) throw notFound('API key', id);
  return revokeApiKey(tx, key, principal.subject);
}

export async function addContactCommand(
  tx: Queryable,
  principal: Principal,
  partnerId: string,
  input: PartnerContactInput,
): Promise<ContactRow> {
  assertMayManage(principal, partnerId);
  const added = await addContact(tx, partnerId, validContact(input));
  if (!added) throw notFound('partner', partnerId);
  return added;
}

export async function removeContactCommand(tx: Queryable, principal: Principal, id: string): Promise<void> {
  assertMayManageSome(principal);
  const contact = await contactForUpdate(tx, id);
  if (!contact) throw notFound('contact', id);
  assertMayManage(principal, contact.partnerId);
  await removeContact(tx, id);
}

export async function addCertificationCommand(
  tx: Queryable,
  principal: Principal,
  partnerId: string,
  input: CertificationInput,
): Promise<CertificationRow> {
  assertMayManage(principal, partnerId);
  const added = await addCertification(tx, partnerId, validCertification(input), principal.subject);
  if (!added) throw notFound('partner', partnerId);
  return added;
}

export async function removeCertificationCommand(
  tx: Queryable,
  principal: Principal,
  id: string,
): Promise<void> {
  assertMayManageSome(principal);
  const certification = await certificationForUpdate(tx, id);
  if (!certification) throw notFound('certification', id);
  assertMayManage(principal, certification.partnerId);
  // An expired certificate counts against a partner's risk: it may not erase it itself.
  if (isPartnerPrincipal(principal) && certification.validUntil < todayUtc()) {
    throw forbidden('an expired certification is removed by the company, not by the partner');
  }
  await removeCertification(tx, certification, principal.subject);
}
