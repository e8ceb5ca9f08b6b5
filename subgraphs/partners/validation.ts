import { badInput } from '../../platform/errors.ts';
import type { CertificationInput, PartnerContactInput } from './generated/resolvers.ts';
import type { NewCertification, NewContact } from './store.ts';

/**
 * Plausible, not proven: one @, no spaces, a dot in the domain. Only a message that arrives proves an
 * address, and stricter patterns reject real ones.
 */
const PLAUSIBLE_EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@.]+$/;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Trimmed text, with blank and absent both meaning "not given". */
function optionalText(value: string | null | undefined): string | null {
  const trimmed = value?.trim() ?? '';
  return trimmed === '' ? null : trimmed;
}

function requiredText(value: string, field: string): string {
  const trimmed = value.trim();
  if (trimmed === '') throw badInput(`${field} must not be empty`, { field });
  return trimmed;
}

/** YYYY-MM-DD naming a day that exists: 2026-02-30 matches the pattern but is no date. */
export function isIsoDate(value: string): boolean {
  const match = ISO_DATE.exec(value);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/** The contact as it is stored, or BAD_USER_INPUT naming the field at fault. */
export function validContact(input: PartnerContactInput): NewContact {
  const name = requiredText(input.name, 'name');
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
  const kind = requiredText(input.kind, 'kind');
  const issuer = requiredText(input.issuer, 'issuer');
  const validUntil = input.validUntil.trim();
  if (!isIsoDate(validUntil)) {
    throw badInput(`${input.validUntil} is not an ISO 8601 date (YYYY-MM-DD)`, { field: 'validUntil' });
  }
  return { kind, issuer, validUntil };
}
