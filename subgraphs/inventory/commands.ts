import type { Principal } from '../../platform/auth/principal.ts';
import type { Queryable } from '../../platform/db/database.ts';
import { badInput, notFound } from '../../platform/errors.ts';
import {
  parseAmount,
  parseCurrency,
  parseDate,
  parseInstant,
  parseQuantity,
  requireName,
  requireText,
} from '../../platform/input.ts';
import { Decimal } from '../../platform/money.ts';
import { hasValidGs1CheckDigit } from '../../platform/validation.ts';
import { assertMay } from './access.ts';
import type {
  AdjustStockInput,
  SetPriceInput,
  SetPromotionInput,
  UpsertItemInput,
  UpsertLocationInput,
} from './generated/resolvers.ts';
import {
  adjust,
  customerPriceById,
  insertCustomerPrice,
  insertPromotion,
  levelAt,
  locationByCode,
  lockItem,
  overlappingPrices,
  overlappingPromotions,
  partnerById,
  removeCustomerPrice as removePrice,
  setListPrice,
  upsertItem as storeItem,
  upsertLocation as storeLocation,
  type ItemRow,
  type LocationRow,
} from './store.ts';
import { type MovementRow } from './stock.ts';
import { lockEventLog } from '../../platform/events/eventLog.ts';
import { todayUtc as today } from '../../platform/dates.ts';

/**
 * Inventory mutations. Each validates its input before it writes, runs in the caller's transaction and
 * takes the inventory lock first (see stock.ts); any error rolls all of it back, so bad input changes
 * nothing.
 */

const actor = (principal: Principal) => principal.subject;
const SKU = /^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$/;
/** UN/ECE Recommendation 20 codes are 2 or 3 upper-case letters or digits. */
const UNIT = /^[A-Z0-9]{2,3}$/;
const LOCATION = /^[A-Z0-9][A-Z0-9_.-]{0,31}$/;

function parseSku(value: string, field = 'sku'): string {
  const sku = value.trim();
  if (!SKU.test(sku))
    throw badInput(`${field} must be 1 to 64 letters, digits or . _ / -, not "${value}"`, { field });
  return sku;
}

export function parseGtin(value: string): string {
  const gtin = value.trim();
  if (!/^(\d{8}|\d{12}|\d{13}|\d{14})$/.test(gtin) || !hasValidGs1CheckDigit(gtin)) {
    throw badInput(`gtin ${value} is not a GTIN-8, -12, -13 or -14 with a valid check digit`, {
      field: 'gtin',
    });
  }
  return gtin;
}

/** A price: a non-negative decimal of up to 4 places in an ISO 4217 currency. */
function parsePrice(price: { amount: string; currency: string }, field: string) {
  if (/^\s*-/.test(price.amount))
    throw badInput(`${field}.amount must not be negative`, { field: `${field}.amount` });
  return {
    amount: parseAmount(price.amount, `${field}.amount`).toString(),
    currency: parseCurrency(price.currency, `${field}.currency`),
  };
}

async function existingItem(tx: Queryable, sku: string): Promise<ItemRow> {
  const item = await lockItem(tx, sku);
  if (!item) throw badInput(`unknown SKU ${sku}`, { field: 'sku' });
  return item;
}

export async function upsertItem(
  tx: Queryable,
  principal: Principal,
  input: UpsertItemInput,
): Promise<ItemRow> {
  assertMay(principal, 'upsertItem');
  const sku = parseSku(input.sku);
  const name = requireName(input.name, 'name');
  const unit = input.unit.trim();
  if (!UNIT.test(unit))
    throw badInput(`unit must be a UN/ECE rec. 20 code such as EA or KGM, not "${input.unit}"`, {
      field: 'unit',
    });
  const gtin = input.gtin === undefined ? undefined : input.gtin === null ? null : parseGtin(input.gtin);
  const listPrice =
    input.listPrice === undefined
      ? undefined
      : input.listPrice === null
        ? null
        : parsePrice(input.listPrice, 'listPrice');
  const reorderPoint =
    input.reorderPoint === undefined
      ? undefined
      : input.reorderPoint === null
        ? null
        : parseQuantity(input.reorderPoint, 'reorderPoint', { allowZero: true }).toString();
  await lockEventLog(tx);
  if (gtin) {
    const holder = await tx.maybeOne<{ sku: string }>(
      `SELECT sku FROM inventory.item WHERE gtin = $1 AND sku <> $2`,
      [gtin, sku],
    );
    if (holder) throw badInput(`gtin ${gtin} already belongs to ${holder.sku}`, { field: 'gtin' });
  }
  return storeItem(
    tx,
    {
      sku,
      name,
      unit,
      ...(gtin !== undefined ? { gtin } : {}),
      ...(listPrice !== undefined ? { listPrice } : {}),
      ...(reorderPoint !== undefined ? { reorderPoint } : {}),
      ...(input.availabilityCheck ? { availabilityCheck: input.availabilityCheck } : {}),
    },
    actor(principal),
  );
}

export async function setPrice(tx: Queryable, principal: Principal, input: SetPriceInput): Promise<ItemRow> {
  assertMay(principal, 'setPrice');
  const sku = parseSku(input.sku);
  const price = parsePrice(input.price, 'price');
  if (input.customerId === null || input.customerId === undefined) {
    if (input.validFrom || input.validTo) {
      throw badInput('a list price has no validity; give customerId for an agreed price', {
        field: 'validFrom',
      });
    }
    await lockEventLog(tx);
    await existingItem(tx, sku);
    await setListPrice(tx, sku, price, actor(principal));
    return (await lockItem(tx, sku))!;
  }
  const customerId = input.customerId;
  const validFrom = input.validFrom ? parseDate(input.validFrom, 'validFrom') : today();
  const validTo = input.validTo ? parseDate(input.validTo, 'validTo') : null;
  if (validTo !== null && validTo < validFrom) {
    throw badInput(`validTo ${validTo} is before validFrom ${validFrom}`, { field: 'validTo' });
  }
  await lockEventLog(tx);
  const item = await existingItem(tx, sku);
  const customer = await partnerById(tx, customerId);
  if (!customer || !customer.roles.includes('CUSTOMER')) {
    throw badInput(`unknown customer ${customerId}`, { field: 'customerId' });
  }
  if (item.currency !== null && item.currency !== price.currency) {
    throw badInput(`${sku} is priced in ${item.currency}; an agreed price must be too`, {
      field: 'price.currency',
    });
  }
  const overlapping = await overlappingPrices(tx, customerId, sku, validFrom, validTo);
  if (overlapping.length > 0) {
    const other = overlapping[0]!;
    throw badInput(
      `this customer already has a price for ${sku} valid ${other.valid_from} to ${other.valid_to ?? 'open-ended'}; ` +
        'validity may not overlap (remove that price or choose other dates)',
      { field: 'validFrom', priceId: other.id },
    );
  }
  await insertCustomerPrice(
    tx,
    { sku, customerId, amount: price.amount, currency: price.currency, validFrom, validTo },
    actor(principal),
  );
  return item;
}

export async function removeCustomerPrice(tx: Queryable, principal: Principal, id: string): Promise<ItemRow> {
  assertMay(principal, 'removeCustomerPrice');
  await lockEventLog(tx);
  const price = await customerPriceById(tx, id);
  if (!price) throw notFound('customer price', id);
  await removePrice(tx, id, actor(principal));
  return (await lockItem(tx, price.sku))!;
}

const MAX_PROMOTION_DAYS = 366;

export async function setPromotion(
  tx: Queryable,
  principal: Principal,
  input: SetPromotionInput,
): Promise<ItemRow> {
  assertMay(principal, 'setPromotion');
  const sku = parseSku(input.sku);
  const name = requireName(input.name, 'name');
  if (/^\s*-/.test(input.value)) throw badInput('value must not be negative', { field: 'value' });
  const value = parseQuantity(input.value, 'value');
  if (input.kind === 'PERCENT' && value.gt(100))
    throw badInput('a percentage is at most 100', { field: 'value' });
  const startsAt = parseInstant(input.startsAt, 'startsAt');
  const endsAt = parseInstant(input.endsAt, 'endsAt');
  if (endsAt <= startsAt) throw badInput('endsAt must be after startsAt', { field: 'endsAt' });
  if (endsAt.getTime() - startsAt.getTime() > MAX_PROMOTION_DAYS * 86_400_000) {
    throw badInput(`a promotion runs at most ${MAX_PROMOTION_DAYS} days`, { field: 'endsAt' });
  }
  await lockEventLog(tx);
  const item = await existingItem(tx, sku);
  if (item.list_price === null) throw badInput(`${sku} has no list price to discount`, { field: 'sku' });
  if (input.kind === 'AMOUNT' && value.gt(item.list_price)) {
    throw badInput(`${value.toString()} off is more than the list price ${item.list_price}`, {
      field: 'value',
    });
  }
  const overlapping = await overlappingPromotions(tx, sku, startsAt, endsAt);
  if (overlapping.length > 0) {
    throw badInput(`${sku} already has the promotion "${overlapping[0]!.name}" in that time`, {
      field: 'startsAt',
    });
  }
  await insertPromotion(
    tx,
    {
      sku,
      name,
      kind: input.kind,
      value: value.toString(),
      currency: input.kind === 'AMOUNT' ? item.currency : null,
      starts_at: startsAt,
      ends_at: endsAt,
    },
    actor(principal),
  );
  return (await lockItem(tx, sku))!;
}

const SIGNED = /^-?\d{1,14}(\.\d{1,4})?$/;

export async function adjustStock(
  tx: Queryable,
  principal: Principal,
  input: AdjustStockInput,
): Promise<MovementRow> {
  assertMay(principal, 'adjustStock');
  const sku = parseSku(input.sku);
  const reason = requireText(input.reason, 'reason');
  const code = input.location.trim();
  const hasChange = input.change !== null && input.change !== undefined;
  const hasCount = input.countedOnHand !== null && input.countedOnHand !== undefined;
  if (hasChange === hasCount)
    throw badInput('give exactly one of change and countedOnHand', { field: 'change' });
  let change: Decimal | null = null;
  if (hasChange) {
    const text = input.change!.trim();
    if (!SIGNED.test(text)) {
      throw badInput(`change must be a signed decimal with at most 4 places, not "${input.change}"`, {
        field: 'change',
      });
    }
    change = new Decimal(text);
    if (change.isZero()) throw badInput('change must not be zero', { field: 'change' });
  }
  const counted = hasCount ? parseQuantity(input.countedOnHand!, 'countedOnHand', { allowZero: true }) : null;
  await lockEventLog(tx);
  await existingItem(tx, sku);
  if (!(await locationByCode(tx, code)))
    throw badInput(`unknown location ${input.location}`, { field: 'location' });
  const level = await levelAt(tx, sku, code);
  const delta = change ?? counted!.minus(level.onHand);
  const after = level.onHand.plus(delta);
  if (after.lt(0)) {
    throw badInput(`${sku} has ${level.onHand.toString()} on hand at ${code}; it cannot go below zero`, {
      field: 'change',
    });
  }
  if (after.lt(level.reserved)) {
    throw badInput(
      `${level.reserved.toString()} of ${sku} at ${code} is reserved for sales orders; on hand cannot fall below it ` +
        '(cancel or ship those orders first)',
      { field: 'change' },
    );
  }
  return adjust(tx, sku, code, delta, reason, actor(principal));
}

export async function upsertLocation(
  tx: Queryable,
  principal: Principal,
  input: UpsertLocationInput,
): Promise<LocationRow> {
  assertMay(principal, 'upsertLocation');
  const code = input.code.trim();
  if (!LOCATION.test(code)) {
    throw badInput(`code must be 1 to 32 upper-case letters, digits or _ . -, not "${input.code}"`, {
      field: 'code',
    });
  }
  const name = requireName(input.name, 'name');
  return storeLocation(tx, { code, name, isDefault: input.isDefault ?? false }, actor(principal));
}
