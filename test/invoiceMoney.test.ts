import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../platform/config.ts';
import { Decimal } from '../platform/money.ts';
import { invoiceTotals, lineAmounts, roundToMinor, sum } from '../subgraphs/invoices/arithmetic.ts';
import { levelReached } from '../subgraphs/invoices/dunning.ts';
import { addDays, settledStatus } from '../subgraphs/invoices/lifecycle.ts';
import {
  matchLine,
  threeWayMatch,
  type LineToMatch,
  type Tolerance,
} from '../subgraphs/invoices/matching.ts';
import { DEFAULT_SETTINGS, invoiceSettingsFromEnvironment } from '../subgraphs/invoices/settings.ts';

const text = (value: Decimal) => value.toString();

describe('invoice arithmetic is exact', () => {
  it('adds 0.10 + 0.20 to exactly 0.30, where binary floating point gives 0.30000000000000004', () => {
    expect(text(sum(['0.10', '0.20']))).toBe('0.3');
    expect(sum(['0.10', '0.20']).eq('0.30')).toBe(true);
    expect(0.1 + 0.2 === 0.3).toBe(false);
  });

  it('multiplies 3 × 33.33 to exactly 99.99, as one line and as three', () => {
    expect(lineAmounts('3', '33.33', '0', 'EUR').net.toString()).toBe('99.99');
    const three = invoiceTotals([1, 2, 3].map(() => lineAmounts('1', '33.33', '0', 'EUR')));
    expect(three.subtotal.toString()).toBe('99.99');
  });

  it('rounds half cents up, once per line, including the cases binary floats get wrong', () => {
    expect(text(roundToMinor('0.125', 'EUR'))).toBe('0.13');
    expect(text(roundToMinor('0.005', 'EUR'))).toBe('0.01');
    expect(text(roundToMinor('0.0049', 'EUR'))).toBe('0');
    // 2.675 is 2.67499999… as a double, so Number#toFixed(2) says 2.67.
    expect(text(roundToMinor('2.675', 'EUR'))).toBe('2.68');
    expect(text(roundToMinor('1.005', 'EUR'))).toBe('1.01');
  });

  it('rounds the net, then the tax on the rounded net, per line; totals are sums of the rounded lines', () => {
    // 3 × 0.335 = 1.005 → 1.01; 21% of 1.01 = 0.2121 → 0.21.
    const line = lineAmounts('3', '0.335', '21', 'EUR');
    expect([line.net, line.tax, line.total].map(text)).toEqual(['1.01', '0.21', '1.22']);
    // Two lines of 0.005 tax each round to 0.01 each: 0.02, never the 0.01 of rounding the sum.
    const lines = [lineAmounts('1', '0.05', '10', 'EUR'), lineAmounts('1', '0.05', '10', 'EUR')];
    expect(lines.map((l) => text(l.tax))).toEqual(['0.01', '0.01']);
    const totals = invoiceTotals(lines);
    expect([totals.subtotal, totals.taxTotal, totals.total].map(text)).toEqual(['0.1', '0.02', '0.12']);
  });

  it('rounds a currency without minor unit (JPY) to whole yen, and one with three (KWD) to fils', () => {
    expect(text(lineAmounts('3', '33.5', '0', 'JPY').net)).toBe('101');
    expect(text(lineAmounts('1', '999', '10', 'JPY').tax)).toBe('100');
    expect(text(roundToMinor('0.4999', 'JPY'))).toBe('0');
    expect(text(roundToMinor('1.2345', 'KWD'))).toBe('1.235');
  });

  it('keeps large amounts exact', () => {
    // 99999999.9999 × 9999.9999 = 999999989999.00000001: sixteen significant digits and more, kept exactly.
    const line = lineAmounts('99999999.9999', '9999.9999', '21', 'EUR');
    expect(line.net.toString()).toBe('999999989999');
    expect(line.tax.toString()).toBe('209999997899.79');
    expect(line.total.eq(line.net.plus(line.tax))).toBe(true);
  });
});

describe('three-way match', () => {
  const tolerance: Tolerance = DEFAULT_SETTINGS.tolerance;
  const line = (overrides: Partial<LineToMatch> = {}): LineToMatch => ({
    lineNo: 1,
    orderId: 'o1',
    orderNumber: 'PO-2026-000001',
    orderLineNo: 2,
    sku: 'WHEEL-29',
    unit: 'EA',
    orderedQuantity: '50',
    receivedQuantity: '30',
    previouslyInvoicedQuantity: '0',
    invoicedQuantity: '30',
    orderUnitPrice: '120',
    invoicedUnitPrice: '120',
    ...overrides,
  });

  it('matches what was received at the order price, and less than that', () => {
    expect(matchLine(line(), 'EUR', tolerance).status).toBe('MATCHED');
    expect(
      matchLine(line({ invoicedQuantity: '10', invoicedUnitPrice: '100' }), 'EUR', tolerance).status,
    ).toBe('MATCHED');
  });

  it('names the line, the order line and the quantity over what was received', () => {
    const result = matchLine(line({ invoicedQuantity: '50' }), 'EUR', tolerance);
    expect(result.status).toBe('QUANTITY_VARIANCE');
    expect(result.quantityVariance).toBe('20');
    expect(result.amountVariance).toBe('2400');
    expect(result.reasons).toEqual([
      'line 1 (PO-2026-000001 line 2, WHEEL-29): invoiced 50 EA but only 30 EA received and not yet invoiced ' +
        '(30 received, 0 invoiced before): 20 EA over, tolerance 0%',
    ]);
  });

  it('counts what earlier invoices billed', () => {
    const result = matchLine(
      line({ previouslyInvoicedQuantity: '25', invoicedQuantity: '10' }),
      'EUR',
      tolerance,
    );
    expect(result.status).toBe('QUANTITY_VARIANCE');
    expect(result.quantityVariance).toBe('5');
  });

  it('tolerates a price within 1% capped at 10 per unit, and names a price beyond it', () => {
    expect(matchLine(line({ invoicedUnitPrice: '121.20' }), 'EUR', tolerance).status).toBe('MATCHED');
    const over = matchLine(line({ invoicedUnitPrice: '121.21' }), 'EUR', tolerance);
    expect(over.status).toBe('PRICE_VARIANCE');
    expect(over.reasons[0]).toContain(
      'unit price 121.21 EUR is 1.21 EUR (1.01%) above the ordered 120.00 EUR, tolerance 1% up to 10.00 EUR',
    );
    // 1% of 5000 is 50, but the absolute cap of 10 per unit applies.
    const capped = matchLine(
      line({ orderUnitPrice: '5000', invoicedUnitPrice: '5010.01' }),
      'EUR',
      tolerance,
    );
    expect(capped.status).toBe('PRICE_VARIANCE');
  });

  it('reports both variances on one line, and the invoice as disputed when any line is', () => {
    const both = line({ invoicedQuantity: '31', invoicedUnitPrice: '130' });
    expect(matchLine(both, 'EUR', tolerance).status).toBe('QUANTITY_AND_PRICE_VARIANCE');
    const result = threeWayMatch([line(), { ...both, lineNo: 2 }], 'EUR', tolerance, new Date(0));
    expect(result.status).toBe('DISPUTED');
    expect(result.lines.map((l) => l.status)).toEqual(['MATCHED', 'QUANTITY_AND_PRICE_VARIANCE']);
  });

  it('applies a quantity percentage when configured, with an absolute cap when one is set', () => {
    const loose: Tolerance = { ...tolerance, quantityPercent: '10', quantityAbsolute: null };
    expect(matchLine(line({ invoicedQuantity: '33' }), 'EUR', loose).status).toBe('MATCHED');
    expect(matchLine(line({ invoicedQuantity: '33.1' }), 'EUR', loose).status).toBe('QUANTITY_VARIANCE');
    const capped: Tolerance = { ...loose, quantityAbsolute: '2' };
    expect(matchLine(line({ invoicedQuantity: '33' }), 'EUR', capped).status).toBe('QUANTITY_VARIANCE');
  });
});

describe('invoice rules', () => {
  it('reaches dunning levels at 1, 14 and 30 days overdue', () => {
    expect([0, 1, 13, 14, 29, 30, 400].map((days) => levelReached(days, [1, 14, 30]))).toEqual([
      0, 1, 1, 2, 2, 3, 3,
    ]);
  });

  it('derives the status from what was paid', () => {
    expect(settledStatus('RECEIVABLE', '0', '10')).toBe('ISSUED');
    expect(settledStatus('PAYABLE', '0', '10')).toBe('APPROVED');
    expect(settledStatus('PAYABLE', '0.01', '10')).toBe('PARTIALLY_PAID');
    expect(settledStatus('RECEIVABLE', '10.00', '10')).toBe('PAID');
  });

  it('adds payment days across month and year ends', () => {
    expect(addDays('2026-01-31', 30)).toBe('2026-03-02');
    expect(addDays('2026-12-15', 30)).toBe('2027-01-14');
  });

  it('reads its settings from the environment, refusing nonsense', () => {
    expect(invoiceSettingsFromEnvironment({})).toEqual(DEFAULT_SETTINGS);
    const custom = invoiceSettingsFromEnvironment({
      INVOICE_PRICE_TOLERANCE_PERCENT: '2.5',
      INVOICE_PRICE_TOLERANCE: 'none',
      INVOICE_DUNNING_DAYS: '3,10',
      INVOICE_PAYMENT_DAYS: '45',
    });
    expect(custom.tolerance.pricePercent).toBe('2.5');
    expect(custom.tolerance.priceAbsolute).toBeNull();
    expect(custom.dunningDays).toEqual([3, 10]);
    expect(custom.defaultPaymentDays).toBe(45);
    expect(() => invoiceSettingsFromEnvironment({ INVOICE_DUNNING_DAYS: '14,1' })).toThrow(/increasing/);
    expect(() => invoiceSettingsFromEnvironment({ INVOICE_PRICE_TOLERANCE_PERCENT: '-1' })).toThrow();
  });
});

describe('no binary floating point touches money in subgraphs/invoices', () => {
  /** Crude but honest: the ways a JavaScript number sneaks into amounts. */
  const FORBIDDEN = [
    /parseFloat\s*\(/,
    /\bNumber\s*\(/,
    /\.toFixed\s*\(/,
    /\.toNumber\s*\(/,
    /Math\.(round|floor|ceil)\s*\(/,
  ];

  async function sources(dir: string): Promise<string[]> {
    const entries = await readdir(dir, { withFileTypes: true });
    const files = await Promise.all(
      entries.map(async (entry) => {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) return entry.name === 'generated' ? [] : await sources(full);
        return entry.name.endsWith('.ts') ? [full] : [];
      }),
    );
    return files.flat();
  }

  it('finds no parseFloat, Number(…), toFixed, toNumber or Math rounding in its code', async () => {
    const files = await sources(path.join(PROJECT_ROOT, 'subgraphs', 'invoices'));
    expect(files.length).toBeGreaterThan(5);
    const hits: string[] = [];
    for (const file of files) {
      const lines = (await readFile(file, 'utf8')).split('\n');
      lines.forEach((line, index) => {
        if (FORBIDDEN.some((pattern) => pattern.test(line))) {
          hits.push(`${path.relative(PROJECT_ROOT, file)}:${index + 1}: ${line.trim()}`);
        }
      });
    }
    expect(hits).toEqual([]);
  });

  it('the guard itself catches what it looks for', () => {
    const sample = ['const x = parseFloat(a);', 'Number(total)', 'amount.toFixed(2)', 'Math.round(x * 100)'];
    expect(sample.every((line) => FORBIDDEN.some((pattern) => pattern.test(line)))).toBe(true);
  });
});
