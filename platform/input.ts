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

export function requireText(value: string, field: string): string {
  const text = value.trim();
  if (text === '') throw badInput(`${field} must not be empty`, { field });
  return text;
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
