import { badInput } from './errors.ts';
import { Decimal } from './money.ts';

/**
 * Parsers for the decimal and date strings clients send. Each throws BAD_USER_INPUT naming the field,
 * so a mutation refuses bad input before it opens a transaction.
 */

/** numeric(18, 4) columns: 14 integer digits and 4 decimals; more precision is refused, never rounded. */
const DECIMAL = /^\d{1,14}(\.\d{1,4})?$/;

export function parseQuantity(value: string, field: string, options: { allowZero?: boolean } = {}): Decimal {
  const text = value.trim();
  if (!DECIMAL.test(text)) {
    throw badInput(`${field} must be a non-negative decimal with at most 4 decimal places, not "${value}"`, {
      field,
    });
  }
  const quantity = new Decimal(text);
  if (quantity.isZero() && !options.allowZero)
    throw badInput(`${field} must be greater than zero`, { field });
  return quantity;
}

/** A price: like a quantity, and zero is allowed (free of charge). */
export function parseAmount(value: string, field: string): Decimal {
  return parseQuantity(value, field, { allowZero: true });
}

/** A calendar date, YYYY-MM-DD, that exists. */
export function parseDate(value: string, field: string): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  const date = match ? new Date(`${value}T00:00:00Z`) : null;
  if (!date || Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== value) {
    throw badInput(`${field} must be a date as YYYY-MM-DD, not "${value}"`, { field });
  }
  return value;
}

/** An instant in ISO 8601 with a time zone, as partners' systems send timestamps. */
export function parseInstant(value: string, field: string): Date {
  const date = /T.*(Z|[+-]\d{2}:?\d{2})$/.test(value) ? new Date(value) : null;
  if (!date || Number.isNaN(date.getTime())) {
    throw badInput(`${field} must be an ISO 8601 timestamp with a time zone, not "${value}"`, { field });
  }
  return date;
}

const currencyNames = new Intl.DisplayNames(['en'], { type: 'currency' });

/** ISO 4217, checked against the ICU currency list that ships with Node. */
export function parseCurrency(value: string, field: string): string {
  const known = /^[A-Z]{3}$/.test(value) && currencyNames.of(value) !== value;
  if (!known) throw badInput(`${field} must be an ISO 4217 currency code, not "${value}"`, { field });
  return value;
}

/**
 * What a text field accepts. Names are one line, with no invisible characters: two names that render
 * alike must be the same string, so a directory can be searched and read by people without surprises.
 */
export interface TextRule {
  /** Characters (code points) after normalisation and trimming. */
  max: number;
  /** Line breaks and tabs allowed (descriptions, reasons); never in names. */
  multiline?: boolean;
  /** Also refuses zero-width characters, which make two different names look the same. */
  name?: boolean;
}

export const NAME: TextRule = { max: 200, name: true };
/** Identifiers, references and short codes a person or a partner's system types. */
export const SHORT_TEXT: TextRule = { max: 200 };
export const LONG_TEXT: TextRule = { max: 2000, multiline: true };

// C0 and C1 controls and DEL (terminal escapes start with ESC, U+001B), separators that break lines.
const CONTROL = /[\p{Cc}\u2028\u2029]/u;
const LINE_BREAKS_AND_TABS = /[\t\n\r]/g;
// Bidi embeddings, overrides and isolates reorder what is displayed around them ("Trojan Source").
const BIDI_CONTROL = /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/u;
const ZERO_WIDTH = /[\u00AD\u180E\u200B-\u200D\u2060-\u2064\uFEFF]/u;
// Half of a UTF-16 surrogate pair without the other: not a character, and PostgreSQL refuses it.
const LONE_SURROGATE = /\p{Cs}/u;

/**
 * Text as it is stored: NFC, trimmed, within its rule, or BAD_USER_INPUT naming the field. An empty
 * result is returned as '' for the caller to decide (see `requireText`).
 */
export function parseText(value: string, field: string, rule: TextRule): string {
  // Refused before any work on it: a megabyte of text is not a name, whatever it normalises to.
  if (value.length > rule.max * 4) {
    throw badInput(`${field} must be at most ${rule.max} characters`, { field, maxLength: rule.max });
  }
  if (LONE_SURROGATE.test(value)) throw badInput(`${field} is not valid Unicode text`, { field });
  const text = value.normalize('NFC').trim();
  const controls = rule.multiline ? text.replace(LINE_BREAKS_AND_TABS, ' ') : text;
  if (CONTROL.test(controls)) {
    throw badInput(`${field} must not contain control characters (NUL, escape, line breaks)`, { field });
  }
  if (BIDI_CONTROL.test(text)) {
    throw badInput(`${field} must not contain bidirectional control characters`, { field });
  }
  if (rule.name && ZERO_WIDTH.test(text)) {
    throw badInput(`${field} must not contain zero-width or invisible characters`, { field });
  }
  if ([...text].length > rule.max) {
    throw badInput(`${field} must be at most ${rule.max} characters`, { field, maxLength: rule.max });
  }
  return text;
}

/** Text that must not be blank; free text by default (a reason, a reference, a description). */
export function requireText(value: string, field: string, rule: TextRule = LONG_TEXT): string {
  const text = parseText(value, field, rule);
  if (text === '') throw badInput(`${field} must not be empty`, { field });
  return text;
}

/** A name of a company, a person, an item: one line, at most 200 characters, nothing invisible. */
export function requireName(value: string, field: string): string {
  return requireText(value, field, NAME);
}

/** Optional text, with blank and absent both meaning "not given". */
export function optionalText(
  value: string | null | undefined,
  field: string,
  rule: TextRule = SHORT_TEXT,
): string | null {
  if (value === null || value === undefined) return null;
  const text = parseText(value, field, rule);
  return text === '' ? null : text;
}

/** Event log cursors and other bigint sequence numbers, as text: 1 to 19 digits. */
export function isSequenceNumber(text: string): boolean {
  return /^\d{1,19}$/.test(text);
}

/** An event log cursor a client hands back in `after`. */
export function parseEventCursor(after: string): string {
  if (!isSequenceNumber(after)) throw badInput('`after` is not an event cursor', { field: 'after' });
  return after;
}
