import { badInput } from '../../platform/errors.ts';
import { optionalText, parseDate, requireName, requireText, SHORT_TEXT } from '../../platform/input.ts';
import { identifierProblem, isCountryCode } from '../../platform/validation.ts';
import type {
  CertificationInput,
  PartnerContactInput,
  PartnerIdentifierInput,
  PartnerRole,
  PartnerStatus,
  RegisterPartnerInput,
  UpdatePartnerInput,
} from './generated/resolvers.ts';
import type { NewCertification, NewContact, NewPartner } from './store.ts';

/**
 * Plausible, not proven: one @, no spaces, a dot in the domain. Only a message that arrives proves an
 * address, and stricter patterns reject real ones.
 */
const PLAUSIBLE_EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@.]+$/;
/** RFC 5321's limit on a forward path. */
const EMAIL = { max: 254 };
const PHONE = { max: 50 };
/** More identifiers than any company holds in the four schemes. */
const MAX_IDENTIFIERS = 20;

function country(value: string): string {
  if (!isCountryCode(value)) {
    throw badInput(`${value.slice(0, 10)} is not an ISO 3166-1 alpha-2 country code`, { field: 'country' });
  }
  return value;
}

function identifiers(input: readonly PartnerIdentifierInput[]): NewPartner['identifiers'] {
  if (input.length === 0) throw badInput('at least one identifier is required', { field: 'identifiers' });
  if (input.length > MAX_IDENTIFIERS) {
    throw badInput(`at most ${MAX_IDENTIFIERS} identifiers`, { field: 'identifiers' });
  }
  return input.map(({ scheme, value }) => {
    const text = requireText(value, 'identifiers', SHORT_TEXT);
    const problem = identifierProblem(scheme, text);
    if (problem) throw badInput(`${scheme} ${text}: ${problem}`, { field: 'identifiers' });
    return { scheme, value: text };
  });
}

function roles(input: readonly PartnerRole[]): PartnerRole[] {
  if (input.length === 0) throw badInput('at least one role is required', { field: 'roles' });
  return [...new Set(input)];
}

/** A registration as it is stored, or BAD_USER_INPUT naming the field at fault. */
export function validRegistration(input: RegisterPartnerInput, status: PartnerStatus): NewPartner {
  return {
    name: requireName(input.name, 'name'),
    country: country(input.country),
    roles: roles(input.roles),
    identifiers: identifiers(input.identifiers),
    status,
  };
}

/** The changes as they are stored; absent fields stay as they are. */
export function validUpdate(input: UpdatePartnerInput): UpdatePartnerInput {
  return {
    name: input.name === undefined || input.name === null ? null : requireName(input.name, 'name'),
    country: input.country === undefined || input.country === null ? null : country(input.country),
    roles: input.roles === undefined || input.roles === null ? null : roles(input.roles),
    status: input.status ?? null,
  };
}

/** The contact as it is stored, or BAD_USER_INPUT naming the field at fault. */
export function validContact(input: PartnerContactInput): NewContact {
  const name = requireName(input.name, 'name');
  const email = optionalText(input.email, 'email', EMAIL);
  const phone = optionalText(input.phone, 'phone', PHONE);
  if (email !== null && !PLAUSIBLE_EMAIL.test(email)) {
    throw badInput(`${email} is not an email address`, { field: 'email' });
  }
  if (email === null && phone === null) {
    throw badInput('a contact needs an email or a phone number', { field: 'email' });
  }
  return { name, email, phone, function: optionalText(input.function, 'function') };
}

/** The certification as it is stored, or BAD_USER_INPUT naming the field at fault. */
export function validCertification(input: CertificationInput): NewCertification {
  const kind = requireName(input.kind, 'kind');
  const issuer = requireName(input.issuer, 'issuer');
  return { kind, issuer, validUntil: parseDate(input.validUntil.trim(), 'validUntil') };
}
