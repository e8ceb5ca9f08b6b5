import { Decimal, money } from '../../platform/money.ts';

/**
 * Invoice arithmetic, exact: every amount is a `Decimal`, never a binary float.
 *
 * The rounding rule, the only one: each line's net amount (quantity × unit price) and each line's tax
 * (net × rate / 100) are rounded half up to the currency's minor unit (2 for EUR, 0 for JPY, 3 for KWD);
 * the subtotal and the tax total are sums of those rounded line amounts, and total = subtotal + taxTotal.
 * Nothing is rounded twice, and the totals always equal the sum of what the lines show.
 */

/** Rounded half up to the currency's minor unit, with the platform's rule (`money`). */
export function roundToMinor(amount: Decimal.Value, currency: string): Decimal {
  return new Decimal(money(amount, currency).amount);
}

export interface LineAmounts {
  net: Decimal;
  tax: Decimal;
  total: Decimal;
}

export function lineAmounts(
  quantity: Decimal.Value,
  unitPrice: Decimal.Value,
  taxRatePercent: Decimal.Value,
  currency: string,
): LineAmounts {
  const net = roundToMinor(new Decimal(quantity).times(unitPrice), currency);
  const tax = roundToMinor(net.times(taxRatePercent).div(100), currency);
  return { net, tax, total: net.plus(tax) };
}

export interface InvoiceTotals {
  subtotal: Decimal;
  taxTotal: Decimal;
  total: Decimal;
}

export function invoiceTotals(lines: readonly LineAmounts[]): InvoiceTotals {
  const subtotal = sum(lines.map((line) => line.net));
  const taxTotal = sum(lines.map((line) => line.tax));
  return { subtotal, taxTotal, total: subtotal.plus(taxTotal) };
}

export function sum(values: readonly Decimal.Value[]): Decimal {
  return values.reduce<Decimal>((total, value) => total.plus(value), new Decimal(0));
}

/** `part` as a percentage of `whole`, to two decimals, for messages; null when `whole` is zero. */
export function percentOf(part: Decimal.Value, whole: Decimal.Value): string | null {
  const base = new Decimal(whole);
  if (base.isZero()) return null;
  return new Decimal(part).times(100).div(base).toDecimalPlaces(2, Decimal.ROUND_HALF_UP).toString();
}

/** A decimal as shown in the invoice's currency: at least its minor unit, as on the invoice. */
export function shown(amount: Decimal.Value, currency: string): string {
  return money(amount, currency).amount;
}
