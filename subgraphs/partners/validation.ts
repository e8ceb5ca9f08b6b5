import { badInput } from '../../platform/errors.ts';
import { parseDate, requireText } from '../../platform/input.ts';
import type { CertificationInput, PartnerContactInput } from './generated/resolvers.ts';
import type { NewCertification, NewContact } from './store.ts';

/**
 * Plausible, not proven: one @, no spaces, a dot in the domain. Only a message that arrives proves an
 * address, and stricter patterns reject real ones.
 */
const PLAUSIBLE_EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@.]+$/;

/** Trimmed text, with blank and absent both meaning "not given". */
function optionalText(value: string | null | undefined): string | null {
  const trimmed = value?.trim() ?? '';
  return trimmed === '' ? null : trimmed;
}

/** The contact as it is stored, or BAD_USER_INPUT naming the field at fault. */
export function validContact(input: PartnerContactInput): NewContact {
  const name = requireText(input.name, 'name');
  const email = optionalText(input.email);
  const phone = optionalText(input.phone);
  if (email !== null && !PLAUSIBLE_EMAIL.test(email)) {
    throw badInput(`${email} is not an email address`, { field: 'email' });
  }
  if (email === null && phone === null) {
    throw badInput('a contact needs an email or a phone number', { field: 'email' });
  }
  return { name, email, phone, function: optionalText(input.function) };
}

/** The certification as it is stored, or BAD_USER_INPUT naming the field at fault. */
export function validCertification(input: CertificationInput): NewCertification {
  const kind = requireText(input.kind, 'kind');
  const issuer = requireText(input.issuer, 'issuer');
  return { kind, issuer, validUntil: parseDate(input.validUntil.trim(), 'validUntil') };
}
