import { parseAmount } from '../../platform/input.ts';
import type { Tolerance } from './matching.ts';

/** What invoicing is configured with; README lists each variable and its default. */
export interface InvoiceSettings {
  tolerance: Tolerance;
  /** Days after the due date at which reminder levels 1, 2, … fall due; strictly increasing. */
  dunningDays: readonly number[];
  /** Payment terms of partners that have none of their own. */
  defaultPaymentDays: number;
  /** Tax percent on our invoices to partners that have none of their own. */
  defaultTaxRate: string;
}

export const DEFAULT_SETTINGS: InvoiceSettings = {
  tolerance: { quantityPercent: '0', quantityAbsolute: null, pricePercent: '1', priceAbsolute: '10' },
  dunningDays: [1, 14, 30],
  defaultPaymentDays: 30,
  defaultTaxRate: '21',
};

function days(text: string, name: string): number {
  if (!/^\d{1,4}$/.test(text.trim())) throw new Error(`${name}: "${text}" is not a whole number of days`);
  return Number.parseInt(text, 10);
}

/** An absolute tolerance; empty or `none` leaves the percent alone in force. */
function absolute(text: string | null | undefined, fallback: string | null, name: string): string | null {
  if (text === undefined) return fallback;
  if (text === null || text.trim() === '' || text.trim().toLowerCase() === 'none') return null;
  return parseAmount(text, name).toString();
}

function percent(text: string, name: string): string {
  const value = parseAmount(text, name);
  if (value.gt(100)) throw new Error(`${name}: a percentage is at most 100, not ${text}`);
  return value.toString();
}

/**
 * INVOICE_QUANTITY_TOLERANCE_PERCENT (0), INVOICE_QUANTITY_TOLERANCE (none, in the line's unit),
 * INVOICE_PRICE_TOLERANCE_PERCENT (1), INVOICE_PRICE_TOLERANCE (10, per unit in the invoice's currency),
 * INVOICE_DUNNING_DAYS (1,14,30), INVOICE_PAYMENT_DAYS (30), INVOICE_TAX_RATE (21).
 */
export function invoiceSettingsFromEnvironment(env: NodeJS.ProcessEnv = process.env): InvoiceSettings {
  const d = DEFAULT_SETTINGS;
  const dunningDays = (env.INVOICE_DUNNING_DAYS ?? d.dunningDays.join(','))
    .split(',')
    .map((part) => days(part, 'INVOICE_DUNNING_DAYS'));
  if (
    dunningDays.length === 0 ||
    dunningDays.some((day, i) => day < 1 || (i > 0 && day <= dunningDays[i - 1]!))
  ) {
    throw new Error('INVOICE_DUNNING_DAYS must be increasing days after the due date, each at least 1');
  }
  return {
    tolerance: {
      quantityPercent: percent(
        env.INVOICE_QUANTITY_TOLERANCE_PERCENT ?? d.tolerance.quantityPercent,
        'INVOICE_QUANTITY_TOLERANCE_PERCENT',
      ),
      quantityAbsolute: absolute(
        env.INVOICE_QUANTITY_TOLERANCE,
        d.tolerance.quantityAbsolute,
        'INVOICE_QUANTITY_TOLERANCE',
      ),
      pricePercent: percent(
        env.INVOICE_PRICE_TOLERANCE_PERCENT ?? d.tolerance.pricePercent,
        'INVOICE_PRICE_TOLERANCE_PERCENT',
      ),
      priceAbsolute: absolute(
        env.INVOICE_PRICE_TOLERANCE,
        d.tolerance.priceAbsolute,
        'INVOICE_PRICE_TOLERANCE',
      ),
    },
    dunningDays,
    defaultPaymentDays: days(
      env.INVOICE_PAYMENT_DAYS ?? String(d.defaultPaymentDays),
      'INVOICE_PAYMENT_DAYS',
    ),
    defaultTaxRate: percent(env.INVOICE_TAX_RATE ?? d.defaultTaxRate, 'INVOICE_TAX_RATE'),
  };
}
