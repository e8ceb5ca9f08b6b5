import { actorOf, hasRole, isPartnerPrincipal, type Principal } from '../../platform/auth/principal.ts';
import type { Queryable } from '../../platform/db/database.ts';
import { badInput, conflict, forbidden, notFound } from '../../platform/errors.ts';
import { idempotencyKeyOf, idempotent, requestHash } from '../../platform/idempotency.ts';
import {
  parseAmount,
  parseCurrency,
  parseDate,
  parseInstant,
  parseQuantity,
  requireText,
} from '../../platform/input.ts';
import { Decimal } from '../../platform/money.ts';
import { assertMayAct, canRead, orderScope } from './access.ts';
import type {
  ConfirmOrderInput,
  CreatePurchaseOrderInput,
  NewOrderLineInput,
  OrderKind,
  OrderStatus,
  PlaceSalesOrderInput,
  ReceiveShipmentInput,
  ShipOrderInput,
} from './generated/resolvers.ts';
import {
  canTransition,
  deliveryLimit,
  statusAfterConfirmation,
  statusAfterFulfilment,
  type OrderAction,
} from './lifecycle.ts';
import {
  addPendingReservations,
  catalogItems,
  customerPrices,
  lockAvailableToPromise,
  partiesAndSelf,
  type CatalogItemRow,
  type PartyRow,
} from './projection.ts';
import {
  insertOrder,
  insertShipment,
  linesByOrderIds,
  lockOrder,
  orderByIdempotencyKey,
  orderIdByExternalRef,
  ordersByIds,
  recordConfirmation,
  recordReceipt,
  setOrderStatus,
  shipmentByReference,
  shipmentLinesByShipmentIds,
  shipmentsByIds,
  shipmentsByOrderIds,
  type NewOrder,
  type NewOrderLine,
  type OrderLineRow,
  type OrderRow,
  type OrderStep,
  type ReceiptLine,
  type ShipmentRow,
} from './store.ts';

/**
 * The order mutations. Each runs inside the caller's transaction: it validates everything, locks the
 * order, checks who acts and whether the lifecycle allows the step, writes, and appends the event. Any
 * error rolls all of it back.
 */

export interface OrderSettings {
  /** Percent applied to new orders that do not set their own. */
  defaultOverdeliveryTolerance: string;
}

const MAX_TOLERANCE = 100;
const MAX_LINES = 1000;

// ---------------------------------------------------------------- creating

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

async function parseNewLines(
  tx: Queryable,
  inputs: readonly NewOrderLineInput[],
  currency: string,
  pricing: Pricing,
  /** A sales order's customer: lines without a price get this customer's price now. */
  customerId: string | null = null,
): Promise<NewOrderLine[]> {
  if (inputs.length === 0) throw badInput('an order needs at least one line', { field: 'lines' });
  if (inputs.length > MAX_LINES)
    throw badInput(`an order has at most ${MAX_LINES} lines`, { field: 'lines' });
  const items = await catalogItems(
    tx,
    inputs.map((line) => line.sku),
  );
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
async function counterparty(
  tx: Queryable,
  id: string,
  role: 'SUPPLIER' | 'CUSTOMER',
  field: string,
): Promise<{ self: PartyRow; party: PartyRow }> {
  const parties = await partiesAndSelf(tx, [id]);
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
  request: { kind: OrderKind; input: unknown; idempotencyKey: string | null | undefined },
  build: () => Promise<Omit<NewOrder, 'idempotency'>>,
): Promise<OrderRow> {
  const idempotency = idempotencyKeyOf(principal, request.idempotencyKey);
  const hash = requestHash({ kind: request.kind, input: request.input });
  const create = async () => {
    const order = await build();
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
        const earlier = await orderByIdempotencyKey(tx, scope, key);
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
  return createOrder(tx, principal, { kind: 'PURCHASE', input, idempotencyKey }, async () => {
    const currency = parseCurrency(input.currency, 'currency');
    const { self, party } = await counterparty(tx, input.supplierId, 'SUPPLIER', 'supplierId');
    return {
      kind: 'PURCHASE',
      status: 'DRAFT',
      buyerId: self.id,
      sellerId: party.id,
      currency,
      externalRef: null,
      overdeliveryTolerance: parseTolerance(input.overdeliveryTolerance, settings),
      lines: await parseNewLines(tx, input.lines, currency, 'required'),
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
  return createOrder(tx, principal, { kind: 'SALES', input, idempotencyKey }, async () => {
    const currency = parseCurrency(input.currency, 'currency');
    const { self, party } = await counterparty(tx, customerId, 'CUSTOMER', 'customerId');
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
        currency,
        isPartnerPrincipal(principal) ? 'from catalog' : 'optional',
        party.id,
      ),
    };
  });
}

// ---------------------------------------------------------------- lifecycle steps

const PAST: Record<OrderAction, string> = {
  submit: 'submitted',
  confirm: 'confirmed',
  reject: 'rejected',
  cancel: 'cancelled',
  ship: 'shipped',
  receive: 'received',
  close: 'closed',
};

/** Locks the order and checks that this principal may take this step on it. */
async function orderToActOn(
  tx: Queryable,
  principal: Principal,
  id: string,
  action: OrderAction,
): Promise<OrderRow> {
  const order = await lockOrder(tx, id);
  if (!order) throw notFound('order', id);
  if (!canRead(orderScope(principal), order)) throw forbidden('this order is not yours to act on');
  assertMayAct(principal, order, action);
  return order;
}

function assertTransition(order: OrderRow, action: OrderAction): void {
  if (!canTransition(order.status, action)) {
    throw conflict(`order ${order.number} is ${order.status} and cannot be ${PAST[action]}`, {
      status: order.status,
    });
  }
}

/** Steps that only move the status: the status each leads to, and the event that records it. */
const STATUS_STEPS = {
  submit: 'SUBMITTED',
  reject: 'REJECTED',
  cancel: 'CANCELLED',
  close: 'CLOSED',
} as const satisfies Partial<Record<OrderAction, OrderStatus>>;

async function statusStep(
  tx: Queryable,
  principal: Principal,
  id: string,
  action: keyof typeof STATUS_STEPS,
  step: () => OrderStep,
): Promise<OrderRow> {
  const order = await orderToActOn(tx, principal, id, action);
  assertTransition(order, action);
  return setOrderStatus(tx, id, STATUS_STEPS[action], actorOf(principal), step());
}

export const submitOrder = (tx: Queryable, principal: Principal, id: string) =>
  statusStep(tx, principal, id, 'submit', () => ({ type: 'OrderSubmitted', facts: {} }));

export const rejectOrder = (tx: Queryable, principal: Principal, id: string, reason: string) =>
  statusStep(tx, principal, id, 'reject', () => ({
    type: 'OrderRejected',
    facts: { reason: requireText(reason, 'reason') },
  }));

/** Either party, until something has shipped. */
export const cancelOrder = (tx: Queryable, principal: Principal, id: string, reason: string) =>
  statusStep(tx, principal, id, 'cancel', () => ({
    type: 'OrderCancelled',
    facts: { reason: requireText(reason, 'reason') },
  }));

export const closeOrder = (tx: Queryable, principal: Principal, id: string) =>
  statusStep(tx, principal, id, 'close', () => ({ type: 'OrderClosed', facts: {} }));

/** Input lines by line number, refusing numbers the order does not have and numbers given twice. */
function byLineNo<Input extends { lineNo: number }>(
  inputs: readonly Input[],
  known: ReadonlySet<number>,
  what: string,
): Map<number, Input> {
  const result = new Map<number, Input>();
  inputs.forEach((input, index) => {
    if (!known.has(input.lineNo)) {
      throw badInput(`${what} has no line ${input.lineNo}`, { field: `lines[${index}].lineNo` });
    }
    if (result.has(input.lineNo)) {
      throw badInput(`line ${input.lineNo} is given twice`, { field: `lines[${index}].lineNo` });
    }
    result.set(input.lineNo, input);
  });
  return result;
}

export async function confirmOrder(
  tx: Queryable,
  principal: Principal,
  id: string,
  input: ConfirmOrderInput,
): Promise<OrderRow> {
  const order = await orderToActOn(tx, principal, id, 'confirm');
  assertTransition(order, 'confirm');
  const lines = await linesByOrderIds(tx, [id]);
  const answers = byLineNo(input.lines ?? [], new Set(lines.map((l) => l.line_no)), `order ${order.number}`);
  const confirmed = lines.map((line) => {
    const answer = answers.get(line.line_no);
    const field = `lines[line ${line.line_no}]`;
    const quantity = answer ? parseQuantity(answer.quantity, `${field}.quantity`, { allowZero: true }) : null;
    if (quantity?.gt(line.quantity)) {
      throw badInput(`line ${line.line_no}: confirm at most the ${line.quantity} ordered`, {
        field: `${field}.quantity`,
      });
    }
    return {
      lineNo: line.line_no,
      sku: line.sku,
      unit: line.unit,
      quantity: line.quantity,
      requestedDate: line.requested_date,
      confirmedQuantity: (quantity ?? new Decimal(line.quantity)).toString(),
      confirmedDate:
        answer?.date !== null && answer?.date !== undefined
          ? parseDate(answer.date, `${field}.date`)
          : line.requested_date,
    };
  });
  const capped = order.kind === 'SALES' ? await promiseFromStock(tx, id, confirmed) : false;
  if (confirmed.every((line) => new Decimal(line.confirmedQuantity).isZero())) {
    throw badInput(
      capped
        ? 'nothing of this order is available: reject it, or confirm it once stock has arrived'
        : 'nothing is confirmed: confirm at least one line, or reject the order',
      { field: 'lines' },
    );
  }
  const externalRef = await confirmationReference(tx, order, input.externalRef);
  await recordConfirmation(
    tx,
    id,
    confirmed.map((line) => ({
      lineNo: line.lineNo,
      quantity: line.confirmedQuantity,
      date: line.confirmedDate,
    })),
    externalRef,
    order.seller_id,
  );
  return setOrderStatus(tx, id, statusAfterConfirmation(confirmed), actorOf(principal), {
    type: 'OrderConfirmed',
    facts: { externalRef, lines: confirmed },
  });
}

/**
 * A sales order confirms against stock. Lines of CONFIRM_AVAILABLE items are cut, in line order, to what
 * can still be promised (announced availability less confirmations inventory has not answered yet), so
 * the order is PARTIALLY_CONFIRMED when short and refused when nothing is available. BACKORDER items are
 * confirmed as asked; inventory reserves what it has and reports the rest (`ReservationShort`). Either way
 * the confirmed quantities are held as pending until inventory's `StockReserved` answers. Returns whether
 * any line was cut.
 */
async function promiseFromStock(
  tx: Queryable,
  orderId: string,
  lines: { sku: string; confirmedQuantity: string }[],
): Promise<boolean> {
  const wanted = lines.filter((line) => new Decimal(line.confirmedQuantity).gt(0));
  if (wanted.length === 0) return false;
  const skus = wanted.map((line) => line.sku);
  const [promisable, items] = await Promise.all([lockAvailableToPromise(tx, skus), catalogItems(tx, skus)]);
  const checked = new Set(
    items.filter((item) => item.availability_check === 'CONFIRM_AVAILABLE').map((item) => item.sku),
  );
  const taken = new Map<string, Decimal>();
  let capped = false;
  for (const line of wanted) {
    let quantity = new Decimal(line.confirmedQuantity);
    const before = taken.get(line.sku) ?? new Decimal(0);
    if (checked.has(line.sku)) {
      const left = Decimal.max(0, (promisable.get(line.sku) ?? new Decimal(0)).minus(before));
      if (quantity.gt(left)) {
        quantity = left;
        capped = true;
        line.confirmedQuantity = quantity.toString();
      }
    }
    taken.set(line.sku, before.plus(quantity));
  }
  await addPendingReservations(tx, orderId, taken);
  return capped;
}

/** A supplier may give its own order number when it confirms a purchase order; it is unique per supplier. */
async function confirmationReference(
  tx: Queryable,
  order: OrderRow,
  value: string | null | undefined,
): Promise<string | null> {
  if (value === null || value === undefined) return null;
  if (order.kind !== 'PURCHASE') {
    throw badInput('a sales order keeps the reference its customer gave', { field: 'externalRef' });
  }
  const reference = requireText(value, 'externalRef');
  const taken = await orderIdByExternalRef(tx, order.seller_id, reference);
  if (taken && taken !== order.id)
    throw conflict(`reference ${reference} is already used`, { orderId: taken });
  return reference;
}

/** After goods move, the status follows the quantities shipped and the shipments received. */
async function statusAfterGoodsMoved(tx: Queryable, order: OrderRow, final: boolean) {
  const [lines, shipments] = await Promise.all([
    linesByOrderIds(tx, [order.id]),
    shipmentsByOrderIds(tx, [order.id]),
  ]);
  return statusAfterFulfilment({
    lines: lines.map((line) => ({
      confirmedQuantity: line.confirmed_quantity ?? '0',
      shippedQuantity: line.shipped_quantity,
    })),
    shipments: shipments.map((shipment) => ({ received: shipment.status === 'RECEIVED' })),
    shippingComplete: order.shipping_complete || final,
  });
}

export async function shipOrder(
  tx: Queryable,
  principal: Principal,
  id: string,
  input: ShipOrderInput,
): Promise<ShipmentRow> {
  const order = await orderToActOn(tx, principal, id, 'ship');
  const hash = requestHash({ orderId: id, input });
  const reference =
    input.reference === null || input.reference === undefined
      ? null
      : requireText(input.reference, 'reference');
  const notify = () => notifyShipment(tx, principal, order, input, reference, hash);
  if (reference === null) return notify();
  return idempotent(
    tx,
    {
      lock: `shipment:${id}:${reference}`,
      find: async () => {
        const earlier = await shipmentByReference(tx, id, reference);
        return earlier && { result: earlier, requestHash: earlier.request_hash };
      },
      requestHash: hash,
      conflict: (earlier) =>
        conflict(`shipment ${reference} was already notified with different content`, {
          shipmentId: earlier.id,
        }),
    },
    notify,
  );
}

async function notifyShipment(
  tx: Queryable,
  principal: Principal,
  order: OrderRow,
  input: ShipOrderInput,
  reference: string | null,
  hash: string,
): Promise<ShipmentRow> {
  const id = order.id;
  assertTransition(order, 'ship');
  if (order.shipping_complete) {
    throw conflict(`order ${order.number} already had its final shipment`, { status: order.status });
  }
  if (input.lines.length === 0) throw badInput('a shipment needs at least one line', { field: 'lines' });
  const lines = await linesByOrderIds(tx, [id]);
  const shipped = byLineNo(input.lines, new Set(lines.map((l) => l.line_no)), `order ${order.number}`);
  const shipmentLines = lines
    .filter((line) => shipped.has(line.line_no))
    .map((line) => ({
      line,
      quantity: parseQuantity(shipped.get(line.line_no)!.quantity, `line ${line.line_no}`),
    }));
  for (const { line, quantity } of shipmentLines)
    assertWithinTolerance(order, line, line.shipped_quantity, quantity, 'ship');

  const final = input.final ?? false;
  const shipment = await insertShipment(
    tx,
    {
      orderId: id,
      reference,
      requestHash: hash,
      shippedAt: input.shippedAt ? parseInstant(input.shippedAt, 'shippedAt') : new Date(),
      expectedDeliveryDate: input.expectedDeliveryDate
        ? parseDate(input.expectedDeliveryDate, 'expectedDeliveryDate')
        : null,
      carrier: input.carrier?.trim() || null,
      trackingNumber: input.trackingNumber?.trim() || null,
      final,
      lines: shipmentLines.map(({ line, quantity }) => ({
        lineNo: line.line_no,
        quantity: quantity.toString(),
      })),
    },
    actorOf(principal),
  );
  await setOrderStatus(tx, id, await statusAfterGoodsMoved(tx, order, final), actorOf(principal), {
    type: 'OrderShipped',
    facts: {
      shipmentId: shipment.id,
      shipmentNumber: shipment.number,
      reference,
      final,
      lines: shipmentLines.map(({ line, quantity }) => ({
        lineNo: line.line_no,
        sku: line.sku,
        unit: line.unit,
        quantity: quantity.toString(),
      })),
    },
  });
  return shipment;
}

/** Shipping (or receiving) beyond the confirmed quantity plus the order's tolerance is refused. */
function assertWithinTolerance(
  order: OrderRow,
  line: OrderLineRow,
  sofar: string,
  adding: Decimal,
  step: 'ship' | 'receive',
): void {
  const confirmed = line.confirmed_quantity ?? '0';
  if (new Decimal(confirmed).isZero()) {
    throw badInput(`line ${line.line_no} was declined by the seller`, {
      field: 'lines',
      lineNo: line.line_no,
    });
  }
  const limit = deliveryLimit(confirmed, order.overdelivery_tolerance);
  const total = adding.plus(sofar);
  if (total.gt(limit)) {
    throw badInput(
      `line ${line.line_no}: ${step === 'ship' ? 'shipping' : 'receiving'} ${adding.toString()} makes ${total.toString()} ${line.unit}, ` +
        `over the ${confirmed} confirmed plus ${order.overdelivery_tolerance}% tolerance (at most ${limit.toString()})`,
      { field: 'lines', lineNo: line.line_no },
    );
  }
}

export async function receiveShipment(
  tx: Queryable,
  principal: Principal,
  shipmentId: string,
  input: ReceiveShipmentInput | null | undefined,
): Promise<ShipmentRow> {
  const [found] = await shipmentsByIds(tx, [shipmentId]);
  if (!found) throw notFound('shipment', shipmentId);
  const order = await orderToActOn(tx, principal, found.order_id, 'receive');
  // Read again under the order's lock: a concurrent receipt of the same shipment has finished by now.
  const [shipment] = await shipmentsByIds(tx, [shipmentId]);
  const hash = requestHash({ shipmentId, input: input ?? {} });
  if (shipment!.status === 'RECEIVED') {
    if (shipment!.receipt_hash === hash) return shipment!;
    throw conflict(`shipment ${shipment!.number} was already received`, { shipmentId });
  }
  assertTransition(order, 'receive');

  const [shippedLines, orderLines] = await Promise.all([
    shipmentLinesByShipmentIds(tx, [shipmentId]),
    linesByOrderIds(tx, [order.id]),
  ]);
  const counted = byLineNo(
    input?.lines ?? [],
    new Set(shippedLines.map((l) => l.line_no)),
    `shipment ${shipment!.number}`,
  );
  const receipt: (ReceiptLine & { sku: string; unit: string; shipped: string })[] = shippedLines.map(
    (shipped) => {
      const count = counted.get(shipped.line_no);
      const field = `line ${shipped.line_no}`;
      const accepted = count
        ? parseQuantity(count.quantity, `${field}.quantity`, { allowZero: true })
        : new Decimal(shipped.quantity);
      const rejected =
        count?.rejectedQuantity !== null && count?.rejectedQuantity !== undefined
          ? parseQuantity(count.rejectedQuantity, `${field}.rejectedQuantity`, { allowZero: true })
          : new Decimal(0);
      const orderLine = orderLines.find((line) => line.line_no === shipped.line_no)!;
      // Measured against what this shipment carried, with the order's tolerance on top.
      assertWithinTolerance(
        order,
        { ...orderLine, confirmed_quantity: shipped.quantity },
        '0',
        accepted.plus(rejected),
        'receive',
      );
      return {
        lineNo: shipped.line_no,
        sku: shipped.sku,
        unit: shipped.unit,
        shipped: shipped.quantity,
        quantity: accepted.toString(),
        rejectedQuantity: rejected.toString(),
        rejectionReason: count?.rejectionReason?.trim() || null,
      };
    },
  );

  const receivedAt = input?.receivedAt ? parseInstant(input.receivedAt, 'receivedAt') : new Date();
  const received = await recordReceipt(tx, shipment!, receipt, receivedAt, hash);
  await setOrderStatus(tx, order.id, await statusAfterGoodsMoved(tx, order, false), actorOf(principal), {
    type: 'ShipmentReceived',
    facts: {
      shipmentId,
      shipmentNumber: shipment!.number,
      lines: receipt.map((line) => ({
        lineNo: line.lineNo,
        sku: line.sku,
        unit: line.unit,
        shippedQuantity: line.shipped,
        quantity: line.quantity,
        rejectedQuantity: line.rejectedQuantity,
        shortQuantity: Decimal.max(
          0,
          new Decimal(line.shipped).minus(line.quantity).minus(line.rejectedQuantity),
        ).toString(),
        rejectionReason: line.rejectionReason,
      })),
    },
  });
  return received;
}
