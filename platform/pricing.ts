import { Decimal } from './money.ts';

/**
 * The one pricing rule, used by the catalog and, through the events it keeps, by orders when it prices a
 * sales order: a customer pays the lower of its agreed price valid now and the list price less the
 * promotion running now. Only prices in the wanted currency compete. Unit prices keep up to 4 decimals
 * (a percentage off is rounded half up to 4), never less than zero.
 */
export interface PriceTerms {
  listPrice: { amount: string; currency: string } | null;
  customerPrice: { amount: string; currency: string } | null;
  promotion: { kind: 'PERCENT' | 'AMOUNT'; value: string; currency: string | null } | null;
}

export type PriceSource = 'CUSTOMER' | 'PROMOTION' | 'LIST';

export interface EffectivePrice {
  amount: Decimal;
  currency: string;
  source: PriceSource;
}

export function promotedListPrice(
  listPrice: { amount: string; currency: string },
  promotion: PriceTerms['promotion'],
): Decimal {
  const list = new Decimal(listPrice.amount);
  if (!promotion) return list;
  const off =
    promotion.kind === 'PERCENT'
      ? list.times(promotion.value).dividedBy(100)
      : promotion.currency === listPrice.currency
        ? new Decimal(promotion.value)
        : new Decimal(0);
  return Decimal.max(0, list.minus(off)).toDecimalPlaces(4, Decimal.ROUND_HALF_UP);
}

export function effectivePrice(terms: PriceTerms, currency?: string): EffectivePrice | null {
  const candidates: EffectivePrice[] = [];
  const { listPrice, customerPrice, promotion } = terms;
  if (customerPrice && (!currency || customerPrice.currency === currency)) {
    candidates.push({
      amount: new Decimal(customerPrice.amount),
      currency: customerPrice.currency,
      source: 'CUSTOMER',
    });
  }
  if (listPrice && (!currency || listPrice.currency === currency)) {
    const promoted = promotedListPrice(listPrice, promotion);
    candidates.push({
      amount: promoted,
      currency: listPrice.currency,
      source: promotion && !promoted.eq(listPrice.amount) ? 'PROMOTION' : 'LIST',
    });
  }
  // An agreed price in another currency than the list price wins: it is what was agreed.
  const sameCurrency = candidates.filter((candidate) => candidate.currency === candidates[0]?.currency);
  return sameCurrency.reduce<EffectivePrice | null>(
    (best, candidate) => (best === null || candidate.amount.lt(best.amount) ? candidate : best),
    null,
  );
}
