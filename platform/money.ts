import { Decimal } from 'decimal.js';

/** Money on the wire: the amount is a decimal string, so no binary floating point ever touches it. */
export interface Money {
  amount: string;
  currency: string;
}

const MINOR_UNITS: Record<string, number> = { JPY: 0, KRW: 0, CLP: 0, BHD: 3, KWD: 3, OMR: 3, TND: 3 };

export function minorUnits(currency: string): number {
  return MINOR_UNITS[currency] ?? 2;
}

export function money(amount: Decimal.Value, currency: string): Money {
  return { amount: new Decimal(amount).toFixed(minorUnits(currency), Decimal.ROUND_HALF_UP), currency };
}

export function isCurrencyCode(value: string): boolean {
  return /^[A-Z]{3}$/.test(value);
}

export { Decimal };
