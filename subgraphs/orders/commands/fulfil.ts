import { actorOf, type Principal } from '../../../platform/auth/principal.ts';
import type { Queryable } from '../../../platform/db/database.ts';
import { badInput, conflict, notFound } from '../../../platform/errors.ts';
import { idempotent, requestHash } from '../../../platform/idempotency.ts';
import { parseDate, parseInstant, parseQuantity, requireText } from '../../../platform/input.ts';
import { Decimal } from '../../../platform/money.ts';
import type { ReceiveShipmentInput, ShipOrderInput } from '../generated/resolvers.ts';
import { deliveryLimit, statusAfterFulfilment } from '../lifecycle.ts';
import {
  insertShipment,
  linesByOrderIds,
  recordReceipt,
  setOrderStatus,
  shipmentByReference,
  shipmentLinesByShipmentIds,
  shipmentsByIds,
  shipmentsByOrderIds,
  type OrderLineRow,
  type OrderRow,
  type ReceiptLine,
  type ShipmentRow,
} from '../store.ts';
import { insertShipNoticeDetails } from '../shipNoticeStore.ts';
import { parseShipNoticeDetails } from './shipNotice.ts';
import { assertTransition, byLineNo, orderToActOn } from './steps.ts';

// Goods moving: the seller's shipments and the buyer's receipts, within the order's tolerance.

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
  const details = parseShipNoticeDetails(
    input.lines,
    input.packages,
    shipmentLines.map(({ line, quantity }) => ({
      lineNo: line.line_no,
      sku: line.sku,
      unit: line.unit,
      quantity,
    })),
  );

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
  await insertShipNoticeDetails(tx, shipment.id, details);
  await setOrderStatus(tx, order, await statusAfterGoodsMoved(tx, order, final), actorOf(principal), {
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
        ...details.lines.get(line.line_no)!,
      })),
      packages: details.packages,
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

type CountedLine = ReceiptLine & { sku: string; unit: string; shipped: string };

/**
 * The shipment and its order, locked, when the shipment may be received now. A repeat of the receipt that
 * was recorded (same request) returns that shipment instead; another receipt of it is CONFLICT.
 */
async function shipmentToReceive(
  tx: Queryable,
  principal: Principal,
  shipmentId: string,
  hash: string,
): Promise<{ order: OrderRow; shipment: ShipmentRow } | { earlier: ShipmentRow }> {
  const [found] = await shipmentsByIds(tx, [shipmentId]);
  if (!found) throw notFound('shipment', shipmentId);
  const order = await orderToActOn(tx, principal, found.order_id, 'receive');
  // Read again under the order's lock: a concurrent receipt of the same shipment has finished by now.
  const [shipment = found] = await shipmentsByIds(tx, [shipmentId]);
  if (shipment.status === 'RECEIVED') {
    if (shipment.receipt_hash === hash) return { earlier: shipment };
    throw conflict(`shipment ${shipment.number} was already received`, { shipmentId });
  }
  assertTransition(order, 'receive');
  return { order, shipment };
}

/** What was counted per shipped line (all of it when the line is left out), within the order's tolerance. */
async function countReceipt(
  tx: Queryable,
  order: OrderRow,
  shipment: ShipmentRow,
  input: ReceiveShipmentInput | null | undefined,
): Promise<CountedLine[]> {
  const [shippedLines, orderLines] = await Promise.all([
    shipmentLinesByShipmentIds(tx, [shipment.id]),
    linesByOrderIds(tx, [order.id]),
  ]);
  const counted = byLineNo(
    input?.lines ?? [],
    new Set(shippedLines.map((l) => l.line_no)),
    `shipment ${shipment.number}`,
  );
  return shippedLines.map((shipped) => {
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
  });
}

/** The receipt's lines as `ShipmentReceived` carries them, with what arrived neither accepted nor refused. */
const receivedFacts = (receipt: readonly CountedLine[]) =>
  receipt.map((line) => ({
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
  }));

/** Goods receipt: find and lock, count against what was shipped, then record it and move the order. */
export async function receiveShipment(
  tx: Queryable,
  principal: Principal,
  shipmentId: string,
  input: ReceiveShipmentInput | null | undefined,
): Promise<ShipmentRow> {
  const hash = requestHash({ shipmentId, input: input ?? {} });
  const target = await shipmentToReceive(tx, principal, shipmentId, hash);
  if ('earlier' in target) return target.earlier;
  const { order, shipment } = target;
  const receipt = await countReceipt(tx, order, shipment, input);
  const receivedAt = input?.receivedAt ? parseInstant(input.receivedAt, 'receivedAt') : new Date();
  const received = await recordReceipt(tx, shipment, receipt, receivedAt, hash);
  await setOrderStatus(tx, order, await statusAfterGoodsMoved(tx, order, false), actorOf(principal), {
    type: 'ShipmentReceived',
    facts: { shipmentId, shipmentNumber: shipment.number, lines: receivedFacts(receipt) },
  });
  return received;
}
