/**
 * Locale formatting of decimal strings as they come from the API. Intl formats a numeric string exactly
 * (no conversion to a binary float), and the fraction digits are taken from the string itself, so nothing
 * is rounded away: money never passes through floating point in the browser.
 */
export const LOCALE = navigator.language || 'en';

type NumericString = Intl.StringNumericLiteral;

function fractionDigits(value: string): number {
  const dot = value.indexOf('.');
  return dot < 0 ? 0 : value.length - dot - 1;
}

function asNumeric(value: string): NumericString {
  if (!/^-?\d+(\.\d+)?$/.test(value)) throw new Error(`not a decimal: ${value}`);
  return value as NumericString;
}

export function formatDecimal(value: string | null | undefined): string {
  if (value === null || value === undefined || value === '') return '—';
  const digits = fractionDigits(value);
  return new Intl.NumberFormat(LOCALE, {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  }).format(asNumeric(value));
}

export function formatMoney(money: { amount: string; currency: string } | null | undefined): string {
  if (!money) return '—';
  const format = new Intl.NumberFormat(LOCALE, { style: 'currency', currency: money.currency });
  const minimum = format.resolvedOptions().minimumFractionDigits ?? 2;
  const digits = Math.max(minimum, fractionDigits(money.amount));
  return new Intl.NumberFormat(LOCALE, {
    style: 'currency',
    currency: money.currency,
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  }).format(asNumeric(money.amount));
}

export function formatDate(value: string | null | undefined): string {
  if (!value) return '—';
  const date = /^\d{4}-\d{2}-\d{2}$/.test(value) ? new Date(`${value}T00:00:00`) : new Date(value);
  return Number.isNaN(date.getTime())
    ? value
    : new Intl.DateTimeFormat(LOCALE, { dateStyle: 'medium' }).format(date);
}

export function formatDateTime(value: string | null | undefined): string {
  if (!value) return '—';
  const date = new Date(value);
  return Number.isNaN(date.getTime())
    ? value
    : new Intl.DateTimeFormat(LOCALE, { dateStyle: 'medium', timeStyle: 'short' }).format(date);
}

export function formatPercent(share: number | null | undefined): string {
  if (share === null || share === undefined) return '—';
  return new Intl.NumberFormat(LOCALE, { style: 'percent', maximumFractionDigits: 0 }).format(share);
}

/** A quantity as users type it: positive, at most 4 decimals (the API's own rule). */
export function isQuantity(value: string, allowZero = false): boolean {
  return /^\d+(\.\d{1,4})?$/.test(value) && (allowZero || !/^0+(\.0+)?$/.test(value));
}

export function isAmount(value: string): boolean {
  return /^\d+(\.\d{1,4})?$/.test(value);
}

export function humanStatus(status: string): string {
  return status.charAt(0) + status.slice(1).toLowerCase().replace(/_/g, ' ');
}
