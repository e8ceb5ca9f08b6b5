const regionNames = new Intl.DisplayNames(['en'], { type: 'region' });

/** ISO 3166-1 alpha-2, checked against the ICU region list that ships with Node. */
export function isCountryCode(value: string): boolean {
  if (!/^[A-Z]{2}$/.test(value)) return false;
  try {
    return regionNames.of(value) !== value;
  } catch {
    return false;
  }
}

/** GS1 mod-10 check digit, shared by GLN (13 digits) and GTIN (8, 12, 13 or 14 digits). */
export function hasValidGs1CheckDigit(digits: string): boolean {
  if (!/^\d+$/.test(digits)) return false;
  const body = digits.slice(0, -1);
  let sum = 0;
  for (let i = 0; i < body.length; i += 1) {
    const digit = Number(body[body.length - 1 - i]);
    sum += i % 2 === 0 ? digit * 3 : digit;
  }
  return (10 - (sum % 10)) % 10 === Number(digits[digits.length - 1]);
}

/** ISO 17442 LEI: 20 characters whose ISO 7064 MOD 97-10 remainder is 1. */
function isLei(value: string): boolean {
  if (!/^[A-Z0-9]{18}\d{2}$/.test(value)) return false;
  const numeric = [...value].map((c) => (/\d/.test(c) ? c : String(c.charCodeAt(0) - 55))).join('');
  let remainder = 0;
  for (const digit of numeric) remainder = (remainder * 10 + Number(digit)) % 97;
  return remainder === 1;
}

/** A reason the identifier is malformed, or null when it is well formed. */
export function identifierProblem(scheme: 'GLN' | 'DUNS' | 'LEI' | 'VAT', value: string): string | null {
  switch (scheme) {
    case 'GLN':
      return /^\d{13}$/.test(value) && hasValidGs1CheckDigit(value)
        ? null
        : 'a GLN is 13 digits with a valid check digit';
    case 'DUNS':
      return /^\d{9}$/.test(value) ? null : 'a DUNS number is 9 digits';
    case 'LEI':
      return isLei(value) ? null : 'an LEI is 20 characters with valid check digits (ISO 17442)';
    case 'VAT':
      return /^[A-Z]{2}[0-9A-Z+*.]{2,13}$/.test(value) &&
        isCountryCode(value.slice(0, 2) === 'EL' ? 'GR' : value.slice(0, 2))
        ? null
        : 'a VAT number starts with its country code followed by 2 to 13 letters or digits';
  }
}

/** Completes a GS1 number body with its check digit (for demo data and tests). */
export function withGs1CheckDigit(body: string): string {
  for (let digit = 0; digit <= 9; digit += 1) {
    if (hasValidGs1CheckDigit(body + digit)) return body + digit;
  }
  throw new Error(`not a GS1 number body: ${body}`);
}
