import { Decimal } from 'decimal.js';

/** Money on the wire: the amount is a decimal string, so no binary floating point ever touches it. */
export interface Money {
  amount: string;
  currency: string;
}

const minorUnitCache = new Map<string, number>();

/** ISO 4217 minor units (2 for EUR, 0 for JPY, 3 for KWD), from the ICU data that ships with Node. */
function minorUnits(currency: string): number {
  let digits = minorUnitCache.get(currency);
  if (digits === undefined) {
    digits =
      new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ??
      2;
    minorUnitCache.set(currency, digits);
  }
  return digits;
}

/** An amount in `currency`, rounded half up to its minor unit: the commercial rounding rule. */
export function money(amount: Decimal.Value, currency: string): Money {
  return { amount: new Decimal(amount).toFixed(minorUnits(currency), Decimal.ROUND_HALF_UP), currency };
}

export { Decimal };

/** A unit price: never rounded (a screw may cost 0.0125), but shown with at least the currency's minor unit. */
export function unitPrice(amount: Decimal.Value, currency: string): Money {
  const value = new Decimal(amount);
  return { amount: value.toFixed(Math.max(value.decimalPlaces(), minorUnits(currency))), currency };
}
