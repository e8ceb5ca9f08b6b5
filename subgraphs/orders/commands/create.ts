import { actorOf, hasRole, isPartnerPrincipal, type Principal } from '../../../platform/auth/principal.ts';
import type { Queryable } from '../../../platform/db/database.ts';
import { badInput, conflict, forbidden } from '../../../platform/errors.ts';
import { idempotencyKeyOf, idempotent, requestHash } from '../../../platform/idempotency.ts';
import {
  parseAmount,
  parseCurrency,
  parseDate,
  parseQuantity,
  requireText,
} from '../../../platform/input.ts';
import { Decimal } from '../../../platform/money.ts';
import type {
  CreatePurchaseOrderInput,
  NewOrderLineInput,
  OrderKind,
  PlaceSalesOrderInput,
} from '../generated/resolvers.ts';
import {
  customerPrices,
  orderReference,
  type CatalogItemRow,
  type OrderReference,
  type PartyRow,
} from '../projection.ts';
import {
  insertOrder,
  orderIdByExternalRef,
  ordersByIds,
  type NewOrder,
  type NewOrderLine,
  type OrderRow,
} from '../store.ts';

/** Creating orders: purchase orders our buyers raise, sales orders our customers (or sales staff) place. */

export interface OrderSettings {
  /** Percent applied to new orders that do not set their own. */
  defaultOverdeliveryTolerance: string;
}

const MAX_TOLERANCE = 100;
const MAX_LINES = 1000;

type Pricing = 'required' | 'from catalog' | 'optional';

function parseTolerance(value: string | null | undefined, settings: OrderSettings): string {
  if (value === null || value === undefined) return settings.defaultOverdeliveryTolerance;
  const tolerance = parseAmount(value, 'overdeliveryTolerance');
  if (tolerance.gt(MAX_TOLERANCE)) {
    throw badInput(`overdeliveryTolerance is a percentage up to ${MAX_TOLERANCE}`, {
      field: 'overdeliveryTolerance',
    });
  }
  return tolerance.toString();
}

/** What a new order is checked against (`orderReference`), in one statement. */
function referenceFor(
  db: Queryable,
  partyId: string,
  lines: readonly NewOrderLineInput[],
  idempotency: { scope: string; key: string } | null,
): Promise<OrderReference> {
  // Too many lines are refused with the order (`parseNewLines`), after its idempotency key is checked.
  const skus = lines.length > MAX_LINES ? [] : lines.map((line) => line.sku);
  return orderReference(db, partyId, skus, idempotency);
}

async function parseNewLines(
  tx: Queryable,
  inputs: readonly NewOrderLineInput[],
  items: readonly CatalogItemRow[],
  currency: string,
  pricing: Pricing,
  /** A sales order's customer: lines without a price get this customer's price now. */
  customerId: string | null = null,
): Promise<NewOrderLine[]> {
  if (inputs.length === 0) throw badInput('an order needs at least one line', { field: 'lines' });
  if (inputs.length > MAX_LINES)
    throw badInput(`an order has at most ${MAX_LINES} lines`, { field: 'lines' });
  const catalog = new Map(items.map((item) => [item.sku, item]));
  const prices = customerId
    ? await customerPrices(tx, customerId, items, currency)
    : new Map<string, Decimal>();
  return inputs.map((input, index) => {
    const field = `lines[${index}]`;
    const item = catalog.get(input.sku);
    if (!item) throw badInput(`${field}: unknown SKU ${input.sku}`, { field: `${field}.sku` });
    if (input.unit !== null && input.unit !== undefined && input.unit !== item.unit) {
      throw badInput(`${field}: ${input.sku} is ordered in ${item.unit}, not ${input.unit}`, {
        field: `${field}.unit`,
      });
    }
    return {
      sku: input.sku,
      quantity: parseQuantity(input.quantity, `${field}.quantity`).toString(),
      unit: item.unit,
      unitPrice: linePrice(input, item, currency, pricing, field, prices.get(item.sku)),
      requestedDate:
        input.requestedDate === null || input.requestedDate === undefined
          ? null
          : parseDate(input.requestedDate, `${field}.requestedDate`),
    };
  });
}

function linePrice(
  input: NewOrderLineInput,
  item: CatalogItemRow,
  currency: string,
  pricing: Pricing,
  field: string,
  /** The customer's price now (agreed, promoted or list), when the order has a customer. */
  customerPrice?: Decimal,
): string {
  const given = input.unitPrice;
  if (given) {
    if (pricing === 'from catalog') {
      throw badInput(`${field}: prices come from the catalog`, { field: `${field}.unitPrice` });
    }
    if (given.currency !== currency) {
      throw badInput(`${field}: the price is in ${given.currency} but the order is in ${currency}`, {
        field: `${field}.unitPrice.currency`,
      });
    }
    return parseAmount(given.amount, `${field}.unitPrice.amount`).toString();
  }
  if (pricing === 'required') {
    throw badInput(`${field}: a purchase order line needs a unit price`, { field: `${field}.unitPrice` });
  }
  if (customerPrice) return customerPrice.toString();
  if (item.list_price === null || item.currency !== currency) {
    throw badInput(`${field}: ${item.sku} has no list price in ${currency}`, { field: `${field}.sku` });
  }
  return new Decimal(item.list_price).toString();
}

/** The counterparty must be known to orders, active, and a supplier (or customer) of the company. */
function counterparty(
  parties: readonly PartyRow[],
  id: string,
  role: 'SUPPLIER' | 'CUSTOMER',
  field: string,
): { self: PartyRow; party: PartyRow } {
  const self = parties.find((party) => party.is_self);
  if (!self) throw conflict('the company itself is not registered as a partner yet');
  const party = parties.find((candidate) => candidate.id === id && !candidate.is_self);
  if (!party) throw badInput(`unknown partner ${id}`, { field });
  if (party.status !== 'ACTIVE') throw badInput(`${party.name} is ${party.status}`, { field });
  if (!party.roles.includes(role)) {
    throw badInput(`${party.name} is not registered as a ${role.toLowerCase()}`, { field });
  }
  return { self, party };
}

async function createOrder(
  tx: Queryable,
  principal: Principal,
  request: {
    kind: OrderKind;
    input: unknown;
    idempotencyKey: string | null | undefined;
    /** The counterparty and the lines, read for `build` with the key's earlier order (`orderReference`). */
    partyId: string;
    lines: readonly NewOrderLineInput[];
  },
  build: (reference: OrderReference) => Promise<Omit<NewOrder, 'idempotency'>>,
): Promise<OrderRow> {
  const idempotency = idempotencyKeyOf(principal, request.idempotencyKey);
  const hash = requestHash({ kind: request.kind, input: request.input });
  // One read for both steps: `idempotent` finds the earlier order in it (after the key's lock), then
  // `create` builds the order from the same statement's counterparty and items.
  let reading: Promise<OrderReference> | undefined;
  const reference = () => (reading ??= referenceFor(tx, request.partyId, request.lines, idempotency));
  const create = async () => {
    const order = await build(await reference());
    if (order.externalRef !== null) {
      const owner = order.kind === 'PURCHASE' ? order.sellerId : order.buyerId;
      const taken = await orderIdByExternalRef(tx, owner, order.externalRef);
      if (taken) throw conflict(`reference ${order.externalRef} is already used`, { orderId: taken });
    }
    return insertOrder(
      tx,
      { ...order, idempotency: idempotency && { ...idempotency, requestHash: hash } },
      actorOf(principal),
    );
  };
  if (!idempotency) return create();
  const { scope, key } = idempotency;
  return idempotent(
    tx,
    {
      lock: `order:${scope}:${key}`,
      find: async () => {
        const { earlier } = await reference();
        if (!earlier) return undefined;
        const [order] = await ordersByIds(tx, [earlier.id]);
        return { result: order!, requestHash: earlier.request_hash };
      },
      requestHash: hash,
      conflict: (earlier) =>
        conflict(`idempotency key ${key} was already used for a different order`, { orderId: earlier.id }),
    },
    create,
  );
}

export function createPurchaseOrder(
  tx: Queryable,
  principal: Principal,
  input: CreatePurchaseOrderInput,
  idempotencyKey: string | null | undefined,
  settings: OrderSettings,
): Promise<OrderRow> {
  if (isPartnerPrincipal(principal) || !hasRole(principal, 'admin', 'buyer')) {
    throw forbidden('purchase orders are raised by the company’s buyers');
  }
  const request = {
    kind: 'PURCHASE',
    input,
    idempotencyKey,
    partyId: input.supplierId,
    lines: input.lines,
  } as const;
  return createOrder(tx, principal, request, async ({ parties, items }) => {
    const currency = parseCurrency(input.currency, 'currency');
    const { self, party } = counterparty(parties, input.supplierId, 'SUPPLIER', 'supplierId');
    return {
      kind: 'PURCHASE',
      status: 'DRAFT',
      buyerId: self.id,
      sellerId: party.id,
      currency,
      externalRef: null,
      overdeliveryTolerance: parseTolerance(input.overdeliveryTolerance, settings),
      lines: await parseNewLines(tx, input.lines, items, currency, 'required'),
    };
  });
}

export function placeSalesOrder(
  tx: Queryable,
  principal: Principal,
  input: PlaceSalesOrderInput,
  idempotencyKey: string | null | undefined,
  settings: OrderSettings,
): Promise<OrderRow> {
  let customerId: string;
  if (isPartnerPrincipal(principal)) {
    customerId = input.customerId ?? principal.partnerId;
    if (customerId !== principal.partnerId) throw forbidden('a customer places orders for itself only');
  } else if (hasRole(principal, 'admin', 'sales')) {
    if (!input.customerId) throw badInput('customerId is required', { field: 'customerId' });
    customerId = input.customerId;
  } else {
    throw forbidden('sales orders are placed by customers or the company’s sales staff');
  }
  const request = { kind: 'SALES', input, idempotencyKey, partyId: customerId, lines: input.lines } as const;
  return createOrder(tx, principal, request, async ({ parties, items }) => {
    const currency = parseCurrency(input.currency, 'currency');
    const { self, party } = counterparty(parties, customerId, 'CUSTOMER', 'customerId');
    return {
      kind: 'SALES',
      status: 'SUBMITTED',
      buyerId: party.id,
      sellerId: self.id,
      currency,
      externalRef:
        input.externalRef === null || input.externalRef === undefined
          ? null
          : requireText(input.externalRef, 'externalRef'),
      overdeliveryTolerance: settings.defaultOverdeliveryTolerance,
      lines: await parseNewLines(
        tx,
        input.lines,
        items,
        currency,
        isPartnerPrincipal(principal) ? 'from catalog' : 'optional',
        party.id,
      ),
    };
  });
}
