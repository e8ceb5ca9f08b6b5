import { Decimal, unitPrice } from '../../platform/money.ts';
import { lineAmounts, percentOf, roundToMinor } from './arithmetic.ts';
import type { LineMatchStatus, MatchStatus } from './generated/resolvers.ts';

/**
 * The three-way match of a supplier invoice, line by line: the quantity invoiced against what was received
 * (accepted) and not yet invoiced, and the unit price invoiced against the order's. Only over-billing is a
 * variance: billing less than received, or below the order price, costs us nothing. A variance passes when
 * it is within the percent limit and, when one is set, the absolute limit too (the stricter one applies).
 */

/** Decimal strings; an absolute limit of null means the percent alone applies. */
export interface Tolerance {
  quantityPercent: string;
  quantityAbsolute: string | null;
  pricePercent: string;
  priceAbsolute: string | null;
}

export interface LineToMatch {
  lineNo: number;
  orderId: string;
  orderNumber: string;
  orderLineNo: number;
  sku: string;
  unit: string;
  orderedQuantity: string;
  receivedQuantity: string;
  /** On the supplier's approved (or paid) invoices for this order line, other than this one. */
  previouslyInvoicedQuantity: string;
  invoicedQuantity: string;
  orderUnitPrice: string;
  invoicedUnitPrice: string;
}

/** A line's match as stored with the invoice (JSON, decimals as strings) and served as `LineMatch`. */
export interface LineMatchRecord extends LineToMatch {
  status: LineMatchStatus;
  quantityVariance: string;
  priceVariance: string;
  amountVariance: string;
  currency: string;
  reasons: string[];
}

export interface MatchRecord {
  status: MatchStatus;
  matchedAt: string;
  tolerance: Tolerance;
  lines: LineMatchRecord[];
}

/** Whether an excess passes: nothing billed over, or within the percent of `base` and the absolute cap. */
function tolerated(excess: Decimal, base: Decimal.Value, percent: string, absolute: string | null): boolean {
  if (excess.lte(0)) return true;
  const withinPercent = excess.lte(new Decimal(base).times(percent).div(100));
  return withinPercent && (absolute === null || excess.lte(absolute));
}

const limitText = (percent: string, absolute: string | null, unit: string) =>
  `tolerance ${percent}%${absolute === null ? '' : ` up to ${absolute} ${unit}`}`;

/** A price as a clerk reads it: with at least the currency's minor unit, never rounded. */
const price = (amount: Decimal.Value, currency: string) =>
  `${unitPrice(amount, currency).amount} ${currency}`;

export function matchLine(line: LineToMatch, currency: string, tolerance: Tolerance): LineMatchRecord {
  const invoiced = new Decimal(line.invoicedQuantity);
  const open = Decimal.max(0, new Decimal(line.receivedQuantity).minus(line.previouslyInvoicedQuantity));
  const quantityVariance = invoiced.minus(open);
  const priceVariance = new Decimal(line.invoicedUnitPrice).minus(line.orderUnitPrice);
  const billed = lineAmounts(invoiced, line.invoicedUnitPrice, 0, currency).net;
  const due = roundToMinor(Decimal.min(invoiced, open).times(line.orderUnitPrice), currency);

  const where = `line ${line.lineNo} (${line.orderNumber} line ${line.orderLineNo}, ${line.sku})`;
  const reasons: string[] = [];
  const quantityOk = tolerated(quantityVariance, open, tolerance.quantityPercent, tolerance.quantityAbsolute);
  if (!quantityOk) {
    reasons.push(
      `${where}: invoiced ${invoiced.toString()} ${line.unit} but only ${open.toString()} ${line.unit} ` +
        `received and not yet invoiced (${line.receivedQuantity} received, ${line.previouslyInvoicedQuantity} ` +
        `invoiced before): ${quantityVariance.toString()} ${line.unit} over, ` +
        limitText(tolerance.quantityPercent, tolerance.quantityAbsolute, line.unit),
    );
  }
  const priceOk = tolerated(
    priceVariance,
    line.orderUnitPrice,
    tolerance.pricePercent,
    tolerance.priceAbsolute,
  );
  if (!priceOk) {
    const percent = percentOf(priceVariance, line.orderUnitPrice);
    reasons.push(
      `${where}: unit price ${price(line.invoicedUnitPrice, currency)} is ${price(priceVariance, currency)}` +
        `${percent === null ? '' : ` (${percent}%)`} above the ordered ${price(line.orderUnitPrice, currency)}, ` +
        limitText(
          tolerance.pricePercent,
          tolerance.priceAbsolute === null ? null : unitPrice(tolerance.priceAbsolute, currency).amount,
          currency,
        ),
    );
  }
  return {
    ...line,
    status: quantityOk
      ? priceOk
        ? 'MATCHED'
        : 'PRICE_VARIANCE'
      : priceOk
        ? 'QUANTITY_VARIANCE'
        : 'QUANTITY_AND_PRICE_VARIANCE',
    quantityVariance: quantityVariance.toString(),
    priceVariance: priceVariance.toString(),
    amountVariance: billed.minus(due).toString(),
    currency,
    reasons,
  };
}

export function threeWayMatch(
  lines: readonly LineToMatch[],
  currency: string,
  tolerance: Tolerance,
  at: Date,
): MatchRecord {
  const matched = lines.map((line) => matchLine(line, currency, tolerance));
  return {
    status: matched.every((line) => line.status === 'MATCHED') ? 'MATCHED' : 'DISPUTED',
    matchedAt: at.toISOString(),
    tolerance,
    lines: matched,
  };
}

/** The dispute reason a clerk reads: every variance beyond tolerance, line by line. */
export function disputeReasonOf(match: MatchRecord): string | null {
  const reasons = match.lines.flatMap((line) => line.reasons);
  return reasons.length === 0 ? null : reasons.join('; ');
}
